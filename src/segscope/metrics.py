"""Overlap metrics, all computed from confusion counts, of NumPy arrays or torch tensors.

Every metric here is a function of per-class counts (true positives ``tp``, false
positives ``fp``, false negatives ``fn``, true negatives ``tn``), read off a confusion
matrix. Counts are computed once (:mod:`segscope.confusion`, on a tensor's own device)
and every metric derives from them, so evaluating ten metrics costs one pass over the
pixels, and a tensor gives the same numbers as the NumPy array it holds.

Settings (the same words everywhere; :class:`segscope.options.ScoreOptions` checks and
carries them):

``average``
    ``"macro"`` (mean over classes, the default), ``"weighted"`` (weighted by each
    class's target pixel count), ``"micro"`` (sum the counts of the selected classes,
    then score), ``"none"`` (no average: ``value`` is NaN, read ``per_class``).
``aggregate``
    ``"dataset"`` (sum counts over all images, then score; the default), ``"image"``
    (score each image, average over its classes, then take the mean over images) or
    ``"image_class"`` (the mean over every defined (image, class) pair).
``empty``
    The value of a 0/0 score: ``"nan"`` (excluded from means and counted in
    ``Score.excluded``), ``"zero"`` or ``"one"``. Default: ``"nan"``, except MCC
    (``"zero"``, as scikit-learn). ``"nan_target"`` also makes a score NaN whenever
    the class is absent from the target, even if it was predicted: it reproduces
    MONAI's default ``ignore_empty=True`` and is **not recommended**, because false
    positives on images without the class then change nothing.
``task``
    ``"multiclass"`` (label maps, one class per pixel; the default), ``"binary"`` (the
    same with two classes, background and foreground) or ``"multilabel"`` (``(N, C, ...)``
    0/1 channels, one per class).

``accuracy``, ``balanced_accuracy``, ``mcc`` and ``kappa`` of single-label input are
*global* metrics of the whole confusion matrix (scikit-learn's ``accuracy_score``,
``balanced_accuracy_score``, ``matthews_corrcoef`` and ``cohen_kappa_score``): their
value ignores ``average`` and class selection, and their per-class values are the
one-vs-rest values (for balanced accuracy: each class's recall, whose mean it is).

Formulas (per class, one-vs-rest):

=====================  ==================================================
accuracy               (tp + tn) / (tp + fp + fn + tn)
precision              tp / (tp + fp)
recall (sensitivity)   tp / (tp + fn)
specificity            tn / (tn + fp)
npv                    tn / (tn + fn)
dice, f1               2 tp / (2 tp + fp + fn)
fbeta                  (1 + β²) tp / ((1 + β²) tp + β² fn + fp)
iou (Jaccard)          tp / (tp + fp + fn)
tversky                tp / (tp + α fp + β fn)     (Tversky 1977; α weighs fp)
balanced_accuracy      (recall + specificity) / 2  (multi-label); mean recall (single-label)
mcc                    (tp tn − fp fn) / √((tp+fp)(tp+fn)(tn+fp)(tn+fn))
kappa                  2 (tp tn − fn fp) / ((tp+fp)(fp+tn) + (tp+fn)(fn+tn))
volume_similarity      1 − |fn − fp| / (2 tp + fp + fn)
=====================  ==================================================

Examples
--------
>>> import numpy as np
>>> target = np.zeros((10, 10), dtype=np.uint8); target[:1] = 1   # 10 % foreground
>>> pred = np.zeros_like(target)                                  # "all background"
>>> r = evaluate(pred, target, num_classes=2, metrics=("accuracy", "iou", "f1"),
...              include_background=False)
>>> r.summary()
{'accuracy': 0.9, 'iou': 0.0, 'f1': 0.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._backend import is_tensor
from ._checks import check_choice, check_num_classes
from .confusion import confusion_matrix, is_image_list, multilabel_confusion_matrix
from .errors import ParameterError, ShapeError
from .options import (
    AGGREGATES,
    DEFAULT_METRICS,
    METRICS,
    TASKS,
    Aggregate,
    Average,
    Decision,
    Empty,
    ScoreOptions,
    Task,
)
from .policy import mean_excluding, safe_divide
from .results import Report, Score

__all__ = [
    "METRICS",
    "accuracy",
    "balanced_accuracy",
    "class_counts",
    "confusion_counts",
    "dice",
    "evaluate",
    "f1",
    "fbeta",
    "iou",
    "kappa",
    "mcc",
    "npv",
    "precision",
    "recall",
    "resolve_per_image",
    "score_counts",
    "score_each",
    "scores_from_confusion",
    "specificity",
    "tversky",
    "volume_similarity",
]

DEFAULT_EMPTY = {"mcc": "zero"}
GLOBAL_METRICS = ("accuracy", "balanced_accuracy", "mcc", "kappa")

Counts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def class_counts(counts: np.ndarray, multilabel: bool = False) -> Counts:
    """Per-class ``(tp, fp, fn, tn)`` from ``(..., C, C)`` or multi-label ``(..., C, 2, 2)``.

    Examples
    --------
    >>> tp, fp, fn, tn = class_counts(np.array([[3, 1], [2, 4]]))
    >>> tp.tolist(), fp.tolist(), fn.tolist(), tn.tolist()
    ([3, 4], [2, 1], [1, 2], [4, 3])
    """
    counts = np.asarray(counts, dtype=np.int64)
    if multilabel:
        return counts[..., 1, 1], counts[..., 0, 1], counts[..., 1, 0], counts[..., 0, 0]
    tp = np.diagonal(counts, axis1=-2, axis2=-1)
    fp = counts.sum(axis=-2) - tp
    fn = counts.sum(axis=-1) - tp
    tn = counts.sum(axis=(-2, -1))[..., None] - tp - fp - fn
    return tp, fp, fn, tn


def _ratio(metric: str, c: Counts, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of a per-class metric (float64 arrays)."""
    tp, fp, fn, tn = (x.astype(np.float64) for x in c)
    if metric == "accuracy":
        return tp + tn, tp + fp + fn + tn
    if metric == "precision":
        return tp, tp + fp
    if metric == "recall":
        return tp, tp + fn
    if metric == "specificity":
        return tn, tn + fp
    if metric == "npv":
        return tn, tn + fn
    if metric in ("dice", "f1"):
        return 2 * tp, 2 * tp + fp + fn
    if metric == "fbeta":
        b2 = p["beta"] ** 2
        return (1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp
    if metric == "iou":
        return tp, tp + fp + fn
    if metric == "tversky":
        return tp, tp + p["tversky_alpha"] * fp + p["tversky_beta"] * fn
    if metric == "balanced_accuracy":
        # (tp/(tp+fn) + tn/(tn+fp)) / 2 over one common denominator
        num = tp * (tn + fp) + tn * (tp + fn)
        return num, 2 * (tp + fn) * (tn + fp)
    if metric == "mcc":
        return tp * tn - fp * fn, np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    if metric == "kappa":
        return 2 * (tp * tn - fn * fp), (tp + fp) * (fp + tn) + (tp + fn) * (fn + tn)
    if metric == "volume_similarity":
        den = 2 * tp + fp + fn
        return den - np.abs(fn - fp), den
    raise AssertionError(metric)  # pragma: no cover


def _global(metric: str, cm: np.ndarray, empty: str) -> tuple[np.ndarray, np.ndarray]:
    """Value of a global single-label metric for each leading index of ``cm`` (..., C, C)."""
    cm = cm.astype(np.float64)
    total = cm.sum(axis=(-2, -1))
    trace = np.trace(cm, axis1=-2, axis2=-1)
    pred_k = cm.sum(axis=-2)
    true_k = cm.sum(axis=-1)
    if metric == "accuracy":
        return safe_divide(trace, total, empty)
    if metric == "mcc":
        num = trace * total - (pred_k * true_k).sum(-1)
        den = np.sqrt((total**2 - (pred_k**2).sum(-1)) * (total**2 - (true_k**2).sum(-1)))
        return safe_divide(num, den, empty)
    if metric == "kappa":
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = (pred_k * true_k).sum(-1) / np.where(total == 0, 1, total)
        return safe_divide(trace - expected, total - expected, empty)
    raise AssertionError(metric)  # pragma: no cover


def _selection(num_classes: int, labels: Sequence[int] | None,
               include_background: bool) -> np.ndarray:
    if labels is None:
        chosen = list(range(num_classes))
    else:
        chosen = [int(v) for v in np.atleast_1d(np.asarray(labels))]
        wrong = [v for v in chosen if not 0 <= v < num_classes]
        if wrong:
            raise ParameterError(
                f"labels={list(labels)} contains {wrong}, outside [0, {num_classes}); "
                "pass class indices that exist"
            )
    if not include_background:
        chosen = [v for v in chosen if v != 0]
    if not chosen:
        raise ParameterError(
            "no class left to score: include_background=False removed class 0 and no other "
            "class was selected"
        )
    return np.asarray(sorted(dict.fromkeys(chosen)), dtype=np.int64)


def _score_one_level(metric: str, counts: np.ndarray, multilabel: bool, sel: np.ndarray,
                     average: str, empty: str, p: dict[str, float],
                     selected: Counts | None = None,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class values and averaged value for counts of shape (M, C, C) / (M, C, 2, 2).

    ``selected``: ``class_counts(counts)`` restricted to ``sel``, when already computed.
    Returns (per_class (M, K), undefined (M, K), value (M,), excluded (M,)).
    """
    if selected is None:
        selected = tuple(x[..., sel] for x in class_counts(counts, multilabel))
    c = selected
    single_global = metric in GLOBAL_METRICS and not multilabel
    if metric == "balanced_accuracy" and not multilabel:
        num, den = _ratio("recall", c, p)
    else:
        num, den = _ratio(metric, c, p)
    if empty == "nan_target":
        per_class, undefined = safe_divide(num, den, "nan")
        absent = (c[0] + c[2]) == 0
        per_class = np.where(absent, np.nan, per_class)
        undefined = undefined | absent
        empty = "nan"
    else:
        per_class, undefined = safe_divide(num, den, empty)
    m = per_class.shape[0]
    value = np.full(m, np.nan)
    excluded = undefined.sum(axis=-1).astype(np.int64)
    if single_global and metric != "balanced_accuracy":
        value, und = _global(metric, counts, "nan" if empty == "nan_target" else empty)
        excluded = und.astype(np.int64)
        return per_class, undefined, np.asarray(value, float), excluded
    if single_global or average == "macro":
        for i in range(m):
            value[i], excluded[i] = mean_excluding(per_class[i])
    elif average == "weighted":
        support = (c[0] + c[2]).astype(np.float64)
        for i in range(m):
            value[i], excluded[i] = mean_excluding(per_class[i], support[i])
    elif average == "micro":
        summed = tuple(x.sum(axis=-1, keepdims=True) for x in c)
        num, den = _ratio(metric, summed, p)
        v, und = safe_divide(num, den, empty)
        value = v[:, 0]
        excluded = und[:, 0].astype(np.int64)
    return per_class, undefined, value, excluded


def _is_global(metric: str, multilabel: bool) -> bool:
    """A global single-label metric whose value is not an average of its classes."""
    return metric in GLOBAL_METRICS and not multilabel and metric != "balanced_accuracy"


def _host_counts(counts: Any) -> np.ndarray:
    """Counts as an int64 NumPy array (a tensor is copied to the host: it is small)."""
    if is_tensor(counts):
        counts = counts.detach().cpu().numpy()
    counts = np.asarray(counts)
    if counts.dtype.kind not in "iu":
        if counts.dtype.kind == "f" and np.array_equal(counts, np.round(counts)):
            counts = counts.astype(np.int64)
        else:
            raise ParameterError(f"counts must be integers; got dtype {counts.dtype}")
    return counts


def score_counts(counts: Any, options: ScoreOptions | None = None, /, *,
                 task: Task | None = None, image_names: Sequence[str] = ()) -> Report:
    """Score confusion counts with the settings of one :class:`ScoreOptions`.

    The one scoring path: :func:`scores_from_confusion`, :func:`evaluate`, the streaming
    metrics and the file pipeline all end here.

    Parameters
    ----------
    counts : array_like or Tensor of int
        ``(C, C)`` or ``(N, C, C)`` per image; multi-label ``(C, 2, 2)`` or
        ``(N, C, 2, 2)``.
    options : ScoreOptions, optional
        The scoring settings (default: ``ScoreOptions()``).
    task : {"multiclass", "binary", "multilabel"}, optional
        What the counts are; by default only a 4-D ``(N, C, 2, 2)`` array is read as
        multi-label (a 3-D ``(C, 2, 2)`` array is read as per-image binary counts unless
        ``task="multilabel"`` is passed).
    image_names : sequence of str
        Names of the images of per-image counts (for reports).

    Returns
    -------
    Report

    Examples
    --------
    >>> from segscope.options import ScoreOptions
    >>> score_counts(np.array([[5, 1], [2, 2]]), ScoreOptions(metrics="iou")).summary()
    {'iou': 0.5125}
    """
    o = ScoreOptions() if options is None else options
    if not isinstance(o, ScoreOptions):
        raise ParameterError(f"options must be a ScoreOptions; got {type(o).__name__}")
    counts = _host_counts(counts)
    if task is None:
        multilabel = counts.ndim == 4 and counts.shape[-2:] == (2, 2)
    else:
        check_choice("task", task, TASKS)
        multilabel = task == "multilabel"
    base = 3 if multilabel else 2
    if counts.ndim not in (base, base + 1) or (
        not multilabel and counts.shape[-1] != counts.shape[-2]
    ) or (multilabel and counts.shape[-2:] != (2, 2)):
        want = "(C, 2, 2) or (N, C, 2, 2)" if multilabel else "(C, C) or (N, C, C)"
        raise ShapeError(f"counts must have shape {want}; got {counts.shape}")
    num_classes = counts.shape[-3] if multilabel else counts.shape[-1]
    if task == "binary" and num_classes != 2:
        raise ShapeError(f"task='binary' needs (2, 2) counts; got {counts.shape}")
    per_image_given = counts.ndim == base + 1
    if o.aggregate != "dataset" and not per_image_given:
        raise ParameterError(
            f"aggregate={o.aggregate!r} needs per-image counts (N, C, C); compute them with "
            "confusion_matrix(..., per_image=True)"
        )
    sel = _selection(num_classes, o.labels, o.include_background)
    p = {"beta": o.beta, "tversky_alpha": o.tversky_alpha, "tversky_beta": o.tversky_beta}
    stacked = counts if per_image_given else counts[None]
    # the per-class (tp, fp, fn, tn) of the summed and of the per-image counts, once
    total = stacked.sum(axis=0)[None]
    total_c = tuple(x[..., sel] for x in class_counts(total, multilabel))
    stacked_c = tuple(x[..., sel] for x in class_counts(stacked, multilabel)) \
        if per_image_given else total_c
    support_k = (total_c[0] + total_c[2])[0]
    scores = []
    for metric in o.metrics:
        pol = o.empty if o.empty is not None else DEFAULT_EMPTY.get(metric, "nan")
        img_values = None
        extra: dict[str, Any] = {}
        if o.aggregate == "dataset":
            pc, _, val, exc = _score_one_level(metric, total, multilabel, sel, o.average, pol,
                                               p, total_c)
            per_class, value, excluded = pc[0], float(val[0]), int(exc[0])
            if per_image_given:
                img_values, _, _, _ = _score_one_level(metric, stacked, multilabel, sel,
                                                       o.average, pol, p, stacked_c)
        else:
            pc, und, val, exc = _score_one_level(metric, stacked, multilabel, sel, o.average,
                                                 pol, p, stacked_c)
            per_class = np.array([mean_excluding(pc[:, k])[0] for k in range(pc.shape[1])])
            excluded = int(und.sum())
            if o.aggregate == "image":
                value, excluded_images = mean_excluding(val)
                extra["excluded_images"] = excluded_images
            else:
                value = mean_excluding(pc)[0]
            img_values = pc
        if o.average == "none" and not _is_global(metric, multilabel):
            value = float("nan")
        if metric == "fbeta":
            extra["beta"] = o.beta
        if metric == "tversky":
            extra.update(alpha=o.tversky_alpha, beta=o.tversky_beta)
        scores.append(Score(
            metric=metric, value=float(value), classes=tuple(int(k) for k in sel),
            per_class=tuple(float(v) for v in per_class),
            support=tuple(int(s) for s in support_k), excluded=int(excluded),
            average="global" if _is_global(metric, multilabel) else o.average,
            aggregate=o.aggregate, empty=pol,
            per_image=None if img_values is None else tuple(
                tuple(float(v) for v in row) for row in img_values),
            extra=extra,
        ))
    task_name = "multilabel" if multilabel else (task or "multiclass")
    return Report(scores=tuple(scores), num_images=stacked.shape[0],
                  image_names=tuple(str(n) for n in image_names),
                  meta={"num_classes": int(num_classes), "task": task_name})


def score_each(counts: Any, options: ScoreOptions | None = None, /, *,
               task: Task | None = None) -> dict[str, np.ndarray]:
    """The value each entry of stacked counts gets when scored on its own.

    ``counts`` holds ``(M, C, C)`` (multi-label ``(M, C, 2, 2)``) confusion counts: the
    images of a dataset, or resampled sums of them. Each entry is scored as one dataset
    with ``options`` (its ``aggregate`` is not used): what :func:`score_counts` gives
    for ``counts[i]`` alone, for every ``i`` at once.

    Returns
    -------
    dict
        ``{metric: (M,) float array}``; NaN where an entry's value is undefined under the
        ``empty`` policy.

    Examples
    --------
    >>> from segscope.options import ScoreOptions
    >>> cm = np.array([[[5, 1], [2, 2]], [[3, 0], [0, 1]]])
    >>> score_each(cm, ScoreOptions(metrics="iou"))["iou"].round(4).tolist()
    [0.5125, 1.0]
    """
    o = ScoreOptions() if options is None else options
    counts = _host_counts(counts)
    multilabel = task == "multilabel" if task is not None else (
        counts.ndim == 4 and counts.shape[-2:] == (2, 2))
    base = 3 if multilabel else 2
    if counts.ndim != base + 1:
        want = "(M, C, 2, 2)" if multilabel else "(M, C, C)"
        raise ShapeError(f"counts must have shape {want}; got {counts.shape}")
    num_classes = counts.shape[-3] if multilabel else counts.shape[-1]
    sel = _selection(num_classes, o.labels, o.include_background)
    p = {"beta": o.beta, "tversky_alpha": o.tversky_alpha, "tversky_beta": o.tversky_beta}
    selected = tuple(x[..., sel] for x in class_counts(counts, multilabel))
    out = {}
    for metric in o.metrics:
        pol = o.empty if o.empty is not None else DEFAULT_EMPTY.get(metric, "nan")
        _, _, value, _ = _score_one_level(metric, counts, multilabel, sel, o.average, pol, p,
                                          selected)
        if o.average == "none" and not _is_global(metric, multilabel):
            value = np.full(counts.shape[0], np.nan)
        out[metric] = np.asarray(value, dtype=np.float64)
    return out


def scores_from_confusion(
    counts: Any,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    *,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    task: Task | None = None,
    beta: float = 1.0,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
    image_names: Sequence[str] = (),
) -> Report:
    """Score confusion counts with any number of overlap metrics.

    Parameters
    ----------
    counts : array_like or Tensor of int
        ``(C, C)`` (rows = target, columns = prediction) or ``(N, C, C)`` per image;
        multi-label ``(C, 2, 2)`` or ``(N, C, 2, 2)``.
    metrics : str or sequence of str
        Names from :data:`METRICS` (or a comma-separated string, or ``"all"``).
    average : {"macro", "weighted", "micro", "none"}
        How per-class values become one value.
    aggregate : {"dataset", "image", "image_class"}
        ``"dataset"`` sums the counts of all images before scoring; ``"image"`` scores
        each image (averaging its classes by ``average``) and takes the mean over
        images; ``"image_class"`` takes the mean over every defined (image, class)
        pair. Both per-image forms need per-image counts.
    empty : {"nan", "zero", "one", "nan_target"}, optional
        Value of 0/0 scores; default ``"nan"`` (``"zero"`` for MCC). NaN entries are
        excluded from means and counted in ``Score.excluded``. ``"nan_target"``
        (MONAI's default) also drops classes absent from the target.
    labels : sequence of int, optional
        Classes to score (default: all).
    include_background : bool
        If false, class 0 is not scored.
    task : {"multiclass", "binary", "multilabel"}, optional
        What the counts are (see :func:`score_counts`): by default only a 4-D
        ``(N, C, 2, 2)`` array is taken as multi-label.
    beta : float
        β of F-beta.
    tversky_alpha, tversky_beta : float
        Weights of false positives and false negatives in the Tversky index.
    image_names : sequence of str
        Names of the images of per-image counts (for reports).

    Returns
    -------
    Report

    Examples
    --------
    >>> cm = np.array([[5, 1], [2, 2]])
    >>> r = scores_from_confusion(cm, ("iou", "recall"), average="none")
    >>> [round(v, 3) for v in r["iou"].per_class]
    [0.625, 0.4]
    """
    options = ScoreOptions(metrics=metrics, average=average, aggregate=aggregate, empty=empty,
                           labels=labels, include_background=include_background, beta=beta,
                           tversky_alpha=tversky_alpha, tversky_beta=tversky_beta)
    return score_counts(counts, options, task=task, image_names=image_names)


def resolve_per_image(aggregate: str, per_image: bool | None, by_image: bool) -> bool:
    """Whether counts are kept per image: ``per_image``, or the default it implies.

    The default is true for ``aggregate="image"`` and for inputs that come image by
    image anyway (``by_image``: multi-label batches, lists of images).

    Examples
    --------
    >>> resolve_per_image("image", None, False)
    True
    """
    check_choice("aggregate", aggregate, AGGREGATES)
    if per_image is None:
        return aggregate != "dataset" or by_image
    if aggregate != "dataset" and not per_image:
        raise ParameterError(
            f"aggregate={aggregate!r} needs per_image=True (a leading image axis)")
    return bool(per_image)


def confusion_counts(
    pred: Any,
    target: Any,
    /,
    *,
    task: Task = "multiclass",
    num_classes: int | None = None,
    ignore_index: int | None = None,
    per_image: bool = False,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Any:
    """The confusion counts that :func:`evaluate` scores: ``(C, C)`` or ``(C, 2, 2)``.

    ``task`` picks :func:`segscope.confusion_matrix` (``"multiclass"``, ``"binary"``: two
    classes) or :func:`segscope.multilabel_confusion_matrix` (``"multilabel"``, whose
    channels must agree with ``num_classes`` when it is given). With ``per_image`` a
    leading image axis is kept. A tensor gives a tensor on its own device.

    Examples
    --------
    >>> confusion_counts([[0, 1]], [[1, 1]], task="binary").tolist()
    [[0, 0], [1, 1]]
    """
    check_choice("task", task, TASKS)
    if task == "multilabel":
        if ignore_index is not None:
            raise ParameterError(
                "ignore_index is not supported for task='multilabel'; mark void pixels in "
                "their own channel, or leave ignore_index out")
        counts = multilabel_confusion_matrix(pred, target, per_image=True, decision=decision,
                                             threshold=threshold)
        channels = counts.shape[-3]
        if num_classes is not None and channels != num_classes:
            raise ShapeError(
                f"num_classes={num_classes} but the inputs have {channels} channels on axis 1"
            )
        return counts if per_image else counts.sum(0)
    if task == "binary":
        if num_classes not in (None, 2):
            raise ParameterError(
                f"task='binary' has 2 classes (background, foreground); got num_classes="
                f"{num_classes}. Use task='multiclass' for more classes")
        num_classes = 2
    elif num_classes is not None:
        check_num_classes(num_classes)
    return confusion_matrix(pred, target, num_classes=num_classes, ignore_index=ignore_index,
                            per_image=per_image, decision=decision, threshold=threshold)


def evaluate(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    beta: float = 1.0,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
) -> Report:
    """Overlap metrics of predicted label maps against target label maps.

    NumPy arrays and torch tensors are both accepted: a tensor is counted on its own
    device and only the small count matrix travels to the host, so the numbers are those
    of the same labels as NumPy arrays.

    Parameters
    ----------
    pred, target : array_like or Tensor of int or bool, or lists of them
        Label maps of the same shape (``(H, W)``, ``(D, H, W)``, or a batch with a
        leading image axis), or multi-label ``(N, C, ...)`` 0/1 channels with
        ``task="multilabel"``. Images of different sizes: pass two lists of arrays, one
        per image (per-image counts are then kept by default). Scores: see ``decision``.
    num_classes : int
        Number of classes (required for single-label label maps; implied by the score
        channels with ``decision="argmax"``, and 2 with ``task="binary"``).
    metrics : str or sequence of str
        Metric names (see :data:`METRICS`), or ``"all"``.
    task : {"multiclass", "binary", "multilabel"}
        What ``pred`` and ``target`` hold: label maps (``"binary"``: two classes), or
        ``(N, C, ...)`` 0/1 channels, one per class.
    ignore_index : int, optional
        Target pixels with this value are removed from both maps (single-label only).
    per_image : bool, optional
        Treat the leading axis as images (so per-image values are kept). Default: true
        when ``aggregate`` is per image, for ``task="multilabel"`` and for lists of
        images, else false.
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels: as given; the class of the largest score over axis 1
        of ``(N, C, ...)`` scores; or ``pred > threshold`` (binary scores of ``target``'s
        shape, or per channel with ``task="multilabel"``).
    threshold : float
        Used with ``decision="threshold"`` (0.5 for probabilities, 0.0 for logits).
    average, aggregate, empty, labels, include_background, beta, tversky_alpha, tversky_beta
        See :func:`scores_from_confusion`.

    Returns
    -------
    Report

    Examples
    --------
    >>> pred = np.array([[0, 1], [1, 1]]); target = np.array([[0, 1], [0, 1]])
    >>> round(evaluate(pred, target, num_classes=2)["iou"].value, 4)
    0.5833
    >>> logits = np.array([[[[2.0, 0.0]], [[0.0, 2.0]]]])   # (N=1, C=2, 1, 2)
    >>> evaluate(logits, [[[0, 0]]], decision="argmax", metrics=("iou", "accuracy")).summary()
    {'iou': 0.25, 'accuracy': 0.5}
    """
    options = ScoreOptions(metrics=metrics, average=average, aggregate=aggregate, empty=empty,
                           labels=labels, include_background=include_background, beta=beta,
                           tversky_alpha=tversky_alpha, tversky_beta=tversky_beta)
    check_choice("task", task, TASKS)
    by_image = task == "multilabel" or is_image_list(pred)
    counts = confusion_counts(pred, target, task=task, num_classes=num_classes,
                              ignore_index=ignore_index,
                              per_image=resolve_per_image(aggregate, per_image, by_image),
                              decision=decision, threshold=threshold)
    report = score_counts(counts, options, task=task)
    meta = dict(report.meta, ignore_index=ignore_index, decision=decision)
    return Report(report.scores, report.num_images, report.image_names, meta)


def _single(metric: str, pred: Any, target: Any, **options: Any) -> Score:
    """The one :class:`Score` of ``metric`` (what each metric function returns)."""
    return evaluate(pred, target, metrics=(metric,), **options)[metric]


def accuracy(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Pixel accuracy: the fraction of (non-ignored) pixels labelled correctly.

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    For single-label input the value is global, trace / total (scikit-learn's
    ``accuracy_score``); ``per_class`` holds the one-vs-rest values (tp + tn) / total.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = accuracy(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.75, [0.75, 0.75])
    """
    return _single("accuracy", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def precision(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Precision (positive predictive value) per class: tp / (tp + fp).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = precision(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.8333, [1.0, 0.6667])
    """
    return _single("precision", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def recall(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Recall (sensitivity, true positive rate) per class: tp / (tp + fn).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = recall(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.75, [0.5, 1.0])
    """
    return _single("recall", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def specificity(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Specificity (true negative rate) per class: tn / (tn + fp).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = specificity(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.75, [1.0, 0.5])
    """
    return _single("specificity", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def npv(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Negative predictive value per class: tn / (tn + fn).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = npv(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.8333, [0.6667, 1.0])
    """
    return _single("npv", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def dice(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Dice coefficient per class: 2 tp / (2 tp + fp + fn) (the same number as F1).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = dice(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.7333, [0.6667, 0.8])
    """
    return _single("dice", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def f1(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """F1 score per class: 2 tp / (2 tp + fp + fn) (the same number as Dice).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = f1(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.7333, [0.6667, 0.8])
    """
    return _single("f1", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def fbeta(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    beta: float = 1.0,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """F-beta score per class: (1 + β²) tp / ((1 + β²) tp + β² fn + fp).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    beta : float
        β: how many times more recall counts than precision.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    β > 1 weighs recall more, β < 1 precision; ``beta=1`` is F1.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = fbeta(pred, target, num_classes=2, beta=2.0)   # 5 tp / (5 tp + 4 fn + fp)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.7323, [0.5556, 0.9091])
    """
    return _single("fbeta", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background, beta=beta,
                   per_image=per_image, decision=decision, threshold=threshold)


def iou(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Intersection over union (Jaccard index) per class: tp / (tp + fp + fn).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = iou(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.5833, [0.5, 0.6667])
    """
    return _single("iou", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def tversky(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Tversky index per class: tp / (tp + α fp + β fn) (Tversky 1977).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    tversky_alpha, tversky_beta : float
        The weights of false positives (α) and false negatives (β).
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    α = β = 0.5 is Dice, α = β = 1 is IoU.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = tversky(pred, target, num_classes=2, tversky_alpha=1.0, tversky_beta=1.0)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]   # IoU
    (0.5833, [0.5, 0.6667])
    """
    return _single("tversky", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   tversky_alpha=tversky_alpha, tversky_beta=tversky_beta,
                   per_image=per_image, decision=decision, threshold=threshold)


def balanced_accuracy(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Balanced accuracy: the mean of the per-class recalls.

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    For multi-label input each class's value is (recall + specificity) / 2, as
    scikit-learn's ``balanced_accuracy_score`` of that channel.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = balanced_accuracy(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.75, [0.5, 1.0])
    """
    return _single("balanced_accuracy", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def mcc(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Matthews correlation coefficient, in [-1, 1].

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    For single-label input the value is the multi-class form of the whole confusion
    matrix (scikit-learn's ``matthews_corrcoef``); ``per_class`` holds the one-vs-rest
    values. 0/0 gives 0 by default (``empty="zero"``), as scikit-learn.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = mcc(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.5774, [0.5774, 0.5774])
    """
    return _single("mcc", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def kappa(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Cohen's kappa: agreement beyond chance, (p_o − p_e) / (1 − p_e), in [-1, 1].

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    For single-label input the value is that of the whole confusion matrix
    (scikit-learn's ``cohen_kappa_score``); ``per_class`` holds the one-vs-rest values.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = kappa(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.5, [0.5, 0.5])
    """
    return _single("kappa", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)


def volume_similarity(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    task: Task = "multiclass",
    ignore_index: int | None = None,
    average: Average = "macro",
    aggregate: Aggregate = "dataset",
    empty: Empty | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    per_image: bool | None = None,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Score:
    """Volume similarity per class: 1 − |fn − fp| / (2 tp + fp + fn).

    Parameters
    ----------
    pred, target : array_like or Tensor
        Label maps of the same shape (or scores, with ``decision``), as in :func:`evaluate`.
    num_classes, task, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`evaluate`.
    per_image, decision, threshold
        As in :func:`evaluate`.

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` holds each class's value.

    Notes
    -----
    It compares sizes only: a prediction of the right size in the wrong place scores 1.

    Examples
    --------
    >>> pred = np.array([0, 1, 1, 1]); target = np.array([0, 1, 0, 1])
    >>> s = volume_similarity(pred, target, num_classes=2)
    >>> round(float(s), 4), [round(v, 4) for v in s.per_class]
    (0.7333, [0.6667, 0.8])
    """
    return _single("volume_similarity", pred, target, num_classes=num_classes, task=task,
                   ignore_index=ignore_index, average=average, aggregate=aggregate, empty=empty,
                   labels=labels, include_background=include_background,
                   per_image=per_image, decision=decision, threshold=threshold)

