"""Superpixels you can choose with numbers.

One entry point, :func:`segment`, over scikit-image's felzenszwalb, quickshift, SLIC
(and SLIC-zero) and compact watershed; quality measures with and without ground truth
(:func:`superpixel_quality`); :func:`tune` to hit a number of superpixels and
:func:`sweep` to compare a grid of parameters; pictures (:func:`draw_boundaries`,
:func:`gallery`).

Examples
--------
>>> from skimage.data import astronaut
>>> from segscope.superpixels import segment, superpixel_quality
>>> sp = segment(astronaut()[:128, :128], method="slic", n_segments=50, channel_axis=-1)
>>> report = superpixel_quality(sp, astronaut()[:128, :128], channel_axis=-1)
>>> 0 < report["explained_variation"].value <= 1
True
"""

from __future__ import annotations

from .._image import as_float_image
from .measures import (
    achievable_segmentation_accuracy,
    boundary_mask,
    boundary_precision,
    boundary_recall,
    boundary_tolerance,
    compactness,
    explained_variation,
    num_fragments,
    regions_from_mask,
    segment_sizes,
    size_statistics,
    superpixel_quality,
    undersegmentation_error,
)
from .methods import METHODS, MethodSpec, Superpixels, relabel_sequential, segment
from .render import boundary_lines, draw_boundaries, gallery
from .tune import SweepResult, TuneResult, sweep, tune

__all__ = [
    "METHODS",
    "MethodSpec",
    "Superpixels",
    "SweepResult",
    "TuneResult",
    "achievable_segmentation_accuracy",
    "as_float_image",
    "boundary_lines",
    "boundary_mask",
    "boundary_precision",
    "boundary_recall",
    "boundary_tolerance",
    "compactness",
    "draw_boundaries",
    "explained_variation",
    "gallery",
    "num_fragments",
    "regions_from_mask",
    "relabel_sequential",
    "segment",
    "segment_sizes",
    "size_statistics",
    "superpixel_quality",
    "sweep",
    "tune",
    "undersegmentation_error",
]
