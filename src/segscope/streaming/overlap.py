"""Streaming overlap metrics: confusion counts batch by batch, scored when asked.

One class for NumPy arrays and torch tensors, one process or many (DDP). The state is the
count matrix (``C × C`` integers, plus one per image when per-image values are kept); it
lives where the first batch lives (a NumPy array, or a tensor on that batch's device).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._backend import is_tensor
from .._checks import check_choice, check_ignore_index, check_num_classes
from ..confusion import is_image_list
from ..errors import DTypeError, LabelError, ParameterError, ShapeError
from ..metrics import confusion_counts, resolve_per_image, score_counts
from ..options import (
    DECISIONS,
    DEFAULT_METRICS,
    TASKS,
    Aggregate,
    Average,
    Decision,
    Empty,
    ScoreOptions,
    Task,
)
from ..results import Report

__all__ = ["MeanIoU", "OverlapMetric"]


class OverlapMetric:
    """Accumulate confusion counts batch by batch; score them when asked.

    ``update`` adds the counts of a batch of NumPy arrays or torch tensors (a tensor is
    counted on its own device, with no host synchronisation off the CPU); ``compute``
    sums the counts over the processes of ``torch.distributed`` when the state is a
    tensor and a process group is initialised (one ``all_reduce``) and scores them with
    :func:`segscope.metrics.score_counts`; ``merge`` adds another metric's counts;
    ``reset`` starts over. The state is small, picklable, and saved by ``state_dict`` as
    plain lists and numbers.

    It is a plain Python object, not an ``nn.Module`` and not a torchmetrics ``Metric``:
    keep it as an attribute of a LightningModule, call ``update`` in the step and
    ``compute``/``reset`` at the end of the epoch.

    Parameters
    ----------
    num_classes : int, optional
        Number of classes; inferred from the score channels with ``decision="argmax"``
        and from the channels with ``task="multilabel"``; 2 with ``task="binary"``.
    metrics : str or sequence of str
        Metric names of :data:`segscope.metrics.METRICS`.
    task : {"multiclass", "binary", "multilabel"}
        What the batches hold (see :func:`segscope.evaluate`).
    ignore_index : int, optional
        Target pixels with this value are removed from both maps.
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels (see :func:`segscope.evaluate`).
    threshold : float
        Used with ``decision="threshold"``.
    per_image : bool, optional
        Keep each image's counts, so that the report has per-image values. Default: when
        ``aggregate`` is per image.
    average, aggregate, empty, labels, include_background, beta, tversky_alpha, tversky_beta
        As in :func:`segscope.evaluate` (checked now, by one :class:`ScoreOptions`).
    sync_on_compute : bool
        Sum the counts over processes in ``compute`` when the state is a tensor and
        ``torch.distributed`` is initialised. Every process must then call ``compute``
        (it is a collective).
    process_group : optional
        The ``torch.distributed`` group to sum over (default: the world).

    Attributes
    ----------
    counts : ndarray or Tensor or None
        This process's summed counts, ``(C, C)`` or multi-label ``(C, 2, 2)``; None before
        the first update.
    num_images : int
        Images added since the last reset (this process).

    Notes
    -----
    Labels outside ``[0, C)`` raise :class:`~segscope.errors.LabelError` in ``update`` for
    NumPy arrays and CPU tensors, and in ``compute`` on other devices (where checking in
    ``update`` would stall the device).

    Examples
    --------
    >>> import numpy as np
    >>> metric = OverlapMetric(num_classes=3, metrics=("iou", "dice"))
    >>> for _ in range(2):
    ...     metric.update(np.ones((2, 4, 4), dtype=int), np.ones((2, 4, 4), dtype=int))
    >>> metric.compute().summary()
    {'iou': 1.0, 'dice': 1.0}
    >>> metric.counts.tolist(), metric.num_images
    ([[0, 0, 0], [0, 64, 0], [0, 0, 0]], 4)
    >>> metric.reset()
    """

    #: Count CPU tensors with the compiled host loop (tests switch this off to exercise
    #: the device kernel on the CPU).
    _host_kernel = True

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        metrics: str | Sequence[str] = DEFAULT_METRICS,
        task: Task = "multiclass",
        ignore_index: int | None = None,
        decision: Decision = "labels",
        threshold: float = 0.5,
        per_image: bool | None = None,
        average: Average = "macro",
        aggregate: Aggregate = "dataset",
        empty: Empty | None = None,
        labels: Sequence[int] | None = None,
        include_background: bool = True,
        beta: float = 1.0,
        tversky_alpha: float = 0.5,
        tversky_beta: float = 0.5,
        sync_on_compute: bool = True,
        process_group: Any = None,
    ) -> None:
        self.options = ScoreOptions(
            metrics=metrics, average=average, aggregate=aggregate, empty=empty, labels=labels,
            include_background=include_background, beta=beta, tversky_alpha=tversky_alpha,
            tversky_beta=tversky_beta)
        self.task: Task = check_choice("task", task, TASKS)
        self.multilabel = task == "multilabel"
        if task == "binary":
            if num_classes not in (None, 2):
                raise ParameterError(
                    f"task='binary' has 2 classes (background, foreground); got num_classes="
                    f"{num_classes}. Use task='multiclass' for more classes")
            num_classes = 2
        self.num_classes = None if num_classes is None else check_num_classes(num_classes)
        self.ignore_index = check_ignore_index(ignore_index)
        if self.multilabel and self.ignore_index is not None:
            raise ParameterError("ignore_index is not supported for task='multilabel'")
        if self.num_classes is None and decision == "labels" and not self.multilabel:
            raise ParameterError(
                "num_classes is required for label maps: pass the number of classes "
                "including background (it is inferred only with decision='argmax')"
            )
        self.decision: Decision = check_choice("decision", decision, DECISIONS)
        if self.multilabel and decision == "argmax":
            raise ParameterError("decision='argmax' is for single-label scores; task="
                                 "'multilabel' needs decision='threshold' (or 'labels')")
        self.threshold = float(threshold)
        self.per_image = resolve_per_image(aggregate, per_image, False)
        self.sync_on_compute = bool(sync_on_compute)
        self.process_group = process_group
        self._check_options()
        self.reset()

    def _check_options(self) -> None:
        """Fail now, not at the end of an epoch, on options that do not fit the classes."""
        if self.num_classes is None and not self.multilabel:
            return
        classes = self.num_classes or 2
        if self.multilabel and self.options.labels is not None:
            classes = max(classes, *self.options.labels) + 1
        shape = (1, classes, 2, 2) if self.multilabel else (1, classes, classes)
        score_counts(np.zeros(shape, dtype=np.int64), self.options, task=self.task)

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget every count (the next batch decides again where the state lives)."""
        self._total: Any = None
        self._images: list[Any] = []
        self._names: list[str | None] = []
        self._invalid: Any = None  # out-of-range pixels counted on a device, not yet checked
        self._placed = False  # whether a batch has decided where the state lives
        self.num_images = 0

    @property
    def counts(self) -> Any:
        """This process's summed counts (``(C, C)`` or multi-label ``(C, 2, 2)``), or None."""
        return self._total

    @property
    def image_counts(self) -> np.ndarray | None:
        """This process's per-image counts ``(N, C, C)`` (multi-label ``(N, C, 2, 2)``) as
        a NumPy array, in update order; None unless ``per_image``, or before any update."""
        if not self.per_image or not self._images:
            return None
        return np.concatenate([x.detach().cpu().numpy() if is_tensor(x) else np.asarray(x)
                               for x in self._images])

    def _place(self, counts: Any) -> Any:
        """``counts`` moved to where the state lives (a first batch's counts stay put).

        Counts restored by :meth:`load_state_dict` are not placed yet: the next tensor
        batch moves them to its device.
        """
        if self._total is None:
            return counts
        if not self._placed and is_tensor(counts):
            device = counts.device
            self._total = _as_tensor(self._total, device)
            self._images = [_as_tensor(x, device) for x in self._images]
        elif not self._placed and is_tensor(self._total):  # restored tensors, NumPy batch
            self._total = self._total.numpy()
            self._images = [x.numpy() for x in self._images]
        if is_tensor(self._total):
            return _as_tensor(counts, self._total.device)
        return counts.detach().cpu().numpy() if is_tensor(counts) else counts

    # ------------------------------------------------------------------ update
    def update(self, pred: Any, target: Any, /, *, names: Sequence[str] | None = None
               ) -> None:
        """Add the counts of one batch (``pred`` and ``target`` with a leading image axis).

        Parameters
        ----------
        pred, target : array_like or Tensor, or lists of them
            A batch of label maps ``(N, ...)`` (or scores, with ``decision``; or
            ``(N, C, ...)`` channels with ``task="multilabel"``), or two lists of images
            whose sizes may differ.
        names : sequence of str, optional
            One name per image, for the per-image rows of the report.

        Examples
        --------
        >>> m = OverlapMetric(num_classes=2, metrics="iou")
        >>> m.update([[0, 1]], [[0, 1]], names=["a.png"])
        >>> m.num_images
        1
        """
        listed = is_image_list(pred) or is_image_list(target)
        if not listed and np.ndim(pred) < (2 if self.multilabel else 1):
            raise ShapeError(
                f"update expects a leading image axis; got pred of shape {np.shape(pred)}. "
                "Add one with x[None] for a single image"
            )
        images = len(pred) if listed else int(np.shape(pred)[0])
        if names is not None and len(names) != images:
            raise ShapeError(f"names has {len(names)} entries but the batch has {images} "
                             "images")
        deferred = (not listed and is_tensor(pred) and is_tensor(target)
                    and not (self._host_kernel and pred.device.type == "cpu"))
        if deferred:
            counts, invalid = self._device_counts(pred, target)
        else:
            keep = self.per_image or listed  # a list is counted image by image anyway
            counts, invalid = confusion_counts(
                pred, target, task=self.task, num_classes=self.num_classes,
                ignore_index=self.ignore_index, per_image=keep, decision=self.decision,
                threshold=self.threshold), None
            if not keep:
                counts = counts[None]
        classes = counts.shape[-3] if self.multilabel else counts.shape[-1]
        if self.num_classes is None:
            self.num_classes = int(classes)
        elif classes != self.num_classes:
            raise ShapeError(f"this batch has {classes} classes but earlier ones had "
                             f"{self.num_classes}")
        counts = self._place(counts)
        self._placed = True
        total = counts.sum(0)
        self._total = total if self._total is None else self._total + total
        self._add_invalid(invalid)
        if self.per_image:
            self._images.append(counts)
            self._names.extend([None] * images if names is None else [str(n) for n in names])
        self.num_images += images

    def _add_invalid(self, invalid: Any) -> None:
        """Keep a device's count of out-of-range pixels for ``compute`` (a NumPy state
        checks it now)."""
        if invalid is None:
            return
        if is_tensor(self._total):
            invalid = invalid.to(self._total.device)
            self._invalid = invalid if self._invalid is None else self._invalid + invalid
        elif int(invalid):
            raise LabelError(f"{int(invalid)} pixels have labels outside [0, "
                             f"{self.num_classes}); raise num_classes, or pass "
                             "ignore_index=<value> for 'void' target pixels")

    def _device_counts(self, pred: Any, target: Any) -> tuple[Any, Any]:
        """``(N, ...)`` counts and the out-of-range count, on the tensors' device, unchecked."""
        from .._torch import confusion as tc

        if self.multilabel:
            p, t = tc.multilabel_labels(pred, target, decision=self.decision,
                                        threshold=self.threshold)
            if self.num_classes is not None and p.shape[1] != self.num_classes:
                raise ShapeError(f"num_classes={self.num_classes} but the inputs have "
                                 f"{p.shape[1]} channels on axis 1")
            return tc.multilabel_counts_on_device(p, t)
        p, t, c, ignore = tc.label_tensors(
            pred, target, num_classes=self.num_classes, ignore_index=self.ignore_index,
            per_image=True, decision=self.decision, threshold=self.threshold,
            keep_scores=False)
        counts, invalid = tc.count_on_device(p, t, c, ignore, self.per_image)
        return (counts if self.per_image else counts[None]), invalid

    # ------------------------------------------------------------------ results
    def _synced(self) -> bool:
        """Whether ``compute`` sums over ``torch.distributed`` processes."""
        if not (self.sync_on_compute and is_tensor(self._total)):
            return False
        from .._torch.distributed import is_distributed

        return is_distributed(self.process_group)

    def _synced_total(self) -> tuple[np.ndarray, int, int]:
        """Counts, invalid pixels and images, summed over processes when distributed."""
        if self._total is None:
            raise ParameterError("compute() was called before any update(); there is "
                                 "nothing to score")
        if not is_tensor(self._total):
            return self._total, 0, self.num_images
        import torch

        from .._torch.distributed import sum_over_processes

        total = self._total
        extra = torch.tensor([0, self.num_images], dtype=torch.int64, device=total.device)
        if self._invalid is not None:
            extra[0] = self._invalid
        packed = torch.cat([total.reshape(-1), extra])
        if self._synced():
            packed = sum_over_processes(packed, self.process_group)
        packed = packed.cpu().numpy()
        return packed[:-2].reshape(total.shape), int(packed[-2]), int(packed[-1])

    def _synced_images(self) -> tuple[np.ndarray, list[str | None]]:
        """Per-image counts and names of every process, in rank order."""
        def host(x: Any) -> np.ndarray:
            return x.detach().cpu().numpy() if is_tensor(x) else np.asarray(x)

        local = (np.concatenate([host(x) for x in self._images]), list(self._names))
        if not self._synced():
            return local
        from .._torch.distributed import gather_objects

        parts = gather_objects(local, self.process_group)
        return (np.concatenate([counts for counts, _ in parts]),
                [name for _, names in parts for name in names])

    def compute(self) -> Report:
        """Score the counts gathered so far (summed over processes under DDP).

        Returns
        -------
        Report
            What :func:`segscope.evaluate` gives on all the data at once.

        Raises
        ------
        LabelError
            If any update held labels outside ``[0, C)`` (tensors off the CPU).
        ParameterError
            Before the first update.
        """
        total, invalid, images = self._synced_total()
        if invalid:
            raise LabelError(
                f"{invalid} pixels had labels outside [0, {self.num_classes}) in the updates "
                "since the last reset; raise num_classes, or pass ignore_index=<value> for "
                "'void' target pixels"
            )
        names: Sequence[str] = ()
        counts = total
        if self.per_image:
            counts, given = self._synced_images()
            if any(n is not None for n in given):
                names = [f"image {i}" if n is None else n for i, n in enumerate(given)]
        report = score_counts(counts, self.options, task=self.task, image_names=names)
        meta = dict(report.meta, ignore_index=self.ignore_index, decision=self.decision)
        return Report(report.scores, images, report.image_names, meta)

    # ------------------------------------------------------------------ merging, saving
    def _settings(self) -> tuple[Any, ...]:
        return (self.num_classes, self.task, self.per_image, self.ignore_index)

    def merge(self, other: OverlapMetric) -> OverlapMetric:
        """Add the counts of ``other`` (e.g. from another worker) to this metric.

        Returns
        -------
        OverlapMetric
            ``self``.

        Examples
        --------
        >>> a = OverlapMetric(num_classes=2); a.update([[1]], [[1]])
        >>> b = OverlapMetric(num_classes=2); b.update([[0]], [[1]])
        >>> a.merge(b).counts.tolist()
        [[0, 0], [1, 1]]
        """
        if not isinstance(other, OverlapMetric):
            raise DTypeError(f"can only merge an OverlapMetric; got {type(other).__name__}")
        mine, theirs = self._settings(), other._settings()
        if None not in (self.num_classes, other.num_classes) and mine != theirs:
            raise ParameterError(
                "cannot merge metrics with different settings (num_classes, task, per_image, "
                f"ignore_index): {mine} vs {theirs}"
            )
        if other._total is None:
            return self
        if self.num_classes is None:
            self.num_classes = other.num_classes
        total = self._place(other._total)
        self._total = total if self._total is None else self._total + total
        self._add_invalid(other._invalid)
        self._images.extend([self._place(x) for x in other._images])  # other may be self
        self._names.extend(list(other._names))
        self.num_images += other.num_images
        return self

    def state_dict(self) -> dict[str, Any]:
        """The counts as plain lists and numbers (for checkpoints).

        Loads with ``torch.load(..., weights_only=True)``.

        Examples
        --------
        >>> m = OverlapMetric(num_classes=2); m.update([[1]], [[1]])
        >>> n = OverlapMetric(num_classes=2); n.load_state_dict(m.state_dict())
        >>> n.counts.tolist()
        [[0, 0], [0, 1]]
        """
        def plain(x: Any) -> Any:
            return x.detach().cpu().tolist() if is_tensor(x) else np.asarray(x).tolist()

        return {
            "num_classes": self.num_classes,
            "tensor": is_tensor(self._total),
            "total": None if self._total is None else plain(self._total),
            "images": [plain(x) for x in self._images],
            "names": list(self._names),
            "invalid": 0 if self._invalid is None else int(self._invalid),
            "num_images": self.num_images,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore counts saved by :meth:`state_dict`.

        Counts saved from tensors come back as CPU tensors, others as NumPy arrays; either
        way the next batch moves them to where it lives (a checkpoint written on one
        device resumes on another).
        """
        self.reset()
        if state.get("num_classes") is not None:
            self.num_classes = int(state["num_classes"])

        def restore(x: Any) -> Any:
            counts = np.asarray(x, dtype=np.int64)
            return _as_tensor(counts, "cpu") if state.get("tensor") else counts

        if state.get("total") is not None:
            self._total = restore(state["total"])
        self._images = [restore(x) for x in state.get("images", [])]
        self._names = list(state.get("names", [None] * sum(len(x) for x in self._images)))
        if state.get("invalid"):
            raise LabelError(f"the saved counts held {state['invalid']} pixels with labels "
                             f"outside [0, {self.num_classes})")
        self.num_images = int(state["num_images"])

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_total", "_images", "_names", "_invalid", "process_group")}
        state["counts_state"] = self.state_dict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        counts = state.pop("counts_state")
        self.__dict__.update(state)
        self.process_group = None
        self.load_state_dict(counts)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(num_classes={self.num_classes}, "
                f"metrics={self.options.metrics!r}, task={self.task!r}, "
                f"aggregate={self.options.aggregate!r}, images={self.num_images})")


def _as_tensor(counts: Any, device: Any) -> Any:
    """Counts (array or tensor) as a tensor on ``device``."""
    import torch

    return torch.as_tensor(counts, device=device)


class MeanIoU(OverlapMetric):
    """Streaming mean IoU: :class:`OverlapMetric` with ``metrics=("iou",)``.

    ``float(metric.compute()["iou"])`` is the mean IoU (dataset-level by default, as
    torchmetrics ``MulticlassJaccardIndex(average="macro")``, except that classes absent
    from both prediction and target are left out of the mean and counted, not scored 0).

    Examples
    --------
    >>> miou = MeanIoU(num_classes=2)
    >>> miou.update([[0, 1, 1]], [[0, 1, 0]])
    >>> float(miou.compute()["iou"])
    0.5
    """

    def __init__(self, num_classes: int | None = None, **options: Any) -> None:
        if "metrics" in options:
            raise ParameterError("MeanIoU always computes 'iou'; use OverlapMetric for others")
        super().__init__(num_classes, metrics=("iou",), **options)
