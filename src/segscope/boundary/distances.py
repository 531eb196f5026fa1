"""Surface-to-surface distance samples of one pair of masks.

The work is done on the bounding box of the two masks (plus a one-voxel background
margin), never on the whole image: the distance from a surface point to the other
surface only involves surface points, and every surface point lies in that box.
The nearest surface point of the other mask is found exactly in a grid of buckets of
surface points, searched ring by ring around each query (most surface points have a
close partner); the rare far queries go to a k-d tree of the surface points scaled by
spacing. An exact Euclidean distance transform of the box (separable, Felzenszwalb &
Huttenlocher, with the spacing built in) gives the same distances and is kept as
``method="edt"``; the buckets were chosen by measurement (``benchmarks/boundary.py``).

Examples
--------
>>> import numpy as np
>>> a = np.zeros((5, 5), bool); a[1, 1] = True
>>> b = np.zeros((5, 5), bool); b[1, 4] = True
>>> d = surface_distances(a, b, spacing=(1.0, 0.5))
>>> d.pred_to_target.tolist(), d.target_to_pred.tolist()
([1.5], [1.5])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._backend import any_tensor
from .._checks import check_choice, check_same_shape, check_spacing
from ..errors import LabelError, ShapeError
from . import _kernels
from .surfaces import SURFACES, padded_surface

__all__ = [
    "SurfaceDistances",
    "band_iou",
    "binary_pair",
    "crop_pair",
    "distances_from_crops",
    "distances_in_box",
    "host_pair",
    "no_distances",
    "pair_boxes",
    "spacing3",
    "surface_distances",
]

# Nearest surface points are found in buckets of CELL_VOXELS voxels along the finest axis,
# searching at most MAX_RING rings of buckets around each query; the few farther queries
# (a missed or spurious structure) go to a k-d tree, or, when they are many (a prediction
# far from its target), to the distance transform of the crop. Chosen by measurement
# (benchmarks/boundary.py): 3-8 times faster than a distance transform of the crop on
# good predictions, no slower than about twice the transform on bad ones.
CELL_VOXELS = 4.0
MAX_RING = 3
FAR_QUERY_VOXELS = 250.0


@dataclass(frozen=True)
class SurfaceDistances:
    """Distances from every surface point of one mask to the surface of the other.

    Attributes
    ----------
    pred_to_target, target_to_pred : ndarray of float64
        One distance per surface point of ``pred`` (resp. ``target``), in the units
        of ``spacing``. If one mask is empty, its array is empty and the other one is
        all ``inf``.
    pred_weights, target_weights : ndarray of float64
        Weight of each surface point: 1 for ``surface="voxels"``, the length (2-D) or
        area (3-D) of the surface element for ``surface="elements"``.
    surface : str
        The surface convention.
    spacing : tuple of float
        Voxel spacing in array axis order.
    shape : tuple of int
        Shape of the masks.
    """

    pred_to_target: np.ndarray
    target_to_pred: np.ndarray
    pred_weights: np.ndarray
    target_weights: np.ndarray
    surface: str
    spacing: tuple[float, ...]
    shape: tuple[int, ...]

    @property
    def pred_empty(self) -> bool:
        """Whether ``pred`` has no surface (no foreground)."""
        return self.pred_weights.size == 0

    @property
    def target_empty(self) -> bool:
        """Whether ``target`` has no surface (no foreground)."""
        return self.target_weights.size == 0

    @property
    def diagonal(self) -> float:
        """Length of the image diagonal in physical units: the ``"worst"`` distance."""
        return float(np.sqrt(np.sum((np.asarray(self.shape) * np.asarray(self.spacing)) ** 2)))


def surface_distances(pred, target, *, spacing=None, surface: str = "voxels") -> SurfaceDistances:
    """Distance samples between the surfaces of two binary masks.

    Parameters
    ----------
    pred, target : array_like or torch.Tensor of bool or {0, 1}
        2-D or 3-D masks of the same shape. Tensors (on any device) are copied to the
        host, where the distances are computed; the values are those of NumPy input.
    spacing : float or sequence of float, optional
        Physical voxel size in array axis order (default 1 on every axis).
    surface : {"voxels", "elements"}
        Surface convention: boundary voxels (MONAI, MedPy) or area-weighted surface
        elements (DeepMind surface-distance). See :mod:`segscope.boundary.surfaces`.

    Returns
    -------
    SurfaceDistances
        ``pred_to_target`` / ``target_to_pred`` hold one distance per surface point
        (for your own statistics), ``pred_weights`` / ``target_weights`` their
        weights.

    Examples
    --------
    >>> a = np.zeros((4, 4), bool); a[1:3, 1:3] = True
    >>> surface_distances(a, a).pred_to_target.tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    check_choice("surface", surface, SURFACES)
    p3, t3, sp, shape = binary_pair(pred, target, spacing)
    lo, hi, _ = pair_boxes(p3, t3, 2)
    return distances_in_box(p3, t3, 1, lo[1], hi[1], sp, surface, shape)


def binary_pair(pred, target, spacing):
    """Validate two binary masks; return 3-D integer views, 3-D spacing and the shape."""
    if any_tensor(pred, target):
        pred, target = host_pair(pred, target)
    pred = np.asarray(pred)
    target = np.asarray(target)
    check_same_shape(pred, target)
    if pred.ndim not in (2, 3):
        raise ShapeError(
            f"boundary metrics need 2-D or 3-D masks; got {pred.ndim}-D arrays of shape "
            f"{pred.shape}. Pass one image (or volume) at a time, without batch or channel axes"
        )
    p3, t3 = as_label_volume(pred, "pred"), as_label_volume(target, "target")
    sp = spacing3(spacing, pred.ndim)
    return p3, t3, sp, tuple(pred.shape)


def host_pair(pred, target) -> tuple[np.ndarray, np.ndarray]:
    """NumPy copies of a pair in which one or both are torch tensors (torch imported here)."""
    from .._torch.boundary import to_host

    return to_host(pred, "pred"), to_host(target, "target")


def spacing3(spacing, ndim: int) -> np.ndarray:
    """Checked spacing, as three values (a 2-D spacing gets a leading 1)."""
    sp = check_spacing(spacing, ndim)
    return np.concatenate([np.ones(3 - ndim), sp])


def as_label_volume(x: np.ndarray, name: str) -> np.ndarray:
    """A 3-D integer (or uint8-viewed boolean) C-contiguous view of a label map."""
    from .._checks import check_label_array

    arr = check_label_array(x, name)
    if arr.ndim == 2:
        arr = arr[None]
    return np.ascontiguousarray(arr)


def pair_boxes(p3: np.ndarray, t3: np.ndarray, num_labels: int, first_label: int = 1,
               what: str = "binary masks (0/1 or bool)"):
    """Union bounding boxes ``(lo, hi)`` per label of two label volumes, and target counts.

    Raises :class:`LabelError` (saying that ``what`` was expected) if a value is
    outside ``[0, num_labels)``.
    """
    plo, phi, _, pbad = _kernels.label_boxes(p3, num_labels, first_label)
    tlo, thi, tcount, tbad = _kernels.label_boxes(t3, num_labels, first_label)
    for bad, name, arr in ((pbad, "pred", p3), (tbad, "target", t3)):
        if bad:
            values = np.unique(arr)
            wrong = values[(values < 0) | (values >= num_labels)][:5].tolist()
            raise LabelError(
                f"{name} has {bad} values outside what was expected ({what}); e.g. {wrong}. "
                "Threshold a probability map first, or set num_classes / ignore_index"
            )
    return np.minimum(plo, tlo), np.maximum(phi, thi), tcount


def _crop(volume: np.ndarray, label: int, lo: np.ndarray, hi: np.ndarray, real0: bool):
    """Boolean crop ``volume[lo:hi+1] == label`` with a one-voxel background margin."""
    region = volume[lo[0]:hi[0] + 1, lo[1]:hi[1] + 1, lo[2]:hi[2] + 1]
    pad0 = 1 if real0 else 0
    out = np.zeros(
        (region.shape[0] + 2 * pad0, region.shape[1] + 2, region.shape[2] + 2), np.uint8
    )
    np.equal(region, label, out=out[pad0:out.shape[0] - pad0, 1:-1, 1:-1], casting="unsafe")
    return out


def crop_pair(p3, t3, label, lo, hi, real0):
    """Boolean (uint8) crops of ``p3 == label`` and ``t3 == label`` with a background margin."""
    return _crop(p3, label, lo, hi, real0), _crop(t3, label, lo, hi, real0)


def distances_from_crops(
    pm: np.ndarray, tm: np.ndarray, sp3: np.ndarray, surface: str, shape: tuple[int, ...],
    method: str = "auto",
) -> SurfaceDistances:
    """Distance samples of two cropped masks (``pm``, ``tm`` from :func:`crop_pair`)."""
    ndim = len(shape)
    real0 = ndim == 3
    spacing = tuple(float(s) for s in sp3[3 - ndim:])
    ps = padded_surface(pm, surface, spacing, real0)
    ts = padded_surface(tm, surface, spacing, real0)
    if ps.weights.size == 0 or ts.weights.size == 0:
        d_pt = np.full(ps.weights.size, np.inf)
        d_tp = np.full(ts.weights.size, np.inf)
    else:
        grid = pm.shape if surface == "voxels" else tuple(
            n - 1 if (a > 0 or real0) else n for a, n in enumerate(pm.shape))
        d_pt, d_tp = _pair_distances(ps.coords, ts.coords, grid, sp3, method)
    return SurfaceDistances(d_pt, d_tp, ps.weights, ts.weights, surface, spacing, shape)


def no_distances(surface: str, sp3: np.ndarray, shape: tuple[int, ...]) -> SurfaceDistances:
    """The samples of two empty masks."""
    empty = np.zeros(0)
    spacing = tuple(float(s) for s in sp3[3 - len(shape):])
    return SurfaceDistances(empty, empty, empty, empty, surface, spacing, shape)


def distances_in_box(p3, t3, label, lo, hi, sp3, surface, shape, method="auto"):
    """Distance samples of ``p3 == label`` and ``t3 == label`` inside their union box."""
    if (hi < lo).any():
        return no_distances(surface, sp3, shape)
    pm, tm = crop_pair(p3, t3, label, lo, hi, len(shape) == 3)
    return distances_from_crops(pm, tm, sp3, surface, shape, method)


def band_iou(pm: np.ndarray, tm: np.ndarray, width: float, sp3: np.ndarray, real0: bool):
    """Boundary IoU of two cropped masks; ``(intersection, union)`` of their bands.

    The band of a mask is its foreground within ``width`` (physical units) of its
    boundary voxels (the boundary voxels themselves included).
    """
    bands = []
    limit = width * width * (1.0 + 1e-12)
    for m in (pm, tm):
        coords = _kernels.boundary_voxel_coords(m, real0)
        if coords.shape[0] == 0:
            bands.append(np.zeros(m.shape, bool))
            continue
        features = np.zeros(m.shape, np.bool_)
        features[coords[:, 0], coords[:, 1], coords[:, 2]] = True
        if width > 0:
            bands.append(m.view(bool) & (_kernels.squared_edt_full(features, sp3) <= limit))
        else:
            bands.append(features)
    inter = int(np.count_nonzero(bands[0] & bands[1]))
    union = int(np.count_nonzero(bands[0] | bands[1]))
    return inter, union


def _pair_distances(pc, tc, grid, sp3, method):
    if method == "auto":
        method = "cells"
    if method == "cells":
        return _nearest_by_cells(tc, pc, sp3, grid), _nearest_by_cells(pc, tc, sp3, grid)
    if method == "kdtree":
        return _nearest_by_kdtree(tc, pc, sp3), _nearest_by_kdtree(pc, tc, sp3)
    return _nearest_by_edt(tc, pc, sp3, grid), _nearest_by_edt(pc, tc, sp3, grid)


def _nearest_by_kdtree(points, queries, sp3):
    from scipy.spatial import cKDTree

    return np.asarray(cKDTree(points * sp3).query(queries * sp3, k=1)[0], float)


def _nearest_by_edt(points, queries, sp3, grid):
    features = np.zeros(grid, np.bool_)
    features[points[:, 0], points[:, 1], points[:, 2]] = True
    return np.sqrt(_kernels.squared_edt(features, sp3, queries))


def _nearest_by_cells(points: np.ndarray, queries: np.ndarray, sp3: np.ndarray,
                      grid: tuple[int, ...]) -> np.ndarray:
    """Distance from each query to the nearest point, by buckets.

    Queries without a partner within ``MAX_RING`` rings are answered by a k-d tree
    when they are few, by the distance transform of the crop when they are many (a far
    k-d tree query costs about as much as ``FAR_QUERY_VOXELS`` voxels of the
    transform); a sample of the queries decides first whether buckets are worth it.
    """
    cell = CELL_VOXELS * float(sp3.min())
    budget = float(np.prod(grid)) / FAR_QUERY_VOXELS
    n = queries.shape[0]
    if n > 1024:
        sample = queries[:: n // 256]
        _, ok = _kernels.nearest_squared_in_cells(points, sample, sp3, cell, MAX_RING)
        if (sample.shape[0] - ok.sum()) * (n / sample.shape[0]) > budget:
            return _nearest_by_edt(points, queries, sp3, grid)
    squared, resolved = _kernels.nearest_squared_in_cells(points, queries, sp3, cell, MAX_RING)
    out = np.sqrt(squared)
    far = ~resolved
    n_far = int(far.sum())
    if n_far > budget:
        out[far] = _nearest_by_edt(points, queries[far], sp3, grid)
    elif n_far:
        out[far] = _nearest_by_kdtree(points, queries[far], sp3)
    return out
