"""Bootstrap confidence intervals over images for overlap scores.

Images are drawn with replacement (``resamples`` times, a fixed ``seed``), and for each
draw two numbers are computed per metric:

- **pooled**: the draw's confusion counts are summed and scored (what
  ``aggregate="dataset"`` reports);
- **per image**: the mean of the drawn images' own values, undefined ones left out (what
  ``aggregate="image"`` reports).

The interval is the percentile interval of the draws (Efron & Tibshirani, *An
Introduction to the Bootstrap*, 1993, ch. 13). The same counts and seed give the same
interval.

Examples
--------
>>> import numpy as np
>>> from segscope.options import ScoreOptions
>>> rng = np.random.default_rng(0)
>>> counts = rng.integers(1, 50, size=(30, 3, 3))
>>> ci = bootstrap_intervals(counts, ScoreOptions(metrics="iou"), resamples=200)
>>> low, high = ci["iou"]["pooled"]
>>> bool(low < ci["iou"]["value"]["pooled"] < high)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ParameterError
from .metrics import score_each
from .options import ScoreOptions

__all__ = ["bootstrap_intervals"]

# Resampled sums are scored in chunks of at most this many counts (memory bound).
_CHUNK_VALUES = 4_000_000


def bootstrap_intervals(image_counts: Any, options: ScoreOptions | None = None, /, *,
                        resamples: int = 1000, seed: int = 0, confidence: float = 0.95,
                        task: str | None = None) -> dict[str, dict[str, Any]]:
    """Percentile bootstrap intervals, pooled and per image, of each metric of ``options``.

    Parameters
    ----------
    image_counts : array_like of int
        Per-image confusion counts ``(N, C, C)`` (multi-label ``(N, C, 2, 2)``).
    options : ScoreOptions, optional
        The metrics and how each is scored (average, empty policy, labels...).
    resamples : int
        Number of draws (each of ``N`` images with replacement).
    seed : int
        Seed of NumPy's ``default_rng``: the same seed gives the same intervals.
    confidence : float
        Coverage of the interval, in (0, 1).
    task : str, optional
        As :func:`segscope.metrics.score_counts`.

    Returns
    -------
    dict
        ``{metric: {"pooled": (low, high), "per_image": (low, high), "value": {"pooled":
        v, "per_image": v}, "excluded_images": k}}``; an interval is ``(nan, nan)`` when
        no draw has a defined value. ``excluded_images`` counts the images whose own value
        is undefined (left out of the per-image means).
    """
    counts = np.asarray(image_counts)
    if counts.ndim < 3 or counts.shape[0] == 0:
        raise ParameterError(f"image_counts must hold per-image counts (N, C, C); got shape "
                             f"{counts.shape}")
    if not isinstance(resamples, (int, np.integer)) or resamples < 1:
        raise ParameterError(f"resamples must be a positive integer; got {resamples!r}")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must lie in (0, 1); got {confidence!r}")
    o = ScoreOptions() if options is None else options
    n = counts.shape[0]
    own = score_each(counts, o, task=task)
    pooled_value = score_each(counts.sum(axis=0)[None], o, task=task)
    margins = not (task == "multilabel" or counts.ndim == 4) and counts.shape[-1] >= 4
    # a (C, C) matrix is scored through its diagonal and its row and column sums only, so
    # the draws sum those (3C numbers per image, not C*C) and score a matrix that has them
    flat = (_margins(counts) if margins else counts.reshape(n, -1)).astype(np.float64)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(resamples, _CHUNK_VALUES // max(flat.shape[1], n)))
    pooled: dict[str, list[np.ndarray]] = {m: [] for m in o.metrics}
    per_image: dict[str, list[np.ndarray]] = {m: [] for m in o.metrics}
    finite = {m: np.isfinite(v) for m, v in own.items()}
    filled = {m: np.where(finite[m], v, 0.0) for m, v in own.items()}
    done = 0
    while done < resamples:
        b = min(chunk, resamples - done)
        draws = rng.integers(0, n, size=(b, n))
        weights = np.bincount((draws + n * np.arange(b)[:, None]).ravel(),
                              minlength=b * n).reshape(b, n).astype(np.float64)
        sums = np.rint(weights @ flat).astype(np.int64)
        sums = with_margins(sums) if margins else sums.reshape((b, *counts.shape[1:]))
        for metric, values in score_each(sums, o, task=task).items():
            pooled[metric].append(values)
        for metric in o.metrics:
            kept = weights @ finite[metric]
            with np.errstate(invalid="ignore", divide="ignore"):
                per_image[metric].append((weights @ filled[metric]) / kept)
        done += b
    tail = (1 - confidence) / 2 * 100
    out: dict[str, dict[str, Any]] = {}
    for metric in o.metrics:
        kept = own[metric][finite[metric]]
        out[metric] = {
            "pooled": _interval(np.concatenate(pooled[metric]), tail),
            "per_image": _interval(np.concatenate(per_image[metric]), tail),
            "value": {"pooled": float(pooled_value[metric][0]),
                      "per_image": float(kept.mean()) if kept.size else float("nan")},
            "excluded_images": int(n - kept.size),
        }
    return out


def _margins(counts: np.ndarray) -> np.ndarray:
    """``(N, 3C)``: the diagonal, the row sums and the column sums of each ``(C, C)``."""
    return np.concatenate([np.diagonal(counts, axis1=-2, axis2=-1), counts.sum(axis=-1),
                           counts.sum(axis=-2)], axis=-1)


def with_margins(margins: np.ndarray) -> np.ndarray:
    """Integer ``(M, C, C)`` matrices with the given diagonal, row sums and column sums.

    ``margins`` is ``(M, 3C)`` as made by :func:`_margins` (C >= 3); the row sums and the
    column sums of each entry must have the same total. Every overlap metric reads a
    confusion matrix only through these (per-class TP, FP, FN, TN and, for accuracy,
    kappa and MCC, the trace, the total and the two marginals), so such a matrix scores
    exactly like the one it stands for, although some of its off-diagonal entries may be
    negative. Off the diagonal, row ``i >= 1`` puts its errors in column 0, row 0 puts
    column ``j``'s in column ``j``, and two entries of row 2 balance the rest.

    Examples
    --------
    >>> cm = np.array([[5, 1, 0], [2, 7, 3], [0, 4, 6]])
    >>> m = with_margins(_margins(cm[None]))[0]
    >>> (np.diag(m) == np.diag(cm)).all(), (m.sum(0) == cm.sum(0)).all(), \
(m.sum(1) == cm.sum(1)).all()
    (np.True_, np.True_, np.True_)
    """
    c = margins.shape[-1] // 3
    tp, rows, cols = margins[:, :c], margins[:, c:2 * c], margins[:, 2 * c:]
    a, b = rows - tp, cols - tp  # the errors of each row and of each column
    total = a.sum(axis=1)
    out = np.zeros((margins.shape[0], c, c), dtype=np.int64)
    idx = np.arange(c)
    out[:, idx, idx] = tp
    out[:, 1:, 0] = a[:, 1:]
    out[:, 0, 1:] = b[:, 1:]
    d = a[:, 0] + b[:, 0] - total
    out[:, 0, 1] += d
    out[:, 2, 1] -= d
    out[:, 2, 0] += d
    return out


def _interval(draws: np.ndarray, tail: float) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)
