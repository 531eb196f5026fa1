"""The weighted linear surrogate: ridge regression with an unpenalised intercept.

Closed form, NumPy only. For weights ``w``, features ``X`` (samples × superpixels) and
targets ``y``: centre ``X`` and ``y`` by their ``w``-weighted means, then
``β = argmin Σ w_i (y_i − x_i·β)² + α ‖β‖²``, solved from the normal equations
``(X_cᵀ W X_c + α I) β = X_cᵀ W y_c`` (a small K × K system); the intercept is
``ȳ_w − x̄_w·β``. This is what
``sklearn.linear_model.Ridge(alpha).fit(X, y, sample_weight=w)`` computes; ``alpha=0``
gives weighted least squares (minimum-norm where the problem is singular).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError, ShapeError

__all__ = ["SurrogateFit", "fit_weighted_ridge", "weighted_r2"]


@dataclass(frozen=True)
class SurrogateFit:
    """Coefficients, intercept and weighted R² of a surrogate fit."""

    coef: np.ndarray
    intercept: float
    r2: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Surrogate prediction ``x·coef + intercept``."""
        return np.asarray(x, dtype=np.float64) @ self.coef + self.intercept


def weighted_r2(y: np.ndarray, y_hat: np.ndarray, w: np.ndarray) -> float:
    """Weighted coefficient of determination ``1 − Σw(y−ŷ)² / Σw(y−ȳ_w)²`` (NaN if y is constant).

    Examples
    --------
    >>> weighted_r2(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.ones(2))
    1.0
    """
    w = np.asarray(w, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mean = np.dot(w, y) / w.sum()
    total = float(np.dot(w, (y - mean) ** 2))
    if total == 0:
        return float("nan")
    return 1.0 - float(np.dot(w, (y - y_hat) ** 2)) / total


def fit_weighted_ridge(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray,
                       alpha: float = 1.0) -> SurrogateFit:
    """Weighted ridge regression with intercept (closed form).

    Parameters
    ----------
    x : ndarray, shape (n, p)
    y : ndarray, shape (n,)
    sample_weight : ndarray, shape (n,)
        Non-negative, not all zero.
    alpha : float
        L2 penalty on the coefficients (not the intercept); 0 = weighted least squares.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = 2 * x[:, 0] + 1
    >>> fit = fit_weighted_ridge(x, y, np.ones(3), alpha=0.0)
    >>> np.round(fit.coef, 6).tolist(), round(fit.intercept, 6)
    ([2.0], 1.0)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(sample_weight, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or w.shape != (x.shape[0],):
        raise ShapeError(f"expected x (n, p), y (n,), sample_weight (n,); got {x.shape}, "
                         f"{y.shape}, {w.shape}")
    if not (np.isfinite(w).all() and (w >= 0).all() and w.sum() > 0):
        raise ParameterError("sample_weight must be finite, non-negative and not all zero")
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ParameterError(f"alpha must be a number >= 0; got {alpha!r}")
    wsum = w.sum()
    x_mean = w @ x / wsum
    y_mean = float(w @ y / wsum)
    sw = np.sqrt(w)[:, None]
    xc = (x - x_mean) * sw
    yc = (y - y_mean) * sw[:, 0]
    p = x.shape[1]
    # normal equations (p × p, small): (Xcᵀ Xc + α I) β = Xcᵀ yc; lstsq gives the
    # minimum-norm solution when alpha = 0 and the system is singular
    gram = xc.T @ xc + alpha * np.eye(p)
    coef = np.linalg.lstsq(gram, xc.T @ yc, rcond=None)[0]
    intercept = y_mean - float(x_mean @ coef)
    fit = SurrogateFit(coef=coef, intercept=intercept, r2=float("nan"))
    r2 = weighted_r2(y, fit.predict(x), w)
    return SurrogateFit(coef=coef, intercept=intercept, r2=r2)
