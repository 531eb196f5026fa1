"""Overlap metrics, all computed from confusion counts.

Every metric here is a function of per-class counts (true positives ``tp``, false
positives ``fp``, false negatives ``fn``, true negatives ``tn``), read off a confusion
matrix. Counts are computed once (:mod:`segscope.confusion`) and every metric derives
from them, so evaluating ten metrics costs one pass over the pixels.

Settings (the same words everywhere):

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

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._checks import check_choice
from .confusion import (
    _check_num_classes,
    confusion_matrix,
    is_image_list,
    multilabel_confusion_matrix,
)
from .errors import ParameterError, ShapeError
from .policy import EMPTY_POLICIES, mean_excluding, safe_divide
from .results import Report, Score

__all__ = [
    "AGGREGATES",
    "AVERAGES",
    "METRICS",
    "class_counts",
    "evaluate",
    "scores_from_confusion",
]

AVERAGES = ("micro", "macro", "weighted", "none")
AGGREGATES = ("dataset", "image", "image_class")
EMPTY_CHOICES = (*EMPTY_POLICIES, "nan_target")
METRICS = (
    "accuracy", "precision", "recall", "specificity", "npv", "dice", "f1", "fbeta", "iou",
    "tversky", "balanced_accuracy", "mcc", "kappa", "volume_similarity",
)
ALIASES = {"jaccard": "iou", "sensitivity": "recall", "tpr": "recall", "tnr": "specificity",
           "ppv": "precision", "pixel_accuracy": "accuracy", "f_beta": "fbeta"}
DEFAULT_METRICS = ("accuracy", "iou", "dice", "precision", "recall")
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


def _params(beta: float, tversky_alpha: float, tversky_beta: float) -> dict[str, float]:
    for name, v in (("beta", beta), ("tversky_alpha", tversky_alpha),
                    ("tversky_beta", tversky_beta)):
        if not (np.isfinite(v) and v >= 0):
            raise ParameterError(f"{name} must be a finite number >= 0; got {v!r}")
    return {"beta": float(beta), "tversky_alpha": float(tversky_alpha),
            "tversky_beta": float(tversky_beta)}


def _canonical(metrics: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(metrics, str):
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    out = []
    for m in metrics:
        name = ALIASES.get(str(m).lower(), str(m).lower())
        if name == "all":
            out.extend(METRICS)
            continue
        if name not in METRICS:
            raise ParameterError(
                f"unknown metric {m!r}; choose from {', '.join(METRICS)} "
                f"(aliases: {', '.join(sorted(ALIASES))})"
            )
        out.append(name)
    if not out:
        raise ParameterError("metrics is empty; name at least one metric, e.g. metrics='iou'")
    return tuple(dict.fromkeys(out))


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


def scores_from_confusion(
    counts: Any,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    *,
    average: str = "macro",
    aggregate: str = "dataset",
    empty: str | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    multilabel: bool | None = None,
    beta: float = 1.0,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
    image_names: Sequence[str] = (),
) -> Report:
    """Score confusion counts with any number of overlap metrics.

    Parameters
    ----------
    counts : array_like of int
        ``(C, C)`` (rows = target, columns = prediction) or ``(N, C, C)`` per image;
        multi-label ``(C, 2, 2)`` or ``(N, C, 2, 2)`` with ``multilabel=True``.
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
    multilabel : bool, optional
        Whether ``counts`` are multi-label 2×2 counts. By default only a 4-D
        ``(N, C, 2, 2)`` array is taken as multi-label; a 3-D ``(C, 2, 2)`` array is
        read as per-image binary counts unless ``multilabel=True`` is passed.
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
    check_choice("average", average, AVERAGES)
    check_choice("aggregate", aggregate, AGGREGATES)
    if empty is not None:
        check_choice("empty", empty, EMPTY_CHOICES)
    names = _canonical(metrics)
    p = _params(beta, tversky_alpha, tversky_beta)
    counts = np.asarray(counts)
    if counts.dtype.kind not in "iu":
        if counts.dtype.kind == "f" and np.array_equal(counts, np.round(counts)):
            counts = counts.astype(np.int64)
        else:
            raise ParameterError(f"counts must be integers; got dtype {counts.dtype}")
    if multilabel is None:
        multilabel = counts.ndim == 4 and counts.shape[-2:] == (2, 2)
    base = 3 if multilabel else 2
    if counts.ndim not in (base, base + 1) or (
        not multilabel and counts.shape[-1] != counts.shape[-2]
    ):
        want = "(C, 2, 2) or (N, C, 2, 2)" if multilabel else "(C, C) or (N, C, C)"
        raise ShapeError(f"counts must have shape {want}; got {counts.shape}")
    per_image_given = counts.ndim == base + 1
    if aggregate != "dataset" and not per_image_given:
        raise ParameterError(
            f"aggregate={aggregate!r} needs per-image counts (N, C, C); compute them with "
            "confusion_matrix(..., per_image=True)"
        )
    num_classes = counts.shape[-3] if multilabel else counts.shape[-1]
    sel = _selection(num_classes, labels, include_background)
    stacked = counts if per_image_given else counts[None]
    # the per-class (tp, fp, fn, tn) of the summed and of the per-image counts, once
    total = stacked.sum(axis=0)[None]
    total_c = tuple(x[..., sel] for x in class_counts(total, multilabel))
    stacked_c = tuple(x[..., sel] for x in class_counts(stacked, multilabel)) \
        if per_image_given else total_c
    support_k = (total_c[0] + total_c[2])[0]
    scores = []
    for metric in names:
        pol = empty if empty is not None else DEFAULT_EMPTY.get(metric, "nan")
        img_values = None
        extra: dict[str, Any] = {}
        if aggregate == "dataset":
            pc, _, val, exc = _score_one_level(metric, total, multilabel, sel, average, pol, p,
                                               total_c)
            per_class, value, excluded = pc[0], float(val[0]), int(exc[0])
            if per_image_given:
                img_values, _, _, _ = _score_one_level(metric, stacked, multilabel, sel,
                                                       average, pol, p, stacked_c)
        else:
            pc, und, val, exc = _score_one_level(metric, stacked, multilabel, sel, average,
                                                 pol, p, stacked_c)
            per_class = np.array([mean_excluding(pc[:, k])[0] for k in range(pc.shape[1])])
            excluded = int(und.sum())
            if aggregate == "image":
                value, excluded_images = mean_excluding(val)
                extra["excluded_images"] = excluded_images
            else:
                value = mean_excluding(pc)[0]
            img_values = pc
        if average == "none" and not (metric in GLOBAL_METRICS and not multilabel
                                      and metric != "balanced_accuracy"):
            value = float("nan")
        if metric == "fbeta":
            extra["beta"] = p["beta"]
        if metric == "tversky":
            extra.update(alpha=p["tversky_alpha"], beta=p["tversky_beta"])
        scores.append(Score(
            metric=metric, value=float(value), classes=tuple(int(k) for k in sel),
            per_class=tuple(float(v) for v in per_class),
            support=tuple(int(s) for s in support_k), excluded=int(excluded),
            average=("global" if metric in GLOBAL_METRICS and not multilabel
                     and metric != "balanced_accuracy" else average),
            aggregate=aggregate, empty=pol,
            per_image=None if img_values is None else tuple(
                tuple(float(v) for v in row) for row in img_values),
            extra=extra,
        ))
    n_images = stacked.shape[0]
    names_t = tuple(str(n) for n in image_names)
    return Report(scores=tuple(scores), num_images=n_images, image_names=names_t,
                  meta={"num_classes": int(num_classes), "multilabel": bool(multilabel)})


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


def check_channels(num_classes: int | None, channels: int) -> None:
    """Raise :class:`ShapeError` if multi-label ``channels`` contradict ``num_classes``."""
    if num_classes is not None and channels != num_classes:
        raise ShapeError(
            f"num_classes={num_classes} but the inputs have {channels} channels on axis 1"
        )


def evaluate(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    ignore_index: int | None = None,
    average: str = "macro",
    aggregate: str = "dataset",
    empty: str | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    multilabel: bool = False,
    per_image: bool | None = None,
    beta: float = 1.0,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
) -> Report:
    """Overlap metrics of predicted label maps against target label maps.

    Parameters
    ----------
    pred, target : array_like of int or bool, or lists of arrays
        Label maps of the same shape (``(H, W)``, ``(D, H, W)``, or a batch with a
        leading image axis), or multi-label ``(N, C, ...)`` boolean channels with
        ``multilabel=True``. Images of different sizes: pass two lists of arrays, one
        per image (per-image counts are then kept by default).
    num_classes : int
        Number of classes (required for single-label input).
    metrics : str or sequence of str
        Metric names (see :data:`METRICS`), or ``"all"``.
    ignore_index : int, optional
        Target pixels with this value are removed from both maps.
    average, aggregate, empty, labels, include_background, beta, tversky_alpha, tversky_beta
        See :func:`scores_from_confusion`.
    multilabel : bool
        Inputs are ``(N, C, ...)`` boolean channels, one per class.
    per_image : bool, optional
        Treat the leading axis as images (so per-image values are kept). Default: true
        when ``aggregate="image"``, ``multilabel`` or lists of images, else false.

    Returns
    -------
    Report

    Examples
    --------
    >>> pred = np.array([[0, 1], [1, 1]]); target = np.array([[0, 1], [0, 1]])
    >>> round(evaluate(pred, target, num_classes=2)["iou"].value, 4)
    0.5833
    """
    per_image = resolve_per_image(aggregate, per_image, multilabel or is_image_list(pred))
    if multilabel:
        counts = multilabel_confusion_matrix(pred, target, per_image=True)
        check_channels(num_classes, counts.shape[1])
        if not per_image:
            counts = counts.sum(axis=0)
    else:
        if num_classes is None:
            raise ParameterError(
                "num_classes is required for label maps: pass the number of classes "
                "including background, e.g. num_classes=2 for a binary mask"
            )
        _check_num_classes(num_classes)
        counts = confusion_matrix(pred, target, num_classes=num_classes,
                                  ignore_index=ignore_index, per_image=per_image)
    report = scores_from_confusion(
        counts, metrics, average=average, aggregate=aggregate, empty=empty, labels=labels,
        include_background=include_background, multilabel=multilabel, beta=beta,
        tversky_alpha=tversky_alpha, tversky_beta=tversky_beta,
    )
    meta = dict(report.meta, ignore_index=ignore_index)
    return Report(report.scores, report.num_images, report.image_names, meta)


def _make_metric(name: str, summary: str) -> Callable[..., Score]:
    def metric(pred: Any, target: Any, /, *, num_classes: int | None = None,
               **options: Any) -> Score:
        return evaluate(pred, target, num_classes=num_classes, metrics=(name,),
                        **options)[name]

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = f"""{summary}

    Parameters
    ----------
    pred, target : array_like of int or bool
        Label maps of the same shape (or multi-label channels with ``multilabel=True``).
    num_classes : int
        Number of classes.
    **options
        Any keyword of :func:`evaluate`: ``ignore_index``, ``average``, ``aggregate``,
        ``empty``, ``labels``, ``include_background``, ``multilabel``, ...

    Returns
    -------
    Score
        ``float(score)`` is the averaged value; ``score.per_class`` the per-class values.

    Examples
    --------
    >>> import numpy as np
    >>> s = {name}(np.array([0, 1, 1, 1]), np.array([0, 1, 0, 1]), num_classes=2)
    >>> 0.0 <= float(s) <= 1.0 or s.metric == "mcc" or s.metric == "kappa"
    True
    """
    return metric


_SUMMARIES = {
    "accuracy": "Pixel accuracy: the fraction of (non-ignored) pixels labelled correctly.",
    "precision": "Precision (positive predictive value): tp / (tp + fp).",
    "recall": "Recall (sensitivity, true positive rate): tp / (tp + fn).",
    "specificity": "Specificity (true negative rate): tn / (tn + fp).",
    "npv": "Negative predictive value: tn / (tn + fn).",
    "dice": "Dice coefficient (F1): 2 tp / (2 tp + fp + fn).",
    "f1": "F1 score (Dice): 2 tp / (2 tp + fp + fn).",
    "fbeta": "F-beta score: (1 + β²) tp / ((1 + β²) tp + β² fn + fp); pass ``beta=``.",
    "iou": "Intersection over union (Jaccard index): tp / (tp + fp + fn).",
    "tversky": "Tversky index: tp / (tp + α fp + β fn); pass ``tversky_alpha``/``tversky_beta``.",
    "balanced_accuracy": "Balanced accuracy: the mean of the per-class recalls.",
    "mcc": "Matthews correlation coefficient (multi-class form for single-label input).",
    "kappa": "Cohen's kappa: agreement beyond chance, (p_o − p_e) / (1 − p_e).",
    "volume_similarity": "Volume similarity: 1 − |fn − fp| / (2 tp + fp + fn).",
}

for _name in METRICS:
    globals()[_name] = _make_metric(_name, _SUMMARIES[_name])
__all__ += list(METRICS)
