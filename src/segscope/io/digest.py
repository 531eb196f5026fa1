"""The SHA-256 of a file, read in blocks (for the provenance of reports)."""

from __future__ import annotations

import hashlib
import os

__all__ = ["sha256"]


def sha256(path: str | os.PathLike, *, block: int = 1 << 20) -> str:
    """Hex SHA-256 digest of the file at ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
    return digest.hexdigest()
