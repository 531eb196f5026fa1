"""Boundary metrics of multi-class label maps: per-image, per-class rows and their Report.

Every class of a label map is scored on its own (each class cropped to its own bounding
box, so small structures in large volumes are cheap). :class:`BoundarySettings` holds
the checked options, :func:`score_image` scores one image or volume, :class:`BoundaryRows`
collects the rows of many images (mergeable, saved as plain containers) and turns them
into a :class:`~segscope.results.Report`. :func:`boundary_scores` does all three for one
pair; :class:`segscope.streaming.BoundaryMetric` streams them over batches.

Examples
--------
>>> import numpy as np
>>> target = np.zeros((20, 20), int); target[2:8, 2:8] = 1; target[10:18, 10:18] = 2
>>> pred = np.zeros((20, 20), int); pred[2:8, 3:9] = 1
>>> report = boundary_scores(pred, target, num_classes=3, metrics=["hd", "nsd"])
>>> report["hd"].per_class, report["nsd"].per_class     # class 2 was missed: inf and 0
((1.0, inf), (1.0, 0.0))
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._backend import any_tensor
from .._checks import check_choice, check_same_shape
from ..errors import ParameterError, SegscopeWarning, ShapeError
from ..options import POOLINGS, SURFACES, DistanceEmpty, OneEmpty, Pooling, Surface
from ..policy import mean_excluding
from ..results import Report, Score
from .distances import (
    as_label_volume,
    band_iou,
    crop_pair,
    distances_from_crops,
    host_pair,
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

__all__ = [
    "BOUNDARY_METRICS",
    "DEFAULT_BOUNDARY_METRICS",
    "BoundaryRows",
    "BoundarySettings",
    "ImageRow",
    "boundary_scores",
    "score_image",
]

#: The boundary metrics that ``"all"`` stands for (``"asd"``, directed, is also accepted).
BOUNDARY_METRICS = ("hd", "hd95", "assd", "masd", "nsd", "biou")
#: The boundary metrics computed when none are named.
DEFAULT_BOUNDARY_METRICS = ("hd", "hd95", "assd", "nsd")
_ACCEPTED = (*BOUNDARY_METRICS, "asd")
_DISTANCES = ("hd", "hd95", "assd", "masd", "asd")


def metric_list(metrics: str | Sequence[str]) -> tuple[str, ...]:
    """Checked, de-duplicated metric names (``"all"`` expanded)."""
    if isinstance(metrics, str):
        metrics = [m for m in metrics.split(",") if m.strip()] or [metrics]
    names: list[str] = []
    for m in metrics:
        key = str(m).strip().lower()
        for name in BOUNDARY_METRICS if key == "all" else (key,):
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


def _check_labels(labels: Sequence[int], num_classes: int) -> tuple[int, ...]:
    """The classes asked for (``labels=``), each in ``[0, num_classes)``."""
    out = tuple(int(c) for c in labels)
    bad = [c for c in out if not 0 <= c < num_classes]
    if bad:
        raise ParameterError(f"labels {bad} are outside [0, {num_classes}); num_classes is "
                             f"{num_classes}")
    return out


@dataclass(frozen=True)
class BoundarySettings:
    """The checked options of multi-class boundary scoring (see :meth:`make`).

    Two sets of rows can be merged only when their settings are equal.
    """

    num_classes: int
    metrics: tuple[str, ...]
    percentile: float
    tolerance: float
    width: float
    include_background: bool
    ignore_index: int | None
    one_empty: str | float
    empty: str | float
    pooling: str
    surface: str
    labels: tuple[int, ...] | None = None

    @classmethod
    def make(
        cls,
        num_classes: int,
        *,
        metrics: str | Sequence[str] = DEFAULT_BOUNDARY_METRICS,
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
    ) -> BoundarySettings:
        """Check every option and return the settings.

        Examples
        --------
        >>> BoundarySettings.make(3, metrics="hd95").classes
        (1, 2)
        """
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 1:
            raise ParameterError(f"num_classes must be an integer >= 1; got {num_classes!r}")
        tolerance = check_nonnegative("tolerance", tolerance)
        settings = cls(
            num_classes=int(num_classes), metrics=metric_list(metrics),
            percentile=check_percentile(percentile), tolerance=tolerance,
            width=tolerance if width is None else check_nonnegative("width", width),
            include_background=bool(include_background),
            ignore_index=None if ignore_index is None else int(ignore_index),
            one_empty=check_one_empty(one_empty), empty=check_empty(empty),
            pooling=check_choice("pooling", pooling, POOLINGS),
            surface=check_choice("surface", surface, SURFACES),
            labels=None if labels is None else _check_labels(labels, int(num_classes)),
        )
        if not settings.classes:
            raise ParameterError(
                "no class to score: num_classes=1 without include_background=True"
            )
        return settings

    @property
    def classes(self) -> tuple[int, ...]:
        """The scored classes, in column order."""
        every = range(0 if self.include_background else 1, self.num_classes)
        if self.labels is None:
            return tuple(every)
        return tuple(c for c in every if c in self.labels)

    def score_name(self, metric: str) -> str:
        """The name of a score: ``"hd95"`` is ``"hd90"`` etc. for other percentiles."""
        if metric == "hd95" and self.percentile != 95.0:
            return f"hd{self.percentile:g}"
        return metric


@dataclass(frozen=True)
class ImageRow:
    """The scores of one image: one value per metric and class.

    ``present`` says whether the target has each class; ``one_empty`` whether exactly
    one of prediction and target has it (a missed or spurious structure).
    """

    values: dict[str, tuple[float, ...]]
    present: tuple[bool, ...]
    one_empty: tuple[bool, ...]
    spacing: tuple[float, ...]


def score_image(settings: BoundarySettings, pred, target, *, spacing=None) -> ImageRow:
    """Score every class of one 2-D image or 3-D volume of labels.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.zeros((8, 8), int); t[2:6, 2:6] = 1
    >>> score_image(BoundarySettings.make(2, metrics="hd"), t, t).values
    {'hd': (0.0,)}
    """
    pred, target = np.asarray(pred), np.asarray(target)
    check_same_shape(pred, target)
    if pred.ndim not in (2, 3):
        raise ShapeError(
            f"one image is a 2-D image or a 3-D volume of labels; got arrays of shape "
            f"{pred.shape}. Loop over the batch axis, or use segscope.streaming.BoundaryMetric"
        )
    shape = tuple(pred.shape)
    sp3 = spacing3(spacing, pred.ndim)
    p3, t3 = as_label_volume(pred, "pred"), as_label_volume(target, "target")
    num_labels = settings.num_classes
    if settings.ignore_index is not None:
        ignored = (t3 == settings.ignore_index) | (p3 == settings.ignore_index)
        p3 = np.where(ignored, settings.num_classes, p3)
        t3 = np.where(ignored, settings.num_classes, t3)
        num_labels += 1
    classes = settings.classes
    lo, hi, tcount = pair_boxes(p3, t3, num_labels, classes[0],
                                what=f"labels in [0, {settings.num_classes})")
    real0 = pred.ndim == 3
    values: dict[str, list[float]] = {m: [] for m in settings.metrics}
    one_empty: list[bool] = []
    need_distances = any(m != "biou" for m in settings.metrics)
    for c in classes:
        if (hi[c] < lo[c]).any():
            for m in settings.metrics:
                values[m].append(_empty(settings, m))
            one_empty.append(False)
            continue
        pm, tm = crop_pair(p3, t3, c, lo[c], hi[c], real0)
        d = distances_from_crops(pm, tm, sp3, settings.surface, shape) if need_distances \
            else None
        one_empty.append(bool(tcount[c] == 0 or not pm.any()))
        for m in settings.metrics:
            values[m].append(_value(settings, m, d, pm, tm, sp3, real0))
    return ImageRow(
        values={m: tuple(v) for m, v in values.items()},
        present=tuple(bool(tcount[c] > 0) for c in classes),
        one_empty=tuple(one_empty),
        spacing=tuple(float(s) for s in sp3[3 - pred.ndim:]),
    )


def _empty(settings: BoundarySettings, metric: str) -> float:
    return empty_value(settings.empty, perfect=1.0 if metric in ("nsd", "biou") else 0.0)


def _value(settings: BoundarySettings, metric, d, pm, tm, sp3, real0) -> float:
    kw = {"one_empty": settings.one_empty, "empty": settings.empty}
    if metric == "hd":
        return hausdorff_of(d, **kw)
    if metric == "hd95":
        return percentile_of(d, percentile=settings.percentile, pooling=settings.pooling, **kw)
    if metric in ("assd", "masd"):
        return average_of(d, kind=metric, **kw)
    if metric == "asd":
        return average_of(d, kind="directed", **kw)
    if metric == "nsd":
        return surface_dice_of(d, tolerance=settings.tolerance, empty=settings.empty)
    inter, union = band_iou(pm, tm, settings.width, sp3, real0)
    return inter / union if union else _empty(settings, "biou")


class BoundaryRows:
    """The per-image rows of many images, in order, with their names and spacings.

    Examples
    --------
    >>> import numpy as np
    >>> settings = BoundarySettings.make(2, metrics="hd")
    >>> t = np.zeros((8, 8), int); t[2:6, 2:6] = 1
    >>> rows = BoundaryRows(settings)
    >>> rows.add(score_image(settings, np.roll(t, 1, axis=0), t), "a.png")
    >>> rows.report()["hd"].per_image
    ((1.0,),)
    """

    def __init__(self, settings: BoundarySettings) -> None:
        self.settings = settings
        self.values: dict[str, list[tuple[float, ...]]] = {m: [] for m in settings.metrics}
        self.present: list[tuple[bool, ...]] = []
        self.one_empty: list[tuple[bool, ...]] = []
        self.names: list[str] = []
        self.spacings: list[tuple[float, ...]] = []

    def __len__(self) -> int:
        return len(self.names)

    def add(self, row: ImageRow, name: str | None = None) -> None:
        """Append one image's row (named by its index when ``name`` is None)."""
        for m in self.settings.metrics:
            self.values[m].append(row.values[m])
        self.present.append(row.present)
        self.one_empty.append(row.one_empty)
        self.names.append(str(len(self.names)) if name is None else str(name))
        self.spacings.append(row.spacing)

    def extend(self, other: BoundaryRows) -> None:
        """Append the rows of ``other`` (same settings)."""
        if self.settings != other.settings:
            raise ParameterError(
                f"cannot merge boundary rows with different settings: {self.settings} vs "
                f"{other.settings}"
            )
        for m in self.settings.metrics:
            self.values[m].extend(other.values[m])
        self.present.extend(other.present)
        self.one_empty.extend(other.one_empty)
        self.names.extend(other.names)
        self.spacings.extend(other.spacings)

    def to_state(self) -> dict[str, Any]:
        """The rows as plain lists, strings and numbers (for checkpoints and gathering)."""
        return {
            "num_classes": self.settings.num_classes,
            "rows": {m: [list(r) for r in v] for m, v in self.values.items()},
            "present": [list(r) for r in self.present],
            "one_empty": [list(r) for r in self.one_empty],
            "names": list(self.names),
            "spacings": [list(s) for s in self.spacings],
        }

    @classmethod
    def from_state(cls, settings: BoundarySettings, state: dict[str, Any]) -> BoundaryRows:
        """Rows saved by :meth:`to_state`, for the same metrics."""
        if set(state["rows"]) != set(settings.metrics):
            raise ParameterError(
                f"the saved rows hold {sorted(state['rows'])} but this metric computes "
                f"{sorted(settings.metrics)}; create it with metrics={sorted(state['rows'])}"
            )
        rows = cls(settings)
        rows.values = {m: [tuple(float(x) for x in r) for r in state["rows"][m]]
                       for m in settings.metrics}
        rows.present = [tuple(bool(x) for x in r) for r in state["present"]]
        rows.one_empty = [tuple(bool(x) for x in r) for r in state["one_empty"]]
        rows.names = [str(n) for n in state["names"]]
        rows.spacings = [tuple(float(x) for x in s) for s in state["spacings"]]
        return rows

    def report(self) -> Report:
        """One :class:`~segscope.results.Score` per metric, in a Report.

        ``per_image`` holds the ``(N, C)`` values, ``per_class`` the mean over images (an
        ``inf`` stays ``inf``), ``excluded`` the number of both-empty image-class pairs
        left out, ``support`` the number of images whose target has the class, and
        ``value`` the mean over classes.

        Warns
        -----
        SegscopeWarning
            When ``one_empty`` is a number smaller than a real distance of these images:
            then a missed structure scores better than a real prediction and lowers the
            mean.
        """
        if not self.names:
            raise ParameterError("no image was added; call update(pred, target) first")
        settings = self.settings
        width = len(settings.classes)
        support = np.array(self.present, dtype=np.int64).reshape(-1, width).sum(axis=0)
        missed = np.array(self.one_empty, dtype=bool).reshape(-1, width)
        scores = []
        for m in settings.metrics:
            table = np.array(self.values[m], dtype=np.float64).reshape(-1, width)
            if m in _DISTANCES:
                _warn_if_one_empty_lowers(settings, settings.score_name(m), table, missed)
            per_class, excluded = [], 0
            for j in range(width):
                mean, n_excl = mean_excluding(table[:, j])
                per_class.append(mean)
                excluded += n_excl
            value, _ = mean_excluding(np.array(per_class))
            scores.append(Score(
                metric=settings.score_name(m), value=value, classes=settings.classes,
                per_class=tuple(per_class), support=tuple(int(s) for s in support),
                excluded=excluded, average="macro", aggregate="image",
                empty=str(settings.empty), per_image=tuple(tuple(r) for r in table.tolist()),
                extra=self._extra(m),
            ))
        return Report(scores=tuple(scores), num_images=len(self.names),
                      image_names=tuple(self.names),
                      meta={"num_classes": settings.num_classes,
                            "ignore_index": settings.ignore_index,
                            "include_background": settings.include_background})

    def _extra(self, metric: str) -> dict[str, Any]:
        settings = self.settings
        spacings = sorted(set(self.spacings))
        extra: dict[str, Any] = {
            "surface": settings.surface,
            "spacing": list(spacings[0]) if len(spacings) == 1 else "per image",
            "one_empty": settings.one_empty,
        }
        if metric == "hd95":
            extra.update(percentile=settings.percentile, pooling=settings.pooling)
        if metric == "nsd":
            extra["tolerance"] = settings.tolerance
        if metric == "biou":
            extra["width"] = settings.width
            extra.pop("surface")
        if metric in _DISTANCES:
            extra["units"] = "spacing units"
        return extra


def _warn_if_one_empty_lowers(settings: BoundarySettings, name: str, table: np.ndarray,
                              missed: np.ndarray) -> None:
    """Warn when a finite ``one_empty`` is below a real distance of the same metric."""
    value = settings.one_empty
    if isinstance(value, str) or not math.isfinite(value) or not missed.any():
        return
    real = table[~missed & ~np.isnan(table)]
    if real.size == 0 or not real.max() > value:
        return
    warnings.warn(SegscopeWarning(
        f"one_empty={value:g} is smaller than real {name} distances in these images (up to "
        f"{real.max():.4g}): the {int(missed.sum())} image-class pair(s) where exactly one of "
        f"prediction and target has the structure score better than real predictions, so a "
        f"missed structure lowers the mean {name}. Use one_empty='worst' (the image "
        "diagonal, larger than any distance) or 'inf', or a number at least as large as "
        "every possible distance"
    ), stacklevel=4)


def boundary_scores(pred, target, *, num_classes: int,
                    metrics: str | Sequence[str] = "all", spacing=None,
                    **options: Any) -> Report:
    """Boundary metrics of every class of one pair of label maps, as a Report.

    ``pred`` and ``target`` are one 2-D image or 3-D volume (NumPy arrays or torch
    tensors; a tensor is copied to the host, where distances are computed). ``options``
    are those of :class:`segscope.streaming.BoundaryMetric` (``percentile``,
    ``tolerance``, ``width``, ``include_background``, ``ignore_index``, ``one_empty``,
    ``empty``, ``pooling``, ``surface``). For batches, use that class.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.zeros((10, 10), int); t[1:4, 1:4] = 1; t[5:9, 5:9] = 2
    >>> r = boundary_scores(t, t, num_classes=3, metrics=["hd", "nsd"])
    >>> r.summary()
    {'hd': 0.0, 'nsd': 1.0}
    """
    if any_tensor(pred, target):
        pred, target = host_pair(pred, target)
    settings = BoundarySettings.make(num_classes, metrics=metrics, **options)
    rows = BoundaryRows(settings)
    rows.add(score_image(settings, pred, target, spacing=spacing))
    return rows.report()
