"""A small reader for 16-bit PNG files, which Pillow reduces to 8 bits in colour modes.

Pillow has no 16-bit colour or 16-bit grey+alpha image mode, so it silently keeps the
high byte of each sample of such files. This module decodes them itself (PNG
specification, W3C 2003: IHDR, IDAT, the five row filters, Adam7 interlacing) and keeps
every bit. Only 16-bit files go through here; every other PNG is read by Pillow.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import FileFormatError
from ._files import check_pixel_count

__all__ = ["PngHeader", "png_header", "read_png16"]

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # grey, RGB, grey+alpha, RGBA
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


class PngHeader:
    """The fields of a PNG's IHDR chunk."""

    __slots__ = ("bit_depth", "colour_type", "height", "interlace", "width")

    def __init__(self, width: int, height: int, bit_depth: int, colour_type: int,
                 interlace: int) -> None:
        self.width, self.height = width, height
        self.bit_depth, self.colour_type, self.interlace = bit_depth, colour_type, interlace

    @property
    def channels(self) -> int:
        """Samples per pixel (1 for palette images)."""
        return _CHANNELS.get(self.colour_type, 1)


def png_header(path: Path) -> PngHeader:
    """Read the IHDR of a PNG file (the first chunk, right after the signature)."""
    with open(path, "rb") as fh:
        head = fh.read(33)
    if len(head) < 33 or head[12:16] != b"IHDR":
        raise FileFormatError(f"{path}: truncated PNG (no complete IHDR header)")
    width, height, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", head[16:29])
    return PngHeader(width, height, depth, ctype, interlace)


def read_png16(path: Path, max_pixels: int | None) -> np.ndarray:
    """Decode a 16-bit PNG to ``uint16``: ``(H, W)`` grey or ``(H, W, C)`` with C = 2, 3 or 4.

    The pixel count is checked from the header before anything is decompressed, and
    the decompressed size is bounded by what the header announces.
    """
    header = png_header(path)
    if header.bit_depth != 16 or header.colour_type not in _CHANNELS:
        raise FileFormatError(f"{path}: not a 16-bit grey or colour PNG")
    h, w, ch = header.height, header.width, header.channels
    check_pixel_count((h, w), path, max_pixels, itemsize=2 * ch)
    bpp = 2 * ch
    passes = _passes(header)
    expected = sum(ph * (pw * bpp + 1) for _, _, pw, ph in passes)
    raw = _inflate(path, _idat(path), expected)
    image = np.zeros((h, w * bpp), dtype=np.uint8)
    start = 0
    for (x0, y0, pw, ph), (_, _, dx, dy) in zip(passes, _geometry(header), strict=True):
        if pw == 0 or ph == 0:
            continue
        size = ph * (pw * bpp + 1)
        sub = np.empty((ph, pw * bpp), dtype=np.uint8)
        bad = _unfilter()(raw[start:start + size], ph, pw * bpp, bpp, sub)
        if bad >= 0:
            raise FileFormatError(f"{path}: corrupt PNG (unknown row filter in row {bad})")
        start += size
        pixels = sub.reshape(ph, pw, bpp)
        image.reshape(h, w, bpp)[y0::dy, x0::dx] = pixels
    values = image.view(">u2").reshape(h, w, ch).astype(np.uint16)
    return values[..., 0] if ch == 1 else values


def _geometry(header: PngHeader):
    if header.interlace == 0:
        return ((0, 0, 1, 1),)
    if header.interlace == 1:
        return _ADAM7
    raise FileFormatError(f"unknown PNG interlace method {header.interlace}")


def _passes(header: PngHeader) -> list[tuple[int, int, int, int]]:
    """(x0, y0, width, height) of each pass (one pass when not interlaced)."""
    out = []
    for x0, y0, dx, dy in _geometry(header):
        pw = max(0, -(-(header.width - x0) // dx))
        ph = max(0, -(-(header.height - y0) // dy))
        out.append((x0, y0, pw, ph))
    return out


def _idat(path: Path) -> bytes:
    data = path.read_bytes()
    pos = 8
    chunks = []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise FileFormatError(f"{path}: truncated PNG (chunk {kind!r} cut short)")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise FileFormatError(f"{path}: corrupt PNG (CRC mismatch in chunk {kind!r})")
        if kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            return b"".join(chunks)
        pos += 12 + length
    raise FileFormatError(f"{path}: truncated PNG (no IEND chunk)")


def _inflate(path: Path, compressed: bytes, expected: int) -> np.ndarray:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, expected)
    except zlib.error as err:
        raise FileFormatError(f"{path}: corrupt PNG image data ({err})") from err
    if len(raw) < expected:
        raise FileFormatError(f"{path}: truncated PNG image data ({len(raw)} of {expected} "
                              "bytes)")
    return np.frombuffer(raw, dtype=np.uint8)


_KERNEL = None


def _unfilter():
    """The compiled row-filter decoder (numba, compiled on first use)."""
    global _KERNEL
    if _KERNEL is None:
        from numba import njit

        @njit(cache=True, nogil=True)
        def unfilter(raw, height, stride, bpp, out):  # pragma: no cover - compiled
            for y in range(height):
                base = y * (stride + 1)
                kind = raw[base]
                if kind > 4:
                    return y
                for x in range(stride):
                    r = np.int32(raw[base + 1 + x])
                    a = np.int32(out[y, x - bpp]) if x >= bpp else np.int32(0)
                    b = np.int32(out[y - 1, x]) if y > 0 else np.int32(0)
                    c = np.int32(out[y - 1, x - bpp]) if (x >= bpp and y > 0) else np.int32(0)
                    if kind == 0:
                        v = r
                    elif kind == 1:
                        v = r + a
                    elif kind == 2:
                        v = r + b
                    elif kind == 3:
                        v = r + (a + b) // 2
                    else:
                        p = a + b - c
                        pa = abs(p - a)
                        pb = abs(p - b)
                        pc = abs(p - c)
                        if pa <= pb and pa <= pc:
                            v = r + a
                        elif pb <= pc:
                            v = r + b
                        else:
                            v = r + c
                    out[y, x] = v & 0xFF
            return -1

        _KERNEL = unfilter
    return _KERNEL
