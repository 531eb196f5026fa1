"""Segmentation losses for Keras 3 in ``keras.ops``: the values of :mod:`segscope.losses`.

Each loss is a function ``f(y_true, y_pred, *, task, from_logits, ...)`` and a
``keras.losses.Loss`` with the same options, for ``model.compile(loss=...)``. Inputs are
channels-last: ``y_pred`` ``(N, *spatial, C)``; ``y_true`` sparse class indices
``(N, *spatial)`` / ``(N, *spatial, 1)`` (multiclass) or dense channels of ``y_pred``'s
shape (one-hot or soft labels; 0/1 for binary and multilabel). Overlap losses work on
soft counts ``I = Σ p·t``, ``P = Σ p``, ``T = Σ t`` per class, pooled over the batch
(``aggregate="dataset"``) or per image (``"image"``); a 0/0 ratio counts as perfect,
so an empty target never gives NaN. ``ignore_index`` may name several labels.

With ``validate=True`` a target outside its range raises when the call runs eagerly
(torch backend); under jit the check cannot raise and is skipped (a label outside
``[0, C)`` then counts as no class: its pixel only adds false positives).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from ..errors import LabelError, ParameterError
from ..options import LOSS_AGGREGATES, TASKS, LossAggregate, Task
from ._inputs import check_layout, ignore_values, is_concrete, is_sparse, not_ignored

__all__ = [
    "CrossEntropyLoss",
    "DiceCELoss",
    "DiceLoss",
    "FocalLoss",
    "FocalTverskyLoss",
    "GeneralizedDiceLoss",
    "JaccardLoss",
    "LovaszHingeLoss",
    "LovaszSoftmaxLoss",
    "TverskyLoss",
    "cross_entropy_loss",
    "dice_ce_loss",
    "focal_loss",
    "focal_tversky_loss",
    "generalized_dice_loss",
    "lovasz_hinge_loss",
    "lovasz_softmax_loss",
    "soft_dice_loss",
    "soft_jaccard_loss",
    "tversky_loss",
]

TINY = 1e-12    # as segscope.losses: log of a probability clamped at 1e-12


class _Prepared:
    """``scores``/``probs`` ``(N, L, C)``, ``dense`` targets ``(N, L, C)``, ``valid`` mask.

    ``valid`` broadcasts to ``(N, L, C)``: ``(N, L, 1)`` for binary and multiclass,
    ``(N, L, C)`` for multilabel; ``None`` when every pixel counts.
    """

    def __init__(self, y_true, y_pred, task, from_logits, ignore_index, validate, who):
        if task not in TASKS:
            raise ParameterError(f"task={task!r} is not supported; choose one of {TASKS}")
        if not isinstance(from_logits, bool):
            raise ParameterError(
                f"from_logits must be True or False; got {from_logits!r}. Pass "
                "from_logits=True for raw network outputs, False for probabilities")
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true)
        if "float" not in str(y_pred.dtype):
            raise ParameterError(f"{who}: y_pred must hold float scores; got {y_pred.dtype}")
        c = check_layout(y_true, y_pred, None, who)
        if task == "binary" and c != 1:
            raise ParameterError(
                f"{who}: task='binary' expects y_pred (N, *spatial, 1); got "
                f"{tuple(y_pred.shape)}. Use task='multilabel' for several channels")
        n = y_pred.shape[0]
        if n is None:
            n = ops.shape(y_pred)[0]
        scores = ops.reshape(y_pred, (n, -1, c))
        if keras.backend.standardize_dtype(scores.dtype) in ("float16", "bfloat16"):
            scores = ops.cast(scores, "float32")
        dtype = scores.dtype
        ignored = ignore_values(ignore_index)
        self.task, self.from_logits, self.scores, self.num_classes = task, from_logits, scores, c
        self.valid = None
        bad = None
        if task == "multiclass" and is_sparse(y_true, y_pred):
            labels = y_true if len(y_true.shape) == len(y_pred.shape) - 1 else y_true[..., 0]
            labels = ops.cast(ops.reshape(labels, (n, -1)), "int32")
            if ignored:
                keep = not_ignored(labels, ignored)
                self.valid = ops.cast(keep, dtype)[..., None]
                labels = ops.where(keep, labels, 0)
            bad = ops.logical_or(labels < 0, labels >= c)
            # under jit a label outside [0, C) cannot raise: its pixel then belongs to no class
            self.dense = ops.one_hot(ops.where(bad, 0, labels), c, dtype=dtype) * ops.cast(
                ops.logical_not(bad), dtype)[..., None]
        else:
            if task == "multiclass" and tuple(y_true.shape) != tuple(y_pred.shape):
                raise ParameterError(
                    f"{who}: multiclass y_true must be class indices or one-hot/soft labels of "
                    f"y_pred's shape; got {tuple(y_true.shape)} for {tuple(y_pred.shape)}")
            flat = ops.reshape(y_true, (n, -1, c))
            if ignored:
                keep = not_ignored(flat, ignored)
                if task == "multiclass":
                    keep = ops.all(keep, axis=-1, keepdims=True)
                    flat = ops.where(keep, flat, 0)
                else:
                    flat = ops.where(keep, flat, 0)
                self.valid = ops.cast(keep, dtype)
            flat = ops.cast(flat, dtype)
            bad = ops.logical_or(flat < 0, flat > 1)
            self.dense = flat
        if validate and is_concrete(scores):
            if bool(ops.convert_to_numpy(ops.any(bad))):
                if task == "multiclass" and is_sparse(y_true, y_pred):
                    raise LabelError(
                        f"{who}: y_true holds class indices outside [0, {c}) (y_pred has {c} "
                        "channels); fix the labels, or pass ignore_index for the void label")
                raise ParameterError(f"{who}: target values must lie in [0, 1] (hard 0/1 "
                                     "masks, one-hot or soft labels)")
            if not from_logits:
                lo, hi = ops.min(scores), ops.max(scores)
                if not (float(lo) >= 0 and float(hi) <= 1):
                    raise ParameterError(
                        f"{who}: y_pred holds values outside [0, 1] (or NaN) although "
                        "from_logits=False; pass from_logits=True for raw network outputs")
            elif bool(ops.convert_to_numpy(ops.any(ops.isnan(scores)))):
                raise ParameterError(f"{who}: y_pred holds NaN; check the network's outputs")
        self._probs = None

    @property
    def probs(self):
        if self._probs is None:
            if not self.from_logits:
                self._probs = self.scores
            elif self.task == "multiclass":
                self._probs = ops.softmax(self.scores, axis=-1)
            else:
                self._probs = ops.sigmoid(self.scores)
        return self._probs

    def counts(self, aggregate: str):
        """Soft ``(I, P, T)`` per image and class ``(N, C)``, or summed ``(1, C)``."""
        probs, dense = self.probs, self.dense
        if self.valid is not None:
            probs, dense = probs * self.valid, dense * self.valid
        inter = ops.sum(probs * dense, axis=1)
        pred_sum = ops.sum(probs, axis=1)
        target_sum = ops.sum(dense, axis=1)
        if aggregate == "dataset":
            return tuple(ops.sum(x, axis=0, keepdims=True) for x in (inter, pred_sum, target_sum))
        return inter, pred_sum, target_sum

    def weights(self, class_weights):
        if class_weights is None:
            return None
        w = [float(v) for v in ops.convert_to_numpy(class_weights).reshape(-1)] \
            if not isinstance(class_weights, (list, tuple)) else [float(v) for v in class_weights]
        if len(w) != self.num_classes:
            raise ParameterError(
                f"class_weights must have one weight per class ({self.num_classes}); got {len(w)}")
        if any(not (v >= 0) or v == float("inf") for v in w):
            raise ParameterError("class_weights must be finite and non-negative")
        return ops.convert_to_tensor(w, dtype=self.scores.dtype)

    def log_probs(self):
        """``log p`` and (sigmoid tasks) ``log (1 - p)``."""
        if self.from_logits:
            if self.task == "multiclass":
                return ops.log_softmax(self.scores, axis=-1), None
            return ops.log_sigmoid(self.scores), ops.log_sigmoid(-self.scores)
        log_p = ops.log(_at_least(self.scores, TINY))
        if self.task == "multiclass":
            return log_p, None
        return log_p, ops.log(_at_least(1.0 - self.scores, TINY))


def _at_least(x, low: float):
    """``max(x, low)`` in ``x``'s dtype (Keras' torch ``maximum`` casts float64 to float32)."""
    return ops.where(x < low, low, x)


def _check(aggregate: str, smooth: float | None = None) -> None:
    if aggregate not in LOSS_AGGREGATES:
        raise ParameterError(
            f"aggregate={aggregate!r} is not supported; choose 'dataset' (pool the batch) or "
            "'image'")
    if smooth is not None and (not float(smooth) >= 0 or float(smooth) == float("inf")):
        raise ParameterError(f"smooth must be a finite number >= 0; got {smooth!r}")


def _safe_ratio(num, den):
    empty = den <= 0
    return ops.where(empty, ops.ones_like(num), num / ops.where(empty, ops.ones_like(den), den))


def _mean(x, axis=None):
    """The mean in ``x``'s own precision (Keras' torch mean computes float64 in float32)."""
    size = x.shape[axis] if axis is not None else int(np.prod(x.shape))
    return ops.sum(x, axis=axis) / float(size)


def _reduce(per_class, weights):
    if weights is None:
        return _mean(_mean(per_class, axis=1))
    return _mean(ops.sum(per_class * weights, axis=1) / ops.sum(weights))


def _mean_over_pixels(loss, valid, aggregate):
    """Mean of ``loss`` ``(N, L, K)`` over valid entries: the batch, or per image."""
    if valid is None and aggregate == "dataset":
        return _mean(loss)
    if valid is not None:
        valid = ops.broadcast_to(valid, ops.shape(loss))
        loss = loss * valid
        count = ops.sum(valid, axis=(1, 2))
    else:
        count = ops.ones_like(loss[:, 0, 0]) * float(loss.shape[1] * loss.shape[2])
    total = ops.sum(loss, axis=(1, 2))
    if aggregate == "dataset":
        return ops.sum(total) / _at_least(ops.sum(count), 1.0)
    return _mean(total / _at_least(count, 1.0))


def _pixel_losses(prep: _Prepared, gamma: float, alpha, weights, aggregate):
    """Focal loss per pixel, reduced (``gamma = 0``: cross-entropy)."""
    log_p, log_q = prep.log_probs()
    t = prep.dense
    if prep.task == "multiclass":
        terms = -t * log_p
        if gamma != 0:
            terms = terms * ops.power(1.0 - ops.exp(log_p), gamma)
        if weights is not None:
            terms = terms * weights
        loss = ops.sum(terms, axis=-1, keepdims=True)
        return _mean_over_pixels(loss, prep.valid, aggregate)
    a = 1.0 if alpha is None else float(alpha)
    b = 1.0 if alpha is None else 1.0 - float(alpha)
    positive = t * log_p
    negative = (1.0 - t) * log_q
    if gamma != 0:
        positive = positive * ops.exp(gamma * log_q)     # (1 - p)^γ
        negative = negative * ops.exp(gamma * log_p)     # p^γ
    loss = -(a * positive + b * negative)
    if weights is not None:
        loss = loss * weights
    return _mean_over_pixels(loss, prep.valid, aggregate)


def _overlap(y_true, y_pred, score, *, task, from_logits, aggregate, ignore_index,
             class_weights, validate, who, transform=None):
    _check(aggregate)
    prep = _Prepared(y_true, y_pred, task, from_logits, ignore_index, validate, who)
    weights = prep.weights(class_weights)
    inter, pred_sum, target_sum = prep.counts(aggregate)
    per_class = 1.0 - score(inter, pred_sum, target_sum)
    if transform is not None:
        per_class = transform(per_class)
    return _reduce(per_class, weights)


_COMMON = """
    Parameters
    ----------
    y_true, y_pred
        Keras order, channels-last (see the module docstring).
    task : {"binary", "multiclass", "multilabel"}
    from_logits : bool
        Softmax (multiclass) or sigmoid (binary, multilabel) of ``y_pred`` first.
    aggregate : {"dataset", "image"}
        Pool the batch, or score each image and take the mean.
    ignore_index : int or sequence of int, optional
        Target values whose pixels do not count.
    class_weights : sequence of float, optional
        One weight per class for the mean over classes (cross-entropy: per pixel).
    validate : bool
        Check target and score ranges when the call runs eagerly."""


def soft_dice_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                   aggregate: LossAggregate = "dataset", smooth: float = 1.0,
                   ignore_index: int | Sequence[int] | None = None,
                   class_weights: Sequence[float] | None = None, validate: bool = True):
    """Soft Dice loss ``1 - (2 I + s) / (P + T + s)``, averaged over classes.

    The value of :func:`segscope.losses.soft_dice_loss` on the same inputs.
    """
    _check(aggregate, smooth)
    s = float(smooth)
    return _overlap(y_true, y_pred, lambda i, p, t: _safe_ratio(2 * i + s, p + t + s),
                    task=task, from_logits=from_logits, aggregate=aggregate,
                    ignore_index=ignore_index, class_weights=class_weights, validate=validate,
                    who="soft_dice_loss")


def soft_jaccard_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                      aggregate: LossAggregate = "dataset", smooth: float = 1.0,
                      ignore_index: int | Sequence[int] | None = None,
                      class_weights: Sequence[float] | None = None, validate: bool = True):
    """Soft Jaccard loss ``1 - (I + s) / (P + T - I + s)``, averaged over classes."""
    _check(aggregate, smooth)
    s = float(smooth)
    return _overlap(y_true, y_pred, lambda i, p, t: _safe_ratio(i + s, p + t - i + s),
                    task=task, from_logits=from_logits, aggregate=aggregate,
                    ignore_index=ignore_index, class_weights=class_weights, validate=validate,
                    who="soft_jaccard_loss")


def _tversky(alpha, beta, smooth):
    a, b = float(alpha), float(beta)
    if not (a >= 0 and b >= 0) or a + b == 0:
        raise ParameterError(
            f"tversky_alpha and tversky_beta must be >= 0 and not both 0; got "
            f"tversky_alpha={alpha!r}, tversky_beta={beta!r}")
    s = float(smooth)

    def score(i, p, t):
        return _safe_ratio(i + s, i + a * (p - i) + b * (t - i) + s)

    return score


def tversky_loss(y_true, y_pred, *, task: Task, from_logits: bool, tversky_alpha: float = 0.5,
                 tversky_beta: float = 0.5, aggregate: LossAggregate = "dataset",
                 smooth: float = 1.0, ignore_index: int | Sequence[int] | None = None,
                 class_weights: Sequence[float] | None = None, validate: bool = True):
    """Tversky loss ``1 - (I + s) / (I + α·FP + β·FN + s)`` (Salehi et al. 2017)."""
    _check(aggregate, smooth)
    return _overlap(y_true, y_pred, _tversky(tversky_alpha, tversky_beta, smooth), task=task,
                    from_logits=from_logits, aggregate=aggregate, ignore_index=ignore_index,
                    class_weights=class_weights, validate=validate, who="tversky_loss")


def focal_tversky_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                       tversky_alpha: float = 0.3, tversky_beta: float = 0.7,
                       gamma: float = 0.75, aggregate: LossAggregate = "dataset",
                       smooth: float = 1.0, ignore_index: int | Sequence[int] | None = None,
                       class_weights: Sequence[float] | None = None, validate: bool = True):
    """Focal Tversky loss ``(1 - TI)^γ`` per class, averaged (Abraham & Khan 2019)."""
    _check(aggregate, smooth)
    g = float(gamma)
    if not g > 0:
        raise ParameterError(f"gamma must be > 0; got {gamma!r}")

    def power(loss):
        positive = loss > 0
        base = ops.where(positive, loss, ops.ones_like(loss))
        return ops.where(positive, ops.power(base, g), ops.zeros_like(loss))

    return _overlap(y_true, y_pred, _tversky(tversky_alpha, tversky_beta, smooth), task=task,
                    from_logits=from_logits, aggregate=aggregate, ignore_index=ignore_index,
                    class_weights=class_weights, validate=validate, who="focal_tversky_loss",
                    transform=power)


def focal_loss(y_true, y_pred, *, task: Task, from_logits: bool, gamma: float = 2.0,
               alpha: float | None = None, aggregate: LossAggregate = "dataset",
               ignore_index: int | Sequence[int] | None = None,
               class_weights: Sequence[float] | None = None, validate: bool = True):
    """Focal loss (Lin et al. 2017): cross-entropy with easy pixels down-weighted by (1 - p)^γ.

    ``alpha`` (binary, multilabel) weighs positives by α and negatives by 1 - α.
    """
    _check(aggregate)
    if not float(gamma) >= 0:
        raise ParameterError(f"gamma must be >= 0; got {gamma!r}")
    if alpha is not None and (task == "multiclass" or not 0 <= float(alpha) <= 1):
        raise ParameterError(
            f"alpha must be in [0, 1] and is for binary/multilabel task; got alpha={alpha!r} "
            f"with task={task!r}. In multiclass task use class_weights")
    prep = _Prepared(y_true, y_pred, task, from_logits, ignore_index, validate, "focal_loss")
    return _pixel_losses(prep, float(gamma), alpha, prep.weights(class_weights), aggregate)


def cross_entropy_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                       aggregate: LossAggregate = "dataset",
                       ignore_index: int | Sequence[int] | None = None,
                       class_weights: Sequence[float] | None = None, validate: bool = True):
    """Cross-entropy (softmax for multiclass, binary per channel otherwise), valid pixels' mean."""
    _check(aggregate)
    prep = _Prepared(y_true, y_pred, task, from_logits, ignore_index, validate,
                     "cross_entropy_loss")
    return _pixel_losses(prep, 0.0, None, prep.weights(class_weights), aggregate)


def dice_ce_loss(y_true, y_pred, *, task: Task, from_logits: bool, ce_weight: float = 1.0,
                 dice_weight: float = 1.0, aggregate: LossAggregate = "dataset",
                 smooth: float = 1.0, ignore_index: int | Sequence[int] | None = None,
                 class_weights: Sequence[float] | None = None, validate: bool = True):
    """``ce_weight · cross_entropy + dice_weight · soft_dice`` on one preparation."""
    _check(aggregate, smooth)
    a, b = float(ce_weight), float(dice_weight)
    if not (a >= 0 and b >= 0):
        raise ParameterError(f"ce_weight and dice_weight must be >= 0; got {a}, {b}")
    prep = _Prepared(y_true, y_pred, task, from_logits, ignore_index, validate, "dice_ce_loss")
    weights = prep.weights(class_weights)
    ce = _pixel_losses(prep, 0.0, None, weights, aggregate)
    inter, pred_sum, target_sum = prep.counts(aggregate)
    s = float(smooth)
    dice = _reduce(1.0 - _safe_ratio(2 * inter + s, pred_sum + target_sum + s), weights)
    return a * ce + b * dice


WEIGHTINGS = ("square", "simple", "uniform")


def _sudre_weights(target_sum, weighting: str):
    """Sudre weights per row; absent classes take the row's largest finite weight."""
    if weighting == "uniform":
        return ops.ones_like(target_sum)
    power = 2.0 if weighting == "square" else 1.0
    present = target_sum > 0
    raw = ops.power(ops.where(present, target_sum, ops.ones_like(target_sum)), -power)
    raw = ops.where(present, raw, ops.zeros_like(raw))
    largest = ops.max(raw, axis=1, keepdims=True)
    largest = ops.where(largest > 0, largest, ops.ones_like(largest))
    weights = ops.where(present, raw, largest)
    return weights / ops.sum(weights, axis=1, keepdims=True)


def generalized_dice_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                          weighting: str = "square", aggregate: LossAggregate = "dataset",
                          smooth: float = 1.0, ignore_index: int | Sequence[int] | None = None,
                          class_weights: Sequence[float] | None = None, validate: bool = True):
    """Generalized Dice loss ``1 - (2 Σ w_c I_c + s) / (Σ w_c (P_c + T_c) + s)`` (Sudre 2017).

    ``weighting``: ``"square"`` (``w_c = 1 / T_c²``), ``"simple"`` (``1 / T_c``) or
    ``"uniform"``; the weights are constants for the gradient, as in segscope.losses.
    """
    _check(aggregate, smooth)
    if weighting not in WEIGHTINGS:
        raise ParameterError(f"weighting={weighting!r} is not supported; choose one of "
                             f"{', '.join(WEIGHTINGS)}")
    s = float(smooth)
    prep = _Prepared(y_true, y_pred, task, from_logits, ignore_index, validate,
                     "generalized_dice_loss")
    extra = prep.weights(class_weights)
    inter, pred_sum, target_sum = prep.counts(aggregate)
    weights = _sudre_weights(ops.stop_gradient(target_sum), weighting)
    if extra is not None:
        weights = weights * extra
    num = 2 * ops.sum(weights * inter, axis=1) + s
    den = ops.sum(weights * (pred_sum + target_sum), axis=1) + s
    return _mean(1.0 - _safe_ratio(num, den))


CLASS_SETS = ("all", "present")


def _rows(x, aggregate: str):
    """``(N, L, C)`` as rows per class: ``(N, C, L)`` per image, ``(1, C, N·L)`` pooled."""
    x = ops.transpose(x, (0, 2, 1))
    if aggregate == "image":
        return x
    return ops.reshape(ops.transpose(x, (1, 0, 2)), (1, x.shape[1], -1))


def _lovasz_rows(prep: _Prepared, aggregate: str, validate: bool, who: str):
    truth = prep.dense
    if validate and is_concrete(truth) and bool(ops.convert_to_numpy(
            ops.any(ops.logical_and(ops.not_equal(truth, 0), ops.not_equal(truth, 1))))):
        raise ParameterError(
            f"{who}: the Lovász losses need hard 0/1 targets (the extension is defined on "
            "sets); got soft labels. Threshold them, or use a soft Dice/Jaccard loss")
    valid = prep.valid
    if valid is not None:
        valid = _rows(ops.broadcast_to(valid, ops.shape(truth)), aggregate)
    return _rows(truth, aggregate), valid


def _lovasz_per_row(errors, truth, valid, floor: float):
    """Lovász extension of the Jaccard loss per (row, class); invalid pixels sort last."""
    if valid is not None:
        errors = ops.where(valid > 0, errors, floor)
        truth = truth * valid
    order = ops.argsort(-errors, axis=-1)
    sorted_errors = ops.take_along_axis(errors, order, axis=-1)
    truth_sorted = ops.take_along_axis(truth, order, axis=-1)
    total = ops.sum(truth_sorted, axis=-1, keepdims=True)
    inter = total - ops.cumsum(truth_sorted, axis=-1)
    union = total + ops.cumsum(1.0 - truth_sorted, axis=-1)
    jaccard = 1.0 - inter / union
    increments = ops.concatenate([jaccard[..., :1], jaccard[..., 1:] - jaccard[..., :-1]],
                                 axis=-1)
    return ops.sum(ops.where(sorted_errors < 0, 0.0, sorted_errors) * increments, axis=-1)


def _mean_over_classes(per_class, include, weights):
    w = ops.cast(include, per_class.dtype)
    if weights is not None:
        w = w * weights
    den = ops.sum(w, axis=1)
    return _mean(ops.sum(per_class * w, axis=1) / ops.where(den > 0, den, ops.ones_like(den)))


def lovasz_softmax_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                        classes: str = "all", aggregate: LossAggregate = "dataset",
                        ignore_index: int | Sequence[int] | None = None,
                        class_weights: Sequence[float] | None = None, validate: bool = True):
    """Lovász-softmax loss (Berman et al. 2018): the Lovász extension of the Jaccard loss.

    Per class, the errors ``|t - p|`` are sorted decreasingly and weighted by the increments
    of the Jaccard loss; classes are averaged (``classes="present"``: only those in the
    target). Hard targets only.
    """
    _check(aggregate)
    if classes not in CLASS_SETS:
        raise ParameterError(f"classes={classes!r} is not supported; choose 'all' or "
                             "'present'")
    prep = _Prepared(y_true, y_pred, task, from_logits, ignore_index, validate,
                     "lovasz_softmax_loss")
    weights = prep.weights(class_weights)
    truth, valid = _lovasz_rows(prep, aggregate, validate, "lovasz_softmax_loss")
    errors = ops.abs(truth - _rows(prep.probs, aggregate))
    per_class = _lovasz_per_row(errors, truth, valid, floor=-1.0)
    present = ops.sum(truth, axis=-1) > 0
    include = present if classes == "present" else ops.ones_like(present)
    return _mean_over_classes(per_class, include, weights)


def lovasz_hinge_loss(y_true, y_pred, *, task: Task, from_logits: bool,
                      aggregate: LossAggregate = "dataset",
                      ignore_index: int | Sequence[int] | None = None,
                      class_weights: Sequence[float] | None = None, validate: bool = True):
    """Lovász hinge loss for binary and multilabel segmentation (Berman et al. 2018).

    The hinge errors ``max(0, 1 - σ·x)`` (``σ = 2t - 1``, ``x`` logits) of each channel,
    sorted and weighted by the Jaccard increments; ``from_logits`` must be True.
    """
    _check(aggregate)
    if task not in ("binary", "multilabel"):
        raise ParameterError(f"lovasz_hinge_loss is for task='binary' or 'multilabel'; got "
                             f"task={task!r} (use lovasz_softmax_loss)")
    if from_logits is not True:
        raise ParameterError(
            "lovasz_hinge_loss works on logits (margins): pass from_logits=True and the raw "
            "network outputs, or use lovasz_softmax_loss for probabilities")
    prep = _Prepared(y_true, y_pred, task, True, ignore_index, validate, "lovasz_hinge_loss")
    weights = prep.weights(class_weights)
    truth, valid = _lovasz_rows(prep, aggregate, validate, "lovasz_hinge_loss")
    errors = 1.0 - _rows(prep.scores, aggregate) * (2.0 * truth - 1.0)
    floor = float(np.finfo(keras.backend.standardize_dtype(errors.dtype)).min)
    per_class = _lovasz_per_row(errors, truth, valid, floor=floor)
    return _mean_over_classes(per_class, ops.ones_like(per_class, dtype="bool"), weights)


for _f in (lovasz_softmax_loss, lovasz_hinge_loss, soft_dice_loss, generalized_dice_loss,
           soft_jaccard_loss, tversky_loss, focal_tversky_loss, focal_loss, cross_entropy_loss,
           dice_ce_loss):
    _f.__doc__ = (_f.__doc__ or "") + "\n" + _COMMON + "\n\n    Returns\n    -------\n" \
        "    tensor\n        A scalar loss.\n"


class _SegLoss(keras.losses.Loss):
    """A ``keras.losses.Loss`` that calls ``function`` with its keyword options."""

    function = None

    def __init__(self, *, name: str | None = None, dtype: str | None = None, **options):
        super().__init__(name=name or type(self).__name__.lower(), dtype=dtype)
        self.options = options

    def call(self, y_true, y_pred):
        return type(self).function(y_true, y_pred, **self.options)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, **self.options}


def _loss_class(name: str, function):
    cls = type(name, (_SegLoss,), {
        "function": staticmethod(function),
        "__doc__": f"``keras.losses.Loss`` form of :func:`{function.__name__}`; options are "
                   "keyword arguments.\n\n    Examples\n    --------\n"
                   f"    >>> loss = {name}(task='multiclass', from_logits=True)\n",
        "__module__": __name__,
    })
    return cls


DiceLoss = _loss_class("DiceLoss", soft_dice_loss)
JaccardLoss = _loss_class("JaccardLoss", soft_jaccard_loss)
TverskyLoss = _loss_class("TverskyLoss", tversky_loss)
FocalTverskyLoss = _loss_class("FocalTverskyLoss", focal_tversky_loss)
FocalLoss = _loss_class("FocalLoss", focal_loss)
CrossEntropyLoss = _loss_class("CrossEntropyLoss", cross_entropy_loss)
DiceCELoss = _loss_class("DiceCELoss", dice_ce_loss)
GeneralizedDiceLoss = _loss_class("GeneralizedDiceLoss", generalized_dice_loss)
LovaszSoftmaxLoss = _loss_class("LovaszSoftmaxLoss", lovasz_softmax_loss)
LovaszHingeLoss = _loss_class("LovaszHingeLoss", lovasz_hinge_loss)
