"""The result of an instance evaluation: every score pooled and per image, side by side.

:func:`score_counts` turns :class:`~segscope.instances.InstanceCounts` into an
:class:`InstanceReport`. Each metric is computed two ways at once:

``dataset``
    Counts summed over every image, then divided (stardist's ``matching_dataset``,
    MONAI's and torchmetrics' panoptic quality, COCO AP).
``image``
    Each image scored on its own, then the mean over images (stardist ``by_image=True``,
    cellpose, the Data Science Bowl).

``aggregate`` only picks which of the two is the headline value; both are in the
report. Values at several thresholds are averaged over the thresholds; with classes,
over the classes. Entries that are 0/0 under ``empty="nan"`` are left out of those means
and counted in :meth:`InstanceReport.excluded`.

Examples
--------
>>> import numpy as np
>>> from segscope.instances import evaluate_instances
>>> t = np.zeros((4, 8), np.uint8); t[:, :3] = 1; t[:, 5:] = 2
>>> p = t.copy(); p[:, 5:] = 0
>>> r = evaluate_instances([p, np.zeros_like(t)], [t, np.zeros_like(t)], thresholds=0.5)
>>> r.value("recall"), r.value("recall", aggregate="image"), r.excluded("recall", "image")
(0.5, 0.5, 1)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import DependencyError, ParameterError
from ..policy import EMPTY_POLICIES, safe_divide
from ..results import json_safe
from .counts import InstanceCounts
from .scores import INSTANCE_METRICS, RATIO_METRICS, average_precision, ratio

__all__ = ["INSTANCE_AGGREGATES", "InstanceReport", "score_counts"]

#: How images become one number (see :data:`segscope.options.AGGREGATES`).
INSTANCE_AGGREGATES: tuple[str, ...] = ("dataset", "image")
_COUNTS = ("tp", "fp", "fn")


def _mean(values: np.ndarray, axis: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Mean over ``axis`` of the non-NaN entries (NaN where none)."""
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    total = np.where(keep, values, 0.0).sum(axis=axis)
    n = keep.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


@dataclass(frozen=True, eq=False)
class InstanceReport:
    """Instance scores of a dataset (or one image).

    Attributes
    ----------
    counts : InstanceCounts
        The per-image object counts everything was computed from.
    metrics : tuple of str
        The metrics scored.
    dataset : mapping of str to ndarray
        Pooled values: ``(classes, thresholds)`` for the threshold metrics, ``(1, 1)``
        for ``aji``.
    per_image : mapping of str to ndarray
        ``(images, classes, thresholds)`` values (``(images, 1, 1)`` for ``aji``).
    aggregate, empty : str
        Which values are the headline (``"dataset"`` or ``"image"``) and the 0/0 policy.
    image_names : tuple of str
    meta : mapping
        Settings and provenance (paths, void, max_detections...).
    objects : ObjectTable or None
        One row per object, when asked for (:func:`~segscope.instances.object_table`).
    """

    counts: InstanceCounts
    metrics: tuple[str, ...]
    dataset: Mapping[str, np.ndarray]
    per_image: Mapping[str, np.ndarray]
    aggregate: str = "dataset"
    empty: str = "nan"
    image_names: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    objects: Any = None

    @property
    def thresholds(self) -> tuple[float, ...]:
        """The IoU thresholds."""
        return self.counts.thresholds

    @property
    def classes(self) -> tuple[int, ...]:
        """The classes (``(0,)`` when objects have none)."""
        return self.counts.classes

    @property
    def num_images(self) -> int:
        """Number of images scored."""
        return self.counts.num_images

    def _check(self, metric: str, aggregate: str | None) -> str:
        if metric not in self.dataset:
            raise ParameterError(
                f"metric {metric!r} is not in this report; it has {list(self.metrics)}"
            )
        agg = self.aggregate if aggregate is None else aggregate
        check_choice("aggregate", agg, INSTANCE_AGGREGATES)
        return agg

    def _threshold_index(self, threshold: float) -> int:
        for k, t in enumerate(self.thresholds):
            if math.isclose(t, float(threshold), rel_tol=0, abs_tol=1e-12):
                return k
        raise ParameterError(
            f"threshold {threshold!r} was not scored; the report has {list(self.thresholds)}"
        )

    def image_values(self, metric: str) -> np.ndarray:
        """One value per image: mean over classes, then over thresholds (NaN: undefined)."""
        self._check(metric, None)
        per = self.per_image[metric]
        return _mean(_mean(per, axis=1), axis=1)

    def value(self, metric: str, threshold: float | None = None, *,
              aggregate: str | None = None) -> float:
        """The headline value of ``metric``.

        Parameters
        ----------
        metric : str
        threshold : float, optional
            One of the scored thresholds (default: the mean over all of them).
        aggregate : {"dataset", "image"}, optional
            Default: the report's.
        """
        agg = self._check(metric, aggregate)
        k = None if threshold is None or metric == "aji" else self._threshold_index(threshold)
        if agg == "dataset":
            per_t = _mean(self.dataset[metric], axis=0)
            return float(_mean(per_t if k is None else per_t[k:k + 1]))
        per = self.per_image[metric]
        per = per if k is None else per[:, :, k:k + 1]
        return float(_mean(_mean(_mean(per, axis=1), axis=1)))

    def excluded(self, metric: str, aggregate: str | None = None) -> int:
        """Entries left out of :meth:`value` because they were 0/0 (``empty="nan"``).

        For ``"image"``: images with no defined value; for ``"dataset"``: (class,
        threshold) entries with no defined value.
        """
        agg = self._check(metric, aggregate)
        if agg == "image":
            return int(np.isnan(self.image_values(metric)).sum())
        return int(np.isnan(self.dataset[metric]).sum())

    def summary(self, aggregate: str | None = None) -> dict[str, float]:
        """``{metric: value}`` for every metric."""
        return {m: self.value(m, aggregate=aggregate) for m in self.metrics}

    def threshold_rows(self) -> list[dict[str, Any]]:
        """One row per threshold: pooled counts and each metric pooled and per-image mean."""
        c = self.counts
        rows = []
        for k, t in enumerate(self.thresholds):
            row: dict[str, Any] = {"threshold": t}
            for name in _COUNTS:
                row[name] = int(getattr(c, name)[:, :, k].sum())
            for m in self.metrics:
                if m == "aji":
                    continue
                row[m] = float(_mean(self.dataset[m][:, k]))
                row[f"{m}_image"] = float(_mean(_mean(self.per_image[m][:, :, k], axis=1)))
            rows.append(row)
        return rows

    def image_rows(self) -> list[dict[str, Any]]:
        """One row per image: object counts (at the first threshold) and each metric."""
        c = self.counts
        rows = []
        for i in range(self.num_images):
            name = self.image_names[i] if i < len(self.image_names) else str(i)
            row: dict[str, Any] = {
                "image": name,
                "num_pred": int(c.num_pred[i].sum()),
                "num_target": int(c.num_target[i].sum()),
            }
            for n in _COUNTS:
                row[n] = int(getattr(c, n)[i, :, 0].sum())
            for m in self.metrics:
                row[m] = float(self.image_values(m)[i])
            rows.append(row)
        return rows

    def class_rows(self) -> list[dict[str, Any]]:
        """One row per class: pooled values averaged over thresholds."""
        rows = []
        c = self.counts
        for j, cls in enumerate(self.classes):
            row: dict[str, Any] = {
                "class": cls,
                "num_pred": int(c.num_pred[:, j].sum()),
                "num_target": int(c.num_target[:, j].sum()),
            }
            for m in self.metrics:
                if m != "aji":
                    row[m] = float(_mean(self.dataset[m][j]))
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe ``dict``: settings, summary both ways, rows."""
        out: dict[str, Any] = {
            "num_images": self.num_images,
            "image_names": list(self.image_names),
            "thresholds": list(self.thresholds),
            "method": self.counts.method,
            "rule": self.counts.rule,
            "aggregate": self.aggregate,
            "empty": self.empty,
            "meta": json_safe(dict(self.meta)),
            "summary": json_safe(self.summary()),
            "dataset": json_safe(self.summary("dataset")),
            "image": json_safe(self.summary("image")),
            "excluded": {m: {a: self.excluded(m, a) for a in INSTANCE_AGGREGATES}
                         for m in self.metrics},
            "thresholds_table": json_safe(self.threshold_rows()),
            "images": json_safe(self.image_rows()),
        }
        if self.classes != (0,):
            out["classes"] = json_safe(self.class_rows())
        if self.objects is not None:
            out["objects"] = self.objects.to_dict()
        return out

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`; keyword arguments go to ``json.dumps``."""
        return json.dumps(self.to_dict(), **kwargs)

    def to_frame(self, rows: str = "thresholds"):
        """A ``pandas.DataFrame`` of ``"thresholds"``, ``"images"`` or ``"classes"`` rows."""
        check_choice("rows", rows, ("thresholds", "images", "classes"))
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on environment
            raise DependencyError(
                "to_frame() needs pandas, which is not installed; "
                "install it with: pip install 'segscope[pandas]'"
            ) from err
        make = {"thresholds": self.threshold_rows, "images": self.image_rows,
                "classes": self.class_rows}[rows]
        return pd.DataFrame(make())


def score_counts(counts: InstanceCounts, *, metrics: Sequence[str] | str | None = None,
                 aggregate: str = "dataset", empty: str = "nan",
                 image_names: Sequence[str] = (), meta: Mapping[str, Any] | None = None
                 ) -> InstanceReport:
    """Score counts pooled and per image.

    Parameters
    ----------
    counts : InstanceCounts
    metrics : str or sequence of str, optional
        Names from :data:`~segscope.instances.scores.INSTANCE_METRICS` (a string may be
        comma-separated). Default: every ratio metric and ``aji``, plus ``ap`` when the
        counts carry scored detections.
    aggregate : {"dataset", "image"}
    empty : {"nan", "zero", "one"}
    image_names : sequence of str
    meta : mapping, optional

    Returns
    -------
    InstanceReport
    """
    check_choice("aggregate", aggregate, INSTANCE_AGGREGATES)
    check_choice("empty", empty, EMPTY_POLICIES)
    names = _metric_names(metrics, counts.detections is not None)
    c = counts
    dataset: dict[str, np.ndarray] = {}
    per_image: dict[str, np.ndarray] = {}
    for m in names:
        if m in RATIO_METRICS:
            dataset[m] = ratio(m, c.tp.sum(0), c.fp.sum(0), c.fn.sum(0), c.iou_sum.sum(0),
                               empty)[0]
            per_image[m] = ratio(m, c.tp, c.fp, c.fn, c.iou_sum, empty)[0]
        elif m == "aji":
            pooled, _ = safe_divide(np.array([c.aji_intersection.sum()]),
                                    np.array([c.aji_union.sum()]), empty)
            dataset[m] = pooled.reshape(1, 1)
            per_image[m] = safe_divide(c.aji_intersection, c.aji_union, empty)[0].reshape(-1, 1, 1)
        else:  # ap
            dataset[m], per_image[m] = _ap_values(c, empty)
    return InstanceReport(counts=c, metrics=names, dataset=dataset, per_image=per_image,
                          aggregate=aggregate, empty=empty, image_names=tuple(image_names),
                          meta=dict(meta or {}))


def _metric_names(metrics: Sequence[str] | str | None, scored: bool) -> tuple[str, ...]:
    if metrics is None:
        return (*RATIO_METRICS, "aji", *(("ap",) if scored else ()))
    if isinstance(metrics, str):
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    out = []
    for m in metrics:
        check_choice("metric", m, INSTANCE_METRICS)
        if m == "ap" and not scored:
            raise ParameterError(
                'metric "ap" needs a confidence score per predicted object; pass scores=...'
            )
        if m not in out:
            out.append(m)
    if not out:
        raise ParameterError("metrics is empty; name at least one metric")
    return tuple(out)


def _ap_values(c: InstanceCounts, empty: str) -> tuple[np.ndarray, np.ndarray]:
    """Mask AP pooled ``(classes, thresholds)`` and per image ``(images, classes, thr.)``."""
    assert c.detections is not None
    nt = len(c.thresholds)
    pooled = np.zeros((len(c.classes), nt))
    per = np.zeros((c.num_images, len(c.classes), nt))
    for j, cls in enumerate(c.classes):
        pooled[j] = average_precision(c.detections, int(c.num_target[:, j].sum()), cls, empty)
        for i, d in enumerate(c.detections):
            per[i, j] = average_precision((d,), int(c.num_target[i, j]), cls, empty)
    return pooled, per
