"""Ordering and grouping a collection from its pairwise matrix.

* :func:`similarity_chain` — greedy: start at one image, repeatedly step to the most
  similar image not yet visited. Simple, but its last steps are often long jumps.
* :func:`order_images` — a better global ordering: optimal leaf ordering of an
  average-linkage hierarchical clustering (``"olo"``, Bar-Joseph et al. 2001, via SciPy),
  or the greedy chain improved by 2-opt segment reversals (``"two_opt"``).
* :func:`cluster` — groups at a distance threshold (complete linkage by default, so every
  pair inside a group is within the threshold: near-duplicate groups).

Every function takes a *distance* matrix; :func:`to_distance` turns a similarity matrix
(SSIM, MS-SSIM, PSNR) into one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import ParameterError, ShapeError

__all__ = ["chain_length", "cluster", "order_images", "similarity_chain", "to_distance",
           "two_opt"]


def to_distance(matrix: Any, metric: str) -> np.ndarray:
    """Turn a matrix of ``metric`` values into distances (0 for identical images).

    ``ssim``/``ms_ssim``: ``1 - s``; ``psnr``: ``10**(-psnr / 10)`` (= MSE / L², so
    the order is that of the MSE); ``mse``, ``rmse``, ``euclidean``: unchanged.

    Examples
    --------
    >>> to_distance(np.array([[1.0, 0.25], [0.25, 1.0]]), "ssim").tolist()
    [[0.0, 0.75], [0.75, 0.0]]
    """
    m = np.asarray(matrix, dtype=np.float64)
    check_choice("metric", metric, ("ssim", "ms_ssim", "psnr", "mse", "rmse", "euclidean"))
    if metric in ("ssim", "ms_ssim"):
        return 1.0 - m
    if metric == "psnr":
        return 10.0 ** (-m / 10.0)
    return m.copy()


def _check_distance(distance: Any) -> np.ndarray:
    d = np.asarray(distance, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape[0] == 0:
        raise ShapeError(f"distance must be a non-empty square matrix; got shape {d.shape}")
    if not np.isfinite(d).all():
        raise ParameterError("distance contains NaN or infinite values; clean it first "
                             "(for PSNR matrices use to_distance(matrix, 'psnr'))")
    if not np.allclose(d, d.T, rtol=1e-6, atol=1e-9):
        raise ParameterError("distance must be symmetric; use similarity_matrix, or "
                             "(d + d.T) / 2 for a cross matrix of one set with itself")
    return d


def chain_length(order: Any, distance: Any) -> float:
    """Sum of the distances between consecutive images of ``order``.

    Examples
    --------
    >>> d = np.array([[0, 1, 5], [1, 0, 2], [5, 2, 0]], float)
    >>> chain_length([0, 1, 2], d), chain_length([1, 0, 2], d)
    (3.0, 6.0)
    """
    idx = np.asarray(order, dtype=np.int64)
    d = np.asarray(distance, dtype=np.float64)
    return float(d[idx[:-1], idx[1:]].sum())


def similarity_chain(distance: Any, /, *, start: int = 0) -> np.ndarray:
    """Greedy chain: from ``start``, always move to the nearest unvisited image.

    Ties go to the lowest index.

    Examples
    --------
    >>> x = np.array([0.0, 3.0, 1.0, 2.0])
    >>> similarity_chain(np.abs(x[:, None] - x[None, :])).tolist()
    [0, 2, 3, 1]
    """
    d = _check_distance(distance)
    n = d.shape[0]
    if not (isinstance(start, (int, np.integer)) and 0 <= start < n):
        raise ParameterError(f"start must be an image index in [0, {n}); got {start!r}")
    visited = np.zeros(n, dtype=bool)
    order = np.empty(n, dtype=np.int64)
    current = int(start)
    for step in range(n):
        order[step] = current
        visited[current] = True
        if step == n - 1:
            break
        row = np.where(visited, np.inf, d[current])
        current = int(np.argmin(row))
    return order


def two_opt(order: Any, distance: Any, /, *, max_passes: int = 50) -> np.ndarray:
    """Improve an open path by reversing segments while that shortens it (2-opt).

    The result is never longer than ``order``.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> two_opt([0, 2, 1, 3], np.abs(x[:, None] - x[None, :])).tolist()
    [0, 1, 2, 3]
    """
    d = _check_distance(distance)
    path = np.asarray(order, dtype=np.int64).copy()
    n = path.size
    if sorted(path.tolist()) != list(range(d.shape[0])):
        raise ParameterError("order must be a permutation of the image indices")
    for _ in range(max_passes):
        improved = False
        for i in range(n - 1):
            j = np.arange(i + 1, n)
            before = d[path[i - 1], path[i]] if i > 0 else 0.0
            after = np.zeros(j.size)
            inner = j < n - 1
            after[inner] = d[path[j[inner]], path[j[inner] + 1]]
            new_left = d[path[i - 1], path[j]] if i > 0 else np.zeros(j.size)
            new_right = np.zeros(j.size)
            new_right[inner] = d[path[i], path[j[inner] + 1]]
            gain = before + after - new_left - new_right
            best = int(np.argmax(gain))
            if gain[best] > 1e-12 * max(1.0, abs(before) + abs(after[best])):
                path[i : j[best] + 1] = path[i : j[best] + 1][::-1].copy()
                improved = True
        if not improved:
            break
    return path


def order_images(distance: Any, /, *, method: str = "olo", start: int = 0,
                 linkage: str = "average") -> np.ndarray:
    """Order images so that neighbours in the order look alike.

    Parameters
    ----------
    distance : (N, N) array
        Symmetric distances (see :func:`to_distance`).
    method : {"olo", "two_opt", "chain"}
        ``"olo"``: leaves of a hierarchical clustering in optimal leaf order (the order
        that minimises the summed distance of neighbours among all orders compatible
        with the tree); ``"two_opt"``: greedy chain from ``start`` improved by 2-opt;
        ``"chain"``: the greedy chain itself.
    start : int
        First image for the chain methods.
    linkage : {"average", "complete", "single", "ward"}
        Linkage of the clustering used by ``"olo"``.

    Returns
    -------
    numpy.ndarray
        A permutation of ``range(N)``.

    Examples
    --------
    >>> x = np.array([0.0, 5.0, 1.0, 4.0, 2.0, 3.0])
    >>> d = np.abs(x[:, None] - x[None, :])
    >>> x[order_images(d)].tolist() in ([0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0])
    True
    """
    check_choice("method", method, ("olo", "two_opt", "chain"))
    d = _check_distance(distance)
    n = d.shape[0]
    if method == "chain":
        return similarity_chain(d, start=start)
    if method == "two_opt":
        return two_opt(similarity_chain(d, start=start), d)
    if n < 3:
        return np.arange(n)
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform

    check_choice("linkage", linkage, ("average", "complete", "single", "ward"))
    condensed = squareform(np.maximum((d + d.T) / 2.0, 0.0), checks=False)
    tree = hierarchy.linkage(condensed, method=linkage, optimal_ordering=True)
    return hierarchy.leaves_list(tree).astype(np.int64)


def cluster(distance: Any, /, *, threshold: float, linkage: str = "complete") -> np.ndarray:
    """Group images whose distances are within ``threshold``.

    With ``linkage="complete"`` (default) every pair inside a group is at most
    ``threshold`` apart; ``"single"`` joins chains of close pairs; ``"average"`` is in
    between. Labels are 0, 1, ... in order of each group's first image.

    Examples
    --------
    >>> x = np.array([0.0, 10.0, 0.1, 10.2, 30.0])
    >>> cluster(np.abs(x[:, None] - x[None, :]), threshold=0.5).tolist()
    [0, 1, 0, 1, 2]
    """
    d = _check_distance(distance)
    check_choice("linkage", linkage, ("complete", "single", "average"))
    if not np.isfinite(threshold) or threshold < 0:
        raise ParameterError(f"threshold must be a finite, non-negative distance; got "
                             f"{threshold!r}")
    n = d.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform

    condensed = squareform(np.maximum((d + d.T) / 2.0, 0.0), checks=False)
    raw = hierarchy.fcluster(hierarchy.linkage(condensed, method=linkage), t=threshold,
                             criterion="distance")
    _, first = np.unique(raw, return_index=True)
    relabel = {raw[k]: rank for rank, k in enumerate(sorted(first))}
    return np.array([relabel[v] for v in raw], dtype=np.int64)
