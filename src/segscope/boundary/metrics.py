"""Boundary metrics of one pair of binary masks (2-D or 3-D), with voxel spacing.

All distances are in the units of ``spacing`` (given in array axis order; 1 per axis
by default). Options shared by every function:

``surface``
    ``"voxels"`` (default; MONAI, MedPy, Metrics Reloaded) or ``"elements"``
    (area-weighted surface elements; DeepMind surface-distance).
``one_empty``
    The distance when exactly one mask is empty: ``"inf"`` (default), ``"worst"``
    (the image diagonal in physical units) or a number.
``empty``
    The value when both masks are empty (0/0): ``"nan"`` (default; excluded from means
    and counted), ``"perfect"`` (distance 0, surface Dice / boundary IoU 1) or a number.

Examples
--------
>>> import numpy as np
>>> target = np.zeros((10, 10), bool); target[2:6, 2:6] = True
>>> pred = np.zeros((10, 10), bool); pred[2:6, 3:7] = True
>>> hausdorff(pred, target), hausdorff(pred, target, spacing=(1.0, 2.0))
(1.0, 2.0)
>>> surface_dice(pred, target, tolerance=1.0)
1.0
"""

from __future__ import annotations

from .._checks import check_choice
from ..options import (
    DISTANCE_MEANS,
    POOLINGS,
    DistanceEmpty,
    DistanceMean,
    OneEmpty,
    Pooling,
    Surface,
)
from .distances import (
    band_iou,
    binary_pair,
    crop_pair,
    pair_boxes,
    surface_distances,
)
from .summaries import (
    average_of,
    check_empty,
    check_nonnegative,
    check_one_empty,
    check_percentile,
    empty_value,
    hausdorff_of,
    percentile_of,
    surface_dice_of,
)

__all__ = [
    "assd",
    "average_surface_distance",
    "boundary_iou",
    "hausdorff",
    "masd",
    "percentile_hausdorff",
    "surface_dice",
    "surface_distances",
]


def hausdorff(pred, target, *, spacing=None, directed: bool = False,
              surface: Surface = "voxels", one_empty: OneEmpty | float = "inf",
              empty: DistanceEmpty | float = "nan") -> float:
    """Hausdorff distance: the largest distance from a surface point to the other surface.

    ``directed=True`` measures from ``pred`` to ``target`` only (MONAI ``directed=True``).
    With ``surface="voxels"`` it reproduces MONAI ``compute_hausdorff_distance`` and
    MedPy ``hd``.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((1, 9), bool); a[0, 0] = True
    >>> b = np.zeros((1, 9), bool); b[0, 0] = b[0, 8] = True
    >>> hausdorff(a, b), hausdorff(a, b, directed=True)
    (8.0, 0.0)
    """
    one_empty, empty = check_one_empty(one_empty), check_empty(empty)
    d = surface_distances(pred, target, spacing=spacing, surface=surface)
    return hausdorff_of(d, directed=directed, one_empty=one_empty, empty=empty)


def percentile_hausdorff(pred, target, *, percentile: float = 95.0, pooling: Pooling = "max",
                         spacing=None, directed: bool = False, surface: Surface = "voxels",
                         one_empty: OneEmpty | float = "inf",
                         empty: DistanceEmpty | float = "nan") -> float:
    """Percentile Hausdorff distance (HD95 by default), robust to a few outliers.

    Parameters
    ----------
    percentile : float
        In [0, 100]; 100 gives the Hausdorff distance.
    pooling : {"max", "pooled"}
        ``"max"`` (default): the larger of the two directed percentiles (MONAI,
        Metrics Reloaded, DeepMind). ``"pooled"``: the percentile of the distances of
        both directions together (MedPy ``hd95``). They differ strongly when one mask
        has a small far-away part.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((40, 40), bool); a[5:25, 5:25] = True
    >>> b = a.copy(); b[33:35, 33:36] = True    # a small far-away blob
    >>> round(percentile_hausdorff(b, a), 2), percentile_hausdorff(b, a, pooling="pooled")
    (13.42, 0.0)
    >>> round(percentile_hausdorff(b, a, percentile=100), 2) == round(hausdorff(b, a), 2)
    True
    """
    percentile = check_percentile(percentile)
    check_choice("pooling", pooling, POOLINGS)
    one_empty, empty = check_one_empty(one_empty), check_empty(empty)
    d = surface_distances(pred, target, spacing=spacing, surface=surface)
    return percentile_of(d, percentile=percentile, pooling=pooling, directed=directed,
                         one_empty=one_empty, empty=empty)


def _average(pred, target, kind: DistanceMean, spacing, surface, one_empty, empty) -> float:
    one_empty, empty = check_one_empty(one_empty), check_empty(empty)
    check_choice("kind", kind, DISTANCE_MEANS)
    d = surface_distances(pred, target, spacing=spacing, surface=surface)
    return average_of(d, kind=kind, one_empty=one_empty, empty=empty)


def assd(pred, target, *, spacing=None, surface: Surface = "voxels",
         one_empty: OneEmpty | float = "inf", empty: DistanceEmpty | float = "nan") -> float:
    """Average symmetric surface distance: the mean of all distances of both directions.

    Reproduces MONAI ``compute_average_surface_distance(symmetric=True)`` and MedPy
    ``assd`` (with ``surface="voxels"``). Compare :func:`masd`.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((6, 6), bool); a[1:3, 1:3] = True
    >>> assd(a, a)
    0.0
    """
    return _average(pred, target, "assd", spacing, surface, one_empty, empty)


def masd(pred, target, *, spacing=None, surface: Surface = "voxels",
         one_empty: OneEmpty | float = "inf", empty: DistanceEmpty | float = "nan") -> float:
    """Mean average surface distance: the mean of the two directed mean distances.

    Metrics Reloaded's MASD; with ``surface="elements"`` the mean of the pair that
    DeepMind's ``compute_average_surface_distance`` returns. Differs from :func:`assd`
    when the two surfaces have different sizes.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((1, 9), bool); a[0, 0] = True
    >>> b = np.zeros((1, 9), bool); b[0, 0:3] = True
    >>> masd(a, b), assd(a, b)
    (0.5, 0.75)
    """
    return _average(pred, target, "masd", spacing, surface, one_empty, empty)


def average_surface_distance(pred, target, *, spacing=None, surface: Surface = "voxels",
                             one_empty: OneEmpty | float = "inf",
                             empty: DistanceEmpty | float = "nan") -> float:
    """Directed average surface distance: mean distance from ``pred``'s surface to ``target``'s.

    MONAI's default (``symmetric=False``). Swap the arguments for the other direction.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((1, 9), bool); a[0, 0] = True
    >>> b = np.zeros((1, 9), bool); b[0, 0] = b[0, 8] = True
    >>> average_surface_distance(a, b), average_surface_distance(b, a)
    (0.0, 4.0)
    """
    return _average(pred, target, "directed", spacing, surface, one_empty, empty)


def surface_dice(pred, target, *, tolerance: float = 1.0, spacing=None,
                 surface: Surface = "voxels", empty: DistanceEmpty | float = "nan") -> float:
    """Normalised surface Dice (NSD): the share of both surfaces within ``tolerance``.

    ``(|pred surface near target| + |target surface near pred|) / (|pred surface| +
    |target surface|)``, where a point is near when its distance is ``<= tolerance``
    (physical units). ``surface="voxels"`` counts boundary voxels (MONAI
    ``compute_surface_dice``, Metrics Reloaded); ``"elements"`` sums surface-element
    areas (DeepMind ``compute_surface_dice_at_tolerance``). One empty mask gives 0.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((10, 10), bool); a[2:6, 2:6] = True
    >>> b = np.zeros((10, 10), bool); b[2:6, 4:8] = True
    >>> round(surface_dice(a, b, tolerance=1.0), 4), surface_dice(a, b, tolerance=2.0)
    (0.6667, 1.0)
    """
    tolerance = check_nonnegative("tolerance", tolerance)
    empty = check_empty(empty)
    d = surface_distances(pred, target, spacing=spacing, surface=surface)
    return surface_dice_of(d, tolerance=tolerance, empty=empty)


def boundary_iou(pred, target, *, width: float = 1.0, spacing=None,
                 empty: DistanceEmpty | float = "nan") -> float:
    """Boundary IoU (Cheng et al., CVPR 2021) with a band ``width`` in physical units.

    The band of a mask is the part of its foreground within ``width`` of its
    boundary voxels (``width=0``: the boundary voxels only). The score is the IoU of
    the two bands. One empty mask gives 0.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((12, 12), bool); a[2:10, 2:10] = True
    >>> boundary_iou(a, a)
    1.0
    >>> b = np.zeros((12, 12), bool); b[2:10, 3:11] = True
    >>> round(boundary_iou(a, b, width=0.0), 3)
    0.333
    """
    width = check_nonnegative("width", width)
    empty = check_empty(empty)
    p3, t3, sp3, shape = binary_pair(pred, target, spacing)
    lo, hi, _ = pair_boxes(p3, t3, 2)
    return band_iou_value(p3, t3, 1, lo[1], hi[1], sp3, shape, width, empty)


def band_iou_value(p3, t3, label, lo, hi, sp3, shape, width, empty) -> float:
    """Boundary IoU of ``p3 == label`` and ``t3 == label`` (inputs already checked)."""
    if (hi < lo).any():
        return empty_value(empty, perfect=1.0)
    pm, tm = crop_pair(p3, t3, label, lo, hi, len(shape) == 3)
    inter, union = band_iou(pm, tm, width, sp3, len(shape) == 3)
    return inter / union
