"""Boundary metrics streamed over batches of NumPy arrays or torch tensors, DDP-aware.

Boundary metrics do not add up like confusion counts: :class:`BoundaryMetric` keeps one
row of values per image and class (:class:`segscope.boundary.label_maps.BoundaryRows`)
and scores them in :meth:`~BoundaryMetric.compute`. Tensors are turned into labels on
their own device and copied to the host once per batch; distances are computed on the
CPU, so tensors and arrays give the same numbers.

Examples
--------
>>> import numpy as np
>>> target = np.zeros((2, 20, 20), int); target[:, 5:15, 5:15] = 1
>>> metric = BoundaryMetric(num_classes=2, metrics=("hd95", "assd"), spacing=(0.5, 0.5))
>>> metric.update(target, target, names=["a.png", "b.png"])
>>> metric.update(np.roll(target[:1], 2, axis=1), target[:1])
>>> report = metric.compute()
>>> report.num_images, report.image_names, report["hd95"].per_image[-1]
(3, ('a.png', 'b.png', '2'), (1.0,))
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from .._backend import any_tensor
from .._checks import check_choice
from ..boundary.batches import (
    batch_labels,
    drop_singleton_channel,
    per_image_spacing,
    split_batch,
)
from ..boundary.label_maps import (
    DEFAULT_BOUNDARY_METRICS,
    BoundaryRows,
    BoundarySettings,
    score_image,
)
from ..errors import DTypeError, ParameterError, ShapeError
from ..options import DECISIONS, Decision, DistanceEmpty, OneEmpty, Pooling, Surface
from ..results import Report

__all__ = ["BoundaryMetric"]


class BoundaryMetric:
    """Boundary metrics of label-map batches, image by image, mergeable and DDP-aware.

    ``update`` scores every image of a batch ``(N, H, W)`` or ``(N, D, H, W)`` (NumPy
    arrays or torch tensors; class scores ``(N, C, ...)`` with ``decision="argmax"``);
    ``compute`` returns a :class:`~segscope.results.Report`: per class the mean over
    images, the value the mean over classes, both-empty image-class pairs counted in
    ``excluded``, and the ``(N, C)`` values in ``per_image``.

    Parameters
    ----------
    num_classes : int, optional
        Number of classes including background (inferred from the score channels with
        ``decision="argmax"``; 2 with ``"threshold"``).
    metrics : str or sequence of str
        Any of ``"hd"``, ``"hd95"`` (the ``percentile`` given; named ``"hd90"`` etc.
        for other percentiles), ``"assd"``, ``"masd"``, ``"asd"`` (directed, pred to
        target), ``"nsd"``, ``"biou"``, or ``"all"`` (all but ``"asd"``).
    spacing : float or sequence of float, optional
        Voxel size of every image, in array axis order (``update`` may override it).
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels.
    threshold : float
        Used with ``decision="threshold"``.
    percentile : float
        Percentile of ``"hd95"``.
    tolerance : float
        NSD tolerance in physical units (the units of ``spacing``).
    width : float, optional
        Boundary IoU band width in physical units; default: ``tolerance``.
    include_background : bool
        Score class 0 too.
    labels : sequence of int, optional
        Score only these classes (as ``labels=`` of the overlap metrics); default: all.
    ignore_index : int, optional
        Pixels where the target (or prediction) has this value belong to no class.
    one_empty : {"inf", "worst"} or float
        Distance when exactly one of prediction and target has the class; NSD and
        boundary IoU are then 0. A number smaller than the real distances lets a missed
        structure lower the mean: :meth:`compute` then warns (``SegscopeWarning``).
    empty : {"nan", "perfect"} or float
        Value when neither has the class (0/0); ``"nan"`` excludes the pair from the
        means and counts it in ``Score.excluded``.
    pooling : {"max", "pooled"}
        Percentile pooling (MONAI vs MedPy).
    surface : {"voxels", "elements"}
        Surface convention (MONAI/MedPy vs DeepMind).
    sync_on_compute : bool
        When torch is in use and ``torch.distributed`` is initialised with more than one
        process, ``compute`` gathers the rows of every process in rank order (a
        collective: every process must call it).
    process_group : optional
        The ``torch.distributed`` group (default: the world).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.zeros((1, 8, 8, 8), np.uint8); t[0, 2:6, 2:6, 2:6] = 1
    >>> metric = BoundaryMetric(num_classes=2, metrics=["hd95", "assd"])
    >>> metric.update(t, t, spacing=(2.0, 1.0, 1.0))
    >>> metric.compute().summary()
    {'hd95': 0.0, 'assd': 0.0}
    """

    def __init__(
        self,
        num_classes: int | None = None,
        *,
        metrics: str | Sequence[str] = DEFAULT_BOUNDARY_METRICS,
        spacing: Any = None,
        decision: Decision = "labels",
        threshold: float = 0.5,
        percentile: float = 95.0,
        tolerance: float = 1.0,
        width: float | None = None,
        include_background: bool = False,
        ignore_index: int | None = None,
        one_empty: OneEmpty | float = "inf",
        empty: DistanceEmpty | float = "nan",
        pooling: Pooling = "max",
        surface: Surface = "voxels",
        labels: Sequence[int] | None = None,
        sync_on_compute: bool = True,
        process_group: Any = None,
    ) -> None:
        check_choice("decision", decision, DECISIONS)
        if num_classes is None and decision == "labels":
            raise ParameterError(
                "num_classes is required for label maps: pass the number of classes "
                "including background (it is inferred only with decision='argmax' or "
                "'threshold')"
            )
        self.spacing = spacing
        self.decision = decision
        self.threshold = float(threshold)
        self.options: dict[str, Any] = {
            "metrics": metrics, "percentile": percentile, "tolerance": tolerance,
            "width": width, "include_background": include_background,
            "ignore_index": ignore_index, "one_empty": one_empty, "empty": empty,
            "pooling": pooling, "surface": surface,
            "labels": None if labels is None else tuple(int(c) for c in labels),
        }
        self.sync_on_compute = bool(sync_on_compute)
        self.process_group = process_group
        self.num_classes = num_classes
        # checks every option now, also when num_classes is inferred later
        checked = BoundarySettings.make(num_classes or 2, **self.options)
        #: The metric names, checked (``"all"`` expanded), in the order of the scores.
        self.metrics = checked.metrics
        self._rows: BoundaryRows | None = None
        if num_classes is not None:
            self._rows = BoundaryRows(self._settings(num_classes))

    def _settings(self, num_classes: int) -> BoundarySettings:
        return BoundarySettings.make(num_classes, **self.options)

    @property
    def settings(self) -> BoundarySettings | None:
        """The checked settings (None until the number of classes is known)."""
        return None if self._rows is None else self._rows.settings

    @property
    def num_images(self) -> int:
        """Images seen by this process since the last reset."""
        return 0 if self._rows is None else len(self._rows)

    def reset(self) -> None:
        """Forget every image seen so far."""
        if self._rows is not None:
            self._rows = BoundaryRows(self._rows.settings)

    def update(self, pred: Any, target: Any, /, *, spacing: Any = None,
               names: Sequence[str] | None = None) -> None:
        """Score every image of a batch (a leading batch axis is required).

        Parameters
        ----------
        pred, target : ndarray or torch.Tensor
            Label maps ``(N, H, W)`` / ``(N, D, H, W)``, or class scores ``(N, C, ...)``
            with ``decision="argmax"`` (probabilities ``(N, ...)`` with ``"threshold"``).
            A singleton channel axis, ``(N, 1, H, W)`` or ``(N, 1, D, H, W)``, is dropped:
            such a batch holds 2-D images (3-D volumes), not volumes one slice deep. For
            one image, pass ``pred[None]``.
        spacing : float or sequence of float, optional
            Voxel size for this batch, or one voxel size per image (a sequence of ``N``
            sequences, as MONAI accepts); default: the metric's ``spacing``.
        names : sequence of str, optional
            One name per image for the per-image rows (default: the running index).

        Examples
        --------
        >>> import numpy as np
        >>> m = BoundaryMetric(num_classes=2, metrics="hd")
        >>> m.update(np.ones((1, 4, 4), int), np.ones((1, 4, 4), int), names=["x.png"])
        >>> m.num_images
        1
        """
        for name, x in (("pred", pred), ("target", target)):
            if not hasattr(x, "ndim") or not hasattr(x, "shape"):
                raise DTypeError(f"{name} must be a NumPy array or a torch tensor with a "
                                 f"leading batch axis; got {type(x).__name__}")
        pred, target = drop_singleton_channel(pred, target, self.decision)
        if any_tensor(pred, target):
            from .._torch.boundary import batch_labels as tensor_labels

            p, t, classes = tensor_labels(pred, target, decision=self.decision,
                                          threshold=self.threshold,
                                          num_classes=self.num_classes)
        else:
            p, t, classes = batch_labels(pred, target, decision=self.decision,
                                         threshold=self.threshold,
                                         num_classes=self.num_classes)
        p, t = split_batch(p, t)
        if self._rows is None:
            self.num_classes = classes
            self._rows = BoundaryRows(self._settings(classes))
        elif classes is not None and classes != self.num_classes:
            raise ShapeError(f"num_classes is {self.num_classes} but this batch has "
                             f"{classes} score channels")
        n = p.shape[0]
        if isinstance(names, str):
            names = [names]
        if names is not None and len(names) != n:
            raise ShapeError(f"names has {len(names)} entries for a batch of {n} images; "
                             "give one name per image")
        spacings = per_image_spacing(self.spacing if spacing is None else spacing, n)
        settings = self._rows.settings
        for i in range(n):
            row = score_image(settings, p[i], t[i], spacing=spacings[i])
            self._rows.add(row, None if names is None else names[i])

    def merge(self, other: BoundaryMetric) -> BoundaryMetric:
        """Add the images of ``other`` (same settings) after those of ``self``; return self."""
        if not isinstance(other, BoundaryMetric):
            raise DTypeError(f"can only merge a BoundaryMetric; got {type(other).__name__}")
        if other._rows is None:
            return self
        if self._rows is None:
            self.num_classes = other.num_classes
            self._rows = BoundaryRows(self._settings(other._rows.settings.num_classes))
        self._rows.extend(other._rows)
        return self

    def _gathered(self) -> list[dict[str, Any] | None]:
        """The rows of every process in rank order (this process alone without DDP)."""
        state = None if self._rows is None else self._rows.to_state()
        if self.sync_on_compute and "torch" in sys.modules:
            from .._torch.boundary import gather_objects, is_distributed

            if is_distributed(self.process_group):
                return gather_objects(state, self.process_group)
        return [state]

    def compute(self) -> Report:
        """The scores of every image seen (by every process under DDP).

        Raises
        ------
        ParameterError
            If no image was seen by any process.

        Warns
        -----
        SegscopeWarning
            If a finite ``one_empty`` is smaller than a real distance of these images.
        """
        parts = [s for s in self._gathered() if s is not None and s["names"]]
        if not parts:
            raise ParameterError("compute() was called before any update() with images (empty "
                                 "batches add none); there is nothing to score")
        settings = self._settings(int(parts[0]["num_classes"]))
        whole = BoundaryRows(settings)
        for state in parts:
            whole.extend(BoundaryRows.from_state(settings, state))
        return whole.report()

    def state_dict(self) -> dict[str, Any]:
        """The per-image rows as plain lists, strings and numbers (for checkpoints).

        Loads with ``torch.load(..., weights_only=True)``.

        Examples
        --------
        >>> import numpy as np
        >>> m = BoundaryMetric(num_classes=2, metrics="hd")
        >>> m.update(np.ones((1, 4, 4), int), np.ones((1, 4, 4), int))
        >>> n = BoundaryMetric(num_classes=2, metrics="hd"); n.load_state_dict(m.state_dict())
        >>> n.compute()["hd"].per_image
        ((0.0,),)
        """
        if self._rows is None:
            return {"num_classes": None, "rows": None}
        return self._rows.to_state()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the rows saved by :meth:`state_dict` (same metrics and options)."""
        if state.get("rows") is None:
            self.reset()
            return
        settings = self._settings(int(state["num_classes"]))
        self._rows = BoundaryRows.from_state(settings, state)
        self.num_classes = settings.num_classes

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["process_group"] = None  # process groups do not pickle
        return state

    def __repr__(self) -> str:
        return (f"BoundaryMetric(num_classes={self.num_classes}, metrics={self.metrics!r}, "
                f"images={self.num_images})")
