"""The weighted linear surrogate: ridge regression with an unpenalised intercept.

Closed form, NumPy only. For weights ``w``, features ``X`` (samples × superpixels) and
targets ``y``: centre ``X`` and ``y`` by their ``w``-weighted means, then
``β = argmin Σ w_i (y_i − x_i·β)² + α ‖β‖²``, solved from the normal equations
``(X_cᵀ W X_c + α I) β = X_cᵀ W y_c`` (a small K × K system); the intercept is
``ȳ_w − x̄_w·β``. This is what
``sklearn.linear_model.Ridge(alpha).fit(X, y, sample_weight=w)`` computes; ``alpha=0``
gives weighted least squares (minimum-norm where the problem is singular).

How good the fit is, honestly: the R² of a fit on the samples it was fitted to reaches 1
whenever there are at least as many superpixels as samples, even for a classifier that
returns noise. ``SurrogateFit.r2`` is therefore the **held-out** weighted R²: the samples
are split into ``CV_FOLDS`` interleaved folds, each fold is predicted by the surrogate
fitted to the others, and R² is computed from those out-of-fold predictions (it can be
negative: the surrogate then predicts worse than the weighted mean). The in-sample value
stays available as ``r2_in_sample``. With fewer samples than superpixels an
:class:`~segscope.errors.UnreliableFitWarning` is issued: the coefficients are then one of
many exact fits and mean little.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError, ShapeError, UnreliableFitWarning

__all__ = ["CV_FOLDS", "SurrogateFit", "fit_weighted_ridge", "weighted_r2"]

#: Number of folds of the held-out R².
CV_FOLDS = 5


@dataclass(frozen=True)
class SurrogateFit:
    """Coefficients, intercept and weighted R² of a surrogate fit.

    ``r2`` is the held-out (cross-validated) weighted R², NaN when there are too few
    samples to hold any out; ``r2_in_sample`` the R² on the fitted samples.
    """

    coef: np.ndarray
    intercept: float
    r2: float
    r2_in_sample: float = float("nan")

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

    Warns
    -----
    UnreliableFitWarning
        When there are no more samples than features (superpixels).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = 2 * x[:, 0] + 1
    >>> fit = fit_weighted_ridge(x, y, np.ones(3), alpha=0.0)
    >>> np.round(fit.coef, 6).tolist(), round(fit.intercept, 6), round(fit.r2_in_sample, 6)
    ([2.0], 1.0, 1.0)
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
    n, p = x.shape
    if n <= p:
        warnings.warn(UnreliableFitWarning(
            f"the surrogate is fitted to {n} samples for {p} superpixels: with no more samples "
            "than superpixels a linear fit can match any scores (even noise), so its weights "
            f"mean little; use more samples (num_samples > {p}, ideally several times more) "
            "or fewer superpixels"
        ), stacklevel=2)
    coef, intercept = _solve(x, y, w, alpha)
    in_sample = weighted_r2(y, x @ coef + intercept, w)
    held_out = _held_out_r2(x, y, w, alpha)
    return SurrogateFit(coef=coef, intercept=intercept, r2=held_out, r2_in_sample=in_sample)


def _solve(x: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
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
    return coef, y_mean - float(x_mean @ coef)


def _held_out_r2(x: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> float:
    """Weighted R² of out-of-fold predictions (``CV_FOLDS`` interleaved folds)."""
    n = x.shape[0]
    if n < 2 * CV_FOLDS:
        return float("nan")
    fold = np.arange(n) % CV_FOLDS
    y_hat = np.full(n, np.nan)
    for k in range(CV_FOLDS):
        train = fold != k
        if w[train].sum() <= 0:
            continue
        coef, intercept = _solve(x[train], y[train], w[train], alpha)
        y_hat[~train] = x[~train] @ coef + intercept
    done = ~np.isnan(y_hat)
    if not done.any() or w[done].sum() <= 0:
        return float("nan")
    return weighted_r2(y[done], y_hat[done], w[done])
