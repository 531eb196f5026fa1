"""Stateful overlap metrics for Keras 3: exact confusion counts, segscope's scoring rules.

Each metric is a ``keras.metrics.Metric`` whose state is the ``(C, C)`` confusion matrix
of every pixel seen (rows: truth, columns: prediction), kept as two int32 limbs
(``counts = high · 2²⁴ + low``), so it neither wraps like an int32 matrix nor depends on
JAX's x64 flag. ``result()`` scores the counts with ``keras.ops`` (float64 where the
backend has it, else float32), with segscope's ``average`` and ``empty`` rules;
:meth:`OverlapMetric.report` scores the exact counts with :func:`segscope.metrics.score_counts`
and returns the :class:`~segscope.results.Report` that :func:`segscope.evaluate` gives on
the same data.

Bad input (a label outside ``[0, num_classes)`` that is not ignored, a NaN score) raises
:class:`~segscope.errors.LabelError` / :class:`~segscope.errors.ParameterError` when the
update runs eagerly (the torch backend, ``run_eagerly=True``). Under jit (JAX's
``fit``/``evaluate``) nothing can raise: the bad pixels are counted apart and ``result()``
is NaN until ``reset_state()``, never a plausible number.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from ..errors import LabelError, ParameterError
from ..options import AVERAGES, EMPTY_VALUES, TASKS, Average, Empty, ScoreOptions, Task
from ..results import Report
from ._inputs import check_layout, ignore_values, is_concrete, is_sparse, not_ignored, wide_float
from ._scores import score_matrix

__all__ = ["F1", "Accuracy", "Dice", "IoU", "OverlapMetric", "Precision", "Recall",
           "Specificity"]

_LIMB = 2**24


def _histogram(cell, length: int):
    """Exact int32 counts of ``cell`` values in ``[0, length)``; the value ``length`` is dropped.

    On torch, ``ops.bincount`` (Keras' torch ``segment_sum`` scatters in float32, inexact
    past 2²⁴ per cell); elsewhere ``ops.segment_sum`` of int32 ones (traceable under jit,
    unlike ``bincount`` on JAX).
    """
    if cell.shape[0] is not None and cell.shape[0] >= 2**31:
        raise ParameterError(f"one batch holds {cell.shape[0]} pixels; split it below 2**31")
    if keras.backend.backend() == "torch":
        return ops.cast(ops.bincount(cell, minlength=length + 1)[:length], "int32")
    ones = ops.ones_like(cell, dtype="int32")
    return ops.segment_sum(ones, cell, num_segments=length + 1)[:length]


class OverlapMetric(keras.metrics.Metric):
    """A segscope overlap metric on exact confusion counts, for ``model.compile(metrics=...)``.

    Parameters
    ----------
    num_classes : int
        Number of classes (``task="binary"``: 2, the default there).
    metric : {"iou", "dice", "precision", "recall", "specificity", "accuracy"}
        What ``result()`` returns (``"f1"``/``"jaccard"`` are accepted aliases).
    task : {"multiclass", "binary"}
        ``"multiclass"``: ``y_pred`` ``(N, *spatial, C)`` scores, the label is the argmax;
        ``"binary"``: ``y_pred`` ``(N, *spatial, 1)``, the label is ``p > threshold``.
        (``"multilabel"`` is not offered yet.)
    average : {"macro", "micro", "weighted", "none"}
        As in :func:`segscope.evaluate`; ``"none"`` makes ``result()`` the per-class vector.
    empty : {"nan", "zero", "one", "nan_target"}, optional
        The value of a 0/0 class (default ``"nan"``: excluded from the means).
    ignore_index : int or sequence of int, optional
        Target labels whose pixels are not counted (e.g. ``255`` or ``(0, 255)``).
    include_background : bool
        Score class 0 too.
    from_logits : bool
        ``task="binary"``: ``y_pred`` holds logits (sigmoid first). The argmax of
        multiclass scores is the same for logits and probabilities.
    threshold : float
        ``task="binary"``: the probability above which a pixel is foreground.
    name, dtype
        As for every Keras metric (``dtype`` of ``result()``, default float32).

    Examples
    --------
    >>> import numpy as np
    >>> from segscope.keras import IoU
    >>> m = IoU(num_classes=2)
    >>> y_true = np.array([[[0, 1], [1, 1]]])
    >>> y_pred = np.eye(2, dtype="float32")[np.array([[[0, 1], [0, 1]]])]
    >>> m.update_state(y_true, y_pred)
    >>> round(float(m.result()), 4)   # (1/2 + 2/3) / 2
    0.5833
    >>> m.report().summary()["iou"]
    0.5833333333333333
    """

    default_metric = "iou"

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        metric: str | None = None,
        task: Task = "multiclass",
        average: Average = "macro",
        empty: Empty | None = None,
        ignore_index: int | Sequence[int] | None = None,
        include_background: bool = True,
        from_logits: bool = False,
        threshold: float = 0.5,
        name: str | None = None,
        dtype: str | None = None,
    ) -> None:
        metric = metric or self.default_metric
        options = ScoreOptions(metrics=(metric,), average=average, empty=empty,
                               include_background=include_background)
        canonical = options.metrics[0]
        if canonical not in ("accuracy", "iou", "dice", "f1", "precision", "recall",
                             "specificity"):
            raise ParameterError(
                f"metric={metric!r} is not offered by segscope.keras; choose iou, dice, f1, "
                "precision, recall, specificity or accuracy"
            )
        if task not in TASKS or task == "multilabel":
            raise ParameterError(
                f"task={task!r} is not supported by segscope.keras metrics; choose "
                "'multiclass' or 'binary'"
            )
        if task == "binary":
            num_classes = 2 if num_classes is None else num_classes
            if num_classes != 2:
                raise ParameterError(f"task='binary' has 2 classes; got num_classes={num_classes}")
        if (num_classes is None or isinstance(num_classes, bool)
                or not isinstance(num_classes, int) or num_classes < 2):
            raise ParameterError(
                f"num_classes must be an int >= 2 (the channels of y_pred); got {num_classes!r}"
            )
        if average not in AVERAGES:
            raise AssertionError(average)  # pragma: no cover (ScoreOptions checked it)
        if empty is not None and empty not in EMPTY_VALUES:
            raise AssertionError(empty)  # pragma: no cover
        if not isinstance(from_logits, bool):
            raise ParameterError(f"from_logits must be True or False; got {from_logits!r}")
        super().__init__(name=name or f"{canonical}", dtype=dtype)
        self.num_classes = num_classes
        self.metric = canonical
        self.task = task
        self.average = average
        self.empty = empty or "nan"
        self.ignore_index = ignore_values(ignore_index)
        self.include_background = include_background
        self.from_logits = from_logits
        self.threshold = float(threshold)
        self._options = options
        selected = tuple(range(num_classes))
        if not include_background:
            selected = selected[1:]
        self._selected = selected
        cells = num_classes * num_classes
        self.low = self.add_variable(shape=(cells,), initializer="zeros", dtype="int32",
                                     name="counts_low")
        self.high = self.add_variable(shape=(cells,), initializer="zeros", dtype="int32",
                                      name="counts_high")
        self.bad = self.add_variable(shape=(), initializer="zeros", dtype="int32",
                                     name="bad_updates")

    # -- counting
    def _labels(self, y_true, y_pred):
        """Flat int32 ``(truth, prediction, keep, bad)`` of one batch."""
        c = self.num_classes
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true)
        check_layout(y_true, y_pred, None if self.task == "binary" else c, type(self).__name__)
        if self.task == "binary" and y_pred.shape[-1] != 1:
            raise ParameterError(
                f"task='binary' expects y_pred (N, *spatial, 1); got {tuple(y_pred.shape)}. "
                "For softmax outputs use task='multiclass', num_classes=2"
            )
        if not ops.is_tensor(y_pred) or "float" not in str(y_pred.dtype):
            y_pred = ops.cast(y_pred, "float32")
        nan_pixels = ops.any(ops.isnan(y_pred), axis=-1)
        if self.task == "binary":
            probs = ops.sigmoid(y_pred) if self.from_logits else y_pred
            pred = ops.cast(probs[..., 0] > self.threshold, "int32")
        else:
            pred = ops.cast(ops.argmax(y_pred, axis=-1), "int32")
        if is_sparse(y_true, y_pred) or self.task == "binary":
            truth = y_true if len(y_true.shape) == len(pred.shape) else y_true[..., 0]
            if "float" in str(truth.dtype):
                rounded = ops.round(truth)
                not_int = ops.logical_or(ops.not_equal(rounded, truth), ops.isnan(truth))
                truth = ops.where(not_int, -(2**30), rounded)
            truth = ops.cast(truth, "int32")
        else:   # one-hot: every row must hold one 1 and zeros
            row_ok = ops.logical_and(ops.all(ops.logical_or(ops.equal(y_true, 0),
                                                             ops.equal(y_true, 1)), axis=-1),
                                     ops.equal(ops.sum(ops.cast(y_true, "int32"), axis=-1), 1))
            truth = ops.where(row_ok, ops.cast(ops.argmax(y_true, axis=-1), "int32"), -(2**30))
        keep = not_ignored(truth, self.ignore_index)
        in_range = ops.logical_and(truth >= 0, truth < c)
        out_of_range = ops.logical_and(keep, ops.logical_not(in_range))
        nan_kept = ops.logical_and(keep, nan_pixels)
        keep = ops.logical_and(keep, ops.logical_and(in_range, ops.logical_not(nan_pixels)))
        return (ops.reshape(truth, (-1,)), ops.reshape(pred, (-1,)), ops.reshape(keep, (-1,)),
                ops.sum(ops.cast(out_of_range, "int32")), ops.sum(ops.cast(nan_kept, "int32")))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the confusion counts of one batch (``sample_weight`` is not supported)."""
        if sample_weight is not None:
            raise ParameterError(
                f"{type(self).__name__} counts pixels; sample_weight is not supported (pass "
                "ignore_index for pixels that do not count)"
            )
        c = self.num_classes
        truth, pred, keep, out_of_range, nans = self._labels(y_true, y_pred)
        if is_concrete(out_of_range):
            bad_labels, bad_scores = int(out_of_range), int(nans)
            if bad_labels:
                raise LabelError(
                    f"{type(self).__name__}: y_true holds {bad_labels} pixel(s) with labels "
                    f"outside [0, {c}) (num_classes={c}) that are not ignored; fix the labels "
                    f"or pass ignore_index (now {self.ignore_index or None})"
                )
            if bad_scores:
                raise ParameterError(
                    f"{type(self).__name__}: y_pred holds NaN at {bad_scores} pixel(s); check "
                    "the network's outputs (learning rate, loss)"
                )
        batch = _histogram(ops.where(keep, truth * c + pred, c * c), c * c)
        low = self.low + batch % _LIMB
        self.high.assign(self.high + batch // _LIMB + low // _LIMB)
        self.low.assign(low % _LIMB)
        flagged = ops.cast(ops.logical_or(out_of_range > 0, nans > 0), "int32")
        self.bad.assign(self.bad + flagged)

    def reset_state(self) -> None:
        for v in (self.low, self.high):
            v.assign(ops.zeros(v.shape, dtype="int32"))
        self.bad.assign(ops.zeros((), dtype="int32"))

    # -- scoring
    def result(self):
        """The score of the counts so far (NaN after a batch with bad input under jit)."""
        wide = wide_float()
        cm = (ops.cast(self.high, wide) * float(_LIMB) + ops.cast(self.low, wide))
        cm = ops.reshape(cm, (self.num_classes, self.num_classes))
        value = score_matrix(cm, self.metric, average=self.average, empty=self.empty,
                             selected=self._selected)
        value = ops.where(self.bad > 0, ops.full_like(value, float("nan")), value)
        return ops.cast(value, self.dtype)

    @property
    def counts(self) -> np.ndarray:
        """The exact ``(C, C)`` int64 confusion matrix so far (rows: truth)."""
        low = ops.convert_to_numpy(self.low).astype(np.int64)
        high = ops.convert_to_numpy(self.high).astype(np.int64)
        return (high * _LIMB + low).reshape(self.num_classes, self.num_classes)

    def report(self, metrics: str | Sequence[str] | None = None) -> Report:
        """Score the exact counts with :func:`segscope.metrics.score_counts` (NumPy, float64).

        ``metrics`` defaults to this metric; the other settings are this metric's.
        Raises if a batch with bad input was counted under jit.
        """
        from ..metrics import score_counts

        if int(ops.convert_to_numpy(self.bad)):
            raise LabelError(
                f"{type(self).__name__}: a batch with labels outside [0, {self.num_classes}) "
                "or NaN scores was counted under jit; the counts are incomplete. Fix the data "
                "and call reset_state()"
            )
        options = self._options if metrics is None else self._options.replace(metrics=metrics)
        return score_counts(self.counts, options, task=self.task)

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes, "metric": self.metric, "task": self.task,
            "average": self.average, "empty": self.empty,
            "ignore_index": list(self.ignore_index) or None,
            "include_background": self.include_background, "from_logits": self.from_logits,
            "threshold": self.threshold, "name": self.name, "dtype": self.dtype,
        }


def _fixed(metric_name: str, doc: str):
    class Fixed(OverlapMetric):
        default_metric = metric_name

        def __init__(self, num_classes: int | None = None, **kwargs) -> None:
            kwargs.setdefault("metric", metric_name)
            super().__init__(num_classes, **kwargs)

    Fixed.__doc__ = doc
    return Fixed


IoU = _fixed("iou", "Intersection over union ``tp / (tp + fp + fn)``; see OverlapMetric.")
IoU.__name__ = IoU.__qualname__ = "IoU"
Dice = _fixed("dice", "Dice ``2 tp / (2 tp + fp + fn)``; see OverlapMetric.")
Dice.__name__ = Dice.__qualname__ = "Dice"
F1 = _fixed("f1", "F1, the Dice of label maps; see OverlapMetric.")
F1.__name__ = F1.__qualname__ = "F1"
Precision = _fixed("precision", "Precision ``tp / (tp + fp)``; see OverlapMetric.")
Precision.__name__ = Precision.__qualname__ = "Precision"
Recall = _fixed("recall", "Recall (sensitivity) ``tp / (tp + fn)``; see OverlapMetric.")
Recall.__name__ = Recall.__qualname__ = "Recall"
Specificity = _fixed("specificity", "Specificity ``tn / (tn + fp)``; see OverlapMetric.")
Specificity.__name__ = Specificity.__qualname__ = "Specificity"
Accuracy = _fixed("accuracy", "Pixel accuracy, trace / total (global); see OverlapMetric.")
Accuracy.__name__ = Accuracy.__qualname__ = "Accuracy"
