"""Reading images (not label masks) from files as NumPy arrays.

What :func:`read_image` does, so that two images read from different files compare
fairly:

- **Orientation**: an EXIF ``Orientation`` tag (cameras, phones) is applied, so the
  array is the image as a viewer shows it.
- **Palette** (indexed) images become RGB; a palette whose used colours are all grey
  gives a 2-D grey image.
- **Alpha** is dropped (grey+alpha becomes grey, RGBA becomes RGB): similarity is
  measured on the colours, not on transparency.
- **Bit depth** is kept: 8-bit files give ``uint8``, 16-bit files ``uint16``, float TIFFs
  their float dtype. The dtype carries the intensity scale (``data_range`` can be taken
  from it); nothing is rescaled. 1-bit images become ``uint8`` 0/255.
- **Grey conversion** (``mode="grey"``) uses the ITU-R BT.601 luma weights
  ``Y = 0.299 R + 0.587 G + 0.114 B``, rounded back to the input's integer dtype.
- TIFF files are read with tifffile (16-bit, float, multi-page stacks); other formats
  (PNG, JPEG, GIF, BMP, WebP) with Pillow; an animated GIF gives its first frame.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from PIL import Image
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rgb.png"
>>> Image.fromarray(np.full((2, 3, 3), (255, 0, 0), dtype=np.uint8)).save(path)
>>> read_image(path).shape, read_image(path, mode="grey")[0, 0]
((2, 3, 3), np.uint8(76))
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._checks import check_choice
from ..errors import FileFormatError
from ._files import DEFAULT_MAX_PIXELS, existing_file, full_suffix, open_pillow, reading

__all__ = ["IMAGE_EXTENSIONS", "IMAGE_MODES", "LUMA_WEIGHTS", "read_image", "to_grey"]

#: File suffixes :func:`read_image` accepts.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp")
IMAGE_MODES = ("keep", "grey", "rgb")
#: ITU-R BT.601 luma weights for R, G, B.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)

_TIFF = (".tif", ".tiff")


def read_image(path: str | os.PathLike, *, mode: str = "keep",
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as a NumPy array, keeping its bit depth.

    Parameters
    ----------
    path : str or path-like
        A PNG, JPEG, TIFF, GIF, BMP or WebP file.
    mode : {"keep", "grey", "rgb"}
        ``"keep"``: grey images as ``(H, W)``, colour images as ``(H, W, 3)``.
        ``"grey"``: always ``(H, W)`` (BT.601 luma for colour images).
        ``"rgb"``: always ``(H, W, 3)`` (grey repeated on three channels).
    max_pixels : int or None
        Refuse images with more pixels than this (decompression-bomb guard);
        ``None`` lifts the limit.

    Returns
    -------
    ndarray
        ``uint8``, ``uint16`` (16-bit files) or the file's float dtype; a multi-page
        grey TIFF gives a stack ``(Z, H, W)``.

    Raises
    ------
    MissingFileError
        If ``path`` does not exist.
    FileFormatError
        If the file is truncated, corrupt, of an unsupported format, or too large.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib, tifffile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "deep.tif"
    >>> tifffile.imwrite(path, np.array([[0, 65535]], dtype=np.uint16))
    >>> read_image(path).dtype
    dtype('uint16')
    """
    check_choice("mode", mode, IMAGE_MODES)
    p = existing_file(path)
    suffix = full_suffix(p)
    if suffix not in IMAGE_EXTENSIONS:
        raise FileFormatError(
            f"{p}: unsupported image suffix {suffix!r}; expected one of "
            f"{', '.join(IMAGE_EXTENSIONS)}"
        )
    if suffix in _TIFF:
        arr = reading(p, "a TIFF image", lambda: _read_tiff_image(p, max_pixels))
    else:
        arr = reading(p, f"a {suffix[1:].upper()} image", lambda: _read_pillow_image(p, max_pixels))
    if mode == "grey":
        return to_grey(arr)
    if mode == "rgb" and not _is_colour(arr):
        return np.repeat(arr[..., None], 3, axis=-1)
    return arr


def to_grey(image: np.ndarray) -> np.ndarray:
    """Convert an ``(..., 3)`` RGB array to grey by BT.601 luma; grey input is returned.

    Integer inputs are rounded back to their dtype; float inputs keep theirs.

    Examples
    --------
    >>> to_grey(np.array([[[0, 255, 0]]], dtype=np.uint8)).tolist()
    [[150]]
    """
    if not _is_colour(image):
        return image
    luma = image[..., :3].astype(np.float64) @ np.asarray(LUMA_WEIGHTS)
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        return np.clip(np.rint(luma), info.min, info.max).astype(image.dtype)
    return luma.astype(image.dtype)


def _is_colour(arr: np.ndarray) -> bool:
    return arr.ndim == 3 and arr.shape[-1] == 3


def _read_pillow_image(path: Path, max_pixels: int | None) -> np.ndarray:
    from PIL import ImageOps

    with open_pillow(path, max_pixels) as im:
        _refuse_16bit_colour_png(path, im)
        im.load()
        im = ImageOps.exif_transpose(im)
        if im.mode == "P" or im.mode == "PA":
            im = im.convert("RGB")
            arr = np.array(im)
            if (arr[..., 0] == arr[..., 1]).all() and (arr[..., 1] == arr[..., 2]).all():
                return np.ascontiguousarray(arr[..., 0])
            return arr
        if im.mode == "1":
            im = im.convert("L")
        elif im.mode == "LA":
            im = im.getchannel("L")
        elif im.mode in ("RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"):
            im = im.convert("RGB")
        arr = np.array(im)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _refuse_16bit_colour_png(path: Path, im) -> None:
    """Pillow reads 16-bit colour PNGs as 8-bit; refuse rather than lose precision."""
    if im.format != "PNG":
        return
    with open(path, "rb") as fh:
        header = fh.read(26)
    if len(header) == 26 and header[24] == 16 and header[25] in (2, 6):
        raise FileFormatError(
            f"{path}: 16-bit colour PNG cannot be read without losing precision; convert it "
            "to a 16-bit TIFF (e.g. tifffile.imwrite) or to 8-bit PNG"
        )


def _read_tiff_image(path: Path, max_pixels: int | None) -> np.ndarray:
    import tifffile

    from ._files import check_pixel_count

    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        page = tif.pages[0]
        axes = series.axes
        photometric = int(page.photometric)
        sample_axis = axes.find("S")
        colour = photometric == 2 and sample_axis >= 0 and series.shape[sample_axis] in (3, 4)
        spatial = [n for i, n in enumerate(series.shape) if not (colour and i == sample_axis)]
        check_pixel_count(spatial, path, max_pixels)
        arr = series.asarray()
        colormap = page.colormap
    if colour:  # RGB, contiguous (..., S) or planar (S, ...)
        return np.ascontiguousarray(np.moveaxis(arr, sample_axis, -1)[..., :3])
    if photometric == 3 and colormap is not None:  # palette
        cmap = np.asarray(colormap)
        if arr.dtype == np.uint8:
            cmap = (cmap >> 8).astype(np.uint8)
        rgb = np.moveaxis(cmap[:, arr], 0, -1)
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
            return np.ascontiguousarray(rgb[..., 0])
        return np.ascontiguousarray(rgb)
    if photometric == 0 and np.issubdtype(arr.dtype, np.integer):  # min-is-white
        arr = np.iinfo(arr.dtype).max - arr
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    return arr
