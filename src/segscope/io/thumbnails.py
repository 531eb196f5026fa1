"""Small grey thumbnails read fast from image files (for the near-duplicate audit).

:func:`read_thumbnail` reads only what a ``size``×``size`` grey thumbnail needs:

- **JPEG** files are decoded at a reduced scale (Pillow's ``draft``: the decoder skips the
  fine DCT coefficients, 1/2 to 1/8 of the side), straight to luma;
- the **EXIF orientation** is applied (to the thumbnail: same result, less work);
- **colour modes** are normalised: palette, RGBA/LA (alpha dropped), CMYK, YCbCr and
  16-bit or float images all become one grey plane (BT.601 luma for colour); an animated
  GIF gives its first frame, a TIFF stack its first page;
- the plane is shrunk by **area averaging** (Pillow's ``BOX`` filter) to ``size``×``size``
  (the aspect ratio is not kept: resized copies of one image give the same thumbnail),
  then stretched to ``0..255`` (``uint8``), so that 16-bit images keep their precision.

``contrast`` (the thumbnail's standard deviation before the stretch, as a fraction of the
image's intensity range) says whether there is any structure left to compare.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from PIL import Image
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ramp.jpg"
>>> Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (128, 1))).save(path)
>>> thumb = read_thumbnail(path, size=16)
>>> thumb.pixels.shape, thumb.height, thumb.width, thumb.pixels[0, 0] < thumb.pixels[0, -1]
((16, 16), 128, 256, np.True_)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FileFormatError, ShapeError
from ._files import DEFAULT_MAX_PIXELS, existing_file, full_suffix, open_pillow, reading
from .images import IMAGE_EXTENSIONS, read_image, to_grey

__all__ = ["Thumbnail", "read_thumbnail", "thumbnail_of"]

_TIFF = (".tif", ".tiff")
# EXIF orientation -> (rotations by 90° counter-clockwise, then a left-right flip)
_ORIENT = {2: (0, True), 3: (2, False), 4: (2, True), 5: (3, True), 6: (3, False),
           7: (1, True), 8: (1, False)}


@dataclass(frozen=True)
class Thumbnail:
    """A grey thumbnail and what it was made from.

    Attributes
    ----------
    pixels : (size, size) uint8 ndarray
        Area-averaged grey plane stretched to ``0..255``.
    height, width : int
        The image's size as a viewer shows it (after the EXIF orientation).
    contrast : float
        Standard deviation of the thumbnail before the stretch, as a fraction of the
        intensity range (0 for a flat image).
    """

    pixels: np.ndarray
    height: int
    width: int
    contrast: float


def read_thumbnail(path: str | os.PathLike, *, size: int = 64,
                   max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Thumbnail:
    """Read a ``size``×``size`` grey thumbnail of an image file.

    Parameters
    ----------
    path : str or path-like
        A PNG, JPEG, TIFF, GIF, BMP or WebP file.
    size : int
        Side of the thumbnail.
    max_pixels : int or None
        Refuse images with more pixels than this (decompression-bomb guard, read from the
        header before decoding); ``None`` lifts the limit.

    Returns
    -------
    Thumbnail

    Raises
    ------
    MissingFileError
        If ``path`` does not exist.
    FileFormatError
        If the file is truncated, corrupt, of an unsupported format, or too large.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rgba.png"
    >>> Image.fromarray(np.zeros((40, 30, 4), np.uint8)).save(path)
    >>> t = read_thumbnail(path, size=8)
    >>> t.pixels.shape, (t.height, t.width), t.contrast
    ((8, 8), (40, 30), 0.0)
    """
    p = existing_file(path)
    suffix = full_suffix(p)
    if suffix not in IMAGE_EXTENSIONS:
        raise FileFormatError(f"{p}: unsupported image suffix {suffix!r}; expected one of "
                              f"{', '.join(IMAGE_EXTENSIONS)}")
    if p.stat().st_size == 0:
        raise FileFormatError(f"{p}: empty file (0 bytes); it holds no image")
    if suffix in _TIFF:
        arr = read_image(p, colour="grey", max_pixels=max_pixels)
        if arr.ndim == 3:  # a stack: its first page
            arr = arr[0]
        return thumbnail_of(arr, size=size)
    return reading(p, f"a {suffix[1:].upper()} image", lambda: _pillow_thumbnail(p, size,
                                                                                  max_pixels))


def thumbnail_of(image: np.ndarray, *, size: int = 64, data_range: float | None = None,
                 channel_axis: int | None = None) -> Thumbnail:
    """The thumbnail of an image already in memory (same rules as :func:`read_thumbnail`).

    Parameters
    ----------
    image : (H, W) or (H, W, C) ndarray
        Grey, or colour with ``channel_axis=-1`` (RGB; a fourth, alpha channel is dropped).
    size : int
        Side of the thumbnail.
    data_range : float, optional
        Intensity span, for ``contrast``; integer images use their dtype's span, float
        images their own min–max span when it is not given.
    channel_axis : int, optional
        Axis of the colour channels.

    Examples
    --------
    >>> import numpy as np
    >>> thumbnail_of(np.eye(32, dtype=np.uint8) * 255, size=4).pixels.shape
    (4, 4)
    """
    arr = np.asarray(image)
    if channel_axis is not None:
        arr = np.moveaxis(arr, channel_axis, -1)
        if arr.shape[-1] not in (1, 3, 4):
            raise ShapeError(f"image: channel axis of length {arr.shape[-1]}; expected 1, 3 "
                             "or 4 (grey, RGB, RGBA)")
        arr = arr[..., 0] if arr.shape[-1] == 1 else to_grey(arr[..., :3])
    if arr.ndim != 2:
        hint = (" If the last axis holds colour channels, pass channel_axis=-1."
                if arr.ndim == 3 and arr.shape[-1] in (3, 4) else "")
        raise ShapeError(f"image must be 2-D (H, W) or colour with channel_axis; got shape "
                         f"{arr.shape}.{hint}")
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    if data_range is None:
        if np.issubdtype(arr.dtype, np.integer):
            info = np.iinfo(arr.dtype)
            data_range = float(info.max) - float(min(info.min, 0))
        else:
            finite = arr[np.isfinite(arr)]
            data_range = float(np.ptp(finite)) if finite.size else 0.0
    from PIL import Image

    plane = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    return _finish(_shrink(Image.fromarray(plane), size), size, arr.shape[0], arr.shape[1],
                   data_range, orientation=None)


def _pillow_thumbnail(path: Path, size: int, max_pixels: int | None) -> Thumbnail:
    from PIL import Image

    with open_pillow(path, max_pixels) as im:
        orientation = im.getexif().get(0x0112) if hasattr(im, "getexif") else None
        width, height = im.size
        if im.format == "JPEG" and im.mode in ("L", "RGB", "YCbCr"):
            im.draft("L", (size, size))
        im.load()
        mode = im.mode
        if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
            span = 65535.0 if mode.startswith("I;16") else float(2**32 - 1)
            plane = np.asarray(im.convert("I") if mode != "I" else im).astype(np.float32)
            if mode == "I":
                span = float(max(np.ptp(plane), 1.0))
            small = _shrink(Image.fromarray(plane), size)
        elif mode == "F":
            plane = np.asarray(im, dtype=np.float32)
            finite = np.isfinite(plane)
            span = float(np.ptp(plane[finite])) if finite.any() else 0.0
            if not finite.all():
                plane = np.where(finite, plane, np.float32(0.0))
            small = _shrink(Image.fromarray(plane), size)
        else:
            if mode != "L":
                im = im.convert("RGB").convert("L") if mode in ("CMYK", "P", "PA") \
                    else im.convert("L")
            # 8-bit values are exact in float32: Pillow's own conversion, no NumPy round trip
            small = _shrink(im.convert("F"), size)
            span = 255.0
    if orientation in (5, 6, 7, 8):
        height, width = width, height
    return _finish(small, size, height, width, span, orientation)


def _shrink(plane, size: int) -> np.ndarray:
    """Area average of a float32 (mode ``F``) Pillow image to ``size``×``size``."""
    from PIL import Image

    return np.asarray(plane.resize((size, size), Image.Resampling.BOX))


def _finish(small: np.ndarray, size: int, height: int, width: int, span: float,
            orientation: int | None) -> Thumbnail:
    if orientation in _ORIENT:
        turns, flip = _ORIENT[orientation]
        small = np.rot90(small, turns)
        if flip:
            small = small[:, ::-1]
    lo, hi = float(small.min()), float(small.max())
    contrast = float(small.std()) / span if span > 0 else 0.0
    if hi > lo:
        pixels = np.rint((small - lo) * (255.0 / (hi - lo))).astype(np.uint8)
    else:
        pixels = np.zeros((size, size), np.uint8)
    return Thumbnail(np.ascontiguousarray(pixels), int(height), int(width), contrast)
