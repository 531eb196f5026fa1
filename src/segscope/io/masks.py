"""Reading label masks from files, with the pixel/voxel spacing when the file has one.

Formats
-------
PNG, BMP, GIF, WebP (Pillow)
    Grey 8-bit (``L``) and 16-bit (``I;16``) images give their values. Palette
    (indexed) images give the palette **index**, as in Pascal VOC (where 255 marks
    "void", usually passed as ``ignore_index``). Grey+alpha gives the grey channel.
    RGB(A) images need a colour → class map (``colormap``), unless all three channels
    are equal everywhere (a grey mask saved as RGB), which gives that grey value.
TIFF (tifffile)
    8/16/32-bit integer masks, 2-D or 3-D (pages as the first axis). Spacing is read
    from ImageJ metadata (``XResolution``/``YResolution`` and ``spacing``) or OME-XML
    (``PhysicalSizeX/Y/Z``) when present; otherwise it is ``None``.
NPY, NPZ (NumPy)
    An ``.npz`` must hold one array, or an array named ``labels`` or ``mask``; an
    optional array named ``spacing`` is used as the spacing.
NIfTI ``.nii``, ``.nii.gz`` (nibabel, the optional ``nifti`` extra)
    Spacing is the header's voxel size (zooms), in array axis order.

JPEG masks, lossy WebP and JPEG-compressed TIFF are refused: lossy compression changes
label values along edges.
Float masks are accepted only if every value is a whole number; NaN or fractional
values (probabilities) are an error.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.npy"
>>> np.save(path, np.array([[0, 1], [2, 0]], dtype=np.uint8))
>>> read_mask(path).labels.tolist()
[[0, 1], [2, 0]]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import check_label_array
from ..errors import FileFormatError, LabelError, require
from ._files import DEFAULT_MAX_PIXELS, check_pixel_count, existing_file, full_suffix, reading
from ._files import open_pillow as _open_pillow
from .colormap import Colormap, apply_colormap, read_colormap

__all__ = ["MASK_EXTENSIONS", "Mask", "read_mask"]

#: File suffixes :func:`read_mask` accepts.
MASK_EXTENSIONS = (".png", ".tif", ".tiff", ".npy", ".npz", ".nii", ".nii.gz", ".bmp", ".gif",
                   ".webp")

_PILLOW = (".png", ".bmp", ".gif", ".webp")
_TIFF = (".tif", ".tiff")
_LOSSY = (".jpg", ".jpeg")
#: TIFF compressions that change pixel values (JPEG inside TIFF).
_LOSSY_TIFF = ("OJPEG", "JPEG", "JPEG_LOSSY", "JPEG_99", "ALT_JPEG", "JPEG_2000_LOSSY")
_LOSSY_MESSAGE = ("is lossy and changes label values along edges, so it cannot hold a label "
                  "mask; save masks as PNG, lossless TIFF or NPY")


@dataclass(frozen=True)
class Mask:
    """A label mask read from a file.

    Attributes
    ----------
    labels : ndarray
        Integer (or boolean) label array, in the file's axis order.
    spacing : tuple of float or None
        Physical size of a pixel/voxel along each array axis, when the file records
        it (NIfTI, ImageJ/OME TIFF, NPZ with ``spacing``); ``None`` otherwise.
    path : Path or None
        The file it was read from.
    orientation : str or None
        For NIfTI files, the anatomical direction of each array axis (e.g. ``"RAS"``),
        from the header's affine; ``None`` for other formats.
    """

    labels: np.ndarray
    spacing: tuple[float, ...] | None = None
    path: Path | None = None
    orientation: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of :attr:`labels`."""
        return tuple(self.labels.shape)


def read_mask(path: str | os.PathLike, *, colormap: Colormap | str | os.PathLike | None = None,
              max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Mask:
    """Read a label mask from a file.

    Parameters
    ----------
    path : str or path-like
        PNG, TIFF, NPY/NPZ, NIfTI, BMP, GIF or WebP file (see the module notes).
    colormap : mapping or path, optional
        Colour → class map for RGB masks: a ``{(r, g, b): class}`` mapping or a JSON/CSV
        file (see :func:`segscope.io.read_colormap`).
    max_pixels : int or None
        Refuse masks with more pixels/voxels than this; ``None`` lifts the limit.

    Returns
    -------
    Mask
        ``labels`` (integer array), ``spacing`` (or ``None``) and ``path``.

    Raises
    ------
    MissingFileError
        If ``path`` does not exist.
    FileFormatError
        If the file is truncated, corrupt, of an unsupported format or too large, or an
        NPZ holds several arrays and none is named ``labels``/``mask``.
    LabelError, DTypeError
        If an RGB mask has a colour missing from ``colormap`` (or no colormap was
        given), or the values are NaN or fractional.
    DependencyError
        For NIfTI files when nibabel is not installed.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "voc.png"
    >>> im = Image.fromarray(np.array([[0, 1], [255, 1]], dtype=np.uint8), mode="P")
    >>> im.putpalette([0, 0, 0, 128, 0, 0] + [224, 224, 192] * 254)
    >>> im.save(path)
    >>> read_mask(path).labels.tolist()  # the palette index, not the colour
    [[0, 1], [255, 1]]
    """
    p = existing_file(path)
    suffix = full_suffix(p)
    if suffix in _LOSSY:
        raise FileFormatError(f"{p}: JPEG {_LOSSY_MESSAGE}")
    if suffix not in MASK_EXTENSIONS:
        raise FileFormatError(
            f"{p}: unsupported mask suffix {suffix!r}; expected one of {', '.join(MASK_EXTENSIONS)}"
        )
    cmap = read_colormap(colormap) if isinstance(colormap, (str, os.PathLike)) else colormap
    colour = False
    spacing = None
    orientation = None
    if suffix in (".nii", ".nii.gz"):
        nib = require("nibabel", "nifti", "reading NIfTI masks")
        labels, spacing, orientation = reading(p, "NIfTI",
                                               lambda: _read_nifti(nib, p, max_pixels))
    elif suffix in (".npy", ".npz"):
        labels, spacing = reading(p, "a NumPy file", lambda: _read_numpy(p, suffix, max_pixels))
    elif suffix in _TIFF:
        labels, spacing, colour = reading(p, "a TIFF mask", lambda: _read_tiff(p, max_pixels))
    else:
        labels, colour = reading(p, f"a {suffix[1:].upper()} mask",
                                 lambda: _read_pillow(p, max_pixels))
    if colour:
        labels = _colour_to_labels(labels, cmap, p)
    labels = check_label_array(labels, str(p))
    if spacing is not None and len(spacing) != labels.ndim:
        spacing = None
    return Mask(labels=labels, spacing=spacing, path=p, orientation=orientation)


def _colour_to_labels(arr: np.ndarray, cmap: Colormap | None, path: Path) -> np.ndarray:
    """An ``(..., 3)`` array read from an RGB file becomes labels through ``cmap``."""
    rgb = arr
    if cmap is not None:
        return apply_colormap(rgb, cmap, name=str(path))
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
        return np.ascontiguousarray(rgb[..., 0])
    codes = np.unique(rgb[..., :3].reshape(-1, 3), axis=0)
    listed = ", ".join("#{:02x}{:02x}{:02x}".format(*map(int, c)) for c in codes[:6])
    more = f", ... ({len(codes)} colours)" if len(codes) > 6 else ""
    raise LabelError(
        f"{path} is an RGB colour mask ({listed}{more}); pass a colour → class map with "
        "colormap= (CLI: --colormap FILE, a JSON {\"#ff0000\": 1} or CSV r,g,b,class file)"
    )


def _read_pillow(path: Path, max_pixels: int | None) -> tuple[np.ndarray, bool]:
    colour = False
    with _open_pillow(path, max_pixels) as im:
        if im.format == "WEBP" and not _webp_is_lossless(path):
            raise FileFormatError(f"{path}: lossy WebP {_LOSSY_MESSAGE}")
        mode = im.mode
        if mode in ("P", "PA"):
            im.load()
            arr = np.array(im if mode == "P" else im.getchannel(0))
        elif mode in ("RGB", "RGBA", "RGBX", "RGBa"):
            arr = np.array(im.convert("RGB"))
            colour = True
        elif mode == "LA":
            arr = np.array(im.getchannel("L"))
        elif mode in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F"):
            arr = np.array(im)
        else:
            raise FileFormatError(f"{path}: image mode {mode!r} cannot hold a label mask")
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr, colour


def _webp_is_lossless(path: Path) -> bool:
    """A WebP file is lossless when its image chunk is ``VP8L`` (lossy ones use ``VP8 ``)."""
    data = path.read_bytes()
    return b"VP8L" in data[12:] and b"VP8 " not in data[12:]


def _read_tiff(path: Path, max_pixels: int | None):
    import tifffile

    with tifffile.TiffFile(path) as tif:
        compression = getattr(tif.pages[0].compression, "name", "")
        if compression in _LOSSY_TIFF:
            raise FileFormatError(f"{path}: {compression}-compressed TIFF {_LOSSY_MESSAGE}")
        series = tif.series[0]
        photometric = int(tif.pages[0].photometric)
        sample_axis = series.axes.find("S")
        colour = photometric == 2 and sample_axis >= 0 and series.shape[sample_axis] in (3, 4)
        spatial = [n for i, n in enumerate(series.shape) if not (colour and i == sample_axis)]
        check_pixel_count(spatial, path, max_pixels)
        arr = series.asarray()
        spacing = _tiff_spacing(tif, len(spatial))
    if colour:
        arr = np.ascontiguousarray(np.moveaxis(arr, sample_axis, -1))
    return arr, spacing, colour


def _tiff_spacing(tif, ndim: int) -> tuple[float, ...] | None:
    """Spacing from ImageJ or OME metadata, in array axis order; None when incomplete."""
    try:
        if tif.is_ome and tif.ome_metadata:
            sizes = {}
            for axis in "XYZ":
                m = re.search(rf'PhysicalSize{axis}="([0-9.eE+-]+)"', tif.ome_metadata)
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


def _read_numpy(path: Path, suffix: str, max_pixels: int | None):
    if suffix == ".npy":
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        check_pixel_count(arr.shape, path, max_pixels)
        return np.array(arr), None
    with np.load(path, allow_pickle=False) as npz:
        keys = list(npz.files)
        spacing = None
        label_keys = [k for k in keys if k != "spacing"]
        if len(label_keys) == 1:
            key = label_keys[0]
        elif "labels" in label_keys:
            key = "labels"
        elif "mask" in label_keys:
            key = "mask"
        else:
            raise FileFormatError(
                f"{path}: the .npz holds {len(label_keys)} arrays {label_keys}; name the mask "
                "'labels' or 'mask', or save it alone"
            )
        check_pixel_count(_npz_shape(npz, key), path, max_pixels)
        arr = npz[key]
        if "spacing" in keys:
            spacing = tuple(float(v) for v in np.atleast_1d(npz["spacing"]))
    return arr, spacing


def _npz_shape(npz, key: str) -> tuple[int, ...]:
    """Shape of one member of an .npz from its header, without decompressing the data."""
    with npz.zip.open(f"{key}.npy") as fh:
        version = np.lib.format.read_magic(fh)
        reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, _, _ = reader(fh)
    return shape


def _read_nifti(nib, path: Path, max_pixels: int | None):
    img = nib.load(str(path))
    shape = img.shape
    check_pixel_count(shape, path, max_pixels)
    arr = np.asanyarray(img.dataobj)
    zooms = tuple(float(z) for z in img.header.get_zooms()[: arr.ndim])
    orientation = "".join(nib.orientations.aff2axcodes(img.affine)[: arr.ndim])
    return arr, zooms, orientation

