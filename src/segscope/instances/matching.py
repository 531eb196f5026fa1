"""One-to-one matching of predicted and true objects at IoU thresholds.

A predicted and a true object are a *candidate* pair at threshold ``t`` when their IoU
passes the threshold rule (``">="``: IoU ≥ t, as stardist, cellpose and pycocotools;
``">"``: IoU > t, as MONAI, torchmetrics and the 2018 Data Science Bowl). A matching picks
candidate pairs so that each object is in at most one pair:

``"optimal"``
    The most matches, and among those the largest sum of matched IoU (the assignment
    that stardist and cellpose solve with the Hungarian algorithm).
``"greedy_iou"``
    Candidate pairs by decreasing IoU, each taken when both objects are still free.
``"greedy_score"``
    Predictions by decreasing confidence score; each takes the free candidate target of
    highest IoU (the last of equal ones), as pycocotools does for mask AP.
``"max_iou"``
    The one-to-one assignment of largest total IoU over *all* overlapping pairs, whatever
    the threshold, then the assigned pairs that pass it (MONAI's panoptic quality below
    0.5). Unlike ``"optimal"`` it does not maximise the number of matches.

When no object is in two candidate pairs, every rule gives the same answer: all
candidates match. Above 0.5 this is always so (two objects can each cover more than half
of a third only if both are exactly half of it), so only the candidate pairs that share
an object are handed to a solver, one connected group at a time.

Examples
--------
>>> import numpy as np
>>> from segscope.instances import instance_overlaps
>>> target = np.array([[1, 1, 1, 1, 0, 0]])
>>> pred = np.array([[2, 2, 3, 3, 3, 0]])       # IoU 0.5 and 0.4 with target 1
>>> m = match_objects(instance_overlaps(pred, target), thresholds=(0.3, 0.5))
>>> m.true_positives().tolist()
[1, 1]
>>> m.matched.astype(int).tolist()               # which pair matched at each threshold
[[1, 0], [1, 0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_choice
from ..errors import ParameterError, ShapeError
from ..options import MATCH_METHODS, RULES, MatchMethod, Rule
from .overlaps import Overlaps

__all__ = [
    "DEFAULT_THRESHOLDS",
    "MATCH_METHODS",
    "RULES",
    "MatchMethod",
    "Matching",
    "Rule",
    "check_thresholds",
    "match_objects",
]

#: 0.5, 0.55, ..., 0.95: the COCO and Data Science Bowl range (each the double nearest
#: its decimal value).
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + 0.05 * k, 2) for k in range(10))


def check_thresholds(thresholds: float | Sequence[float] | None) -> tuple[float, ...]:
    """The thresholds as a tuple of floats in [0, 1] (``None``: :data:`DEFAULT_THRESHOLDS`).

    Examples
    --------
    >>> check_thresholds(0.5)
    (0.5,)
    """
    if thresholds is None:
        return DEFAULT_THRESHOLDS
    values = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    if values.ndim != 1 or values.size == 0:
        raise ParameterError(
            f"thresholds must be a number or a non-empty 1-D sequence; got {thresholds!r}"
        )
    if not (np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()):
        raise ParameterError(f"thresholds must lie in [0, 1]; got {values.tolist()}")
    return tuple(float(v) for v in values)


@dataclass(frozen=True, eq=False)
class Matching:
    """Which overlapping pairs of an :class:`Overlaps` table matched at each threshold.

    Attributes
    ----------
    overlaps : Overlaps
        The table the pairs index.
    thresholds : tuple of float
    matched : ndarray of bool, shape (thresholds, pairs)
        ``matched[k, i]``: pair ``i`` of the table is a match at ``thresholds[k]``.
    iou : ndarray of float64, shape (pairs,)
        The IoU of every pair.
    method, rule : str
        The settings that produced it.
    """

    overlaps: Overlaps
    thresholds: tuple[float, ...]
    matched: np.ndarray
    iou: np.ndarray
    method: str = "optimal"
    rule: str = ">="

    def true_positives(self) -> np.ndarray:
        """Matched pairs at each threshold (int64)."""
        return self.matched.sum(axis=1).astype(np.int64)

    def iou_sum(self) -> np.ndarray:
        """Sum of the matched pairs' IoU at each threshold."""
        return (self.matched * self.iou).sum(axis=1)

    def partners(self, k: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """``(pred_partner, target_partner)`` at threshold index ``k``.

        ``pred_partner[i]`` is the index of the true object matched to predicted object
        ``i`` (-1 when unmatched), and ``target_partner`` the other way round.
        """
        ov = self.overlaps
        sel = self.matched[k]
        pred_partner = np.full(ov.num_pred, -1, dtype=np.int64)
        target_partner = np.full(ov.num_target, -1, dtype=np.int64)
        pred_partner[ov.pair_pred[sel]] = ov.pair_target[sel]
        target_partner[ov.pair_target[sel]] = ov.pair_pred[sel]
        return pred_partner, target_partner


def match_objects(overlaps: Overlaps, thresholds: float | Sequence[float] | None = 0.5, *,
                  method: MatchMethod = "optimal", rule: Rule = ">=",
                  scores: np.ndarray | None = None) -> Matching:
    """Match the objects of one image at one or several IoU thresholds.

    Parameters
    ----------
    overlaps : Overlaps
        From :func:`instance_overlaps`.
    thresholds : float or sequence of float, optional
        IoU thresholds (``None``: 0.5, 0.55, ..., 0.95).
    method : {"optimal", "greedy_iou", "greedy_score", "max_iou"}
        See the module notes.
    rule : {">=", ">"}
        Whether a pair whose IoU equals the threshold is a candidate.
    scores : ndarray of float, shape (num_pred,), optional
        Confidence of each predicted object (in the order of ``overlaps.pred_ids``);
        needed by ``"greedy_score"``.

    Returns
    -------
    Matching
    """
    check_choice("method", method, MATCH_METHODS)
    check_choice("rule", rule, RULES)
    ts = check_thresholds(thresholds)
    if method == "greedy_score":
        if scores is None:
            raise ParameterError(
                'method="greedy_score" needs scores: one confidence per predicted object'
            )
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != (overlaps.num_pred,):
            raise ShapeError(
                f"scores must have one value per predicted object ({overlaps.num_pred}); "
                f"got shape {scores.shape}"
            )
    iou = overlaps.iou()
    same = overlaps.same_class()
    matched = np.zeros((len(ts), overlaps.num_pairs), dtype=bool)
    assigned = _max_iou_assignment(overlaps, iou, same) if method == "max_iou" else None
    for k, t in enumerate(ts):
        cand = (iou >= t) if rule == ">=" else (iou > t)
        cand &= same
        if assigned is not None:
            matched[k] = assigned & cand
        else:
            matched[k] = _match_candidates(overlaps, iou, cand, method, scores)
    return Matching(overlaps=overlaps, thresholds=ts, matched=matched, iou=iou,
                    method=method, rule=rule)


def _match_candidates(ov: Overlaps, iou: np.ndarray, cand: np.ndarray, method: str,
                      scores: np.ndarray | None) -> np.ndarray:
    """Matched pairs among the candidates: the unambiguous ones, then each contested group."""
    idx = np.flatnonzero(cand)
    out = np.zeros(cand.size, dtype=bool)
    if idx.size == 0:
        return out
    pp, pt = ov.pair_pred[idx], ov.pair_target[idx]
    deg_p = np.bincount(pp, minlength=ov.num_pred)
    deg_t = np.bincount(pt, minlength=ov.num_target)
    alone = (deg_p[pp] == 1) & (deg_t[pt] == 1)
    out[idx[alone]] = True
    contested = idx[~alone]
    if contested.size:
        for group in _groups(ov, contested):
            out[_solve(ov, iou, group, method, scores)] = True
    return out


def _max_iou_assignment(ov: Overlaps, iou: np.ndarray, same: np.ndarray) -> np.ndarray:
    """The one-to-one assignment of largest total IoU over every overlapping pair."""
    out = np.zeros(iou.size, dtype=bool)
    idx = np.flatnonzero(same)
    if idx.size == 0:
        return out
    pp, pt = ov.pair_pred[idx], ov.pair_target[idx]
    deg_p = np.bincount(pp, minlength=ov.num_pred)
    deg_t = np.bincount(pt, minlength=ov.num_target)
    alone = (deg_p[pp] == 1) & (deg_t[pt] == 1)
    out[idx[alone]] = True
    if (~alone).any():
        from scipy.optimize import linear_sum_assignment

        for group in _groups(ov, idx[~alone]):
            preds, r = np.unique(ov.pair_pred[group], return_inverse=True)
            targets, c = np.unique(ov.pair_target[group], return_inverse=True)
            weight = np.zeros((preds.size, targets.size))
            weight[r, c] = iou[group]
            chosen = np.full(weight.shape, -1, dtype=np.int64)
            chosen[r, c] = group
            rows, cols = linear_sum_assignment(weight, maximize=True)
            picked = chosen[rows, cols]
            out[picked[picked >= 0]] = True
    return out


def _groups(ov: Overlaps, pairs: np.ndarray) -> list[np.ndarray]:
    """The pairs split into connected groups (objects linked by shared pairs)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pp, pt = ov.pair_pred[pairs], ov.pair_target[pairs]
    preds, p_inv = np.unique(pp, return_inverse=True)
    targets, t_inv = np.unique(pt, return_inverse=True)
    n = preds.size + targets.size
    graph = coo_matrix((np.ones(pairs.size), (p_inv, preds.size + t_inv)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    group = label[p_inv]
    order = np.argsort(group, kind="stable")
    cuts = np.flatnonzero(np.diff(group[order])) + 1
    return np.split(pairs[order], cuts)


def _solve(ov: Overlaps, iou: np.ndarray, group: np.ndarray, method: str,
           scores: np.ndarray | None) -> np.ndarray:
    """The matched pairs (table indices) of one contested group of candidate pairs."""
    pp, pt = ov.pair_pred[group], ov.pair_target[group]
    if method == "optimal":
        from scipy.optimize import linear_sum_assignment

        preds, r = np.unique(pp, return_inverse=True)
        targets, c = np.unique(pt, return_inverse=True)
        k = min(preds.size, targets.size)
        # one match outweighs any sum of IoU over at most k matches
        weight = np.zeros((preds.size, targets.size))
        weight[r, c] = 1.0 + iou[group] / (k + 1)
        rows, cols = linear_sum_assignment(weight, maximize=True)
        chosen = np.full((preds.size, targets.size), -1, dtype=np.int64)
        chosen[r, c] = group
        picked = chosen[rows, cols]
        return picked[picked >= 0]
    if method == "greedy_iou":
        order = np.lexsort((pt, pp, -iou[group]))
    else:  # greedy_score: predictions by score (stable), then their targets
        order = _score_order(pp, scores)
    taken_p: set[int] = set()
    taken_t: set[int] = set()
    picked = []
    if method == "greedy_iou":
        for j in order:
            a, b = int(pp[j]), int(pt[j])
            if a not in taken_p and b not in taken_t:
                taken_p.add(a)
                taken_t.add(b)
                picked.append(group[j])
        return np.asarray(picked, dtype=np.int64)
    for a in order:
        # candidate targets of prediction a, best IoU first, the last of equal IoU first
        rows = np.flatnonzero(pp == a)
        best = -1
        for j in rows[np.lexsort((-pt[rows], -iou[group][rows]))]:
            if int(pt[j]) not in taken_t:
                best = j
                break
        if best >= 0:
            taken_t.add(int(pt[best]))
            picked.append(group[best])
    return np.asarray(picked, dtype=np.int64)


def _score_order(pp: np.ndarray, scores: np.ndarray | None) -> list[int]:
    """Predictions of a group by decreasing score; equal scores keep id order."""
    assert scores is not None
    preds = np.unique(pp)
    order = np.argsort(-scores[preds], kind="stable")
    return [int(p) for p in preds[order]]
