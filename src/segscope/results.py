"""Small frozen result objects shared by every metric family.

A :class:`Score` holds one metric: its per-class values, the averaged value, the
support of each class, and how many undefined entries were excluded from the mean
(never silently). A :class:`Report` holds several scores computed on the same data,
plus optional per-image rows. Both convert to ``dict``, JSON and (when pandas is
installed) a ``pandas.DataFrame``.

Examples
--------
>>> s = Score(metric="iou", value=0.5, classes=(0, 1), per_class=(0.75, 0.25),
...           support=(30, 10))
>>> s.to_dict()["per_class"]
{'0': 0.75, '1': 0.25}
>>> float(s)
0.5
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import DependencyError, ParameterError

__all__ = ["Report", "Score", "json_safe"]


def json_safe(value: Any) -> Any:
    """Convert a value to something ``json.dumps`` accepts without losing meaning.

    NaN becomes ``None`` (JSON ``null``); infinities become the strings ``"inf"`` and
    ``"-inf"``; NumPy scalars and arrays become Python numbers and lists.

    Examples
    --------
    >>> json_safe([1.0, float("nan"), float("inf")])
    [1.0, None, 'inf']
    """
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return json_safe(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return value


@dataclass(frozen=True)
class Score:
    """One metric's values.

    Attributes
    ----------
    metric : str
        Metric name, e.g. ``"iou"``, ``"dice"``, ``"hd95"``.
    value : float
        The averaged value (what ``float(score)`` returns). NaN when every entry was
        undefined under the ``empty`` policy.
    classes : tuple of int
        Class labels, in the order of ``per_class`` and ``support``.
    per_class : tuple of float
        The value of each class (for ``aggregate="image"``, the mean over images).
    support : tuple of int
        Number of target pixels (or cases) of each class.
    excluded : int
        Number of undefined entries (classes, or image-class pairs) left out of
        ``value``; reported so that nothing is dropped silently.
    average, aggregate, empty : str
        The settings that produced the value.
    per_image : tuple of tuple of float, optional
        ``(N, C)`` values per image and class, when computed per image.
    extra : mapping
        Metric-specific settings (e.g. ``{"percentile": 95, "spacing": [1, 1]}``).
    """

    metric: str
    value: float
    classes: tuple[int, ...] = ()
    per_class: tuple[float, ...] = ()
    support: tuple[int, ...] = ()
    excluded: int = 0
    average: str = "macro"
    aggregate: str = "dataset"
    empty: str = "nan"
    per_image: tuple[tuple[float, ...], ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __float__(self) -> float:
        return float(self.value)

    def class_value(self, label: int) -> float:
        """Return the value of class ``label``.

        Raises
        ------
        ParameterError
            If ``label`` is not among :attr:`classes`.
        """
        try:
            return self.per_class[self.classes.index(int(label))]
        except ValueError:
            raise ParameterError(
                f"label={label!r} is not among the scored classes {list(self.classes)}; "
                "pass one of those"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain ``dict`` (JSON-safe: NaN → ``None``, inf → ``"inf"``)."""
        out: dict[str, Any] = {
            "metric": self.metric,
            "value": json_safe(float(self.value)),
            "per_class": {
                str(c): json_safe(float(v)) for c, v in zip(self.classes, self.per_class)
            },
            "support": {str(c): int(s) for c, s in zip(self.classes, self.support)},
            "excluded": int(self.excluded),
            "average": self.average,
            "aggregate": self.aggregate,
            "empty": self.empty,
        }
        if self.extra:
            out["extra"] = json_safe(dict(self.extra))
        if self.per_image is not None:
            out["per_image"] = json_safe([list(row) for row in self.per_image])
        return out

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`; keyword arguments go to ``json.dumps``."""
        return json.dumps(self.to_dict(), **kwargs)

    def to_frame(self):
        """A ``pandas.DataFrame`` with one row per class (needs pandas)."""
        pd = _pandas()
        return pd.DataFrame(
            {"class": list(self.classes), self.metric: list(self.per_class),
             "support": list(self.support)}
        ).set_index("class")


@dataclass(frozen=True)
class Report:
    """Several scores computed on the same predictions and targets.

    Attributes
    ----------
    scores : tuple of Score
        One entry per metric, in the order asked for.
    num_images : int
        Number of images (or volumes) that contributed.
    image_names : tuple of str
        Names of the images, in the order of each score's ``per_image`` rows.
    meta : mapping
        Free-form settings and provenance (paths, num_classes, ignore_index...).

    Examples
    --------
    >>> r = Report(scores=(Score("iou", 0.5, (0, 1), (0.75, 0.25), (30, 10)),))
    >>> r["iou"].value
    0.5
    >>> r.metrics
    ('iou',)
    """

    scores: tuple[Score, ...]
    num_images: int = 1
    image_names: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Names of the metrics, in order."""
        return tuple(s.metric for s in self.scores)

    def __getitem__(self, metric: str) -> Score:
        for s in self.scores:
            if s.metric == metric:
                return s
        raise ParameterError(
            f"metric {metric!r} is not in this report; it has {list(self.metrics)}"
        )

    def __contains__(self, metric: object) -> bool:
        return metric in self.metrics

    def __iter__(self):
        return iter(self.scores)

    def __len__(self) -> int:
        return len(self.scores)

    def summary(self) -> dict[str, float]:
        """``{metric: averaged value}``."""
        return {s.metric: float(s.value) for s in self.scores}

    def with_scores(self, extra: Iterable[Score]) -> Report:
        """A new report with ``extra`` scores appended (e.g. boundary next to overlap)."""
        return Report(
            scores=self.scores + tuple(extra), num_images=self.num_images,
            image_names=self.image_names, meta=self.meta,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe ``dict``."""
        return {
            "num_images": self.num_images,
            "image_names": list(self.image_names),
            "meta": json_safe(dict(self.meta)),
            "summary": json_safe(self.summary()),
            "scores": [s.to_dict() for s in self.scores],
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def class_rows(self) -> list[dict[str, Any]]:
        """One row per class with every metric as a column (what the CLI table shows)."""
        classes: list[int] = []
        for s in self.scores:
            for c in s.classes:
                if c not in classes:
                    classes.append(c)
        rows = []
        for c in classes:
            row: dict[str, Any] = {"class": c}
            for s in self.scores:
                if c in s.classes:
                    i = s.classes.index(c)
                    row[s.metric] = float(s.per_class[i])
                    row.setdefault("support", int(s.support[i]) if s.support else None)
            rows.append(row)
        return rows

    def image_rows(self) -> list[dict[str, Any]]:
        """One row per (image, class) with every per-image metric as a column."""
        rows: dict[tuple[int, int], dict[str, Any]] = {}
        for s in self.scores:
            if s.per_image is None:
                continue
            for i, values in enumerate(s.per_image):
                name = self.image_names[i] if i < len(self.image_names) else str(i)
                for c, v in zip(s.classes, values):
                    row = rows.setdefault((i, c), {"image": name, "class": c})
                    row[s.metric] = float(v)
        return [rows[k] for k in sorted(rows)]

    def to_frame(self, per_image: bool = False):
        """A ``pandas.DataFrame``: per class, or per (image, class) with ``per_image=True``."""
        pd = _pandas()
        rows = self.image_rows() if per_image else self.class_rows()
        return pd.DataFrame(rows)


def _pandas():
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - depends on environment
        raise DependencyError(
            "to_frame() needs pandas, which is not installed; "
            "install it with: pip install 'segscope[pandas]'"
        ) from err
    return pd


def as_tuple(values: Sequence[Any] | Any) -> tuple:
    """Tuple of Python scalars from a sequence or array."""
    if hasattr(values, "tolist"):
        values = values.tolist()
    return tuple(values)
