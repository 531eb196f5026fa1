"""What a file is, read from its first bytes (its "magic number"), never from its name.

A JPEG renamed ``.png`` is still a JPEG: lossy, so refused as a mask. A PNG named ``.tif``
is read as the PNG it is. The suffix only decides which files a folder search picks up.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

from ..errors import FileFormatError

__all__ = ["FORMAT_NAMES", "sniff_format"]

#: Human names of the formats :func:`sniff_format` returns.
FORMAT_NAMES = {
    "png": "PNG", "jpeg": "JPEG", "tiff": "TIFF", "gif": "GIF", "bmp": "BMP", "webp": "WebP",
    "npy": "NumPy .npy", "npz": "NumPy .npz", "nifti": "NIfTI", "jpeg2000": "JPEG 2000",
}

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x93NUMPY", "npy"),
    (b"PK\x03\x04", "npz"),
    (b"PK\x05\x06", "npz"),  # empty zip archive
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "jpeg2000"),
    (b"\xff\x4f\xff\x51", "jpeg2000"),
)


def sniff_format(path: Path) -> str:
    """The format of ``path`` from its first bytes: ``"png"``, ``"jpeg"``, ``"tiff"``, ...

    ``.nii.gz`` files are recognised by the NIfTI header inside the gzip stream.

    Raises
    ------
    FileFormatError
        If the file is empty or its bytes match no format segscope knows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "named.png"
    >>> _ = p.write_bytes(b"\\xff\\xd8\\xff\\xe0" + bytes(16))
    >>> sniff_format(p)
    'jpeg'
    """
    with open(path, "rb") as fh:
        head = fh.read(352)
    if not head:
        raise FileFormatError(f"{path}: the file is empty (0 bytes)")
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head[:2] == b"BM" and len(head) >= 26:
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _is_nifti_header(head):
        return "nifti"
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(352)
        except (OSError, EOFError) as err:
            raise FileFormatError(f"{path}: a gzip file that cannot be decompressed ({err})") \
                from err
        if _is_nifti_header(inner):
            return "nifti"
        raise FileFormatError(f"{path}: a gzip file that does not hold a NIfTI image; segscope "
                              "reads gzip only as .nii.gz")
    raise FileFormatError(
        f"{path}: its contents are not a format segscope reads (first bytes {head[:8]!r}); "
        "expected PNG, TIFF, NumPy, NIfTI, BMP, GIF, WebP or (images only) JPEG data"
    )


def _is_nifti_header(head: bytes) -> bool:
    """NIfTI-1 (348-byte header, magic ``n+1``/``ni1`` at 344) or NIfTI-2 (540, magic at 4)."""
    if len(head) >= 348:
        for order in "<>":
            if struct.unpack(order + "i", head[:4])[0] == 348 and head[344:347] in (b"n+1",
                                                                                    b"ni1"):
                return True
    if len(head) >= 8:
        for order in "<>":
            if struct.unpack(order + "i", head[:4])[0] == 540 and head[4:7] in (b"n+2", b"ni2"):
                return True
    return False
