"""Boundary metrics: Hausdorff, percentile Hausdorff, surface distances, NSD, boundary IoU.

Binary masks (2-D or 3-D, any voxel ``spacing`` in array axis order):
:func:`hausdorff`, :func:`percentile_hausdorff`, :func:`assd`, :func:`masd`,
:func:`average_surface_distance`, :func:`surface_dice`, :func:`boundary_iou`, and
:func:`surface_distances` for the distance samples themselves. Label maps with
several classes: :func:`boundary_scores` (one pair) and, for batches and datasets,
:class:`segscope.streaming.BoundaryMetric`. Every function takes NumPy arrays or torch
tensors (a tensor is copied to the host once; torch is imported only for tensors).

Where libraries disagree, an option names each convention (see ``docs/boundary.md``):
``pooling`` ("max": MONAI / Metrics Reloaded / DeepMind, "pooled": MedPy),
``surface`` ("voxels": MONAI / MedPy, "elements": DeepMind), and the empty-mask
rules ``one_empty`` (one mask empty) / ``empty`` (both empty).

Examples
--------
>>> import numpy as np
>>> from segscope.boundary import percentile_hausdorff
>>> t = np.zeros((32, 32), bool); t[8:24, 8:24] = True
>>> p = np.zeros((32, 32), bool); p[9:25, 8:24] = True
>>> percentile_hausdorff(p, t, spacing=(0.5, 0.5))
0.5
"""

from __future__ import annotations

from .distances import SurfaceDistances, surface_distances
from .label_maps import BOUNDARY_METRICS, boundary_scores
from .metrics import (
    assd,
    average_surface_distance,
    boundary_iou,
    hausdorff,
    masd,
    percentile_hausdorff,
    surface_dice,
)

__all__ = [
    "BOUNDARY_METRICS",
    "SurfaceDistances",
    "assd",
    "average_surface_distance",
    "boundary_iou",
    "boundary_scores",
    "hausdorff",
    "masd",
    "percentile_hausdorff",
    "surface_dice",
    "surface_distances",
]
