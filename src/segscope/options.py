"""The vocabulary of segscope in code: one name per idea, its allowed values, its defaults.

Every function, class and CLI option that takes one of these ideas uses the name and
the values defined here (see ``docs/architecture.md`` for the table). The ``Literal``
aliases are the type hints; the tuples are what the checks accept; :class:`ScoreOptions`
is the one frozen object that carries the scoring settings of overlap metrics through
:func:`segscope.evaluate`, the streaming metrics and the file pipeline.

This module imports nothing but the standard library and :mod:`segscope.errors`, so
every layer (io included) may import it.

Examples
--------
>>> from segscope.options import ScoreOptions
>>> ScoreOptions(average="micro").average
'micro'
>>> ScoreOptions(average="mean")
Traceback (most recent call last):
...
segscope.errors.ParameterError: average='mean' is not supported; choose one of 'micro', \
'macro', 'weighted', 'none'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from numbers import Integral, Real
from typing import Any, Literal

from .errors import ParameterError

__all__ = [
    "AGGREGATES",
    "AVERAGES",
    "COLOURS",
    "DECISIONS",
    "DEFAULT_METRICS",
    "DISTANCE_EMPTY_VALUES",
    "DISTANCE_MEANS",
    "EMPTY_VALUES",
    "LOSS_AGGREGATES",
    "MATCH_METHODS",
    "METRICS",
    "METRIC_ALIASES",
    "ONE_EMPTY_VALUES",
    "POOLINGS",
    "REDUCTIONS",
    "RULES",
    "SURFACES",
    "TASKS",
    "Aggregate",
    "Average",
    "Colour",
    "Decision",
    "DistanceEmpty",
    "DistanceMean",
    "Empty",
    "LossAggregate",
    "MatchMethod",
    "OneEmpty",
    "Pooling",
    "Reduction",
    "Rule",
    "ScoreOptions",
    "Surface",
    "Task",
]

# -- how per-class scores become one number
Average = Literal["micro", "macro", "weighted", "none"]
AVERAGES: tuple[str, ...] = ("micro", "macro", "weighted", "none")

# -- how images become one number: pool the statistics, or score each image then average
Aggregate = Literal["dataset", "image", "image_class"]
AGGREGATES: tuple[str, ...] = ("dataset", "image", "image_class")
# -- a loss: pool the soft counts over the batch ("dataset"), or score each image, then mean
LossAggregate = Literal["dataset", "image"]
LOSS_AGGREGATES: tuple[str, ...] = ("dataset", "image")

# -- the value of a ratio whose denominator is zero (nothing on either side: 0/0)
Empty = Literal["nan", "zero", "one", "nan_target"]
EMPTY_VALUES: tuple[str, ...] = ("nan", "zero", "one", "nan_target")

# -- distances: the value of a 0/0 pair (neither mask has the structure); a number is allowed
DistanceEmpty = Literal["nan", "perfect"]
DISTANCE_EMPTY_VALUES: tuple[str, ...] = ("nan", "perfect")

# -- distances: the value when exactly one mask is empty; a number (>= 0) is allowed
OneEmpty = Literal["inf", "worst"]
ONE_EMPTY_VALUES: tuple[str, ...] = ("inf", "worst")

# -- which average surface distance: pooled (assd), mean of the directed means, or directed
DistanceMean = Literal["assd", "masd", "directed"]
DISTANCE_MEANS: tuple[str, ...] = ("assd", "masd", "directed")

# -- percentile Hausdorff: the larger directed percentile, or the percentile of both pooled
Pooling = Literal["max", "pooled"]
POOLINGS: tuple[str, ...] = ("max", "pooled")

# -- what a surface is: boundary voxels, or area-weighted surface elements
Surface = Literal["voxels", "elements"]
SURFACES: tuple[str, ...] = ("voxels", "elements")

# -- instances: how predicted and true objects are paired one to one
MatchMethod = Literal["optimal", "greedy_iou", "greedy_score", "max_iou"]
MATCH_METHODS: tuple[str, ...] = ("optimal", "greedy_iou", "greedy_score", "max_iou")

# -- instances: whether an IoU equal to the threshold matches (>=) or not (>)
Rule = Literal[">=", ">"]
RULES: tuple[str, ...] = (">=", ">")

# -- what the channels of a score tensor / the values of a mask mean
Task = Literal["multiclass", "multilabel", "binary"]
TASKS: tuple[str, ...] = ("multiclass", "multilabel", "binary")

# -- how a prediction becomes labels before counting
Decision = Literal["labels", "argmax", "threshold"]
DECISIONS: tuple[str, ...] = ("labels", "argmax", "threshold")

# -- how colour is handled when images are read: as the file holds it, as grey, as RGB
Colour = Literal["keep", "grey", "rgb"]
COLOURS: tuple[str, ...] = ("keep", "grey", "rgb")

# -- what a batch function returns: one value per item, or their mean (or sum)
Reduction = Literal["mean", "sum", "none"]
REDUCTIONS: tuple[str, ...] = ("mean", "sum", "none")

#: The overlap metrics, each a function of confusion counts (see :mod:`segscope.metrics`).
METRICS: tuple[str, ...] = (
    "accuracy", "precision", "recall", "specificity", "npv", "dice", "f1", "fbeta", "iou",
    "tversky", "balanced_accuracy", "mcc", "kappa", "volume_similarity",
)
#: Other names accepted for some of them.
METRIC_ALIASES: dict[str, str] = {
    "jaccard": "iou", "sensitivity": "recall", "tpr": "recall", "tnr": "specificity",
    "ppv": "precision", "pixel_accuracy": "accuracy", "f_beta": "fbeta",
}
#: The overlap metrics computed when none are named (functions, classes and the CLI).
DEFAULT_METRICS: tuple[str, ...] = ("accuracy", "iou", "dice", "precision", "recall")


def _metric_names(metrics: str | Sequence[str]) -> tuple[str, ...]:
    """Canonical names: aliases resolved, ``"all"`` expanded, duplicates dropped."""
    if isinstance(metrics, str):
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    out: list[str] = []
    for m in metrics:
        name = METRIC_ALIASES.get(str(m).lower(), str(m).lower())
        if name == "all":
            out.extend(METRICS)
        elif name in METRICS:
            out.append(name)
        else:
            raise ParameterError(
                f"unknown metric {m!r}; choose from {', '.join(METRICS)} "
                f"(aliases: {', '.join(sorted(METRIC_ALIASES))}), or 'all'"
            )
    if not out:
        raise ParameterError("metrics is empty; name at least one metric, e.g. metrics='iou'")
    return tuple(dict.fromkeys(out))


def _check(name: str, value: Any, choices: Sequence[Any]) -> None:
    if value not in choices:
        raise ParameterError(
            f"{name}={value!r} is not supported; choose one of {', '.join(map(repr, choices))}"
        )


@dataclass(frozen=True)
class ScoreOptions:
    """The scoring settings of overlap metrics, checked once.

    Parameters
    ----------
    metrics : str or sequence of str
        Metric names of :data:`METRICS` (or :data:`METRIC_ALIASES`, or ``"all"``); a
        string is one name or a comma-separated list. Stored as canonical names.
    average, aggregate, empty
        See :data:`AVERAGES`, :data:`AGGREGATES`, :data:`EMPTY_VALUES`; ``empty=None``
        takes each metric's default.
    labels : sequence of int, optional
        The classes to score (default: all).
    include_background : bool
        Score class 0 too.
    beta : float
        The β of F-beta.
    tversky_alpha, tversky_beta : float
        The Tversky weights of false positives and false negatives.

    Examples
    --------
    >>> ScoreOptions(metrics="iou,jaccard,Dice").metrics
    ('iou', 'dice')
    >>> ScoreOptions().replace(aggregate="image").aggregate
    'image'
    """

    metrics: tuple[str, ...] | str | Sequence[str] = DEFAULT_METRICS
    average: Average = "macro"
    aggregate: Aggregate = "dataset"
    empty: Empty | None = None
    labels: tuple[int, ...] | Sequence[int] | None = None
    include_background: bool = True
    beta: float = 1.0
    tversky_alpha: float = 0.5
    tversky_beta: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", _metric_names(self.metrics))
        if self.labels is not None:
            labels = self.labels
            if isinstance(labels, Integral):
                labels = (labels,)  # one class
            object.__setattr__(self, "labels", tuple(int(x) for x in labels))
        _check("average", self.average, AVERAGES)
        _check("aggregate", self.aggregate, AGGREGATES)
        if self.empty is not None:
            _check("empty", self.empty, EMPTY_VALUES)
        for name in ("beta", "tversky_alpha", "tversky_beta"):
            value = getattr(self, name)
            if (isinstance(value, bool) or not isinstance(value, Real)
                    or not math.isfinite(value) or value < 0):
                raise ParameterError(f"{name} must be a finite number >= 0; got {value!r}")
            object.__setattr__(self, name, float(value))

    def replace(self, **changes: Any) -> ScoreOptions:
        """A copy with some settings changed (checked again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The settings as keyword arguments."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
