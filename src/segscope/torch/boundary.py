"""Boundary metrics (Hausdorff, HD95, surface distances, NSD, boundary IoU) of tensors.

Distance transforms run on the CPU (as in MONAI and MedPy): each batch is turned into
labels on its own device (``decision``), copied to the host once, and scored image by
image by :class:`segscope.boundary.BoundaryAccumulator`, so the numbers are those of the
NumPy path. :class:`BoundaryMetric` streams this through a validation loop and gathers
the per-image rows of every process under ``torch.distributed``.

Examples
--------
>>> import torch
>>> target = torch.zeros(2, 16, 16, dtype=torch.long); target[:, 4:12, 4:12] = 1
>>> pred = torch.roll(target, 1, dims=2)
>>> boundary_scores(pred, target, num_classes=2, metrics=("hd", "nsd")).summary()
{'hd': 1.0, 'nsd': 1.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ..boundary import BoundaryAccumulator
from ..errors import DTypeError, ParameterError, ShapeError
from ..results import Report
from ._distributed import gather_objects, is_distributed
from ._inputs import to_labels

__all__ = ["BoundaryMetric", "boundary_scores"]

_DEFAULT = ("hd", "hd95", "assd", "nsd")


class BoundaryMetric:
    """Boundary metrics of tensor batches, image by image, mergeable and DDP-aware.

    ``update`` scores every image of a batch ``(N, H, W)`` or ``(N, D, H, W)`` (class
    scores ``(N, C, ...)`` with ``decision="argmax"``); ``compute`` gathers the per-image
    rows of every process when ``torch.distributed`` is initialised and returns a
    :class:`~segscope.results.Report`: per class the mean over images, the value the
    mean over classes, and both-empty image-class pairs counted in ``excluded``.

    Parameters
    ----------
    num_classes : int, optional
        Number of classes including background (inferred from the score channels with
        ``decision="argmax"``; 2 with ``"threshold"``).
    metrics : str or sequence of str
        Any of ``"hd"``, ``"hd95"``, ``"assd"``, ``"masd"``, ``"asd"``, ``"nsd"``,
        ``"biou"``, or ``"all"``.
    spacing : float or sequence of float, optional
        Voxel size of every image, in array axis order (``update`` may override it).
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels (see :func:`segscope.torch.confusion_matrix`).
    threshold : float
        Used with ``decision="threshold"``.
    sync_on_compute : bool
        Gather the rows of every process in ``compute`` (a collective: every process
        must call it) when ``torch.distributed`` is initialised.
    process_group : optional
        The ``torch.distributed`` group (default: the world).
    **options
        Those of :class:`~segscope.boundary.BoundaryAccumulator`: ``percentile``,
        ``tolerance``, ``width``, ``include_background``, ``ignore_index``, ``one_empty``,
        ``empty``, ``pooling``, ``surface``.

    Examples
    --------
    >>> import torch
    >>> metric = BoundaryMetric(num_classes=2, metrics=("hd95", "assd"), spacing=(0.5, 0.5))
    >>> target = torch.zeros(3, 20, 20, dtype=torch.long); target[:, 5:15, 5:15] = 1
    >>> metric.update(target, target)
    >>> metric.update(torch.roll(target, 2, dims=1), target)
    >>> report = metric.compute()
    >>> report.num_images, report["hd95"].per_image[-1]
    (6, (1.0,))
    """

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        metrics: str | Sequence[str] = _DEFAULT,
        spacing: Any = None,
        decision: str = "labels",
        threshold: float = 0.5,
        sync_on_compute: bool = True,
        process_group: Any = None,
        **options: Any,
    ) -> None:
        if num_classes is None and decision == "labels":
            raise ParameterError(
                "num_classes is required for label maps: pass the number of classes "
                "including background (it is inferred only with decision='argmax' or "
                "'threshold')"
            )
        self.metrics = metrics
        self.spacing = spacing
        self.decision = decision
        self.threshold = float(threshold)
        self.options = dict(options)
        self.sync_on_compute = bool(sync_on_compute)
        self.process_group = process_group
        self.num_classes = num_classes
        self._accumulator: BoundaryAccumulator | None = None
        if num_classes is not None:
            self._accumulator = self._new_accumulator(num_classes)  # checks every option

    def _new_accumulator(self, num_classes: int) -> BoundaryAccumulator:
        return BoundaryAccumulator(num_classes, metrics=self.metrics, **self.options)

    @property
    def num_images(self) -> int:
        """Images seen by this process since the last reset."""
        return 0 if self._accumulator is None else self._accumulator.num_images

    def reset(self) -> None:
        """Forget every image seen so far."""
        if self._accumulator is not None:
            self._accumulator.reset()

    def update(self, pred: torch.Tensor, target: torch.Tensor, /, *,
               spacing: Any = None) -> None:
        """Score every image of a batch (a leading batch axis is required).

        Parameters
        ----------
        pred, target : torch.Tensor
            Label maps ``(N, H, W)`` / ``(N, D, H, W)``, or class scores ``(N, C, ...)``
            with ``decision="argmax"`` (probabilities ``(N, ...)`` with ``"threshold"``).
            A singleton channel axis, ``(N, 1, H, W)`` or ``(N, 1, D, H, W)``, is dropped:
            such a batch holds 2-D images (3-D volumes), not volumes one slice deep.
        spacing : float or sequence of float, optional
            Voxel size for this batch, or one voxel size per image (a sequence of ``N``
            sequences, as MONAI accepts); default: the metric's ``spacing``.

        Examples
        --------
        >>> m = BoundaryMetric(num_classes=2, metrics="hd")
        >>> m.update(torch.ones(1, 4, 4, dtype=torch.long), torch.ones(1, 4, 4, dtype=torch.long))
        >>> m.num_images
        1
        """
        if not (isinstance(pred, torch.Tensor) and isinstance(target, torch.Tensor)):
            raise DTypeError(
                f"pred and target must be torch tensors; got {type(pred).__name__} and "
                f"{type(target).__name__} (use segscope.boundary for NumPy arrays)"
            )
        if (self.decision != "argmax" and pred.ndim == target.ndim + 1
                and pred.ndim >= 4 and pred.shape[1] == 1):
            pred = pred[:, 0]  # (N, 1, ...) binary output against (N, ...) targets
        p, t, classes = to_labels(pred, target, decision=self.decision,
                                  threshold=self.threshold, num_classes=self.num_classes,
                                  multilabel=False)
        if p.ndim in (4, 5) and p.shape[1] == 1:
            # a singleton channel axis, (N, 1, H, W) or (N, 1, D, H, W): not a depth of 1
            p, t = p[:, 0], t[:, 0]
        if p.ndim not in (3, 4):
            raise ShapeError(
                "update expects a batch of 2-D images (N, H, W) or 3-D volumes "
                f"(N, D, H, W) of labels; got labels of shape {tuple(p.shape)}"
            )
        if self._accumulator is None:
            self.num_classes = classes
            self._accumulator = self._new_accumulator(classes)
        elif classes is not None and classes != self.num_classes:
            raise ShapeError(f"num_classes is {self.num_classes} but this batch has "
                             f"{classes} score channels")
        p_host, t_host = p.cpu().numpy(), t.cpu().numpy()
        spacing = self.spacing if spacing is None else spacing
        per_image = _per_image_spacing(spacing, p_host.shape[0])
        for i in range(p_host.shape[0]):
            self._accumulator.update(p_host[i], t_host[i], spacing=per_image[i])

    def merge(self, other: BoundaryMetric) -> BoundaryMetric:
        """Add the images of ``other`` (same settings) after those of ``self``; return self."""
        if not isinstance(other, BoundaryMetric):
            raise DTypeError(f"can only merge a BoundaryMetric; got {type(other).__name__}")
        if other._accumulator is None:
            return self
        if self._accumulator is None:
            self.num_classes = other.num_classes
            self._accumulator = self._new_accumulator(other.num_classes)
        self._accumulator.merge(other._accumulator)
        return self

    def compute(self) -> Report:
        """The scores of every image seen (by every process under DDP).

        Raises
        ------
        ParameterError
            If no image was seen by any process.
        """
        parts = [self._accumulator]
        if self.sync_on_compute and is_distributed(self.process_group):
            parts = gather_objects(self._accumulator, self.process_group)
        parts = [a for a in parts if a is not None and a.num_images]
        if not parts:
            raise ParameterError("compute() was called before any update() with images (empty "
                                 "batches add none); there is nothing to score")
        whole = self._new_accumulator(parts[0].num_classes)
        for part in parts:
            whole.merge(part)
        return whole.report()

    def state_dict(self) -> dict[str, Any]:
        """The per-image rows as plain lists and numbers (for checkpoints).

        Loads with ``torch.load(..., weights_only=True)``.

        Examples
        --------
        >>> m = BoundaryMetric(num_classes=2, metrics="hd")
        >>> m.update(torch.ones(1, 4, 4, dtype=torch.long), torch.ones(1, 4, 4, dtype=torch.long))
        >>> n = BoundaryMetric(num_classes=2, metrics="hd"); n.load_state_dict(m.state_dict())
        >>> n.compute()["hd"].per_image
        ((0.0,),)
        """
        acc = self._accumulator
        if acc is None:
            return {"num_classes": None, "rows": None}
        return {
            "num_classes": acc.num_classes,
            "rows": {m: [list(r) for r in acc._rows[m]] for m in acc.metrics},
            "support": acc._support.tolist(),
            "names": list(acc._names),
            "spacings": [list(s) for s in acc._spacings],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the rows saved by :meth:`state_dict` (same metrics and options)."""
        if state.get("rows") is None:
            self.reset()
            return
        acc = self._new_accumulator(int(state["num_classes"]))
        if set(state["rows"]) != set(acc.metrics):
            raise ParameterError(
                f"the saved rows hold {sorted(state['rows'])} but this metric computes "
                f"{sorted(acc.metrics)}"
            )
        acc._rows = {m: [tuple(r) for r in state["rows"][m]] for m in acc.metrics}
        acc._support = np.asarray(state["support"], dtype=np.int64)
        acc._names = list(state["names"])
        acc._spacings = [tuple(s) for s in state["spacings"]]
        self.num_classes = acc.num_classes
        self._accumulator = acc

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["process_group"] = None  # process groups do not pickle
        return state

    def __repr__(self) -> str:
        return (f"BoundaryMetric(num_classes={self.num_classes}, metrics={self.metrics!r}, "
                f"images={self.num_images})")


def _per_image_spacing(spacing: Any, n: int) -> list[Any]:
    """One spacing per image: the same for all, or the ``n`` given (a nested sequence)."""
    if isinstance(spacing, torch.Tensor):
        spacing = spacing.tolist()
    nested = (isinstance(spacing, (list, tuple)) and len(spacing) > 0
              and all(isinstance(s, (list, tuple)) for s in spacing))
    if not nested:
        return [spacing] * n
    if len(spacing) != n:
        raise ShapeError(f"spacing gives {len(spacing)} per-image voxel sizes for a batch of "
                         f"{n} images")
    return list(spacing)


def boundary_scores(pred: torch.Tensor, target: torch.Tensor, /, *,
                    num_classes: int | None = None, metrics: str | Sequence[str] = "all",
                    spacing: Any = None, decision: str = "labels", threshold: float = 0.5,
                    **options: Any) -> Report:
    """Boundary metrics of one batch of tensors, per image and class, as a Report.

    The arguments are those of :class:`BoundaryMetric`; ``Score.per_image`` holds the
    ``(N, classes)`` values.

    Examples
    --------
    >>> import torch
    >>> t = torch.zeros(1, 10, 10, dtype=torch.long); t[0, 2:8, 2:8] = 1
    >>> boundary_scores(t, t, num_classes=2, metrics="hd95")["hd95"].value
    0.0
    """
    metric = BoundaryMetric(num_classes, metrics=metrics, spacing=spacing, decision=decision,
                            threshold=threshold, sync_on_compute=False, **options)
    metric.update(pred, target)
    return metric.compute()

