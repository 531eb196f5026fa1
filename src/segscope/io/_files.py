"""Small path helpers shared by the readers: existence, suffixes, size guard, error wrapping."""

from __future__ import annotations

import math
import os
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from .._memory import check_memory
from ..errors import FileFormatError, MissingFileError, SegscopeError

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "check_pixel_count",
    "existing_file",
    "full_suffix",
    "natural_key",
    "open_pillow",
    "reading",
    "strip_suffix",
]

T = TypeVar("T")

#: Largest number of pixels (voxels) read by default: 2**30, about 32768 x 32768.
#: Larger images are refused with a clear error (a guard against decompression bombs
#: and against exhausting memory); pass ``max_pixels=None`` to lift it.
DEFAULT_MAX_PIXELS = 2**30

_COMPOUND = (".nii.gz",)


def full_suffix(path: str | os.PathLike) -> str:
    """Lower-case file suffix, keeping compound suffixes such as ``.nii.gz``.

    Examples
    --------
    >>> full_suffix("scan.NII.GZ"), full_suffix("a.b.png"), full_suffix("noext")
    ('.nii.gz', '.png', '')
    """
    name = Path(path).name.lower()
    for compound in _COMPOUND:
        if name.endswith(compound):
            return compound
    return Path(name).suffix


def natural_key(name: str | os.PathLike) -> tuple:
    """Sort key that orders numbers by value: ``img2`` before ``img10``.

    Examples
    --------
    >>> sorted(["img10.png", "img2.png", "Img1.png"], key=natural_key)
    ['Img1.png', 'img2.png', 'img10.png']
    """
    parts = re.split(r"(\d+)", str(name))
    return tuple((0, int(p), p) if p.isdigit() else (1, p.lower(), p) for p in parts if p)


def strip_suffix(name: str) -> str:
    """``name`` without its (possibly compound) suffix.

    Examples
    --------
    >>> strip_suffix("a/b/scan.nii.gz"), strip_suffix("a.b.png")
    ('a/b/scan', 'a.b')
    """
    suffix = full_suffix(name)
    return name[: len(name) - len(suffix)] if suffix else name


def existing_file(path: str | os.PathLike) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path`, or raise if it is not a readable file."""
    p = Path(path)
    if not p.exists():
        raise MissingFileError(f"{p}: no such file")
    if p.is_dir():
        raise FileFormatError(f"{p} is a folder; expected a file")
    return p


def check_pixel_count(shape: Sequence[int], path: str | os.PathLike,
                      max_pixels: int | None, *, itemsize: int | None = None) -> None:
    """Refuse an image by the size its header announces, before anything is decoded.

    Raises :class:`FileFormatError` when ``prod(shape)`` exceeds ``max_pixels``; with
    ``itemsize`` (bytes per pixel of the decoded array) it also raises
    :class:`~segscope.errors.ResourceError` when the decoded array would not fit in the
    available memory, **whatever** ``max_pixels`` is (also when it is raised or None).
    """
    count = math.prod(int(s) for s in shape)
    if max_pixels is not None and count > max_pixels:
        raise FileFormatError(
            f"{path}: image of shape {tuple(int(s) for s in shape)} has {count:,} pixels, more "
            f"than max_pixels={max_pixels:,} (a guard against decompression bombs and running "
            "out of memory); if the file is trusted, pass max_pixels=None"
        )
    if itemsize is not None:
        check_memory(count * itemsize,
                     f"{path}: decoding its {tuple(int(s) for s in shape)} pixels",
                     fix="the file cannot be read on this machine (is it a decompression bomb?)")


_PILLOW_LOCK = threading.Lock()


def open_pillow(path: Path, max_pixels: int | None):
    """Open ``path`` lazily with Pillow and apply segscope's size guards to its header.

    Pillow's own decompression-bomb check (a warning, then an error, at a fixed
    size) is replaced by :func:`check_pixel_count`, so the limit is one documented
    number that the caller can lift; the memory the decoded image needs is checked in
    every case. Only the header is read here.
    """
    from PIL import Image

    with _PILLOW_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            im = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    try:
        # Pillow holds multi-band pixels in 4 bytes, and the NumPy copy doubles the peak
        wide = len(im.getbands()) > 1 or im.mode in ("I", "F")
        check_pixel_count((im.height, im.width), path, max_pixels, itemsize=8 if wide else 4)
    except BaseException:
        im.close()
        raise
    return im


def reading(path: Path, what: str, func: Callable[[], T]) -> T:
    """Call ``func``; turn any decoder failure into :class:`FileFormatError` naming ``path``.

    segscope's own errors pass through unchanged; memory errors too.
    """
    try:
        return func()
    except (SegscopeError, MemoryError, KeyboardInterrupt):
        raise
    except FileNotFoundError as err:
        raise MissingFileError(f"{path}: no such file") from err
    except Exception as err:
        raise FileFormatError(
            f"{path}: cannot be read as {what} ({type(err).__name__}: {err}); the file may be "
            "truncated, corrupt or of another format"
        ) from err
