"""From distance samples to one number: Hausdorff, percentiles, mean distances, NSD.

Every function takes a :class:`~segscope.boundary.distances.SurfaceDistances` and
applies the empty-mask rules in one place (the vocabulary of :mod:`segscope.options`):

* exactly one mask empty (``one_empty``): a distance is ``inf`` (``"inf"``, default),
  the image diagonal in physical units (``"worst"``, larger than any real distance, so
  a missed structure never improves a mean), or a number you state; surface Dice and
  boundary IoU are 0;
* both masks empty (``empty``, the 0/0 value): ``"nan"`` (default: undefined,
  excluded from means and counted), ``"perfect"`` (distance 0, surface Dice 1), or a
  number.

Examples
--------
>>> import numpy as np
>>> from segscope.boundary.distances import surface_distances
>>> a = np.zeros((8, 8), bool); a[2:4, 2:4] = True
>>> b = np.zeros((8, 8), bool); b[2:4, 3:5] = True
>>> d = surface_distances(a, b)
>>> hausdorff_of(d), average_of(d, kind="assd")
(1.0, 0.5)
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_choice
from ..errors import ParameterError
from ..options import (
    DISTANCE_EMPTY_VALUES,
    DISTANCE_MEANS,
    ONE_EMPTY_VALUES,
    POOLINGS,
    DistanceEmpty,
    DistanceMean,
    OneEmpty,
    Pooling,
)
from .distances import SurfaceDistances

__all__ = [
    "DISTANCE_MEANS",
    "POOLINGS",
    "average_of",
    "check_empty",
    "check_nonnegative",
    "check_one_empty",
    "check_percentile",
    "hausdorff_of",
    "percentile_of",
    "surface_dice_of",
]


def check_one_empty(one_empty: OneEmpty | float) -> str | float:
    """Validate the one-mask-empty value of distances: ``"inf"``, ``"worst"`` or a number.

    Examples
    --------
    >>> check_one_empty("worst"), check_one_empty(50)
    ('worst', 50.0)
    """
    if isinstance(one_empty, str):
        if one_empty == "nan":
            raise ParameterError(
                "one_empty='nan' is not offered for distances: a missed structure would then "
                "be dropped from the mean and improve it. Use 'inf' (default), 'worst' (the "
                "image diagonal) or a number such as one_empty=100.0"
            )
        return check_choice("one_empty", one_empty, ONE_EMPTY_VALUES)
    value = _as_number("one_empty", one_empty)
    if not value >= 0:
        raise ParameterError(
            f"one_empty must be 'inf', 'worst' or a number >= 0; got {one_empty!r}"
        )
    return value


def check_empty(empty: DistanceEmpty | float) -> str | float:
    """Validate the both-masks-empty (0/0) value: ``"nan"``, ``"perfect"`` or a number.

    Examples
    --------
    >>> check_empty("perfect")
    'perfect'
    """
    if isinstance(empty, str):
        return check_choice("empty", empty, DISTANCE_EMPTY_VALUES)
    return _as_number("empty", empty)


def check_percentile(percentile) -> float:
    """Validate a percentile in [0, 100]."""
    p = _as_number("percentile", percentile)
    if not 0 <= p <= 100:
        raise ParameterError(f"percentile must be in [0, 100]; got {percentile!r}")
    return p


def check_nonnegative(name: str, value) -> float:
    """Validate a finite number >= 0 (a tolerance or band width in physical units)."""
    v = _as_number(name, value)
    if not (math.isfinite(v) and v >= 0):
        raise ParameterError(
            f"{name} must be a finite number >= 0 in the units of spacing; got {value!r}"
        )
    return v


def _as_number(name: str, value) -> float:
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a number; got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number; got {value!r}") from None


def empty_value(empty, *, perfect: float) -> float:
    """The value of a 0/0 pair under ``empty`` (``perfect``: the metric's best value)."""
    if empty == "nan":
        return math.nan
    if empty == "perfect":
        return perfect
    return float(empty)


def _special(d: SurfaceDistances, one_empty, empty, *, perfect: float,
             fixed_one_empty: float | None = None) -> float | None:
    """The value for empty masks, or ``None`` when both masks have a surface."""
    if d.pred_empty and d.target_empty:
        return empty_value(empty, perfect=perfect)
    if d.pred_empty or d.target_empty:
        if fixed_one_empty is not None:
            return fixed_one_empty
        if one_empty == "inf":
            return math.inf
        if one_empty == "worst":
            return d.diagonal
        return float(one_empty)
    return None


def hausdorff_of(d: SurfaceDistances, *, directed: bool = False,
                 one_empty: OneEmpty | float = "inf",
                 empty: DistanceEmpty | float = "nan") -> float:
    """Hausdorff distance (``directed``: from ``pred`` to ``target`` only)."""
    special = _special(d, one_empty, empty, perfect=0.0)
    if special is not None:
        return special
    if directed:
        return float(d.pred_to_target.max())
    return float(max(d.pred_to_target.max(), d.target_to_pred.max()))


def _weighted_percentile(values: np.ndarray, weights: np.ndarray, percentile: float) -> float:
    """Smallest value whose cumulative weight fraction reaches ``percentile`` / 100."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    idx = int(np.searchsorted(cum, percentile / 100.0))
    return float(values[order[min(idx, values.size - 1)]])


def _percentile(values, weights, percentile, surface) -> float:
    if surface == "voxels":
        return float(np.percentile(values, percentile))
    return _weighted_percentile(values, weights, percentile)


def percentile_of(d: SurfaceDistances, *, percentile: float = 95.0, pooling: Pooling = "max",
                  directed: bool = False, one_empty: OneEmpty | float = "inf",
                  empty: DistanceEmpty | float = "nan") -> float:
    """Percentile Hausdorff distance (HD95 for ``percentile=95``).

    ``pooling="max"``: the larger of the two directed percentiles (MONAI, Metrics
    Reloaded, DeepMind); ``"pooled"``: the percentile of both directions' distances
    together (MedPy ``hd95``). Voxel surfaces use NumPy's linear interpolation;
    surface elements use the area-weighted rule of DeepMind's surface-distance (the
    smallest distance whose cumulative area fraction reaches the percentile).
    """
    special = _special(d, one_empty, empty, perfect=0.0)
    if special is not None:
        return special
    if directed:
        return _percentile(d.pred_to_target, d.pred_weights, percentile, d.surface)
    if pooling == "pooled":
        values = np.concatenate([d.pred_to_target, d.target_to_pred])
        weights = np.concatenate([d.pred_weights, d.target_weights])
        return _percentile(values, weights, percentile, d.surface)
    return max(_percentile(d.pred_to_target, d.pred_weights, percentile, d.surface),
               _percentile(d.target_to_pred, d.target_weights, percentile, d.surface))


def average_of(d: SurfaceDistances, *, kind: DistanceMean = "assd",
               one_empty: OneEmpty | float = "inf",
               empty: DistanceEmpty | float = "nan") -> float:
    """Mean surface distance, weighted by the surface-point weights.

    ``kind="assd"``: mean of the distances of both directions together (MONAI
    ``symmetric=True``, MedPy ``assd``); ``"masd"``: mean of the two directed means
    (Metrics Reloaded MASD, the mean of DeepMind's pair); ``"directed"``: mean
    distance from ``pred`` to ``target`` (MONAI's default ``symmetric=False``).
    """
    special = _special(d, one_empty, empty, perfect=0.0)
    if special is not None:
        return special
    fwd_sum = _weighted_sum(d.pred_to_target, d.pred_weights)
    fwd = fwd_sum / float(d.pred_weights.sum())
    if kind == "directed":
        return fwd
    bwd_sum = _weighted_sum(d.target_to_pred, d.target_weights)
    if kind == "masd":
        return 0.5 * (fwd + bwd_sum / float(d.target_weights.sum()))
    return (fwd_sum + bwd_sum) / float(d.pred_weights.sum() + d.target_weights.sum())


def _weighted_sum(values: np.ndarray, weights: np.ndarray) -> float:
    # (not np.dot: a BLAS call wakes threads, which costs more than the sum on busy machines)
    return float((values * weights).sum())


def surface_dice_of(d: SurfaceDistances, *, tolerance: float = 1.0,
                    empty: DistanceEmpty | float = "nan") -> float:
    """Normalised surface Dice at ``tolerance`` (distances ``<= tolerance`` count).

    Boundary voxels are counted (MONAI, Metrics Reloaded) or surface elements weighed
    by their area (DeepMind), following ``d.surface``. One empty mask gives 0.
    """
    special = _special(d, "inf", empty, perfect=1.0, fixed_one_empty=0.0)
    if special is not None:
        return special
    near = (d.pred_weights[d.pred_to_target <= tolerance].sum()
            + d.target_weights[d.target_to_pred <= tolerance].sum())
    return float(near / (d.pred_weights.sum() + d.target_weights.sum()))
