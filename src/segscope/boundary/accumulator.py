"""Boundary metrics of multi-class label maps, image by image, as :class:`~segscope.results.Score`.

:class:`BoundaryAccumulator` takes one (pred, target) pair of 2-D or 3-D label maps
per :meth:`~BoundaryAccumulator.update`, scores every class on its own (each class is
cropped to its own bounding box, so small structures in large volumes are cheap),
and :meth:`~BoundaryAccumulator.compute` returns one ``Score`` per metric with the
per-image rows, the per-class means over images and the number of excluded
(both-empty) image-class pairs. :func:`boundary_scores` does the same for one pair
and returns a :class:`~segscope.results.Report`.

Examples
--------
>>> import numpy as np
>>> target = np.zeros((20, 20), int); target[2:8, 2:8] = 1; target[10:18, 10:18] = 2
>>> pred = np.zeros((20, 20), int); pred[2:8, 3:9] = 1
>>> acc = BoundaryAccumulator(num_classes=3, metrics=["hd", "nsd"])
>>> acc.update(pred, target, name="a.png")
>>> hd, nsd = acc.compute()
>>> hd.per_class, nsd.per_class           # class 2 was missed: inf and 0
((1.0, inf), (1.0, 0.0))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .._checks import check_same_shape
from ..errors import ParameterError, ShapeError
from ..options import POOLINGS, SURFACES, DistanceEmpty, OneEmpty, Pooling, Surface
from ..policy import mean_excluding
from ..results import Report, Score
from .distances import (
    as_label_volume,
    band_iou,
    crop_pair,
    distances_from_crops,
    pair_boxes,
    spacing3,
)
from .summaries import (
    average_of,
    check_empty,
    check_nonnegative,
    check_one_empty,
    check_percentile,
    empty_value,
    hausdorff_of,
    percentile_of,
    surface_dice_of,
)

__all__ = ["BOUNDARY_METRICS", "BoundaryAccumulator", "boundary_scores"]

BOUNDARY_METRICS = ("hd", "hd95", "assd", "masd", "nsd", "biou")
_ACCEPTED = (*BOUNDARY_METRICS, "asd")


def _metric_list(metrics) -> tuple[str, ...]:
    if isinstance(metrics, str):
        metrics = [metrics]
    names: list[str] = []
    for m in metrics:
        key = str(m).lower()
        expanded = BOUNDARY_METRICS if key == "all" else (key,)
        for name in expanded:
            if name not in _ACCEPTED:
                raise ParameterError(
                    f"unknown boundary metric {m!r}; choose from "
                    f"{', '.join(map(repr, (*_ACCEPTED, 'all')))}"
                )
            if name not in names:
                names.append(name)
    if not names:
        raise ParameterError("metrics is empty; name at least one boundary metric, or 'all'")
    return tuple(names)


class BoundaryAccumulator:
    """Collects per-image, per-class boundary metrics of label maps.

    Parameters
    ----------
    num_classes : int
        Labels are ``0 .. num_classes - 1``.
    metrics : sequence of str
        Any of ``"hd"``, ``"hd95"`` (the ``percentile`` given), ``"assd"``,
        ``"masd"``, ``"asd"`` (directed, pred to target), ``"nsd"``, ``"biou"``, or
        ``"all"`` (all but ``"asd"``).
    percentile : float
        Percentile of ``"hd95"``; the score is named ``"hd95"`` for 95 and e.g.
        ``"hd90"`` otherwise.
    tolerance : float
        NSD tolerance in physical units (the units of ``spacing``).
    width : float, optional
        Boundary IoU band width in physical units; default: ``tolerance``.
    include_background : bool
        Score class 0 too.
    ignore_index : int, optional
        Pixels where the target (or prediction) has this value belong to no class.
    one_empty : {"inf", "worst"} or float
        Distance when exactly one of prediction and target has the class (see
        :mod:`segscope.boundary.summaries`); NSD and boundary IoU are then 0.
    empty : {"nan", "perfect"} or float
        Value when neither has the class (0/0); ``"nan"`` excludes the pair from the
        means and counts it in ``Score.excluded``.
    pooling : {"max", "pooled"}
        Percentile pooling (MONAI vs MedPy).
    surface : {"voxels", "elements"}
        Surface convention (MONAI/MedPy vs DeepMind).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.zeros((8, 8, 8), np.uint8); t[2:6, 2:6, 2:6] = 1
    >>> acc = BoundaryAccumulator(num_classes=2, metrics=["hd95", "assd"])
    >>> acc.update(t, t, spacing=(2.0, 1.0, 1.0))
    >>> [float(s) for s in acc.compute()]
    [0.0, 0.0]
    """

    def __init__(
        self,
        num_classes: int,
        *,
        metrics: Sequence[str] | str = ("hd", "hd95", "assd", "nsd"),
        percentile: float = 95.0,
        tolerance: float = 1.0,
        width: float | None = None,
        include_background: bool = False,
        ignore_index: int | None = None,
        one_empty: OneEmpty | float = "inf",
        empty: DistanceEmpty | float = "nan",
        pooling: Pooling = "max",
        surface: Surface = "voxels",
    ) -> None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 1:
            raise ParameterError(f"num_classes must be an integer >= 1; got {num_classes!r}")
        self.num_classes = int(num_classes)
        self.metrics = _metric_list(metrics)
        self.percentile = check_percentile(percentile)
        self.tolerance = check_nonnegative("tolerance", tolerance)
        self.width = self.tolerance if width is None else check_nonnegative("width", width)
        self.include_background = bool(include_background)
        self.ignore_index = None if ignore_index is None else int(ignore_index)
        self.one_empty = check_one_empty(one_empty)
        self.empty = check_empty(empty)
        if pooling not in POOLINGS:
            raise ParameterError(f"pooling={pooling!r} is not supported; choose 'max' or 'pooled'")
        if surface not in SURFACES:
            raise ParameterError(
                f"surface={surface!r} is not supported; choose 'voxels' or 'elements'"
            )
        self.pooling = pooling
        self.surface = surface
        first = 0 if self.include_background else 1
        self.classes = tuple(range(first, self.num_classes))
        if not self.classes:
            raise ParameterError(
                "no class to score: num_classes=1 without include_background=True"
            )
        self.reset()

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every image seen so far."""
        self._rows: dict[str, list[tuple[float, ...]]] = {m: [] for m in self.metrics}
        self._support = np.zeros(len(self.classes), np.int64)
        self._names: list[str] = []
        self._spacings: list[tuple[float, ...]] = []

    @property
    def num_images(self) -> int:
        """Number of images seen."""
        return len(self._names)

    def _settings(self) -> tuple:
        return (self.num_classes, self.metrics, self.percentile, self.tolerance, self.width,
                self.include_background, self.ignore_index, self.one_empty, self.empty,
                self.pooling, self.surface)

    def merge(self, other: BoundaryAccumulator) -> BoundaryAccumulator:
        """Add the images of ``other`` (same settings) after the images of ``self``."""
        if not isinstance(other, BoundaryAccumulator):
            raise ParameterError(
                f"can only merge another BoundaryAccumulator; got {type(other).__name__}"
            )
        if self._settings() != other._settings():
            raise ParameterError(
                "cannot merge BoundaryAccumulators with different settings: "
                f"{self._settings()} vs {other._settings()}"
            )
        for m in self.metrics:
            self._rows[m].extend(other._rows[m])
        self._support += other._support
        self._names.extend(other._names)
        self._spacings.extend(other._spacings)
        return self

    # -- work ----------------------------------------------------------------------------
    def update(self, pred, target, *, spacing=None, name: str | None = None) -> None:
        """Score one image (2-D) or volume (3-D) of labels.

        Parameters
        ----------
        pred, target : array_like of int
            Label maps of the same shape, values in ``[0, num_classes)`` (or
            ``ignore_index``).
        spacing : float or sequence of float, optional
            Voxel size in array axis order.
        name : str, optional
            Name of the image in the per-image rows (default: its index).
        """
        pred = np.asarray(pred)
        target = np.asarray(target)
        check_same_shape(pred, target)
        if pred.ndim not in (2, 3):
            raise ShapeError(
                f"BoundaryAccumulator.update takes one 2-D image or 3-D volume at a time; got "
                f"arrays of shape {pred.shape}. Loop over the batch axis"
            )
        shape = tuple(pred.shape)
        sp3 = spacing3(spacing, pred.ndim)
        p3, t3 = as_label_volume(pred, "pred"), as_label_volume(target, "target")
        num_labels = self.num_classes
        if self.ignore_index is not None:
            ignored = (t3 == self.ignore_index) | (p3 == self.ignore_index)
            p3 = np.where(ignored, self.num_classes, p3)
            t3 = np.where(ignored, self.num_classes, t3)
            num_labels += 1
        lo, hi, tcount = pair_boxes(p3, t3, num_labels, self.classes[0],
                                    what=f"labels in [0, {self.num_classes})")
        real0 = pred.ndim == 3
        values: dict[str, list[float]] = {m: [] for m in self.metrics}
        need_distances = any(m != "biou" for m in self.metrics)
        for c in self.classes:
            if (hi[c] < lo[c]).any():
                for m in self.metrics:
                    values[m].append(self._empty_value(m))
                continue
            pm, tm = crop_pair(p3, t3, c, lo[c], hi[c], real0)
            d = distances_from_crops(pm, tm, sp3, self.surface, shape) if need_distances \
                else None
            for m in self.metrics:
                values[m].append(self._value(m, d, pm, tm, sp3, real0))
        for m in self.metrics:
            self._rows[m].append(tuple(values[m]))
        self._support += (tcount[list(self.classes)] > 0).astype(np.int64)
        self._names.append(str(name) if name is not None else str(len(self._names)))
        self._spacings.append(tuple(float(s) for s in sp3[3 - pred.ndim:]))

    def _empty_value(self, metric: str) -> float:
        return empty_value(self.empty, perfect=1.0 if metric in ("nsd", "biou") else 0.0)

    def _value(self, metric, d, pm, tm, sp3, real0) -> float:
        kw = {"one_empty": self.one_empty, "empty": self.empty}
        if metric == "hd":
            return hausdorff_of(d, **kw)
        if metric == "hd95":
            return percentile_of(d, percentile=self.percentile, pooling=self.pooling, **kw)
        if metric in ("assd", "masd"):
            return average_of(d, kind=metric, **kw)
        if metric == "asd":
            return average_of(d, kind="directed", **kw)
        if metric == "nsd":
            return surface_dice_of(d, tolerance=self.tolerance, empty=self.empty)
        inter, union = band_iou(pm, tm, self.width, sp3, real0)
        return inter / union if union else self._empty_value("biou")

    # -- results -------------------------------------------------------------------------
    def _score_name(self, metric: str) -> str:
        if metric == "hd95" and self.percentile != 95.0:
            return f"hd{self.percentile:g}"
        return metric

    def _extra(self, metric: str) -> dict:
        spacings = sorted(set(self._spacings))
        extra: dict = {
            "surface": self.surface,
            "spacing": list(spacings[0]) if len(spacings) == 1 else "per image",
            "one_empty": self.one_empty,
        }
        if metric == "hd95":
            extra.update(percentile=self.percentile, pooling=self.pooling)
        if metric == "nsd":
            extra["tolerance"] = self.tolerance
        if metric == "biou":
            extra["width"] = self.width
            extra.pop("surface")
        if metric in ("hd", "hd95", "assd", "masd", "asd"):
            extra["units"] = "spacing units"
        return extra

    def compute(self) -> tuple[Score, ...]:
        """One :class:`~segscope.results.Score` per metric, in the order asked for.

        ``per_image`` holds the ``(N, C)`` values, ``per_class`` the mean over images
        (an ``inf`` stays ``inf``), ``excluded`` the number of both-empty image-class
        pairs left out, ``support`` the number of images whose target has the class,
        and ``value`` the mean over classes.
        """
        if not self._names:
            raise ParameterError("no image was added; call update(pred, target) first")
        scores = []
        for m in self.metrics:
            table = np.array(self._rows[m], dtype=np.float64).reshape(-1, len(self.classes))
            per_class, excluded = [], 0
            for j in range(len(self.classes)):
                mean, n_excl = mean_excluding(table[:, j])
                per_class.append(mean)
                excluded += n_excl
            value, _ = mean_excluding(np.array(per_class))
            scores.append(Score(
                metric=self._score_name(m), value=value, classes=self.classes,
                per_class=tuple(per_class), support=tuple(int(s) for s in self._support),
                excluded=excluded, average="macro", aggregate="image",
                empty=str(self.empty), per_image=tuple(tuple(r) for r in table.tolist()),
                extra=self._extra(m),
            ))
        return tuple(scores)

    def report(self) -> Report:
        """The scores of :meth:`compute` in a :class:`~segscope.results.Report`."""
        return Report(scores=self.compute(), num_images=self.num_images,
                      image_names=tuple(self._names),
                      meta={"num_classes": self.num_classes, "ignore_index": self.ignore_index,
                            "include_background": self.include_background})


def boundary_scores(pred, target, *, num_classes: int, metrics: Iterable[str] | str = "all",
                    spacing=None, **options) -> Report:
    """Boundary metrics of every class of one pair of label maps, as a Report.

    ``options`` are those of :class:`BoundaryAccumulator` (``percentile``,
    ``tolerance``, ``width``, ``include_background``, ``ignore_index``, ``one_empty``,
    ``empty``, ``pooling``, ``surface``).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.zeros((10, 10), int); t[1:4, 1:4] = 1; t[5:9, 5:9] = 2
    >>> r = boundary_scores(t, t, num_classes=3, metrics=["hd", "nsd"])
    >>> r.summary()
    {'hd': 0.0, 'nsd': 1.0}
    """
    acc = BoundaryAccumulator(num_classes, metrics=list(metrics) if not isinstance(
        metrics, str) else metrics, **options)
    acc.update(pred, target, spacing=spacing)
    return acc.report()
