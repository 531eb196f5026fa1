"""Reading TIFF files (tifffile) for masks and images: every page, colour from the metadata.

- A file is read whole: one series gives its array; several series of one shape and dtype
  (e.g. one page per series, as ``tifffile.imwrite(..., append=True)`` writes them) are stacked
  into a volume ``(Z, ...)``; series of different shapes are refused, never reduced to page 1.
- Whether a file is colour is read from its ``PhotometricInterpretation`` (RGB) and its
  samples-per-pixel axis, never guessed from an axis of length 3 or 4: a ``(3, Y, X)`` grey
  stack stays a stack.
- Grey with extra samples (grey + alpha) gives the grey sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FileFormatError
from ._files import check_pixel_count

__all__ = ["LOSSY_TIFF", "TiffData", "read_tiff"]

#: TIFF compressions that change pixel values (JPEG inside TIFF).
LOSSY_TIFF = ("OJPEG", "JPEG", "JPEG_LOSSY", "JPEG_99", "ALT_JPEG", "JPEG_2000_LOSSY", "JPEGXL",
              "WEBP", "LERC")
_RGB = (2, 6)  # RGB, YCbCr (tifffile decodes JPEG YCbCr to RGB)


@dataclass(frozen=True)
class TiffData:
    """What :func:`read_tiff` found: pixels (samples last when colour) and metadata."""

    array: np.ndarray
    colour: bool
    photometric: int
    colormap: np.ndarray | None
    spacing: tuple[float, ...] | None
    compression: str


def read_tiff(path: Path, max_pixels: int | None, *, lossy: str | None = None) -> TiffData:
    """Read every series of a TIFF file; see the module notes.

    With ``lossy`` (a reason), a file compressed by a lossy method is refused before its
    pixels are decoded.
    """
    import tifffile

    with tifffile.TiffFile(path) as tif:
        if not tif.series:
            raise FileFormatError(f"{path}: the TIFF holds no image")
        first = tif.series[0]
        page = first.pages[0] if first.pages and first.pages[0] is not None else tif.pages[0]
        compression = getattr(page.compression, "name", str(page.compression))
        if lossy is not None and compression in LOSSY_TIFF:
            raise FileFormatError(f"{path}: {compression}-compressed TIFF {lossy}")
        photometric = int(page.photometric)
        series = list(tif.series)
        shapes = {(s.shape, str(s.dtype), s.axes) for s in series}
        if len(shapes) > 1:
            listed = ", ".join(f"{s.shape} {s.dtype}" for s in series[:4])
            more = f", ... ({len(series)} series)" if len(series) > 4 else ""
            raise FileFormatError(
                f"{path}: the TIFF holds {len(series)} images of different shapes or types "
                f"({listed}{more}); segscope reads a TIFF as one image or one stack of equal "
                "pages, never one page of several. Save each image in its own file"
            )
        axes = first.axes
        shape = tuple(first.shape)
        sample_axis = axes.find("S")
        samples = shape[sample_axis] if sample_axis >= 0 else 1
        colour = photometric in _RGB and samples in (3, 4)
        spatial = [n for i, n in enumerate(shape) if i != sample_axis]
        if len(series) > 1:
            spatial = [len(series), *spatial]
        itemsize = np.dtype(first.dtype).itemsize * max(samples, 1)
        check_pixel_count(spatial, path, max_pixels, itemsize=2 * itemsize)
        if len(series) == 1:
            arr = first.asarray()
        else:
            arr = np.stack([s.asarray() for s in series])
            if sample_axis >= 0:
                sample_axis += 1
        colormap = page.colormap
        extra = len(page.extrasamples or ())
        spacing = _tiff_spacing(tif, len(spatial))
    if sample_axis >= 0 and samples > 1:
        arr = np.moveaxis(arr, sample_axis, -1)
        if colour:
            arr = arr[..., :3]
        elif samples - extra == 1:  # grey + alpha (or other extra samples)
            arr = arr[..., 0]
        else:
            raise FileFormatError(
                f"{path}: the TIFF has {samples} samples per pixel and is neither RGB nor grey "
                "with extra samples; segscope cannot tell which channel to read"
            )
    return TiffData(np.ascontiguousarray(arr), colour, photometric, colormap, spacing,
                    compression)


def _tiff_spacing(tif, ndim: int) -> tuple[float, ...] | None:
    """Spacing from ImageJ or OME metadata, in array axis order; None when incomplete."""
    try:
        if tif.is_ome and tif.ome_metadata:
            sizes = {}
            for axis in "XYZ":
                m = re.search(rf'PhysicalSize{axis}="([0-9.eE+-]+|NaN|nan)"', tif.ome_metadata)
                if m:
                    sizes[axis] = float(m.group(1))
            order = "ZYX"[-ndim:] if ndim <= 3 else ""
            if order and all(a in sizes for a in order):
                return tuple(sizes[a] for a in order)
            return None
        if tif.is_imagej:
            page = tif.pages[0]
            xres = page.tags.get("XResolution")
            yres = page.tags.get("YResolution")
            if xres is None or yres is None:
                return None
            x = xres.value[1] / xres.value[0]
            y = yres.value[1] / yres.value[0]
            if ndim == 2:
                return (y, x)
            z = (tif.imagej_metadata or {}).get("spacing")
            if ndim == 3 and z is not None:
                return (float(z), y, x)
    except (ZeroDivisionError, TypeError, ValueError, IndexError):
        return None
    return None
