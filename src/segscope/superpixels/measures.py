"""Superpixel quality measures, each with its definition and source.

Without ground truth: number and size distribution of segments, explained variation,
compactness, fragments. With a ground-truth region map: boundary recall (and
precision), undersegmentation error, achievable segmentation accuracy. Definitions
follow the benchmark of Stutz, Hermans & Leibe (2018), "Superpixels: an evaluation of
the state-of-the-art", CVIU 166, which collects them from the papers cited below.

Every function takes a label map of any integers (gaps allowed); ``gt`` is a region map
of the same shape (any integers; use :func:`regions_from_mask` to turn a binary mask into
regions). ``ignore_index`` leaves ground-truth pixels of that value out of ``N`` and of
every count.

Examples
--------
>>> import numpy as np
>>> gt = np.repeat([[0, 0, 1, 1]], 4, axis=0)
>>> boundary_recall(gt, gt), undersegmentation_error(gt, gt)
(1.0, 0.0)
>>> achievable_segmentation_accuracy(gt, gt)
1.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_label_array, check_same_shape
from .._image import check_image_layout
from ..errors import LabelError, ParameterError
from ..results import Report, Score
from .methods import Superpixels, relabel_sequential

__all__ = [
    "achievable_segmentation_accuracy",
    "boundary_mask",
    "boundary_precision",
    "boundary_recall",
    "boundary_tolerance",
    "compactness",
    "explained_variation",
    "num_fragments",
    "regions_from_mask",
    "segment_sizes",
    "size_statistics",
    "superpixel_quality",
    "undersegmentation_error",
]


def _labels(x: Any, name: str = "labels") -> np.ndarray:
    if isinstance(x, Superpixels):
        x = x.labels
    arr = check_label_array(x, name)
    if arr.ndim != 2:
        raise LabelError(f"{name} must be a 2-D label map; got shape {arr.shape}")
    if arr.size == 0:
        raise LabelError(f"{name} is empty")
    if arr.dtype.kind == "i" and arr.min() < 0:
        raise LabelError(f"{name} has negative labels (min {arr.min()}); labels must be >= 0")
    return arr


def _sequential(x: Any, name: str = "labels") -> tuple[np.ndarray, int]:
    return relabel_sequential(_labels(x, name))


def segment_sizes(labels: Any) -> np.ndarray:
    """Number of pixels of each superpixel (labels renumbered ``0 .. K-1`` in order).

    Examples
    --------
    >>> segment_sizes(np.array([[0, 0, 5]])).tolist()
    [2, 1]
    """
    seq, k = _sequential(labels)
    return np.bincount(seq.ravel(), minlength=k)


def size_statistics(labels: Any) -> dict[str, float]:
    """K and the distribution of superpixel sizes (pixels).

    Returns ``num_segments``, ``size_min``, ``size_median``, ``size_mean``, ``size_max`` and
    ``size_cv`` (coefficient of variation: standard deviation / mean; 0 when all superpixels
    have the same size).

    Examples
    --------
    >>> size_statistics(np.array([[0, 0, 1, 1]]))["size_cv"]
    0.0
    """
    sizes = segment_sizes(labels).astype(np.float64)
    return {
        "num_segments": float(sizes.size),
        "size_min": float(sizes.min()),
        "size_median": float(np.median(sizes)),
        "size_mean": float(sizes.mean()),
        "size_max": float(sizes.max()),
        "size_cv": float(sizes.std() / sizes.mean()),
    }


def explained_variation(labels: Any, image: Any, *, channel_axis: int | None = None) -> float:
    """Fraction of the image's variance explained by replacing each superpixel by its mean.

    ``EV = Σ_S |S| ‖μ_S − μ‖² / Σ_x ‖I(x) − μ‖²`` with ``μ_S`` the mean colour of superpixel
    ``S`` and ``μ`` the mean of the image (colour channels summed). 1 means every superpixel
    is uniform; it does not depend on the intensity scale. NaN for a constant image.
    Source: Moore, Prince, Warrell, Mohammed & Jones (2008), "Superpixel lattices", CVPR.

    Examples
    --------
    >>> explained_variation(np.array([[0, 0, 1, 1]]), np.array([[0.0, 0.0, 1.0, 1.0]]))
    1.0
    """
    seq, k = _sequential(labels)
    img = check_image_layout(image, channel_axis).astype(np.float64)
    check_same_shape(seq, img[..., 0] if img.ndim == 3 else img, ("labels", "image"))
    flat = seq.ravel()
    x = img.reshape(flat.size, -1)
    counts = np.bincount(flat, minlength=k).astype(np.float64)
    mean = x.mean(axis=0)
    between = 0.0
    total = 0.0
    for c in range(x.shape[1]):
        sums = np.bincount(flat, weights=x[:, c], minlength=k)
        means = sums / counts
        between += float(np.dot(counts, (means - mean[c]) ** 2))
        total += float(((x[:, c] - mean[c]) ** 2).sum())
    if total == 0:
        return float("nan")
    return min(1.0, between / total)


def _perimeters(seq: np.ndarray, k: int) -> np.ndarray:
    """Pixel edges between each superpixel and other superpixels or the image border."""
    per = np.zeros(k, dtype=np.float64)
    for a, b in ((seq[:, 1:], seq[:, :-1]), (seq[1:, :], seq[:-1, :])):
        diff = a != b
        per += np.bincount(a[diff], minlength=k)
        per += np.bincount(b[diff], minlength=k)
    for edge in (seq[0, :], seq[-1, :], seq[:, 0], seq[:, -1]):
        per += np.bincount(edge, minlength=k)
    return per


def compactness(labels: Any) -> float:
    """Area-weighted isoperimetric quotient of the superpixels.

    ``CO = Σ_S (|S| / N) · 4π |S| / P(S)²`` where ``P(S)`` is the number of pixel edges between
    ``S`` and other superpixels or the image border. A disc scores 1 in the continuum; on the
    pixel grid a square scores π/4 ≈ 0.785, the most any region can. Source: Schick, Fischer
    & Stiefelhagen (2012), "Measuring and evaluating the compactness of superpixels", ICPR.

    Examples
    --------
    >>> round(compactness(np.zeros((8, 8), dtype=int)), 4)
    0.7854
    """
    seq, k = _sequential(labels)
    area = np.bincount(seq.ravel(), minlength=k).astype(np.float64)
    per = _perimeters(seq, k)
    return float(np.sum(area / seq.size * 4.0 * math.pi * area / per**2))


def num_fragments(labels: Any) -> int:
    """Number of extra pieces: 8-connected components of equal label minus K (0 if none split).

    Examples
    --------
    >>> num_fragments(np.array([[0, 1, 0]]))
    1
    """
    from skimage.measure import label

    seq, k = _sequential(labels)
    pieces = int(label(seq.astype(np.int64), connectivity=2, background=-1).max())
    return pieces - k


def boundary_mask(labels: Any) -> np.ndarray:
    """Pixels with a 4-neighbour of another label (both sides of every boundary).

    Examples
    --------
    >>> boundary_mask(np.array([[0, 0, 1, 1]])).astype(int).tolist()
    [[0, 1, 1, 0]]
    """
    lab = _labels(labels)
    out = np.zeros(lab.shape, dtype=bool)
    h = lab[:, 1:] != lab[:, :-1]
    out[:, 1:] |= h
    out[:, :-1] |= h
    v = lab[1:, :] != lab[:-1, :]
    out[1:, :] |= v
    out[:-1, :] |= v
    return out


def boundary_tolerance(shape: tuple[int, ...]) -> int:
    """The usual boundary tolerance ``r = round(0.0025 × image diagonal)`` in pixels.

    Examples
    --------
    >>> boundary_tolerance((512, 512))
    2
    """
    return round(0.0025 * math.hypot(shape[0], shape[1]))


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    if r == 0:
        return mask
    from scipy.ndimage import maximum_filter

    return maximum_filter(mask, size=2 * r + 1, mode="constant", cval=False)


def _tolerance(tolerance: int | None, shape: tuple[int, ...]) -> int:
    if tolerance is None:
        return boundary_tolerance(shape)
    if isinstance(tolerance, bool) or int(tolerance) != tolerance or tolerance < 0:
        raise ParameterError(f"tolerance must be an integer >= 0 (pixels); got {tolerance!r}")
    return int(tolerance)


def _pair(labels: Any, gt: Any) -> tuple[np.ndarray, np.ndarray]:
    sp = _labels(labels)
    g = _labels(gt, "gt")
    check_same_shape(sp, g, ("labels", "gt"))
    return sp, g


def boundary_recall(labels: Any, gt: Any, *, tolerance: int | None = None,
                    ignore_index: int | None = None) -> float:
    """Fraction of ground-truth boundary pixels with a superpixel boundary pixel nearby.

    Boundary pixels are those with a 4-neighbour of another label (both sides); a
    ground-truth boundary pixel counts as recalled when a superpixel boundary pixel lies in
    the ``(2r+1) × (2r+1)`` window around it, ``r = tolerance`` (default
    ``round(0.0025 × diagonal)``). Ground-truth boundary pixels labelled ``ignore_index`` are
    not counted. NaN when the ground truth has no boundary. Source: Martin, Fowlkes & Malik
    (2004), PAMI 26(5), in the form of Stutz et al. (2018).

    Examples
    --------
    >>> gt = np.repeat([[0, 0, 0, 1, 1, 1]], 3, axis=0)
    >>> boundary_recall(np.zeros_like(gt), gt)
    0.0
    """
    sp, g = _pair(labels, gt)
    r = _tolerance(tolerance, sp.shape)
    gb = boundary_mask(g)
    if ignore_index is not None:
        gb &= g != ignore_index
    total = int(gb.sum())
    if total == 0:
        return float("nan")
    near = _dilate(boundary_mask(sp), r)
    return float((gb & near).sum() / total)


def boundary_precision(labels: Any, gt: Any, *, tolerance: int | None = None) -> float:
    """Fraction of superpixel boundary pixels with a ground-truth boundary pixel nearby.

    The mirror of :func:`boundary_recall` (same window); low values mean many superpixel
    boundaries inside ground-truth regions. NaN when there is a single superpixel.

    Examples
    --------
    >>> gt = np.repeat([[0, 0, 1, 1]], 2, axis=0)
    >>> boundary_precision(gt, gt)
    1.0
    """
    sp, g = _pair(labels, gt)
    r = _tolerance(tolerance, sp.shape)
    sb = boundary_mask(sp)
    total = int(sb.sum())
    if total == 0:
        return float("nan")
    return float((sb & _dilate(boundary_mask(g), r)).sum() / total)


def _contingency(sp: np.ndarray, g: np.ndarray, ignore_index: int | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Sparse joint counts: (superpixel id, gt id, |S ∩ G|) over the counted pixels, and N."""
    s = sp.ravel()
    t = g.ravel()
    if ignore_index is not None:
        keep = t != ignore_index
        s, t = s[keep], t[keep]
    n = int(s.size)
    if n == 0:
        return (np.zeros(0, np.int64),) * 3 + (0,)
    s, _ = relabel_sequential(s)
    t, kg = relabel_sequential(t)
    key = s.astype(np.int64) * kg + t
    pairs, counts = np.unique(key, return_counts=True)
    return pairs // kg, pairs % kg, counts.astype(np.int64), n


def undersegmentation_error(labels: Any, gt: Any, *, ignore_index: int | None = None) -> float:
    """How much superpixels leak across ground-truth regions (0 is best).

    ``UE = (1/N) Σ_G Σ_{S: S∩G≠∅} min(|S ∩ G|, |S \\ G|)``: every superpixel that overlaps a
    region ``G`` is charged the smaller of its part inside and its part outside ``G``. NaN
    when no pixel is counted. Source: Neubert & Protzel (2012), "Superpixel benchmark and
    comparison", Forum Bildverarbeitung.

    Examples
    --------
    >>> gt = np.array([[0, 0, 1, 1]])
    >>> undersegmentation_error(np.array([[0, 1, 1, 2]]), gt)
    0.5
    """
    sp, g = _pair(labels, gt)
    s_id, _, inter, n = _contingency(sp, g, ignore_index)
    if n == 0:
        return float("nan")
    size = np.bincount(s_id, weights=inter)
    outside = size[s_id] - inter
    return float(np.minimum(inter, outside).sum() / n)


def achievable_segmentation_accuracy(labels: Any, gt: Any, *,
                                     ignore_index: int | None = None) -> float:
    """Best pixel accuracy of any segmentation built from whole superpixels (1 is best).

    ``ASA = (1/N) Σ_S max_G |S ∩ G|``: each superpixel is given the ground-truth region it
    overlaps most. NaN when no pixel is counted. Source: Liu, Tuzel, Ramalingam &
    Chellappa (2011), "Entropy rate superpixel segmentation", CVPR.

    Examples
    --------
    >>> achievable_segmentation_accuracy(np.array([[0, 0, 0, 1]]), np.array([[0, 0, 1, 1]]))
    0.75
    """
    sp, g = _pair(labels, gt)
    s_id, _, inter, n = _contingency(sp, g, ignore_index)
    if n == 0:
        return float("nan")
    best = np.zeros(int(s_id.max()) + 1, dtype=np.int64)
    np.maximum.at(best, s_id, inter)
    return float(best.sum() / n)


def regions_from_mask(mask: Any, *, ignore_value: int | None = None) -> np.ndarray:
    """A ground-truth region map from a mask: connected components of equal value.

    Every 4-connected piece of equal value becomes a region ``1 .. n``; pixels equal to
    ``ignore_value`` get 0 (pass ``ignore_index=0`` to the measures to leave them out). For
    the ISBI membrane labels (255 = cell interior, 0 = membrane) use ``ignore_value=0``.

    Examples
    --------
    >>> regions_from_mask(np.array([[1, 0, 1]]), ignore_value=0).tolist()
    [[1, 0, 2]]
    """
    from skimage.measure import label

    arr = _labels(mask, "mask").astype(np.int64)
    if ignore_value is None:
        return label(arr, connectivity=1, background=-1)
    return label(np.where(arr == ignore_value, -1, arr), connectivity=1, background=-1)


DEFINITIONS = {
    "num_segments": "K, the number of superpixels",
    "size_cv": "standard deviation / mean of superpixel sizes",
    "explained_variation": "Moore et al. 2008: between-superpixel variance / total variance",
    "compactness": "Schick et al. 2012: area-weighted 4πA/P² (square = π/4)",
    "fragments": "8-connected pieces minus K",
    "boundary_recall": "Martin et al. 2004 / Stutz et al. 2018, tolerance 0.0025 × diagonal",
    "boundary_precision": "superpixel boundary pixels near a ground-truth boundary",
    "undersegmentation_error": "Neubert & Protzel 2012",
    "achievable_segmentation_accuracy": "Liu et al. 2011",
}


def superpixel_quality(
    labels: Any,
    image: Any = None,
    *,
    gt: Any = None,
    tolerance: int | None = None,
    ignore_index: int | None = None,
    channel_axis: int | None = None,
) -> Report:
    """Every measure that applies, as a :class:`~segscope.results.Report` of scores.

    Parameters
    ----------
    labels : array_like or Superpixels
        The superpixels. A :class:`Superpixels` also contributes its ``runtime_s``.
    image : array_like, optional
        Adds ``explained_variation``.
    gt : array_like, optional
        Ground-truth region map; adds boundary recall/precision, undersegmentation error
        and achievable segmentation accuracy.
    tolerance : int, optional
        Boundary tolerance in pixels (default ``round(0.0025 × diagonal)``).
    ignore_index : int, optional
        Ground-truth value left out of the ground-truth measures.
    channel_axis : int, optional
        Axis of the colour channels of a 3-D ``image``; ``None`` for a grey image.

    Examples
    --------
    >>> lab = np.repeat([[0, 0, 1, 1]], 4, axis=0)
    >>> superpixel_quality(lab, gt=lab).summary()["boundary_recall"]
    1.0
    """
    values: dict[str, float] = {}
    sizes = size_statistics(labels)
    values.update(sizes)
    values["compactness"] = compactness(labels)
    values["fragments"] = float(num_fragments(labels))
    if image is not None:
        values["explained_variation"] = explained_variation(labels, image,
                                                            channel_axis=channel_axis)
    if gt is not None:
        values["boundary_recall"] = boundary_recall(labels, gt, tolerance=tolerance,
                                                    ignore_index=ignore_index)
        values["boundary_precision"] = boundary_precision(labels, gt, tolerance=tolerance)
        values["undersegmentation_error"] = undersegmentation_error(labels, gt,
                                                                    ignore_index=ignore_index)
        values["achievable_segmentation_accuracy"] = achievable_segmentation_accuracy(
            labels, gt, ignore_index=ignore_index)
    if isinstance(labels, Superpixels):
        values["runtime_s"] = float(labels.runtime_s)
    scores = tuple(
        Score(metric=k, value=v, excluded=int(math.isnan(v)), average="none",
              extra={"definition": DEFINITIONS[k]} if k in DEFINITIONS else {})
        for k, v in values.items()
    )
    meta: dict[str, Any] = {"shape": list(_labels(labels).shape)}
    if gt is not None:
        meta["tolerance"] = _tolerance(tolerance, _labels(labels).shape)
        meta["ignore_index"] = ignore_index
    if isinstance(labels, Superpixels):
        meta.update(method=labels.method, params=dict(labels.params), seed=labels.seed)
    return Report(scores=scores, meta=meta)
