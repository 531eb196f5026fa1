"""Thumbnails of every item, streamed in chunks over threads, cached in the on-disk index.

Only one chunk of decoded images is alive at a time; the kept thumbnails are
``size × size`` bytes each (4 KiB at the default 64). Files that cannot be used are
returned with the reason: unreadable, truncated or corrupt, too large for ``max_pixels``,
smaller than :data:`MIN_SIDE` pixels on a side, or flat (no structure to compare).

Examples
--------
>>> import numpy as np
>>> from segscope.audit.sources import collect
>>> rng = np.random.default_rng(0)
>>> found = describe(collect([rng.random((32, 32)), np.ones((1, 1))], split=0), size=16)
>>> found.thumbs.shape, found.skipped[0][0]
((1, 16, 16), '1')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._progress import progress_bar
from ..errors import ParameterError, SegscopeError
from ..io import DEFAULT_MAX_PIXELS
from .sources import Item
from .store import ThumbnailStore

__all__ = ["MIN_CONTRAST", "MIN_SIDE", "Described", "describe"]

#: Smallest image side compared (a 1×1 or 4×4 image has nothing to align).
MIN_SIDE = 8
#: Lowest thumbnail contrast (standard deviation / intensity range) of a compared image.
MIN_CONTRAST = 1e-3
_CHUNK = 256


@dataclass(frozen=True)
class Described:
    """The thumbnails of the usable items, in item order, and what was skipped."""

    items: tuple[Item, ...]
    thumbs: np.ndarray
    pixels: tuple[int, ...]
    skipped: tuple[tuple[str, str], ...]


def _stat(item: Item) -> tuple[str, int, int]:
    st = item.path.stat()  # raises OSError for a missing file or a symlink loop
    return os.path.realpath(item.path), int(st.st_size), int(st.st_mtime_ns)


def _why(err: OSError) -> str:
    import errno

    if isinstance(err, FileNotFoundError):
        return "no such file"
    if err.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"cannot be read ({err.strerror or err})"


def _thumb(item: Item, size: int, max_pixels: int | None):
    """``(height, width, contrast, error, pixels)`` of one item."""
    from ..io.thumbnails import read_thumbnail, thumbnail_of

    try:
        if item.url is not None:
            t = _read_url(item.url, size, max_pixels)
        elif item.path is not None:
            t = read_thumbnail(item.path, size=size, max_pixels=max_pixels)
        else:
            arr = np.asarray(item.array)
            axis = -1 if arr.ndim == 3 and arr.shape[-1] in (3, 4) else None
            t = thumbnail_of(arr, size=size, channel_axis=axis)
    except (SegscopeError, OSError, MemoryError, ValueError, TypeError) as err:
        return 0, 0, 0.0, str(err) or type(err).__name__, None
    return t.height, t.width, t.contrast, None, t.pixels


def _read_url(url: str, size: int, max_pixels: int | None):
    """The thumbnail of an fsspec URL: the file is copied to a temporary folder (removed
    afterwards) and read as a file; an error names the URL."""
    import tempfile

    from ..io import fetch_file
    from ..io.thumbnails import read_thumbnail

    with tempfile.TemporaryDirectory(prefix="segscope-") as folder:
        local = fetch_file(url, folder)
        try:
            return read_thumbnail(local, size=size, max_pixels=max_pixels)
        except SegscopeError as err:
            raise type(err)(str(err).replace(str(local), url)) from err


def _usable(height: int, width: int, contrast: float, error: str | None) -> str | None:
    if error is not None:
        return error
    if min(height, width) < MIN_SIDE:
        return (f"image of {height}×{width} pixels is too small to compare (needs at least "
                f"{MIN_SIDE} on each side)")
    if contrast < MIN_CONTRAST:
        return "flat image (no structure to compare)"
    return None


def describe(items: Sequence[Item], *, size: int = 64, threads: int = 1,
             max_pixels: int | None = DEFAULT_MAX_PIXELS, store: ThumbnailStore | None = None,
             progress: bool = False) -> Described:
    """The thumbnail of every item (from ``store`` when it holds the unchanged file).

    Parameters
    ----------
    items : sequence of Item
        What to describe (:func:`segscope.audit.sources.collect`).
    size : int
        Thumbnail side.
    threads : int
        Images decoded at once; the result does not depend on it.
    max_pixels : int or None
        Decompression-bomb guard of the readers.
    store : ThumbnailStore, optional
        On-disk index: read first, written after every chunk (so an interrupted run
        resumes).
    progress : bool
        Draw a progress bar on stderr.
    """
    if max_pixels is not None and (isinstance(max_pixels, bool)
                                   or not isinstance(max_pixels, int) or max_pixels < 1):
        raise ParameterError(f"max_pixels must be a positive number of pixels, or None for "
                             f"no limit; got {max_pixels!r}")
    kept: list[Item] = []
    thumbs = np.empty((len(items), size, size), np.uint8)  # filled in order, cut at the end
    pixels: list[int] = []
    skipped: list[tuple[str, str]] = []
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    try:
        with progress_bar(total=len(items), description="describing",
                          enabled=progress) as advance:
            for start in range(0, len(items), _CHUNK):
                chunk = items[start:start + _CHUNK]
                results: list = [None] * len(chunk)
                keys: list = [None] * len(chunk)
                todo = []
                for k, item in enumerate(chunk):
                    if item.problem is not None:
                        results[k] = (0, 0, 0.0, f"{item.path}: {item.problem}", None)
                        continue
                    if item.path is not None:
                        try:
                            keys[k] = _stat(item)
                        except OSError as err:
                            results[k] = (0, 0, 0.0, f"{item.path}: {_why(err)}", None)
                            continue
                    if keys[k] is not None and store is not None:
                        row = store.get(*keys[k])
                        if row is not None:
                            results[k] = (row.height, row.width, row.contrast, row.error,
                                          row.pixels)
                            continue
                    todo.append(k)
                work = [chunk[k] for k in todo]
                if pool is not None:
                    done = list(pool.map(lambda it: _thumb(it, size, max_pixels), work))
                else:
                    done = [_thumb(it, size, max_pixels) for it in work]
                for k, value in zip(todo, done, strict=True):
                    results[k] = value
                if store is not None:
                    store.put((*keys[k], *results[k]) for k in todo if keys[k] is not None)
                for item, (h, w, contrast, error, px) in zip(chunk, results, strict=True):
                    reason = _usable(h, w, contrast, error)
                    if reason is not None:
                        skipped.append((item.name, reason))
                        continue
                    thumbs[len(kept)] = px
                    kept.append(item)
                    pixels.append(h * w)
                advance(len(chunk))
    finally:
        if pool is not None:
            pool.shutdown()
    return Described(tuple(kept), thumbs[:len(kept)], tuple(pixels), tuple(skipped))
