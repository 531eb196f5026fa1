"""The sufficient statistic of instance metrics: which objects overlap, and by how much.

:func:`instance_overlaps` reads a predicted and a true instance label map once and
returns an :class:`Overlaps` table: the ids and sizes of the objects on each side and the
sparse list of overlapping (pred, target, intersection) pairs. Every instance score
(matching at any threshold, PQ, AJI, mask AP) is a function of this table, so the pixels
are read once however many thresholds and scores are asked for. The table never holds a
dense objects × objects matrix: a crowded image with 10,000 objects has a few tens of
thousands of pairs.

Examples
--------
>>> import numpy as np
>>> target = np.array([[1, 1, 0, 2, 2]])
>>> pred = np.array([[5, 5, 5, 0, 9]])
>>> ov = instance_overlaps(pred, target)
>>> ov.pred_ids.tolist(), ov.target_ids.tolist()
([5, 9], [1, 2])
>>> ov.pair_pred.tolist(), ov.pair_target.tolist(), ov.pair_intersection.tolist()
([0, 1], [0, 1], [2, 1])
>>> ov.iou().tolist()
[0.6666666666666666, 0.5]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from .labels import check_instance_pair, semantic_hint

__all__ = ["Overlaps", "instance_overlaps"]

#: Ids up to this value are looked up in a table indexed by id (else: binary search).
LUT_MAX_ID = 1 << 22


@dataclass(frozen=True, eq=False)
class Overlaps:
    """Objects of one image pair and their overlaps.

    Attributes
    ----------
    pred_ids, target_ids : ndarray
        The object ids of each map, sorted, background (0) and void left out.
    pred_sizes, target_sizes : ndarray of int64
        Pixels of each object.
    pred_void : ndarray of int64
        Pixels of each predicted object that lie on void in the target (not scored).
    target_void : ndarray of int64
        Pixels of each true object that lie on void in the prediction (panoptic input).
    pair_pred, pair_target : ndarray of int64
        Indices (into the id arrays) of every overlapping pair, sorted by pred then target.
    pair_intersection : ndarray of int64
        Pixels shared by each pair.
    shape : tuple of int
        The image's shape.
    pred_classes, target_classes : ndarray of int64 or None
        The class of each object, for panoptic input; objects of different classes never
        match.
    """

    pred_ids: np.ndarray
    target_ids: np.ndarray
    pred_sizes: np.ndarray
    target_sizes: np.ndarray
    pred_void: np.ndarray
    target_void: np.ndarray
    pair_pred: np.ndarray
    pair_target: np.ndarray
    pair_intersection: np.ndarray
    shape: tuple[int, ...] = ()
    pred_classes: np.ndarray | None = None
    target_classes: np.ndarray | None = None

    @property
    def num_pred(self) -> int:
        """Number of predicted objects."""
        return int(self.pred_ids.size)

    @property
    def num_target(self) -> int:
        """Number of true objects."""
        return int(self.target_ids.size)

    @property
    def num_pairs(self) -> int:
        """Number of overlapping (pred, target) pairs."""
        return int(self.pair_pred.size)

    def union(self) -> np.ndarray:
        """Pixels in the union of each pair, void pixels left out (int64)."""
        sp = self.pred_sizes - self.pred_void
        st = self.target_sizes - self.target_void
        return sp[self.pair_pred] + st[self.pair_target] - self.pair_intersection

    def iou(self) -> np.ndarray:
        """Intersection over union of each pair (float64)."""
        inter = self.pair_intersection.astype(np.float64)
        return inter / self.union()

    def same_class(self) -> np.ndarray:
        """Whether each pair's two objects have the same class (all True without classes)."""
        if self.pred_classes is None or self.target_classes is None:
            return np.ones(self.num_pairs, dtype=bool)
        return self.pred_classes[self.pair_pred] == self.target_classes[self.pair_target]


def instance_overlaps(pred: Any, target: Any, *, void: int | None = None,
                      check_semantic: bool = True) -> Overlaps:
    """Objects and overlapping pairs of a predicted and a true instance label map.

    Parameters
    ----------
    pred, target : (M, N[, P]) array_like of int
        Instance label maps of the same shape; 0 is background, every other value one
        object (ids need not be consecutive, nor the same on both sides).
    void : int, optional
        A target id that marks pixels not to score (e.g. an unlabelled region): they
        belong to no true object, count in no union, and a predicted object lying mostly
        (more than half) on void is not a false positive (the COCO panoptic rule).
    check_semantic : bool
        Refuse a map whose only object consists of several separate parts (it looks like
        a semantic mask); pass False when such an object is real.

    Returns
    -------
    Overlaps

    Raises
    ------
    DTypeError, LabelError, ShapeError
        Float or boolean maps, negative ids, shapes that differ.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([[3, 3, 9, 9]])
    >>> p = np.array([[1, 1, 1, 0]])
    >>> instance_overlaps(p, t, void=9).pred_void.tolist()
    [1]
    """
    p, t = check_instance_pair(pred, target)
    if void is not None:
        if isinstance(void, bool) or not isinstance(void, (int, np.integer)) or void <= 0:
            raise ParameterError(f"void must be a positive target id or None; got {void!r}")
    return overlaps_of_maps(p, t, target_void_id=void, check_semantic=check_semantic)


def _index_of(ids: np.ndarray, value: int | None) -> int:
    if value is None or ids.size == 0:
        return -1
    k = int(np.searchsorted(ids, value))
    return k if k < ids.size and int(ids[k]) == value else -1


def _id_table(x: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ids present in flat ``x`` and a look-up table id -> index (empty if too wide)."""
    from ._kernels import mark_present, run_heads

    if hi <= LUT_MAX_ID or hi < x.size:
        present = np.zeros(hi + 1, dtype=np.uint8)
        mark_present(x, present)
        ids = np.flatnonzero(present).astype(x.dtype)
        lut = np.zeros(hi + 1, dtype=np.int64)
        lut[ids] = np.arange(ids.size)
        return ids, lut
    return np.unique(run_heads(x)), np.zeros(0, dtype=np.int64)


def overlaps_of_maps(p: np.ndarray, t: np.ndarray, *, pred_void_id: int | None = None,
                     target_void_id: int | None = None, check_semantic: bool = True
                     ) -> Overlaps:
    """:func:`instance_overlaps` on checked maps, with a void id on either side."""
    from .._kernels import value_range
    from ._kernels import overlap_pairs

    shape = tuple(int(s) for s in p.shape)
    fp = np.ascontiguousarray(p).reshape(-1)
    ft = np.ascontiguousarray(t).reshape(-1)
    if fp.size == 0:
        return _empty(shape)
    _, pmax, _, tmax = (int(v) for v in value_range(fp, ft))
    p_ids, p_lut = _id_table(fp, 0, pmax)
    t_ids, t_lut = _id_table(ft, 0, tmax)
    p_zero, t_zero = _index_of(p_ids, 0), _index_of(t_ids, 0)
    p_sizes = np.zeros(p_ids.size, dtype=np.int64)
    t_sizes = np.zeros(t_ids.size, dtype=np.int64)
    keys, inter = overlap_pairs(fp, ft, p_lut, p_ids, t_lut, t_ids, p_zero, t_zero,
                                p_sizes, t_sizes, 2 * (p_ids.size + t_ids.size) + 16)
    width = max(1, t_ids.size)
    pi, ti = keys // width, keys % width
    if check_semantic:
        semantic_hint(p_ids, p_sizes, p, "pred", True)
        semantic_hint(t_ids, t_sizes, t, "target", True)
    p_void, t_void = _index_of(p_ids, pred_void_id), _index_of(t_ids, target_void_id)
    # compact indices of real objects: background and void are not objects
    p_keep = np.ones(p_ids.size, dtype=bool)
    t_keep = np.ones(t_ids.size, dtype=bool)
    for keep, k in ((p_keep, p_zero), (p_keep, p_void), (t_keep, t_zero), (t_keep, t_void)):
        if k >= 0:
            keep[k] = False
    p_new = np.cumsum(p_keep) - 1
    t_new = np.cumsum(t_keep) - 1
    pred_void = np.zeros(int(p_keep.sum()), dtype=np.int64)
    target_void = np.zeros(int(t_keep.sum()), dtype=np.int64)
    if t_void >= 0:
        on = (ti == t_void) & p_keep[pi]
        np.add.at(pred_void, p_new[pi[on]], inter[on])
    if p_void >= 0:
        on = (pi == p_void) & t_keep[ti]
        np.add.at(target_void, t_new[ti[on]], inter[on])
    real = p_keep[pi] & t_keep[ti]
    return Overlaps(
        pred_ids=p_ids[p_keep], target_ids=t_ids[t_keep],
        pred_sizes=p_sizes[p_keep], target_sizes=t_sizes[t_keep],
        pred_void=pred_void, target_void=target_void,
        pair_pred=p_new[pi[real]], pair_target=t_new[ti[real]],
        pair_intersection=inter[real], shape=shape,
    )


def _empty(shape: tuple[int, ...]) -> Overlaps:
    z = np.zeros(0, dtype=np.int64)
    return Overlaps(z, z, z, z, z, z, z, z, z, shape=shape)
