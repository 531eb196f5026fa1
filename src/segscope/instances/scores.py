"""Instance scores from object counts: the formulas, mask AP, and the empty-image policy.

Per class and IoU threshold, from matched pairs ``tp``, unmatched predictions ``fp``,
unmatched true objects ``fn`` and the matched pairs' IoU sum ``s``:

=================  ==========================================  ==========================
precision          tp / (tp + fp)
recall             tp / (tp + fn)
f1                 2 tp / (2 tp + fp + fn)
dsb                tp / (tp + fp + fn)                         stardist "accuracy",
                                                               cellpose "ap"; its mean
                                                               over thresholds is the 2018
                                                               Data Science Bowl score
sq                 s / tp                                      mean matched IoU
rq                 tp / (tp + fp/2 + fn/2)
pq                 s / (tp + fp/2 + fn/2) = sq × rq            Kirillov et al., CVPR 2019
mean_true_iou      s / (tp + fn)                               stardist "mean_true_score"
aji                Σ|G∩S| / (Σ|G∪S| + unpaired sizes)          Kumar et al., IEEE TMI 2017
ap                 area under the interpolated precision-recall curve at 101 recall
                   points, predictions ranked by score (COCO mask AP)
=================  ==========================================  ==========================

A ratio whose denominator is zero (an image with no objects on either side, or no
match for ``sq``) takes the value named by ``empty``: ``"nan"`` (left out of every mean
and counted), ``"zero"`` (stardist) or ``"one"``. :func:`score_counts` computes each
metric pooled over the dataset (sum the counts, then divide) and per image, side by side.

Examples
--------
>>> import numpy as np
>>> ratio("f1", np.array([3]), np.array([1]), np.array([2]), np.array([2.4]), "nan")
(array([0.66666667]), array([False]))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._checks import check_choice
from ..policy import safe_divide
from .counts import Detections

__all__ = [
    "INSTANCE_METRICS",
    "RATIO_METRICS",
    "average_precision",
    "ratio",
]

#: Metrics computed at each threshold from (tp, fp, fn, iou sum).
RATIO_METRICS: tuple[str, ...] = (
    "precision", "recall", "f1", "dsb", "pq", "sq", "rq", "mean_true_iou",
)
#: Every instance metric: the ratios, the aggregated Jaccard index and mask AP.
INSTANCE_METRICS: tuple[str, ...] = (*RATIO_METRICS, "aji", "ap")

#: Recall points of the interpolated precision (COCO: 0, 0.01, ..., 1).
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def ratio(metric: str, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, iou_sum: np.ndarray,
          empty: str = "nan") -> tuple[np.ndarray, np.ndarray]:
    """One ratio metric (see the module table) and where it was 0/0.

    Returns
    -------
    values : ndarray of float64
    undefined : ndarray of bool
    """
    check_choice("metric", metric, RATIO_METRICS)
    tp = np.asarray(tp, dtype=np.float64)
    fp = np.asarray(fp, dtype=np.float64)
    fn = np.asarray(fn, dtype=np.float64)
    s = np.asarray(iou_sum, dtype=np.float64)
    num, den = {
        "precision": (tp, tp + fp),
        "recall": (tp, tp + fn),
        "f1": (2 * tp, 2 * tp + fp + fn),
        "dsb": (tp, tp + fp + fn),
        "sq": (s, tp),
        "rq": (tp, tp + 0.5 * fp + 0.5 * fn),
        "pq": (s, tp + 0.5 * fp + 0.5 * fn),
        "mean_true_iou": (s, tp + fn),
    }[metric]
    return safe_divide(num, den, empty)


def average_precision(detections: Sequence[Detections], num_target: np.ndarray,
                      label: int, empty: str = "nan") -> np.ndarray:
    """COCO-style AP of one class at each threshold, over the given images.

    Parameters
    ----------
    detections : sequence of Detections
        One per image, in image order.
    num_target : int
        True objects of the class over those images.
    label : int
        The class (0 without classes).
    empty : str
        The value when the class has no true object.

    Notes
    -----
    As pycocotools' ``COCOeval.accumulate``: predictions of all images ranked by score
    (a stable sort, images in order, each image's predictions already in rank order);
    precision ``tp / (tp + fp + eps)`` made non-increasing from the right; at each of
    101 recall points the precision of the first rank whose recall reaches it (0 beyond
    the largest recall); AP is their mean.
    """
    parts = [(d.scores[d.classes == label], d.matched[:, d.classes == label],
              d.ignored[:, d.classes == label]) for d in detections]
    nt = detections[0].matched.shape[0] if detections else 1
    if num_target == 0:
        fill, _ = safe_divide(np.zeros(nt), np.zeros(nt), empty)
        return fill
    scores = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    matched = np.concatenate([p[1] for p in parts], axis=1) if parts else np.zeros((nt, 0), bool)
    ignored = np.concatenate([p[2] for p in parts], axis=1) if parts else np.zeros((nt, 0), bool)
    order = np.argsort(-scores, kind="mergesort")
    out = np.zeros(nt)
    for k in range(nt):
        keep = ~ignored[k, order]
        hit = matched[k, order][keep]
        tps = np.cumsum(hit, dtype=np.float64)
        fps = np.cumsum(~hit, dtype=np.float64)
        if tps.size == 0:
            continue
        recall = tps / num_target
        precision = tps / (tps + fps + np.spacing(1))
        precision = np.maximum.accumulate(precision[::-1])[::-1]
        at = np.searchsorted(recall, RECALL_POINTS, side="left")
        q = np.where(at < precision.size, precision[np.minimum(at, precision.size - 1)], 0.0)
        out[k] = q.mean()
    return out
