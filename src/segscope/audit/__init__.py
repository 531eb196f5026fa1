"""Near-duplicate and train/validation/test leakage audit, built to scale.

Per image, a 64×64 grey thumbnail (read fast: reduced-size JPEG decoding, EXIF
orientation, colour modes normalised) and 64-bit DCT hashes of its frame and of windows;
candidate pairs from an exact Hamming-radius search (multi-index hashing, sub-quadratic);
each candidate verified on aligned thumbnails (crop search, then correlation, SSIM and a
trimmed correlation); groups as connected components. See ``docs/audit.md``.

Examples
--------
>>> import numpy as np
>>> from segscope.audit import find_duplicates
>>> rng = np.random.default_rng(0)
>>> a = rng.integers(0, 256, (80, 80), dtype=np.uint8)
>>> brighter = np.clip(a.astype(int) + 20, 0, 255).astype(np.uint8)
>>> find_duplicates([a, brighter, rng.integers(0, 256, (80, 80), dtype=np.uint8)]).groups
(('0', '1'),)
"""

from __future__ import annotations

from .api import DEFAULT_RADIUS, THUMBNAIL_SIDE, find_duplicates, find_leakage
from .result import AuditResult, DuplicatePair
from .verify import PairScores, Thresholds, verify_pair

__all__ = [
    "DEFAULT_RADIUS",
    "THUMBNAIL_SIDE",
    "AuditResult",
    "DuplicatePair",
    "PairScores",
    "Thresholds",
    "find_duplicates",
    "find_leakage",
    "verify_pair",
]
