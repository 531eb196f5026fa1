"""Reading images (not label masks) from files as NumPy arrays.

What :func:`read_image` does, so that two images read from different files compare
fairly:

- **Orientation**: an EXIF ``Orientation`` tag (cameras, phones) is applied, so the
  array is the image as a viewer shows it.
- **Palette** (indexed) images become RGB; a palette whose used colours are all grey
  gives a 2-D grey image.
- **Alpha** is dropped (grey+alpha becomes grey, RGBA becomes RGB): similarity is
  measured on the colours, not on transparency.
- **Bit depth** is kept: 8-bit files give ``uint8``, 16-bit files ``uint16`` (16-bit colour
  and grey+alpha PNGs too, which Pillow would cut to 8 bits), float TIFFs their float dtype.
  The dtype carries the intensity scale (``data_range`` can be taken
  from it); nothing is rescaled. 1-bit images become ``uint8`` 0/255.
- **Grey conversion** (``colour="grey"``) uses the ITU-R BT.601 luma weights
  ``Y = 0.299 R + 0.587 G + 0.114 B``, rounded back to the input's integer dtype.
- The **format** is read from the file's bytes, not its name. TIFF files are read with
  tifffile, whole (every page: a stack; images of different shapes in one file are
  refused); other formats (PNG, JPEG, GIF, BMP, WebP) with Pillow; an animated GIF gives its
  first frame. Whether an image is colour comes from the file (:func:`load_image` says it),
  never from an axis of length 3.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from PIL import Image
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rgb.png"
>>> Image.fromarray(np.full((2, 3, 3), (255, 0, 0), dtype=np.uint8)).save(path)
>>> read_image(path).shape, read_image(path, colour="grey")[0, 0]
((2, 3, 3), np.uint8(76))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import check_choice
from ..errors import FileFormatError
from ..options import COLOURS, Colour
from ._files import DEFAULT_MAX_PIXELS, existing_file, full_suffix, open_pillow, reading
from ._png16 import png_header, read_png16
from ._sniff import FORMAT_NAMES, sniff_format
from ._tiff import read_tiff

__all__ = ["IMAGE_EXTENSIONS", "LUMA_WEIGHTS", "LoadedImage", "load_image",
           "read_image", "to_grey"]

#: File suffixes :func:`read_image` accepts.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp")
#: ITU-R BT.601 luma weights for R, G, B.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)

_IMAGE_FORMATS = ("png", "jpeg", "tiff", "gif", "bmp", "webp")


@dataclass(frozen=True)
class LoadedImage:
    """An image read from a file, with what the file says about its channels.

    Attributes
    ----------
    pixels : ndarray
        As :func:`read_image` returns it.
    is_colour : bool
        The last axis holds RGB channels, as the file's format says (never guessed from an
        axis of length 3): a ``(Z, H, 3)`` grey stack has ``is_colour=False``.
    path : Path
        The file it was read from.
    """

    pixels: np.ndarray
    is_colour: bool
    path: Path

    @property
    def channel_axis(self) -> int | None:
        """``-1`` for a colour image, ``None`` for grey: the ``channel_axis`` to pass on."""
        return -1 if self.is_colour else None


def read_image(path: str | os.PathLike, *, colour: Colour = "keep",
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as a NumPy array, keeping its bit depth.

    Parameters
    ----------
    path : str or path-like
        A PNG, JPEG, TIFF, GIF, BMP or WebP file; the format is read from the file's
        bytes, not from its name.
    colour : {"keep", "grey", "rgb"}
        ``"keep"``: grey images as ``(H, W)``, colour images as ``(H, W, 3)``.
        ``"grey"``: always ``(H, W)`` (BT.601 luma for colour images).
        ``"rgb"``: always ``(H, W, 3)`` (grey repeated on three channels).
    max_pixels : int or None
        Refuse images with more pixels than this (decompression-bomb guard);
        ``None`` lifts the limit. The memory the decoded image needs is checked against
        the available memory in every case, from the header, before decoding.

    Returns
    -------
    ndarray
        ``uint8``, ``uint16`` (16-bit files, colour and grey+alpha included) or the file's
        float dtype; a multi-page TIFF gives a stack ``(Z, H, W)`` (``(Z, H, W, 3)`` in
        colour).

    Raises
    ------
    MissingFileError
        If ``path`` does not exist.
    FileFormatError
        If the file is truncated, corrupt, of an unsupported format, a TIFF of several
        differently shaped images, or too large.
    ResourceError
        If decoding the file would need more memory than is available.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib, tifffile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "deep.tif"
    >>> tifffile.imwrite(path, np.array([[0, 65535]], dtype=np.uint16))
    >>> read_image(path).dtype
    dtype('uint16')
    """
    return load_image(path, colour=colour, max_pixels=max_pixels).pixels


def load_image(path: str | os.PathLike, *, colour: Colour = "keep",
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read an image file like :func:`read_image`, and say whether its last axis is colour.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib, tifffile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "stack.tif"
    >>> tifffile.imwrite(path, np.zeros((4, 5, 3), np.uint8), photometric="minisblack")
    >>> found = load_image(path)
    >>> found.pixels.shape, found.is_colour
    ((4, 5, 3), False)
    """
    check_choice("colour", colour, COLOURS)
    p = existing_file(path)
    suffix = full_suffix(p)
    if suffix not in IMAGE_EXTENSIONS:
        raise FileFormatError(
            f"{p}: unsupported image suffix {suffix!r}; expected one of "
            f"{', '.join(IMAGE_EXTENSIONS)}"
        )
    fmt = reading(p, "an image", lambda: sniff_format(p))
    if fmt not in _IMAGE_FORMATS:
        raise FileFormatError(f"{p}: the file holds {FORMAT_NAMES[fmt]} data (named {suffix}), "
                              "which is not an image format segscope reads")
    what = f"a {FORMAT_NAMES[fmt]} image"
    if fmt == "tiff":
        arr, is_colour = reading(p, what, lambda: _read_tiff_image(p, max_pixels))
    else:
        arr, is_colour = reading(p, what, lambda: _read_pillow_image(p, max_pixels))
    if colour == "grey" and is_colour:
        arr, is_colour = to_grey(arr), False
    elif colour == "rgb" and not is_colour:
        arr, is_colour = np.repeat(arr[..., None], 3, axis=-1), True
    return LoadedImage(arr, is_colour, p)


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


def _read_pillow_image(path: Path, max_pixels: int | None) -> tuple[np.ndarray, bool]:
    from PIL import ImageOps

    with open_pillow(path, max_pixels) as im:
        if im.format == "PNG":
            header = png_header(path)
            if header.bit_depth == 16 and header.colour_type in (2, 4, 6):
                arr = read_png16(path, max_pixels)
                if header.colour_type == 4:  # grey + alpha: alpha dropped
                    return np.ascontiguousarray(arr[..., 0]), False
                return np.ascontiguousarray(arr[..., :3]), True
        im.load()
        im = ImageOps.exif_transpose(im)
        if im.mode == "P" or im.mode == "PA":
            im = im.convert("RGB")
            arr = np.array(im)
            if (arr[..., 0] == arr[..., 1]).all() and (arr[..., 1] == arr[..., 2]).all():
                return np.ascontiguousarray(arr[..., 0]), False
            return arr, True
        if im.mode == "1":
            im = im.convert("L")
        elif im.mode == "LA":
            im = im.getchannel("L")
        elif im.mode in ("RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"):
            im = im.convert("RGB")
        arr = np.array(im)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr, arr.ndim == 3


def _read_tiff_image(path: Path, max_pixels: int | None) -> tuple[np.ndarray, bool]:
    data = read_tiff(path, max_pixels)
    arr = data.array
    if data.colour:
        return arr, True
    if data.photometric == 3 and data.colormap is not None:  # palette
        cmap = np.asarray(data.colormap)
        if arr.dtype == np.uint8:
            cmap = (cmap >> 8).astype(np.uint8)
        rgb = np.moveaxis(cmap[:, arr], 0, -1)
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
            return np.ascontiguousarray(rgb[..., 0]), False
        return np.ascontiguousarray(rgb), True
    if data.photometric == 0 and np.issubdtype(arr.dtype, np.integer):  # min-is-white
        arr = np.iinfo(arr.dtype).max - arr
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    return arr, False
