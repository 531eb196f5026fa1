"""Reading masks and images from files, pairing folders, writing outputs atomically.

The io layer is the only part of segscope that touches paths.
"""

from __future__ import annotations

from ._atomic import atomic_path, write_bytes, write_text
from ._files import DEFAULT_MAX_PIXELS
from .images import IMAGE_EXTENSIONS, LUMA_WEIGHTS, read_image, to_grey

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_EXTENSIONS",
    "LUMA_WEIGHTS",
    "atomic_path",
    "read_image",
    "to_grey",
    "write_bytes",
    "write_text",
]
