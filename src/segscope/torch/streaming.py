"""Streaming overlap metrics for training and validation loops (single process or DDP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .. import confusion as _np_confusion
from .._checks import check_choice
from ..confusion import _check_ignore_index, _check_num_classes
from ..errors import DTypeError, LabelError, ParameterError, ShapeError
from ..metrics import AGGREGATES, AVERAGES, DEFAULT_METRICS, scores_from_confusion
from ..results import Report
from ._distributed import gather_objects, is_distributed, sum_over_processes
from ._inputs import to_labels
from .confusion import (
    _numpy_view,
    _on_cpu,
    argmax_counts_on_host,
    count_on_device,
    multilabel_counts_on_device,
)

__all__ = ["MeanIoU", "OverlapMetric"]


class OverlapMetric:
    """Accumulate confusion counts batch by batch; score them when asked.

    ``update`` adds the counts of a batch (computed on the batch's device, no host
    synchronisation off the CPU); ``compute`` sums the counts over the processes of
    ``torch.distributed`` when it is initialised (one ``all_reduce``) and scores them
    with :func:`segscope.metrics.scores_from_confusion`; ``reset`` starts over. The
    state is the count matrix (``C × C`` integers; plus ``C × C`` per image when
    ``aggregate`` is per image), picklable and mergeable.

    It is a plain Python object, not an ``nn.Module`` and not a torchmetrics
    ``Metric``: keep it as an attribute of a LightningModule, call ``update`` in the
    step and ``compute``/``reset`` at the end of the epoch.

    Parameters
    ----------
    num_classes : int, optional
        Number of classes (inferred from the score channels with ``decision="argmax"``;
        taken from the channels with ``multilabel``).
    metrics : str or sequence of str
        Metric names of :data:`segscope.metrics.METRICS`.
    ignore_index, average, aggregate, empty, labels, include_background, beta,
    tversky_alpha, tversky_beta
        As in :func:`segscope.evaluate`.
    multilabel : bool
        Inputs are ``(N, C, ...)`` 0/1 channels (or scores with ``"threshold"``).
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels (see :func:`segscope.torch.confusion_matrix`).
    threshold : float
        Used with ``decision="threshold"``.
    sync_on_compute : bool
        Sum the counts over processes in ``compute`` when ``torch.distributed`` is
        initialised. Every process must then call ``compute`` (it is a collective).
    process_group : optional
        The ``torch.distributed`` group to sum over (default: the world).

    Notes
    -----
    Labels outside ``[0, C)`` raise :class:`~segscope.errors.LabelError` in ``update`` on
    the CPU, and in ``compute`` on other devices (where checking in ``update`` would
    stall the device).

    Examples
    --------
    >>> import torch
    >>> metric = OverlapMetric(num_classes=3, metrics=("iou", "dice"))
    >>> for _ in range(2):
    ...     logits = torch.zeros(2, 3, 4, 4); logits[:, 1] = 1.0
    ...     metric.update(logits.argmax(1), torch.ones(2, 4, 4, dtype=torch.long))
    >>> metric.compute().summary()
    {'iou': 1.0, 'dice': 1.0}
    >>> metric.reset()
    """

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        metrics: str | Sequence[str] = DEFAULT_METRICS,
        ignore_index: int | None = None,
        average: str = "macro",
        aggregate: str = "dataset",
        empty: str | None = None,
        labels: Sequence[int] | None = None,
        include_background: bool = True,
        multilabel: bool = False,
        decision: str = "labels",
        threshold: float = 0.5,
        beta: float = 1.0,
        tversky_alpha: float = 0.5,
        tversky_beta: float = 0.5,
        sync_on_compute: bool = True,
        process_group: Any = None,
    ) -> None:
        check_choice("average", average, AVERAGES)
        check_choice("aggregate", aggregate, AGGREGATES)
        self.num_classes = None if num_classes is None else _check_num_classes(num_classes)
        self.ignore_index = _check_ignore_index(ignore_index)
        self.multilabel = bool(multilabel)
        if self.multilabel and self.ignore_index is not None:
            raise ParameterError("ignore_index is not supported for multi-label input")
        if self.num_classes is None and decision == "labels" and not self.multilabel:
            raise ParameterError(
                "num_classes is required for label maps: pass the number of classes "
                "including background (it is inferred only with decision='argmax')"
            )
        self.decision = decision
        self.threshold = float(threshold)
        self.per_image = aggregate != "dataset"
        self.score_options = {
            "metrics": metrics, "average": average, "aggregate": aggregate, "empty": empty,
            "labels": labels, "include_background": include_background, "beta": beta,
            "tversky_alpha": tversky_alpha, "tversky_beta": tversky_beta,
        }
        self._check_score_options()
        self.sync_on_compute = bool(sync_on_compute)
        self.process_group = process_group
        self.reset()

    def _check_score_options(self) -> None:
        """Fail now, not at the end of an epoch, on a misspelt scoring option."""
        if self.num_classes is None and not self.multilabel:
            return
        classes = self.num_classes or 2
        if self.multilabel and self.score_options["labels"] is not None:
            classes = max(classes, *self.score_options["labels"]) + 1
        shape = (1, classes, 2, 2) if self.multilabel else (1, classes, classes)
        scores_from_confusion(np.zeros(shape, dtype=np.int64), multilabel=self.multilabel,
                              **self.score_options)

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget every count."""
        self._total: torch.Tensor | None = None
        self._images: list[torch.Tensor] = []
        self._invalid: torch.Tensor | None = None
        self.num_images = 0

    def _zeros(self, classes: int, device: torch.device) -> torch.Tensor:
        shape = (classes, 2, 2) if self.multilabel else (classes, classes)
        return torch.zeros(shape, dtype=torch.int64, device=device)

    @property
    def counts(self) -> torch.Tensor | None:
        """This process's summed counts (``(C, C)`` or multi-label ``(C, 2, 2)``), or None."""
        return self._total

    # ------------------------------------------------------------------ update
    def update(self, pred: torch.Tensor, target: torch.Tensor, /) -> None:
        """Add the counts of one batch (``pred`` and ``target`` with a leading batch axis).

        Examples
        --------
        >>> m = OverlapMetric(num_classes=2, metrics="iou")
        >>> m.update(torch.tensor([[0, 1]]), torch.tensor([[0, 1]]))
        >>> m.num_images
        1
        """
        fuse = self._host_kernel and _on_cpu(pred)
        p, t, classes = to_labels(pred, target, decision=self.decision,
                                  threshold=self.threshold, num_classes=self.num_classes,
                                  multilabel=self.multilabel, keep_scores=fuse)
        if p.ndim < (2 if self.multilabel else 1):
            raise ShapeError(
                f"update expects a leading batch axis; got pred of shape {tuple(p.shape)}"
            )
        if self.multilabel:
            counts, invalid = self._multilabel_counts(p, t)
        else:
            if self.num_classes is None:
                self.num_classes = classes
            elif classes is not None and classes != self.num_classes:
                raise ShapeError(f"num_classes is {self.num_classes} but this batch has "
                                 f"{classes} score channels")
            counts, invalid = self._counts(p, t)
        images = int(p.shape[0])
        per_image = counts
        total = counts.sum(0)
        if self._total is None:
            self._total = total.clone()
        else:
            if self._total.shape != total.shape:
                raise ShapeError(f"this batch has {total.shape[0]} classes but earlier ones "
                                 f"had {self._total.shape[0]}")
            if self._total.device != total.device:
                self._total = self._total.to(total.device)
            self._total += total
        if invalid is not None:
            self._invalid = invalid if self._invalid is None else self._invalid.to(
                invalid.device) + invalid
        if self.per_image:
            self._images.append(per_image)
        self.num_images += images

    #: Count CPU tensors with the compiled host loop (tests switch this off to exercise
    #: the device kernel on the CPU).
    _host_kernel = True

    def _counts(self, p: torch.Tensor, t: torch.Tensor):
        """Per-image counts ``(N, C, C)`` (or ``(1, C, C)`` summed when not needed)."""
        c = self.num_classes
        if p.device.type == "cpu" and self._host_kernel:
            if self.decision == "argmax":
                counts = argmax_counts_on_host(p, t, c, self.ignore_index, self.per_image)
            else:
                counts = torch.from_numpy(_np_confusion.confusion_matrix(
                    _numpy_view(p.contiguous()), _numpy_view(t.contiguous()), num_classes=c,
                    ignore_index=self.ignore_index, per_image=self.per_image))
            return (counts if self.per_image else counts.unsqueeze(0)), None
        counts, invalid = count_on_device(p, t, c, self.ignore_index, self.per_image)
        return (counts if self.per_image else counts.unsqueeze(0)), invalid

    def _multilabel_counts(self, p: torch.Tensor, t: torch.Tensor):
        if p.device.type == "cpu" and self._host_kernel:
            counts = _np_confusion.multilabel_confusion_matrix(
                _numpy_view(p.contiguous()), _numpy_view(t.contiguous()), per_image=True)
            return torch.from_numpy(counts), None
        return multilabel_counts_on_device(p, t)

    # ------------------------------------------------------------------ results
    def _synced_total(self) -> tuple[np.ndarray, int, int]:
        """Counts, invalid pixels and images, summed over processes when distributed."""
        total, invalid = self._total, self._invalid
        sync = self.sync_on_compute and is_distributed(self.process_group)
        if total is None:
            if not sync or self.num_classes is None:
                raise ParameterError("compute() was called before any update(); there is "
                                     "nothing to score")
            total = self._zeros(self.num_classes, torch.device("cpu"))
        if invalid is None:
            invalid = torch.zeros((), dtype=torch.int64, device=total.device)
        extra = torch.tensor([0, self.num_images], dtype=torch.int64, device=total.device)
        extra[0] = invalid.to(total.device)
        packed = torch.cat([total.reshape(-1), extra])
        if sync:
            packed = sum_over_processes(packed, self.process_group)
        packed = packed.cpu().numpy()
        return packed[:-2].reshape(total.shape), int(packed[-2]), int(packed[-1])

    def _synced_images(self) -> np.ndarray:
        local = (torch.cat(self._images).cpu().numpy() if self._images else None)
        if self.sync_on_compute and is_distributed(self.process_group):
            parts = [x for x in gather_objects(local, self.process_group) if x is not None]
        else:
            parts = [] if local is None else [local]
        return np.concatenate(parts)

    def compute(self) -> Report:
        """Score the counts gathered so far (summed over processes under DDP).

        Returns
        -------
        Report
            As :func:`segscope.evaluate` would give on all the data at once.

        Raises
        ------
        LabelError
            If any update held labels outside ``[0, C)`` (non-CPU devices).
        """
        total, invalid, images = self._synced_total()
        if invalid:
            raise LabelError(
                f"{invalid} pixels had labels outside [0, {self.num_classes}) in the updates "
                "since the last reset; raise num_classes, or pass ignore_index=<value> for "
                "'void' target pixels"
            )
        counts = self._synced_images() if self.per_image else total
        report = scores_from_confusion(counts, multilabel=self.multilabel, **self.score_options)
        meta = dict(report.meta, ignore_index=self.ignore_index, decision=self.decision)
        return Report(report.scores, images, report.image_names, meta)

    # ------------------------------------------------------------------ merging, saving
    def _check_compatible(self, other: OverlapMetric) -> None:
        if not isinstance(other, OverlapMetric):
            raise DTypeError(f"can only merge an OverlapMetric; got {type(other).__name__}")
        mine = (self.num_classes, self.multilabel, self.per_image, self.ignore_index)
        theirs = (other.num_classes, other.multilabel, other.per_image, other.ignore_index)
        if None not in (self.num_classes, other.num_classes) and mine != theirs:
            raise ParameterError(
                "cannot merge metrics with different settings (num_classes, multilabel, "
                f"aggregate, ignore_index): {mine} vs {theirs}"
            )

    def merge(self, other: OverlapMetric) -> OverlapMetric:
        """Add the counts of ``other`` (e.g. from another worker) to this metric.

        Returns
        -------
        OverlapMetric
            ``self``.

        Examples
        --------
        >>> a = OverlapMetric(num_classes=2); a.update(torch.tensor([[1]]), torch.tensor([[1]]))
        >>> b = OverlapMetric(num_classes=2); b.update(torch.tensor([[0]]), torch.tensor([[1]]))
        >>> a.merge(b).counts.tolist()
        [[0, 0], [1, 1]]
        """
        self._check_compatible(other)
        if other._total is None:
            return self
        if self.num_classes is None:
            self.num_classes = other.num_classes
        if self._total is None:
            self._total = other._total.clone()
        else:
            self._total = self._total + other._total.to(self._total.device)
        if other._invalid is not None:
            self._invalid = (other._invalid.clone() if self._invalid is None
                             else self._invalid + other._invalid.to(self._invalid.device))
        self._images.extend(x.clone() for x in other._images)
        self.num_images += other.num_images
        return self

    def state_dict(self) -> dict[str, Any]:
        """The counts as CPU tensors (small; for checkpoints).

        Examples
        --------
        >>> m = OverlapMetric(num_classes=2); m.update(torch.tensor([[1]]), torch.tensor([[1]]))
        >>> n = OverlapMetric(num_classes=2); n.load_state_dict(m.state_dict())
        >>> n.counts.tolist()
        [[0, 0], [0, 1]]
        """
        return {
            "num_classes": self.num_classes,
            "total": None if self._total is None else self._total.cpu(),
            "images": torch.cat(self._images).cpu() if self._images else None,
            "invalid": 0 if self._invalid is None else int(self._invalid),
            "num_images": self.num_images,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore counts saved by :meth:`state_dict`."""
        self.reset()
        if state.get("num_classes") is not None:
            self.num_classes = int(state["num_classes"])
        self._total = state["total"]
        self._images = [] if state["images"] is None else [state["images"]]
        self._invalid = (None if not state["invalid"]
                         else torch.tensor(state["invalid"], dtype=torch.int64))
        self.num_images = int(state["num_images"])

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_total", "_images", "_invalid", "process_group")}
        state["counts_state"] = self.state_dict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        counts = state.pop("counts_state")
        self.__dict__.update(state)
        self.process_group = None
        self.load_state_dict(counts)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(num_classes={self.num_classes}, "
                f"metrics={self.score_options['metrics']!r}, "
                f"aggregate={self.score_options['aggregate']!r}, images={self.num_images})")


class MeanIoU(OverlapMetric):
    """Streaming mean IoU: :class:`OverlapMetric` with ``metrics=("iou",)``.

    ``float(metric.compute()["iou"])`` is the mean IoU (dataset-level by default, as
    torchmetrics ``MulticlassJaccardIndex(average="macro")``, except that classes absent
    from both prediction and target are left out of the mean and counted, not scored 0).

    Examples
    --------
    >>> import torch
    >>> miou = MeanIoU(num_classes=2)
    >>> miou.update(torch.tensor([[0, 1, 1]]), torch.tensor([[0, 1, 0]]))
    >>> float(miou.compute()["iou"])
    0.5
    """

    def __init__(self, num_classes: int | None = None, **options: Any) -> None:
        if "metrics" in options:
            raise ParameterError("MeanIoU always computes 'iou'; use OverlapMetric for others")
        super().__init__(num_classes, metrics=("iou",), **options)
