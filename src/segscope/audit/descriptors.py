"""Compact descriptors of thumbnails: 64-bit DCT hashes of the whole frame and of windows.

A hash is the sign pattern of the 8×8 lowest 2-D DCT-II frequencies of a 32×32 area
average, each coefficient compared with their median (the "pHash" of Zauner 2010,
*Implementation and benchmarking of perceptual image hash functions*). It is unchanged by
brightness and contrast (a shift moves only the DC term, a gain scales every term) and
nearly unchanged by resizing, JPEG, noise and blur, which live in the high frequencies.

Crops move the content, so each image also gets the hashes of **windows** of its
thumbnail (each scale at a 3×3 grid of offsets): the full-frame hash of a crop falls close
to one window hash of its original. Flips and 90° rotations of a thumbnail give the
**variant** hashes used when those are asked for.

Every hash is computed as ``bits = (Ly · T · Lxᵀ) > median`` where ``Ly``, ``Lx`` are the
8×64 products of the DCT basis with the area-resampling matrix of the window, so a window
costs two small matrix products and no resampled image. The products are taken image by
image (stacked matrix products), so a thumbnail's hash never depends on which other
thumbnails share its block: a shard of a collection hashed on a cluster worker gives the
bits of the whole collection hashed at once. Each product is also far below the size at
which a threaded BLAS (OpenBLAS) wakes its helper threads, so hashing runs on the calling
thread alone (a block-sized product woke them, and on an idle machine they then spun a
second core).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> thumbs = rng.integers(0, 256, (2, 64, 64)).astype(np.uint8)
>>> codes = frame_hashes(thumbs)
>>> codes.dtype, codes.shape, int(hamming(codes[0], codes[0]))
(dtype('uint64'), (2,), 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__ = [
    "DEFAULT_WINDOW_SCALES",
    "frame_hashes",
    "gradient_hashes",
    "hamming",
    "variant_thumbnails",
    "window_boxes",
    "window_hashes",
]

#: Window sides (fractions of the thumbnail side) whose hashes let crops be found.
DEFAULT_WINDOW_SCALES: tuple[float, ...] = (0.95, 0.9)
_GRID = 32  # the area average the DCT is taken of
_LOW = 8  # 8×8 low frequencies -> 64 bits


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of differing bits between 64-bit codes (broadcasting).

    Examples
    --------
    >>> int(hamming(np.uint64(0b1011), np.uint64(0b0001)))
    2
    """
    x = np.bitwise_xor(np.asarray(a, np.uint64), np.asarray(b, np.uint64))
    if hasattr(np, "bitwise_count"):  # NumPy >= 2.0
        return np.bitwise_count(x).astype(np.int64)
    bytes_ = np.ascontiguousarray(x)[..., None].view(np.uint8)  # pragma: no cover - NumPy 1
    return np.unpackbits(bytes_, axis=-1).sum(axis=-1).astype(np.int64)  # pragma: no cover


def _dct_basis() -> np.ndarray:
    x = np.arange(_GRID)
    return np.cos(np.pi * (2 * x[None, :] + 1) * np.arange(_LOW)[:, None] / (2 * _GRID))


def _area_matrix(n_in: int, start: float, length: float, cells: int = _GRID) -> np.ndarray:
    """``(cells, n_in)`` weights averaging ``[start, start + length)`` into ``cells`` cells."""
    edges = start + length * np.arange(cells + 1) / cells
    lo = np.arange(n_in)[None, :]
    overlap = (np.minimum(edges[1:, None], lo + 1) - np.maximum(edges[:-1, None], lo))
    w = np.clip(overlap, 0, None)
    return w / w.sum(axis=1, keepdims=True)


def window_boxes(side: int, scales: Sequence[float] = DEFAULT_WINDOW_SCALES
                 ) -> list[tuple[float, float, float, float]]:
    """``(y0, x0, h, w)`` of each window, in the column order of :func:`window_hashes`.

    Examples
    --------
    >>> window_boxes(64, (0.5,))[4]
    (16.0, 16.0, 32.0, 32.0)
    """
    out = []
    for s in scales:
        length = side * float(s)
        offsets = (0.0, (side - length) / 2, side - length)
        out += [(oy, ox, length, length) for oy in offsets for ox in offsets]
    return out


def gradient_hashes(thumbs: np.ndarray) -> np.ndarray:
    """The "dHash" of each ``(N, S, S)`` thumbnail: is each of 8×9 area cells brighter than
    its left neighbour (64 bits; Krawetz 2013). A caption changes few of its bits.

    Examples
    --------
    >>> ramp = np.tile(np.arange(64, dtype=np.uint8), (1, 64, 1))
    >>> hex(int(gradient_hashes(ramp)[0]))
    '0xffffffffffffffff'
    """
    t = np.asarray(thumbs, dtype=np.float32)
    side = t.shape[-1]
    rows = _area_matrix(side, 0.0, side, 8).astype(np.float32)
    cols = _area_matrix(side, 0.0, side, 9).astype(np.float32)
    cells = rows @ t @ cols.T  # image by image: independent of the block
    bits = cells[:, :, 1:] > cells[:, :, :-1]
    return np.packbits(bits.reshape(len(t), 64), axis=-1).view(">u8")[:, 0].astype(np.uint64)


@lru_cache(maxsize=32)
def _projections(side: int, scales: tuple[float, ...]) -> np.ndarray:
    """``(W, 8, side)`` DCT-times-resampling matrices: the full frame, then each window."""
    basis = _dct_basis()
    mats = [basis @ _area_matrix(side, 0.0, side)]
    for s in scales:
        length = side * s
        for off in (0.0, (side - length) / 2, side - length):
            mats.append(basis @ _area_matrix(side, off, length))
    return np.stack(mats)


def _codes(coef: np.ndarray) -> np.ndarray:
    """Pack ``(..., 8, 8)`` coefficient blocks into one uint64 per block (> the median)."""
    flat = coef.reshape(*coef.shape[:-2], _LOW * _LOW)
    bits = flat > np.median(flat, axis=-1, keepdims=True)
    return np.packbits(bits, axis=-1).view(">u8")[..., 0].astype(np.uint64)


def frame_hashes(thumbs: np.ndarray) -> np.ndarray:
    """The full-frame hash of each ``(N, S, S)`` thumbnail, as ``(N,)`` uint64."""
    t = np.asarray(thumbs, dtype=np.float32)
    p = _projections(t.shape[-1], ()).astype(np.float32)[0]
    return _codes(p @ t @ p.T)  # image by image: independent of the block


def window_hashes(thumbs: np.ndarray,
                  scales: Sequence[float] = DEFAULT_WINDOW_SCALES) -> np.ndarray:
    """Hashes of the windows of each ``(N, S, S)`` thumbnail, as ``(N, 9 * len(scales))``.

    The windows are every pair (vertical, horizontal) of the three offsets (start,
    centre, end) of each scale.

    Examples
    --------
    >>> window_hashes(np.zeros((3, 64, 64), np.uint8)).shape
    (3, 18)
    """
    t = np.asarray(thumbs, dtype=np.float32)
    p = _projections(t.shape[-1], tuple(float(s) for s in scales)).astype(np.float32)[1:]
    k = len(scales)
    out = np.empty((t.shape[0], 9 * k), np.uint64)
    for si in range(k):
        rows = p[3 * si:3 * si + 3].reshape(3 * _LOW, -1)  # (3 offsets × 8, S)
        coef = (rows @ t @ rows.T).reshape(-1, 3, _LOW, 3, _LOW).transpose(0, 1, 3, 2, 4)
        out[:, 9 * si:9 * si + 9] = _codes(coef).reshape(t.shape[0], 9)
    return out


def variant_thumbnails(thumb: np.ndarray, *, flips: bool, rotations: bool) -> list[np.ndarray]:
    """The flipped and/or rotated copies of an ``(S, S)`` thumbnail (not the original).

    Examples
    --------
    >>> len(variant_thumbnails(np.zeros((4, 4)), flips=True, rotations=True))
    7
    """
    out = []
    if rotations:
        out += [np.rot90(thumb, k) for k in (1, 2, 3)]
    if flips:
        mirrored = thumb[:, ::-1]
        out.append(mirrored)
        if rotations:
            out += [np.rot90(mirrored, k) for k in (1, 2, 3)]
        else:
            out.append(thumb[::-1, :])
    return [np.ascontiguousarray(v) for v in out]
