"""Reading masks and images from files, pairing folders, writing outputs atomically.

The io layer is the only part of segscope that touches paths.
"""

from __future__ import annotations

from ._atomic import atomic_path, write_bytes, write_text

__all__ = ["atomic_path", "write_bytes", "write_text"]
