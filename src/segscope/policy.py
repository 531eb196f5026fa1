"""What a score is when it is undefined, and how undefined scores are averaged.

A score such as IoU is a ratio; when its denominator is zero (the class is absent
from both prediction and target) it is undefined. The ``empty`` policy names the
value to use instead:

``"nan"``
    Undefined: left out of averages, and **counted** in ``Score.excluded``.
``"zero"``
    Counted as 0 (a pessimistic convention).
``"one"``
    Counted as 1 (the "nothing to find, nothing found" convention).

Examples
--------
>>> values, undefined = safe_divide(np.array([1.0, 0.0]), np.array([2.0, 0.0]), "nan")
>>> values.tolist(), undefined.tolist()
([0.5, nan], [False, True])
>>> mean_excluding(np.array([0.5, np.nan]))
(0.5, 1)
"""

from __future__ import annotations

import numpy as np

from ._checks import check_choice

__all__ = ["EMPTY_POLICIES", "mean_excluding", "safe_divide"]

EMPTY_POLICIES = ("nan", "zero", "one")
_FILL = {"nan": np.nan, "zero": 0.0, "one": 1.0}


def safe_divide(
    num: np.ndarray, den: np.ndarray, empty: str = "nan"
) -> tuple[np.ndarray, np.ndarray]:
    """Divide ``num / den`` elementwise, filling 0/0 entries by the ``empty`` policy.

    Returns
    -------
    values : ndarray of float64
    undefined : ndarray of bool
        Where the denominator was zero.
    """
    check_choice("empty", empty, EMPTY_POLICIES)
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    undefined = den == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(undefined, _FILL[empty], num / np.where(undefined, 1.0, den))
    return values, undefined


def mean_excluding(
    values: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, int]:
    """Mean of the non-NaN entries and the number of NaN entries excluded.

    With ``weights``, a weighted mean over the non-NaN entries. When every weight of
    a defined entry is zero (``average="weighted"`` on an image whose target holds
    none of the scored classes), the weights say nothing, and the plain mean of the
    defined entries is used: an image with only false positives scores what its
    false positives earn (a Dice of 0) instead of being dropped, so a spurious
    structure never improves a mean. The mean of nothing is NaN.

    Examples
    --------
    >>> mean_excluding(np.array([0.5, 1.0, np.nan]), np.array([3.0, 1.0, 0.0]))
    (0.625, 1)
    >>> mean_excluding(np.array([0.0, np.nan]), np.array([0.0, 0.0]))  # only false positives
    (0.0, 1)
    """
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    excluded = int(values.size - keep.sum())
    if not keep.any():
        return float("nan"), excluded
    if weights is None:
        return float(values[keep].mean()), excluded
    w = np.asarray(weights, dtype=np.float64)[keep]
    if w.sum() == 0:
        return float(values[keep].mean()), excluded
    return float(np.dot(values[keep], w) / w.sum()), excluded
