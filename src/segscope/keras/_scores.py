"""Overlap scores of confusion counts in ``keras.ops`` (traceable), as in :mod:`segscope.metrics`.

The same formulas and the same ``average``/``empty`` rules as
:func:`segscope.metrics.score_counts`, on a ``(C, C)`` float matrix (rows: truth,
columns: prediction), for the metrics the Keras classes offer.
"""

from __future__ import annotations

from keras import ops

__all__ = ["SCORED", "score_matrix"]

#: The metrics the Keras classes compute (``accuracy`` is global, as in segscope).
SCORED = ("accuracy", "iou", "dice", "f1", "precision", "recall", "specificity")

_FILL = {"nan": float("nan"), "zero": 0.0, "one": 1.0}


def _ratio(metric, tp, fp, fn, tn):
    if metric == "iou":
        return tp, tp + fp + fn
    if metric in ("dice", "f1"):
        return 2 * tp, 2 * tp + fp + fn
    if metric == "precision":
        return tp, tp + fp
    if metric == "recall":
        return tp, tp + fn
    if metric == "specificity":
        return tn, tn + fp
    if metric == "accuracy":
        return tp + tn, tp + fp + fn + tn
    raise AssertionError(metric)  # pragma: no cover


def _divide(num, den, empty):
    zero = ops.equal(den, 0)
    value = num / ops.where(zero, ops.ones_like(den), den)
    return ops.where(zero, ops.full_like(value, _FILL[empty]), value)


def _mean_defined(values, weights=None):
    defined = ops.logical_not(ops.isnan(values))
    v = ops.where(defined, values, ops.zeros_like(values))
    count = ops.sum(ops.cast(defined, values.dtype))
    plain = ops.sum(v) / count          # 0/0 -> NaN: nothing defined
    if weights is None:
        return plain
    w = ops.where(defined, weights, ops.zeros_like(weights))
    total = ops.sum(w)
    weighted = ops.sum(v * w) / ops.where(total > 0, total, ops.ones_like(total))
    # weights of the defined classes all zero: they say nothing, take the plain mean
    return ops.where(total > 0, weighted, plain)


def score_matrix(cm, metric: str, *, average: str, empty: str, selected: tuple[int, ...]):
    """The score of ``metric`` on the float confusion matrix ``cm``.

    ``average="none"`` returns the per-class values of the ``selected`` classes; every
    other average returns a scalar. ``accuracy`` is the global trace / total.
    """
    if metric == "accuracy" and average != "none":
        return _divide(ops.trace(cm), ops.sum(cm), "nan" if empty == "nan_target" else empty)
    diag = ops.diagonal(cm)
    total = ops.sum(cm)
    idx = ops.convert_to_tensor(list(selected), dtype="int32")
    tp = ops.take(diag, idx)
    fp = ops.take(ops.sum(cm, axis=0), idx) - tp
    fn = ops.take(ops.sum(cm, axis=1), idx) - tp
    tn = total - tp - fp - fn
    num, den = _ratio(metric, tp, fp, fn, tn)
    if empty == "nan_target":
        per_class = _divide(num, den, "nan")
        per_class = ops.where(ops.equal(tp + fn, 0), ops.full_like(per_class, float("nan")),
                              per_class)
        empty = "nan"
    else:
        per_class = _divide(num, den, empty)
    if average == "none":
        return per_class
    if average == "macro":
        return _mean_defined(per_class)
    if average == "weighted":
        return _mean_defined(per_class, tp + fn)
    snum, sden = _ratio(metric, *(ops.sum(x) for x in (tp, fp, fn, tn)))
    return _divide(snum, sden, empty)
