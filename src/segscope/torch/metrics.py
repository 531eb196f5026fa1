"""Overlap metrics of torch tensors: counts on the device, scores by the core formulas.

The counts are computed where the tensors live (:mod:`segscope.torch.confusion`); only
the small ``(C, C)`` count matrix travels to the host, where
:func:`segscope.metrics.scores_from_confusion` (the one implementation of every
formula) turns it into a :class:`~segscope.results.Report`. The numbers are therefore
identical to :func:`segscope.evaluate` on the same labels.

Examples
--------
>>> import torch
>>> logits = torch.tensor([[[[2.0, 0.0]], [[0.0, 2.0]]]])   # (N=1, C=2, 1, 2)
>>> target = torch.tensor([[[0, 0]]])
>>> r = evaluate(logits, target, decision="argmax", metrics=("iou", "accuracy"))
>>> r.summary()
{'iou': 0.25, 'accuracy': 0.5}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from ..errors import ParameterError
from ..metrics import (
    DEFAULT_METRICS,
    METRICS,
    check_channels,
    resolve_per_image,
    scores_from_confusion,
)
from ..results import Report, Score
from .confusion import confusion_matrix, multilabel_confusion_matrix

__all__ = ["evaluate", *METRICS]


def evaluate(
    pred: torch.Tensor,
    target: torch.Tensor,
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
    decision: str = "labels",
    threshold: float = 0.5,
    beta: float = 1.0,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
) -> Report:
    """Overlap metrics of tensors on any device; the same numbers as :func:`segscope.evaluate`.

    Parameters
    ----------
    pred, target : Tensor
        See :func:`segscope.torch.confusion_matrix`; with ``multilabel=True``,
        ``(N, C, ...)`` channels.
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels: as given, the largest of the ``(N, C, ...)`` scores,
        or ``pred > threshold``.
    threshold : float
        Used with ``decision="threshold"``.
    num_classes, metrics, ignore_index, average, aggregate, empty, labels,
    include_background, multilabel, per_image, beta, tversky_alpha, tversky_beta
        As in :func:`segscope.evaluate`.

    Returns
    -------
    Report

    Examples
    --------
    >>> pred = torch.tensor([[0, 1], [1, 1]]); target = torch.tensor([[0, 1], [0, 1]])
    >>> round(evaluate(pred, target, num_classes=2)["iou"].value, 4)
    0.5833
    """
    per_image = resolve_per_image(aggregate, per_image, multilabel)
    if multilabel:
        if ignore_index is not None:
            raise ParameterError("ignore_index is not supported for multi-label input")
        counts = multilabel_confusion_matrix(pred, target, per_image=per_image,
                                             decision=decision, threshold=threshold)
        check_channels(num_classes, counts.shape[-3])
    else:
        counts = confusion_matrix(pred, target, num_classes=num_classes,
                                  ignore_index=ignore_index, per_image=per_image,
                                  decision=decision, threshold=threshold)
    report = scores_from_confusion(
        counts.cpu().numpy(), metrics, average=average, aggregate=aggregate, empty=empty,
        labels=labels, include_background=include_background, multilabel=multilabel,
        beta=beta, tversky_alpha=tversky_alpha, tversky_beta=tversky_beta,
    )
    meta = dict(report.meta, ignore_index=ignore_index, decision=decision)
    return Report(report.scores, report.num_images, report.image_names, meta)


def _make_metric(name: str) -> Callable[..., Score]:
    def metric(pred: torch.Tensor, target: torch.Tensor, /, **options: Any) -> Score:
        return evaluate(pred, target, metrics=(name,), **options)[name]

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = f"""The ``{name}`` score of tensors (see :func:`segscope.metrics.{name}`).

    Parameters
    ----------
    pred, target : Tensor
        Label maps, or scores with ``decision="argmax"``/``"threshold"``.
    **options
        Any keyword of :func:`evaluate` (``num_classes``, ``decision``, ``average``, ...).

    Returns
    -------
    Score

    Examples
    --------
    >>> import torch
    >>> s = {name}(torch.tensor([0, 1, 1, 1]), torch.tensor([0, 1, 0, 1]), num_classes=2)
    >>> s.metric == "{name}"
    True
    """
    return metric


for _name in METRICS:
    globals()[_name] = _make_metric(_name)
