"""Overlap scores of confusion counts in ``keras.ops`` (traceable), as in :mod:`segscope.metrics`.

The same formulas and the same ``average``/``empty`` rules as
:func:`segscope.metrics.score_counts`, for the metrics the Keras classes offer, on float
counts with any leading axes: ``(..., C·C)`` single-label matrices (rows: truth, columns:
prediction) or ``(..., C·4)`` multi-label ``(C, 2, 2)`` tables (``[[tn, fp], [fn, tp]]``).
A leading image axis scores every image at once (``aggregate="image"``).
"""

from __future__ import annotations

from keras import ops

__all__ = ["SCORED", "class_counts", "score_counts"]

#: The metrics the Keras classes compute (``accuracy`` of single-label input is global).
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
    """Mean over the last axis of the non-NaN values (NaN when none is defined)."""
    defined = ops.logical_not(ops.isnan(values))
    v = ops.where(defined, values, ops.zeros_like(values))
    count = ops.sum(ops.cast(defined, values.dtype), axis=-1)
    plain = ops.sum(v, axis=-1) / count          # 0/0 -> NaN: nothing defined
    if weights is None:
        return plain
    w = ops.where(defined, weights, ops.zeros_like(weights))
    total = ops.sum(w, axis=-1)
    weighted = ops.sum(v * w, axis=-1) / ops.where(total > 0, total, ops.ones_like(total))
    # weights of the defined classes all zero: they say nothing, take the plain mean
    return ops.where(total > 0, weighted, plain)


def class_counts(cm, *, num_classes: int, multilabel: bool):
    """Per-class ``(tp, fp, fn, tn)`` of flat float counts ``(..., K)``; each ``(..., C)``."""
    lead = (-1,) if len(cm.shape) > 1 else ()      # one leading axis at most (images)
    c = num_classes
    if multilabel:
        t = ops.reshape(cm, (*lead, c, 4))
        return t[..., 3], t[..., 1], t[..., 2], t[..., 0]
    m = ops.reshape(cm, (*lead, c, c))
    tp = ops.diagonal(m, axis1=-2, axis2=-1)
    fp = ops.sum(m, axis=-2) - tp
    fn = ops.sum(m, axis=-1) - tp
    tn = ops.sum(cm, axis=-1, keepdims=True) - tp - fp - fn
    return tp, fp, fn, tn


def score_counts(cm, metric: str, *, num_classes: int, multilabel: bool, average: str,
                 empty: str, selected: tuple[int, ...]):
    """``(value, per_class, undefined)`` of ``metric`` on float counts ``cm`` ``(..., K)``.

    ``value`` has the leading shape of ``cm`` (NaN for ``average="none"``, except the global
    accuracy of single-label counts); ``per_class`` and the boolean ``undefined`` (a 0/0
    class, or with ``empty="nan_target"`` one absent from the target) add an axis of the
    ``selected`` classes.

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> cm = np.array([5.0, 1.0, 2.0, 2.0])          # (2, 2): rows truth, columns prediction
    >>> value, per_class, _ = score_counts(cm, "iou", num_classes=2, multilabel=False,
    ...                                    average="macro", empty="nan", selected=(0, 1))
    >>> round(float(value), 4), [round(float(v), 4) for v in ops.convert_to_numpy(per_class)]
    (0.5125, [0.625, 0.4])
    """
    tp, fp, fn, tn = class_counts(cm, num_classes=num_classes, multilabel=multilabel)
    if len(selected) != num_classes:
        idx = ops.convert_to_tensor(list(selected), dtype="int32")
        tp, fp, fn, tn = (ops.take(x, idx, axis=-1) for x in (tp, fp, fn, tn))
    num, den = _ratio(metric, tp, fp, fn, tn)
    undefined = ops.equal(den, 0)
    if empty == "nan_target":
        per_class = _divide(num, den, "nan")
        per_class = ops.where(ops.equal(tp + fn, 0), ops.full_like(per_class, float("nan")),
                              per_class)
        undefined = ops.logical_or(undefined, ops.equal(tp + fn, 0))
        empty = "nan"
    else:
        per_class = _divide(num, den, empty)
    if metric == "accuracy" and not multilabel:     # global: trace / total
        lead = (-1,) if len(cm.shape) > 1 else ()
        square = ops.reshape(cm, (*lead, num_classes, num_classes))
        value = _divide(ops.sum(ops.diagonal(square, axis1=-2, axis2=-1), axis=-1),
                        ops.sum(cm, axis=-1), empty)
    elif average == "none":
        value = ops.full_like(per_class[..., 0], float("nan"))
    elif average == "macro":
        value = _mean_defined(per_class)
    elif average == "weighted":
        value = _mean_defined(per_class, tp + fn)
    else:   # micro
        snum, sden = _ratio(metric, *(ops.sum(x, axis=-1) for x in (tp, fp, fn, tn)))
        value = _divide(snum, sden, empty)
    return value, per_class, undefined
