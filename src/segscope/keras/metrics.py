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

import math
from collections.abc import Sequence
from numbers import Real

import keras
import numpy as np
from keras import ops

from ..errors import LabelError, ParameterError, ShapeError
from ..options import TASKS, Aggregate, Average, Empty, ScoreOptions, Task
from ..results import Report, Score
from ._counting import argmax_last, histogram, labels_and_nans, nan_count
from ._inputs import check_layout, ignore_values, is_concrete, is_sparse, wide_float
from ._scores import SCORED, score_counts

__all__ = ["F1", "Accuracy", "Dice", "IoU", "OverlapMetric", "Precision", "Recall",
           "Specificity"]

_LIMB = 2**24
_BAD = -(2**30)      # the label given to a target pixel that is no label (NaN, 0.5, a bad row)
#: Eager JAX: after this many calls of one metric, ``update_state`` runs one compiled step
#: (compiling costs about half a second once per configuration, a call then ~5x less).
_COMPILE_AFTER = 2
_COMPILED: dict = {}


def _two_sum(total, carry, x):
    """Compensated (Knuth two-sum) running total: ``total + carry`` holds the exact sum better."""
    s = total + x
    z = s - total
    return s, carry + ((total - (s - z)) + (x - z))


class OverlapMetric(keras.metrics.Metric):
    """A segscope overlap metric on exact confusion counts, for ``model.compile(metrics=...)``.

    Parameters
    ----------
    num_classes : int
        Number of classes (``task="binary"``: 2, the default there); for
        ``task="multilabel"`` the number of channels.
    metric : {"iou", "dice", "precision", "recall", "specificity", "accuracy"}
        What ``result()`` returns (``"f1"``/``"jaccard"`` are accepted aliases).
    task : {"multiclass", "binary", "multilabel"}
        ``"multiclass"``: ``y_pred`` ``(N, *spatial, C)`` scores, the label is the argmax;
        ``"binary"``: ``y_pred`` ``(N, *spatial, 1)``, the label is ``p > threshold``;
        ``"multilabel"``: ``y_pred`` ``(N, *spatial, C)`` independent scores, channel ``k``
        is on where ``p > threshold``, ``y_true`` 0/1 channels of the same shape (as
        :func:`segscope.evaluate` with ``task="multilabel"``, ``decision="threshold"``).
    average : {"macro", "micro", "weighted", "none"}
        As in :func:`segscope.evaluate`; ``"none"`` makes ``result()`` the per-class vector.
    aggregate : {"dataset", "image", "image_class"}
        ``"dataset"``: pool the counts of every pixel seen, then score (the default);
        ``"image"``: score each image, then the mean over images; ``"image_class"``: the
        mean over every defined (image, class) pair (as :func:`segscope.evaluate`).
    empty : {"nan", "zero", "one", "nan_target"}, optional
        The value of a 0/0 class (default ``"nan"``: excluded from the means).
    ignore_index : int or sequence of int, optional
        Target labels whose pixels are not counted (e.g. ``255`` or ``(0, 255)``;
        single-label tasks only).
    include_background : bool
        Score class 0 too.
    from_logits : bool
        ``task="binary"``/``"multilabel"``: ``y_pred`` holds logits, compared with
        ``log(threshold / (1 - threshold))`` (the decision of ``sigmoid(y_pred) >
        threshold`` without its rounding). The argmax of multiclass scores is the same for
        logits and probabilities.
    threshold : float
        ``task="binary"``/``"multilabel"``: the probability above which a pixel is on.
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

    Per image, multi-label (two 0/1 channels):

    >>> m = IoU(num_classes=2, task="multilabel", aggregate="image")
    >>> y_true = np.array([[[[1, 0], [1, 1]]], [[[0, 0], [0, 1]]]])   # (2 images, 1, 2, 2)
    >>> m.update_state(y_true, 0.9 * y_true.astype("float32") + 0.05)
    >>> float(m.result())
    1.0
    """

    default_metric = "iou"

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        metric: str | None = None,
        task: Task = "multiclass",
        average: Average = "macro",
        aggregate: Aggregate = "dataset",
        empty: Empty | None = None,
        ignore_index: int | Sequence[int] | None = None,
        include_background: bool = True,
        from_logits: bool = False,
        threshold: float = 0.5,
        name: str | None = None,
        dtype: str | None = None,
    ) -> None:
        metric = metric or self.default_metric
        options = ScoreOptions(metrics=(metric,), average=average, aggregate=aggregate,
                               empty=empty, include_background=include_background)
        canonical = options.metrics[0]
        if canonical not in SCORED:
            raise ParameterError(
                f"metric={metric!r} is not offered by segscope.keras; choose iou, dice, f1, "
                "precision, recall, specificity or accuracy"
            )
        if task not in TASKS:
            raise ParameterError(
                f"task={task!r} is not supported; choose one of {', '.join(map(repr, TASKS))}"
            )
        if task == "binary":
            num_classes = 2 if num_classes is None else num_classes
            if num_classes != 2:
                raise ParameterError(f"task='binary' has 2 classes; got num_classes={num_classes}")
        least = 1 if task == "multilabel" else 2
        if (num_classes is None or isinstance(num_classes, bool)
                or not isinstance(num_classes, int) or num_classes < least):
            raise ParameterError(
                f"num_classes must be an int >= {least} (the channels of y_pred); got "
                f"{num_classes!r}"
            )
        ignored = ignore_values(ignore_index)
        if task == "multilabel" and ignored:
            raise ParameterError(
                "ignore_index is not supported for task='multilabel' (as in segscope.evaluate);"
                " mark void pixels in their own channel, or leave ignore_index out"
            )
        if not isinstance(from_logits, bool):
            raise ParameterError(f"from_logits must be True or False; got {from_logits!r}")
        if (isinstance(threshold, bool) or not isinstance(threshold, Real)
                or not math.isfinite(threshold)
                or (from_logits and not 0 < threshold < 1)):
            raise ParameterError(
                f"threshold must be a finite number (a probability in (0, 1) with "
                f"from_logits=True); got {threshold!r}"
            )
        super().__init__(name=name or f"{canonical}", dtype=dtype)
        self.num_classes = num_classes
        self.metric = canonical
        self.task = task
        self.average = average
        self.aggregate = aggregate
        self.empty = empty or "nan"
        self.ignore_index = tuple(dict.fromkeys(ignored))
        self.include_background = include_background
        self.from_logits = from_logits
        self.threshold = float(threshold)
        self._options = options
        selected = tuple(range(num_classes))
        if not include_background:
            selected = selected[1:]
        if not selected:
            raise ParameterError(
                "no class left to score: include_background=False removed the only class")
        self._selected = selected
        self._cells = num_classes * (4 if task == "multilabel" else num_classes)
        self._eager_calls = 0
        wide = wide_float()

        k = len(selected)
        layout = [("low", (self._cells,), "int32"), ("high", (self._cells,), "int32"),
                  ("bad", (), "int32")]
        if aggregate != "dataset":
            layout += [("images", (), "int32"), ("value_sum", (), wide),
                       ("value_carry", (), wide), ("value_count", (), "int32"),
                       ("class_sum", (k,), wide), ("class_carry", (k,), wide),
                       ("class_count", (k,), "int32"), ("undefined", (), "int32")]
        for attr, shape, dtype in layout:
            setattr(self, attr, self.add_variable(shape=shape, initializer="zeros",
                                                  dtype=dtype, name=attr))
        self._names = tuple(attr for attr, _, _ in layout)

    @property
    def _state(self) -> list:
        """The state variables in a fixed order: the count limbs, the bad-batch flag, and
        with a per-image ``aggregate`` the running sums of the per-image scores."""
        return [getattr(self, name) for name in self._names]

    # -- counting
    def _decision(self, y_pred):
        """The int32 labels of the scores (argmax, or per channel ``p > threshold``) and
        the number of NaN scores."""
        eager = is_concrete(y_pred)
        if self.task == "multiclass":
            return labels_and_nans(y_pred, eager=eager)
        cut = (math.log(self.threshold / (1 - self.threshold)) if self.from_logits
               else self.threshold)
        on = ops.greater(y_pred, ops.cast(cut, y_pred.dtype))
        return (ops.cast(on[..., 0] if self.task == "binary" else on, "int32"),
                nan_count(y_pred, eager=eager))

    def _truth(self, y_true, y_pred):
        """int32 target labels (a non-label: :data:`_BAD`), of the shape of the decisions."""
        if self.task == "multilabel":
            if "bool" in str(y_true.dtype):
                return ops.cast(y_true, "int32")
            zero_one = ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1))
            return ops.where(zero_one, ops.cast(ops.where(zero_one, y_true, 0), "int32"), _BAD)
        if self.task == "binary" or is_sparse(y_true, y_pred):
            truth = y_true if len(y_true.shape) == len(y_pred.shape) - 1 else y_true[..., 0]
            if "float" in str(truth.dtype):
                rounded = ops.round(truth)
                not_int = ops.logical_or(ops.not_equal(rounded, truth),
                                         ops.logical_not(ops.less(ops.abs(truth), 2.0**30)))
                truth = ops.where(not_int, _BAD, ops.where(not_int, 0, rounded))
            return ops.cast(truth, "int32")
        # one-hot: every row must hold one 1 and zeros
        row_ok = ops.logical_and(
            ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)), axis=-1),
            ops.equal(ops.sum(ops.cast(y_true, "int32"), axis=-1), 1))
        return ops.where(row_ok, argmax_last(ops.cast(y_true, "float32")), _BAD)

    def _batch_counts(self, y_true, y_pred):
        """Exact int32 counts ``(M, K)`` (``M`` images, or 1 pooled), bad labels, NaN scores."""
        c, k = self.num_classes, self._cells
        who = type(self).__name__
        if self.task == "multilabel" and tuple(y_true.shape) != tuple(y_pred.shape):
            raise ShapeError(
                f"{who}: task='multilabel' needs y_true 0/1 channels of y_pred's shape "
                f"{tuple(y_pred.shape)}; got {tuple(y_true.shape)}"
            )
        check_layout(y_true, y_pred, None if self.task == "binary" else c, who)
        if self.task == "binary" and y_pred.shape[-1] != 1:
            raise ParameterError(
                f"task='binary' expects y_pred (N, *spatial, 1); got {tuple(y_pred.shape)}. "
                "For softmax outputs use task='multiclass', num_classes=2"
            )
        if "float" not in str(y_pred.dtype):
            y_pred = ops.cast(y_pred, "float32")
        pred, nans = self._decision(y_pred)
        truth = self._truth(y_true, y_pred)
        if self.task == "multilabel":
            valid = ops.logical_or(ops.equal(truth, 0), ops.equal(truth, 1))
            cell = ops.arange(c, dtype="int32") * 4 + truth * 2 + pred
        else:
            valid = ops.logical_and(ops.greater_equal(truth, 0), ops.less(truth, c))
            for value in self.ignore_index:
                if 0 <= value < c:
                    valid = ops.logical_and(valid, ops.not_equal(truth, value))
            cell = truth * c + pred
        cell = ops.where(valid, cell, k)               # bin k: not counted
        images = 1
        if self.aggregate != "dataset":
            images = y_pred.shape[0] if y_pred.shape[0] is not None else ops.shape(y_pred)[0]
            offset = ops.arange(images, dtype="int32") * (k + 1)
            cell = cell + ops.reshape(offset, (-1,) + (1,) * (len(cell.shape) - 1))
        hist = ops.reshape(histogram(ops.reshape(cell, (-1,)), images * (k + 1)), (-1, k + 1))
        skipped = ops.sum(hist[:, k])
        for value in self.ignore_index:                # ignored pixels are no bad labels
            skipped = skipped - ops.sum(ops.cast(ops.equal(truth, value), "int32"))
        return hist[:, :k], skipped, nans

    def _step(self, state, y_true, y_pred):
        """The new state after one batch, the number of bad labels and of NaN scores (pure)."""
        counts, bad_labels, nans = self._batch_counts(y_true, y_pred)
        low, high, bad, *rest = state
        batch = ops.sum(counts, axis=0)
        low = low + batch % _LIMB
        high = high + batch // _LIMB + low // _LIMB
        low = low % _LIMB
        bad = bad + ops.cast(ops.logical_or(bad_labels > 0, nans > 0), "int32")
        if self.aggregate == "dataset":
            return (low, high, bad), bad_labels, nans
        images, v_sum, v_carry, v_count, c_sum, c_carry, c_count, undefined = rest
        wide = wide_float()
        value, per_class, und = score_counts(
            ops.cast(counts, wide), self.metric, num_classes=self.num_classes,
            multilabel=self.task == "multilabel", average=self.average, empty=self.empty,
            selected=self._selected)
        v_ok, c_ok = ops.logical_not(ops.isnan(value)), ops.logical_not(ops.isnan(per_class))
        v_sum, v_carry = _two_sum(v_sum, v_carry, ops.sum(ops.where(v_ok, value, 0.0)))
        c_sum, c_carry = _two_sum(c_sum, c_carry,
                                  ops.sum(ops.where(c_ok, per_class, 0.0), axis=0))
        rest = (images + ops.cast(ops.shape(counts)[0], "int32"), v_sum, v_carry,
                v_count + ops.sum(ops.cast(v_ok, "int32")), c_sum, c_carry,
                c_count + ops.sum(ops.cast(c_ok, "int32"), axis=0),
                undefined + ops.sum(ops.cast(und, "int32")))
        return (low, high, bad, *rest), bad_labels, nans

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the counts of one batch (``sample_weight`` is not supported)."""
        if sample_weight is not None:
            raise ParameterError(
                f"{type(self).__name__} counts pixels; sample_weight is not supported (pass "
                "ignore_index for pixels that do not count)"
            )
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true)
        state = tuple(v.value for v in self._state)
        step = self._step
        if keras.backend.backend() == "jax" and is_concrete(y_pred) and is_concrete(state[0]):
            self._eager_calls += 1
            if self._eager_calls > _COMPILE_AFTER:
                step = self._compiled_step()  # one compiled call instead of ~40 dispatches
        new, bad_labels, nans = step(state, y_true, y_pred)
        if is_concrete(bad_labels):
            self._raise_on_bad(int(bad_labels), int(nans))
        for variable, value in zip(self._state, new):
            variable.assign(value)

    def _compiled_step(self):
        """``_step`` compiled by ``jax.jit``, shared by the metrics of one configuration."""
        key = (type(self), *sorted((k, str(v)) for k, v in self.get_config().items()
                                   if k not in ("name", "dtype")))
        if key not in _COMPILED:
            import jax

            _COMPILED[key] = jax.jit(self._step)
        return _COMPILED[key]

    def _raise_on_bad(self, bad_labels: int, nans: int) -> None:
        c, who = self.num_classes, type(self).__name__
        if bad_labels:
            what = ("0/1 values" if self.task == "multilabel"
                    else f"labels in [0, {c}) (num_classes={c})")
            raise LabelError(
                f"{who}: y_true holds {bad_labels} value(s) that are not {what} and not "
                f"ignored; fix the targets or pass ignore_index (now "
                f"{self.ignore_index or None})"
            )
        if nans:
            raise ParameterError(
                f"{who}: y_pred holds {nans} NaN score(s); check the network's outputs "
                "(learning rate, loss)"
            )

    def reset_state(self) -> None:
        for v in self._state:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    # -- scoring
    def _pooled(self, low, high):
        wide = wide_float()
        return ops.cast(high, wide) * float(_LIMB) + ops.cast(low, wide)

    def result(self):
        """The score so far (NaN after a batch with bad input under jit)."""
        low, high, bad, *rest = (v.value for v in self._state)
        if self.aggregate == "dataset":
            value, per_class, _ = score_counts(
                self._pooled(low, high), self.metric, num_classes=self.num_classes,
                multilabel=self.task == "multilabel", average=self.average,
                empty=self.empty, selected=self._selected)
            if self.average == "none":
                value = per_class
        else:
            _, v_sum, v_carry, v_count, c_sum, c_carry, c_count, _ = rest
            if self.average == "none":
                value = (c_sum + c_carry) / ops.cast(c_count, c_sum.dtype)
            elif self.aggregate == "image":
                value = (v_sum + v_carry) / ops.cast(v_count, v_sum.dtype)
            else:
                value = ops.sum(c_sum + c_carry) / ops.cast(ops.sum(c_count), c_sum.dtype)
        value = ops.where(bad > 0, ops.full_like(value, float("nan")), value)
        return ops.cast(value, self.dtype)

    @property
    def counts(self) -> np.ndarray:
        """The exact int64 counts so far: ``(C, C)`` (rows: truth), multi-label ``(C, 2, 2)``."""
        low = ops.convert_to_numpy(self._state[0].value).astype(np.int64)
        high = ops.convert_to_numpy(self._state[1].value).astype(np.int64)
        shape = ((self.num_classes, 2, 2) if self.task == "multilabel"
                 else (self.num_classes, self.num_classes))
        return (high * _LIMB + low).reshape(shape)

    def report(self, metrics: str | Sequence[str] | None = None) -> Report:
        """This metric's :class:`~segscope.results.Report`, scored on the host in float64.

        ``aggregate="dataset"``: the exact counts scored by
        :func:`segscope.metrics.score_counts` (``metrics`` defaults to this metric; the other
        settings are this metric's), the Report of :func:`segscope.evaluate` on the same
        data. Per image: the running means of the per-image scores (this metric only;
        ``per_image`` is not kept). Raises if a batch with bad input was counted under jit.
        """
        from ..metrics import class_counts as numpy_class_counts
        from ..metrics import score_counts as numpy_score_counts

        if int(ops.convert_to_numpy(self._state[2].value)):
            raise LabelError(
                f"{type(self).__name__}: a batch with bad targets (outside the classes, not "
                "ignored) or NaN scores was counted under jit; the counts are incomplete. Fix "
                "the data and call reset_state()"
            )
        if self.aggregate == "dataset":
            options = (self._options if metrics is None
                       else self._options.replace(metrics=metrics))
            return numpy_score_counts(self.counts, options, task=self.task)
        if metrics is not None and ScoreOptions(metrics=metrics).metrics != (self.metric,):
            raise ParameterError(
                f"a per-image {type(self).__name__} keeps the running mean of "
                f"{self.metric!r} only; got metrics={metrics!r}. Add one metric per score "
                "to model.compile, or use aggregate='dataset'"
            )
        values = [ops.convert_to_numpy(v.value) for v in self._state[3:]]
        images, v_sum, v_carry, v_count, c_sum, c_carry, c_count, undefined = values
        with np.errstate(invalid="ignore", divide="ignore"):
            per_class = (c_sum.astype(np.float64) + c_carry) / c_count
            if self.aggregate == "image":
                value = float((np.float64(v_sum) + v_carry) / v_count)
            else:
                value = float((c_sum.astype(np.float64) + c_carry).sum() / c_count.sum())
        multilabel = self.task == "multilabel"
        is_global = self.metric == "accuracy" and not multilabel
        if self.average == "none" and not is_global:
            value = float("nan")
        tp, _, fn, _ = numpy_class_counts(self.counts, multilabel)
        support = (tp + fn)[list(self._selected)]
        extra = ({"excluded_images": int(images - v_count)} if self.aggregate == "image"
                 else {})
        score = Score(metric=self.metric, value=value, classes=self._selected,
                      per_class=tuple(float(v) for v in per_class),
                      support=tuple(int(s) for s in support), excluded=int(undefined),
                      average="global" if is_global else self.average,
                      aggregate=self.aggregate, empty=self.empty, extra=extra)
        return Report(scores=(score,), num_images=int(images),
                      meta={"num_classes": self.num_classes, "task": self.task})

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes, "metric": self.metric, "task": self.task,
            "average": self.average, "aggregate": self.aggregate, "empty": self.empty,
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
