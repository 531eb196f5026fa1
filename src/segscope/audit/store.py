"""The on-disk index of an audit: one SQLite file of thumbnails, keyed by file.

Each image file is stored once, under its resolved path, with its size and modification
time: a later run reads only the files that are new or changed (same path, other size or
time) and takes the others' thumbnails from the index. Rows are committed in batches, so a
run that is interrupted keeps what it had finished and the next run resumes there;
SQLite's journal makes each commit all-or-nothing, so the file is never half written.
Files that could not be read are stored with their reason, and not read again while they
are unchanged.

Examples
--------
>>> import tempfile, pathlib, numpy as np
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with ThumbnailStore(folder / "audit.sqlite", size=4) as store:
...     store.put([("a.png", 10, 1, 4, 4, 0.5, None, np.zeros((4, 4), np.uint8))])
...     store.get("a.png", 10, 1).height
4
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FileFormatError

__all__ = ["StoredImage", "ThumbnailStore"]

_SCHEMA = 1


@dataclass(frozen=True)
class StoredImage:
    """One row of the index: the thumbnail (or the reason there is none) of a file."""

    height: int
    width: int
    contrast: float
    error: str | None
    pixels: np.ndarray | None


class ThumbnailStore:
    """An SQLite file of thumbnails keyed by ``(path, size, mtime)``.

    Parameters
    ----------
    path : str or path-like
        The index file (created when missing).
    size : int
        Thumbnail side; an index made with another side is refused.
    """

    def __init__(self, path: str | os.PathLike, *, size: int) -> None:
        self.path = Path(path)
        self.size = int(size)
        if self.path.exists() and self.path.is_dir():
            raise FileFormatError(f"--index {self.path} is a folder; expected a file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS images (path TEXT PRIMARY KEY, bytes INTEGER, "
                "mtime INTEGER, height INTEGER, width INTEGER, contrast REAL, error TEXT, "
                "pixels BLOB)")
            found = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as err:
            raise FileFormatError(f"{self.path}: not a segscope audit index ({err}); pass "
                                  "another --index file") from err
        if not found:
            with self._db:
                self._db.executemany("INSERT INTO meta VALUES (?, ?)",
                                     [("schema", str(_SCHEMA)), ("size", str(self.size))])
        elif found.get("schema") != str(_SCHEMA) or found.get("size") != str(self.size):
            self._db.close()
            raise FileFormatError(
                f"{self.path}: an index of schema {found.get('schema')} with thumbnails of "
                f"side {found.get('size')}; this run needs schema {_SCHEMA}, side "
                f"{self.size}. Pass a new --index file")

    def __enter__(self) -> ThumbnailStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (everything put is already committed)."""
        self._db.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM images").fetchone()[0])

    def get(self, key: str, nbytes: int, mtime: int) -> StoredImage | None:
        """The stored row of ``key`` if the file is unchanged, else ``None``."""
        row = self._db.execute(
            "SELECT height, width, contrast, error, pixels FROM images WHERE path = ? AND "
            "bytes = ? AND mtime = ?", (key, int(nbytes), int(mtime))).fetchone()
        if row is None:
            return None
        height, width, contrast, error, blob = row
        pixels = None
        if blob is not None:
            pixels = np.frombuffer(blob, np.uint8).reshape(self.size, self.size)
        return StoredImage(int(height), int(width), float(contrast), error, pixels)

    def put(self, rows: Iterable[tuple]) -> None:
        """Store ``(key, bytes, mtime, height, width, contrast, error, pixels)`` rows and commit.

        A row replaces the one of the same key.
        """
        values = [(k, int(b), int(m), int(h), int(w), float(c), e,
                   None if p is None else np.ascontiguousarray(p, np.uint8).tobytes())
                  for k, b, m, h, w, c, e, p in rows]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 values)
