"""Instance scores of one image or a dataset in one call.

Examples
--------
>>> import numpy as np
>>> t = np.zeros((6, 6), np.int32); t[:3, :3] = 10; t[3:, 3:] = 20
>>> p = np.zeros_like(t); p[:3, :2] = 1; p[3:, 3:] = 2; p[0, 5] = 3
>>> r = evaluate_instances(p, t, thresholds=(0.5, 0.75))
>>> r.dataset["f1"].round(3).tolist()                 # (classes, thresholds)
[[0.8, 0.4]]
>>> round(r.value("dsb"), 4)                          # mean over the two thresholds
0.4583
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import ParameterError, ShapeError
from ..options import Aggregate, Empty
from .counts import InstanceCounts, count_image
from .matching import MATCH_METHODS, RULES, MatchMethod, Rule
from .overlaps import Overlaps, instance_overlaps
from .report import INSTANCE_AGGREGATES, InstanceReport, score_counts

__all__ = ["count_instances", "evaluate_instances", "scores_for"]


def is_image_list(x: Any) -> bool:
    """A list or tuple of arrays is a dataset; one array is one image (2-D or 3-D)."""
    return isinstance(x, (list, tuple))


def scores_for(overlaps: Overlaps, scores: Any, name: str = "scores") -> np.ndarray:
    """Confidence of each predicted object, in ``overlaps.pred_ids`` order.

    ``scores`` is a mapping ``{id: score}`` or a 1-D array indexed by id
    (``scores[id]``).

    Examples
    --------
    >>> import numpy as np
    >>> from segscope.instances import instance_overlaps
    >>> ov = instance_overlaps(np.array([[0, 4, 9]]), np.array([[0, 1, 1]]),
    ...                        check_semantic=False)
    >>> scores_for(ov, {4: 0.9, 9: 0.2}).tolist()
    [0.9, 0.2]
    """
    ids = overlaps.pred_ids
    if isinstance(scores, Mapping):
        try:
            return np.array([float(scores[int(i)]) for i in ids], dtype=np.float64)
        except KeyError as err:
            raise ParameterError(
                f"{name} has no score for predicted object {err.args[0]}; give every "
                "predicted id a score"
            ) from None
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 1:
        raise ShapeError(f"{name} must be a mapping {{id: score}} or a 1-D array indexed by id; "
                         f"got shape {arr.shape}")
    if ids.size and int(ids.max()) >= arr.size:
        raise ShapeError(
            f"{name} is indexed by object id, so it needs at least {int(ids.max()) + 1} "
            f"values (the largest predicted id is {int(ids.max())}); got {arr.size}"
        )
    return arr[ids.astype(np.int64)]


def _settings(method: str, rule: str, aggregate: str, max_detections: int | None) -> None:
    check_choice("method", method, MATCH_METHODS)
    check_choice("rule", rule, RULES)
    if aggregate == "image_class":
        raise ParameterError(
            'aggregate="image_class" has no meaning for instance scores; use "dataset" '
            '(pool the object counts) or "image" (score each image, then the mean)'
        )
    check_choice("aggregate", aggregate, INSTANCE_AGGREGATES)
    if max_detections is not None and (isinstance(max_detections, bool)
                                       or not isinstance(max_detections, (int, np.integer))
                                       or max_detections < 1):
        raise ParameterError(f"max_detections must be a positive integer or None; "
                             f"got {max_detections!r}")


def count_instances(pred: Any, target: Any, *, thresholds: float | Sequence[float] | None = None,
                    method: MatchMethod = "optimal", rule: Rule = ">=", void: int | None = None,
                    scores: Any = None, max_detections: int | None = None,
                    check_semantic: bool = True) -> InstanceCounts:
    """Object counts of one image or a list of images (see :func:`evaluate_instances`).

    Returns
    -------
    InstanceCounts
        One row per image; counts of separate calls add up with ``+``.
    """
    _settings(method, rule, "dataset", max_detections)
    preds, targets = _as_lists(pred, target)
    score_list = _score_list(scores, len(preds))
    parts = []
    for i, (p, t) in enumerate(zip(preds, targets)):
        try:
            ov = instance_overlaps(p, t, void=void, check_semantic=check_semantic)
        except (ShapeError, ValueError, TypeError) as err:
            if len(preds) > 1:
                raise type(err)(f"image {i}: {err}") from err
            raise
        s = None if score_list is None else scores_for(ov, score_list[i], f"scores[{i}]")
        parts.append(count_image(ov, thresholds, method=method, rule=rule, scores=s,
                                 max_detections=max_detections))
    return InstanceCounts.concatenate(parts)


def evaluate_instances(pred: Any, target: Any, *,
                       thresholds: float | Sequence[float] | None = None,
                       method: MatchMethod = "optimal", rule: Rule = ">=",
                       metrics: str | Sequence[str] | None = None,
                       aggregate: Aggregate = "dataset", empty: Empty = "nan",
                       void: int | None = None, scores: Any = None,
                       max_detections: int | None = None, check_semantic: bool = True,
                       image_names: Sequence[str] | None = None) -> InstanceReport:
    """Match objects and score them: one image, or a dataset pooled and per image.

    Parameters
    ----------
    pred, target : (M, N[, P]) array_like of int, or lists of them
        Instance label maps (0 background, any positive ids). A list or tuple is a
        dataset of images (sizes may differ between images); a single array is one
        image, 2-D or 3-D.
    thresholds : float or sequence of float, optional
        IoU thresholds (default 0.5, 0.55, ..., 0.95).
    method : {"optimal", "greedy_iou", "greedy_score", "max_iou"}
        How objects are matched (see :mod:`segscope.instances.matching`);
        ``"greedy_score"`` needs ``scores``.
    rule : {">=", ">"}
        Whether an IoU equal to the threshold matches.
    metrics : str or sequence of str, optional
        Default: precision, recall, f1, dsb, pq, sq, rq, mean_true_iou, aji (and ap with
        ``scores``).
    aggregate : {"dataset", "image"}
        The headline value: counts pooled over images, or the mean of per-image values.
        Both are in the report.
    empty : {"nan", "zero", "one"}
        The value of a 0/0 ratio (e.g. an image with no object on either side). ``"nan"``
        leaves it out of means and counts it (:meth:`InstanceReport.excluded`).
    void : int, optional
        A target id marking pixels not to score.
    scores : mapping or array, or a list of them, optional
        Confidence of each predicted object (``{id: score}`` or an array indexed by id),
        one per image: adds mask AP (``metric "ap"``), ranked as pycocotools does.
    max_detections : int, optional
        Rank only each image's best ``max_detections`` predictions for AP (pycocotools'
        ``maxDets``, 100 in its summary); default: all.
    check_semantic : bool
        Refuse a map whose only object is several separate parts (a semantic mask).
    image_names : sequence of str, optional

    Returns
    -------
    InstanceReport
    """
    _settings(method, rule, aggregate, max_detections)
    counts = count_instances(pred, target, thresholds=thresholds, method=method, rule=rule,
                             void=void, scores=scores, max_detections=max_detections,
                             check_semantic=check_semantic)
    names = tuple(image_names) if image_names is not None else ()
    if names and len(names) != counts.num_images:
        raise ParameterError(f"image_names has {len(names)} names for {counts.num_images} images")
    meta = {"void": void, "max_detections": max_detections}
    return score_counts(counts, metrics=metrics, aggregate=aggregate, empty=empty,
                        image_names=names, meta=meta)


def _as_lists(pred: Any, target: Any) -> tuple[list[Any], list[Any]]:
    lp, lt = is_image_list(pred), is_image_list(target)
    if lp != lt:
        raise ShapeError(
            "pred and target must both be one image (an array) or both lists of images; "
            f"got {type(pred).__name__} and {type(target).__name__}"
        )
    if not lp:
        return [pred], [target]
    if len(pred) != len(target):
        raise ShapeError(f"pred has {len(pred)} images and target {len(target)}; "
                         "give one prediction per target")
    if not pred:
        raise ParameterError("no images given: pred and target are empty lists")
    return list(pred), list(target)


def _score_list(scores: Any, n: int) -> list[Any] | None:
    if scores is None:
        return None
    if n == 1 and not (isinstance(scores, (list, tuple)) and len(scores) == 1
                       and isinstance(scores[0], (Mapping, np.ndarray, list, tuple))):
        return [scores]
    if not isinstance(scores, (list, tuple)) or len(scores) != n:
        raise ParameterError(f"scores must be a list with one entry per image ({n})")
    return list(scores)
