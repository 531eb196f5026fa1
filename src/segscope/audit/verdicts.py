"""From a candidate to a verdict: one candidate verified, and the verified pairs in order.

The one-machine audit and the cluster audit (:mod:`segscope.dask.audit`) both verify
each candidate with :func:`verify_candidate` and order the pairs with :func:`sort_pairs`,
so they give the same pairs with the same scores.

Examples
--------
>>> import numpy as np
>>> from segscope.audit.sources import Item
>>> t = (np.add.outer(np.arange(64), np.arange(64)) * 2).astype(np.uint8)
>>> pair = verify_candidate(t, t, Item("b", 0), Item("a", 0), distance=0, via=0,
...                         owner_first=True, splits=("images",), thresholds=Thresholds())
>>> pair.name_a, pair.name_b, pair.ssim
('a', 'b', 1.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .descriptors import DEFAULT_WINDOW_SCALES, window_boxes
from .result import DuplicatePair
from .sources import Item
from .verify import Thresholds, verify_pair

__all__ = ["settings_of", "sort_pairs", "verify_candidate"]


def verify_candidate(thumb_a: np.ndarray, thumb_b: np.ndarray, item_a: Item, item_b: Item,
                     *, distance: int, via: int, owner_first: bool,
                     splits: Sequence[str], thresholds: Thresholds, flips: bool = False,
                     rotations: bool = False, side: int = 64) -> DuplicatePair | None:
    """The verified pair of one candidate, or ``None`` when it is not a near-duplicate.

    Parameters
    ----------
    thumb_a, thumb_b : (S, S) uint8 ndarray
        The thumbnails of the candidate's two images (``lo``, ``hi`` of
        :class:`~segscope.audit.candidates.Candidates`), ``item_a`` and ``item_b``.
    distance, via : int
        The candidate's distance and the query that made it.
    owner_first : bool
        Whether the query was ``item_a``'s (its window hint then lies in ``thumb_a``).
    splits : sequence of str
        Split names, indexed by :attr:`Item.split`.
    thresholds, flips, rotations
        As for :func:`~segscope.audit.find_duplicates`.
    side : int
        Thumbnail side (its windows give the hint).

    The pair is verified in a fixed order (by split, then name), so its scores do not
    depend on the order the images were given in.
    """
    boxes = window_boxes(side, DEFAULT_WINDOW_SCALES)
    a, b, ta, tb, first = item_a, item_b, thumb_a, thumb_b, owner_first
    if (a.split, a.name) > (b.split, b.name):  # verify in a fixed order: by split, name
        a, b, ta, tb, first = b, a, tb, ta, not first
    hint = None
    if 1 <= via <= len(boxes):  # a window of the owner matched: start the search there
        hint = (0 if first else 1, boxes[via - 1])
    scores = verify_pair(ta, tb, thresholds=thresholds, flips=flips, rotations=rotations,
                         hint=hint)
    if not thresholds.accepts(scores):
        return None
    return DuplicatePair(a.name, b.name, splits[a.split], splits[b.split], int(distance),
                         round(scores.ncc, 6), round(scores.ssim, 6), round(scores.match, 6),
                         round(scores.crop, 6), round(scores.ncc_low, 6),
                         round(scores.ssim_low, 6))


def sort_pairs(pairs: Iterable[DuplicatePair | None], splits: Sequence[str]
               ) -> list[DuplicatePair]:
    """The verified pairs (``None`` dropped) sorted by split, name, split, name.

    Examples
    --------
    >>> p = DuplicatePair("b", "c", "x", "x", 1, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0)
    >>> q = DuplicatePair("a", "c", "x", "x", 1, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0)
    >>> [r.name_a for r in sort_pairs([p, None, q], ("x",))]
    ['a', 'b']
    """
    rank = {s: r for r, s in enumerate(splits)}
    return sorted((p for p in pairs if p is not None),
                  key=lambda p: (rank[p.split_a], p.name_a, rank[p.split_b], p.name_b))


def settings_of(*, radius: int, flips: bool, rotations: bool, thumbnail: int,
                thresholds: Thresholds) -> dict[str, Any]:
    """The options of a run, as :attr:`AuditResult.settings` records them."""
    rules = thresholds
    return {"radius": radius, "flips": flips, "rotations": rotations, "thumbnail": thumbnail,
            "min_ssim": rules.min_ssim, "min_ncc": rules.min_ncc, "min_match": rules.min_match,
            "max_crop": rules.max_crop, "min_ncc_low": rules.min_ncc_low,
            "min_ssim_low": rules.min_ssim_low}
