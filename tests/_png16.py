"""A 16-bit PNG writer for tests (Pillow cannot write 16-bit colour or grey+alpha PNGs).

Written from the PNG specification (W3C 2003): every row filter type and Adam7 interlacing,
so that the reader's unfiltering is exercised on each.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

_COLOUR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_rows(rows: np.ndarray, bpp: int, filters) -> bytes:
    out = bytearray()
    prior = np.zeros(rows.shape[1], dtype=np.int64)
    for y, row in enumerate(rows.astype(np.int64)):
        kind = filters[y % len(filters)]
        line = []
        for x, value in enumerate(row):
            a = int(row[x - bpp]) if x >= bpp else 0
            b = int(prior[x])
            c = int(prior[x - bpp]) if x >= bpp else 0
            pred = (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]
            line.append((int(value) - pred) & 0xFF)
        out.append(kind)
        out += bytes(line)
        prior = row
    return bytes(out)


def write_png16(path: Path, arr: np.ndarray, *, filters=(0, 1, 2, 3, 4),
                interlace: bool = False) -> None:
    """Write ``arr`` (uint16, (H, W) or (H, W, C) with C in 1..4) as a 16-bit PNG."""
    arr = np.asarray(arr, dtype=np.uint16)
    if arr.ndim == 2:
        arr = arr[..., None]
    h, w, ch = arr.shape
    bpp = 2 * ch
    data = arr.astype(">u2").view(np.uint8).reshape(h, w * bpp)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in _ADAM7:
            sub = arr[y0::dy, x0::dx]
            if sub.size:
                rows = sub.astype(">u2").view(np.uint8).reshape(sub.shape[0], -1)
                raw += _filter_rows(rows, bpp, filters)
    else:
        raw = _filter_rows(data, bpp, filters)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    ihdr = struct.pack(">IIBBBBB", w, h, 16, _COLOUR_TYPE[ch], 0, 0, int(interlace))
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
