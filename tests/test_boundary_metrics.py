"""Boundary metrics on hand-computed cases, invariants and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage as ndi

from segscope.boundary import (
    assd,
    average_surface_distance,
    boundary_iou,
    hausdorff,
    masd,
    percentile_hausdorff,
    surface_dice,
    surface_distances,
)
from segscope.errors import DTypeError, LabelError, ParameterError, ShapeError

DISTANCES = (hausdorff, percentile_hausdorff, assd, masd)


def _squares(shift=1, spacing=None):
    a = np.zeros((10, 10), bool)
    a[2:6, 2:6] = True
    b = np.zeros((10, 10), bool)
    b[2:6, 2 + shift:6 + shift] = True
    return a, b


# --- hand-computed ---------------------------------------------------------------------

def test_single_pixels_2d_anisotropic():
    a = np.zeros((6, 7), bool)
    a[1, 1] = True
    b = np.zeros((6, 7), bool)
    b[4, 5] = True
    expected = math.sqrt((3 * 2.0) ** 2 + (4 * 0.5) ** 2)
    for fn in DISTANCES:
        assert fn(a, b, spacing=(2.0, 0.5)) == pytest.approx(expected, rel=1e-12)
    assert surface_dice(a, b, spacing=(2.0, 0.5), tolerance=6.3) == 0.0
    assert surface_dice(a, b, spacing=(2.0, 0.5), tolerance=6.4) == 1.0


def test_single_voxels_3d_anisotropic():
    a = np.zeros((4, 5, 8), bool)
    a[0, 0, 0] = True
    b = np.zeros((4, 5, 8), bool)
    b[2, 3, 6] = True
    for surface in ("voxels", "elements"):
        d = hausdorff(a, b, spacing=(1.5, 1.0, 0.5), surface=surface)
        assert d == pytest.approx(math.sqrt(27.0), rel=1e-12)


def test_shifted_squares():
    a, b = _squares(shift=1)
    # 12 boundary pixels each; 6 coincide with the other boundary, 6 are 1 away
    d = surface_distances(a, b)
    assert sorted(d.pred_to_target.tolist()) == [0.0] * 6 + [1.0] * 6
    assert hausdorff(a, b) == 1.0
    assert percentile_hausdorff(a, b) == 1.0
    assert assd(a, b) == 0.5
    assert masd(a, b) == 0.5
    assert surface_dice(a, b, tolerance=0.5) == 0.5
    assert surface_dice(a, b, tolerance=1.0) == 1.0
    # spacing (1, 3): the 1-pixel steps along axis 1 cost 3, except where a step
    # along axis 0 (cost 1) reaches the other boundary too: (3, 5) and (4, 5) of a
    # are 1 from (2, 5) / (5, 5) of b.  a -> b: 6 zeros, 4 threes, 2 ones.
    assert hausdorff(a, b, spacing=(1.0, 3.0)) == 3.0
    assert assd(a, b, spacing=(1.0, 3.0)) == pytest.approx(14 / 12)


def test_shifted_cubes():
    a = np.zeros((9, 8, 8), bool)
    a[2:6, 2:6, 2:6] = True
    b = np.roll(a, 1, axis=0)
    sp = (2.0, 1.0, 1.0)
    # 56 boundary voxels each: 16 at distance 2 (the face left behind), 4 at 1, 36 at 0
    d = surface_distances(a, b, spacing=sp)
    assert sorted(d.pred_to_target.tolist()) == [0.0] * 36 + [1.0] * 4 + [2.0] * 16
    assert hausdorff(a, b, spacing=sp) == 2.0
    assert percentile_hausdorff(a, b, spacing=sp) == 2.0
    assert assd(a, b, spacing=sp) == pytest.approx(36 / 56)
    assert surface_dice(a, b, spacing=sp, tolerance=1.0) == pytest.approx(40 / 56)
    assert surface_dice(a, b, spacing=sp, tolerance=2.0) == 1.0


def test_far_blob_separates_pooled_from_max_of_directed():
    target = np.zeros((1, 80), bool)
    target[0, :20] = True
    pred = target.copy()
    pred[0, 60:62] = True
    # pred -> target: 20 zeros, 41, 42; target -> pred: 20 zeros
    assert hausdorff(pred, target) == 42.0
    # max of directed: percentile of [0]*20 + [41, 42] at 95 % = 0.95 * 41
    assert percentile_hausdorff(pred, target) == pytest.approx(0.95 * 41)
    # pooled: 40 zeros, 41, 42 -> position 38.95 falls among the zeros
    assert percentile_hausdorff(pred, target, pooling="pooled") == 0.0
    assert percentile_hausdorff(pred, target, percentile=100) == 42.0
    assert percentile_hausdorff(pred, target, directed=True) == pytest.approx(0.95 * 41)
    assert percentile_hausdorff(target, pred, directed=True) == 0.0
    assert hausdorff(pred, target, directed=True) == 42.0
    assert hausdorff(target, pred, directed=True) == 0.0
    # directed mean: (41 + 42) / 22; masd halves it, assd pools all 42 samples
    assert average_surface_distance(pred, target) == pytest.approx(83 / 22)
    assert masd(pred, target) == pytest.approx(83 / 44)
    assert assd(pred, target) == pytest.approx(83 / 42)


def test_surface_elements_measure_a_cube_and_a_rectangle():
    cube = np.zeros((9, 9, 9), bool)
    cube[2:7, 2:7, 2:7] = True
    d = surface_distances(cube, cube, surface="elements")
    # flat faces 6 (n-1)^2, bevelled edges 12 (n-1) sqrt(1/2), corner triangles 8 sqrt(3)/8
    n = 5
    expected = 6 * (n - 1) ** 2 + 12 * (n - 1) * math.sqrt(0.5) + 8 * math.sqrt(3) / 8
    assert d.pred_weights.sum() == pytest.approx(expected, rel=1e-12)
    square = np.zeros((8, 8), bool)
    square[2:6, 2:6] = True
    d = surface_distances(square, square, spacing=(2.0, 1.0), surface="elements")
    # straight sides 2 * 3 * 2 + 2 * 3 * 1, four cut corners of half the cell diagonal
    assert d.pred_weights.sum() == pytest.approx(18 + 4 * 0.5 * math.sqrt(5), rel=1e-12)


def test_boundary_iou_hand_cases():
    a = np.zeros((12, 12), bool)
    a[2:10, 2:10] = True
    b = np.roll(a, 1, axis=1)
    assert boundary_iou(a, b, width=0.0) == pytest.approx(14 / 42)
    assert boundary_iou(a, b, width=1.0) == pytest.approx(36 / 60)
    # spacing (1, 0.5): width 1 now reaches two pixels inwards along axis 1
    assert boundary_iou(a, a, width=1.0, spacing=(1.0, 0.5)) == 1.0
    assert boundary_iou(a, b, width=50.0) == pytest.approx(
        np.count_nonzero(a & b) / np.count_nonzero(a | b))


# --- invariants ------------------------------------------------------------------------

def _random_pair(seed, shape):
    rng = np.random.default_rng(seed)
    a = ndi.gaussian_filter(rng.random(shape), 2) > 0.5
    b = ndi.gaussian_filter(rng.random(shape), 2) > 0.5
    return a, b


@pytest.mark.parametrize("shape", [(30, 26), (14, 16, 12)])
@pytest.mark.parametrize("surface", ["voxels", "elements"])
def test_identity_symmetry_and_scaling(shape, surface):
    a, b = _random_pair(7, shape)
    sp = tuple(np.linspace(0.6, 1.7, len(shape)))
    for fn in DISTANCES:
        assert fn(a, a, spacing=sp, surface=surface) == 0.0
        ab = fn(a, b, spacing=sp, surface=surface)
        assert ab == pytest.approx(fn(b, a, spacing=sp, surface=surface), rel=1e-12)
        k = 2.5
        scaled = fn(a, b, spacing=tuple(k * s for s in sp), surface=surface)
        assert scaled == pytest.approx(k * ab, rel=1e-9)
    assert percentile_hausdorff(a, b, pooling="pooled", surface=surface) == pytest.approx(
        percentile_hausdorff(b, a, pooling="pooled", surface=surface))
    assert surface_dice(a, a, surface=surface, tolerance=0.0) == 1.0
    assert surface_dice(a, b, surface=surface, spacing=sp) == pytest.approx(
        surface_dice(b, a, surface=surface, spacing=sp))
    assert surface_dice(a, b, surface=surface, tolerance=1.0, spacing=sp) == pytest.approx(
        surface_dice(a, b, surface=surface, tolerance=3.0, spacing=tuple(3 * s for s in sp)))
    assert boundary_iou(a, a, spacing=sp) == 1.0
    assert boundary_iou(a, b, spacing=sp) == pytest.approx(boundary_iou(b, a, spacing=sp))
    assert 0.0 <= boundary_iou(a, b) <= 1.0
    assert percentile_hausdorff(a, b, spacing=sp, surface=surface) <= hausdorff(
        a, b, spacing=sp, surface=surface)


def test_distances_do_not_depend_on_the_crop():
    a, b = _random_pair(3, (20, 24))
    big_a = np.zeros((60, 70), bool)
    big_b = np.zeros((60, 70), bool)
    big_a[30:50, 40:64] = a
    big_b[30:50, 40:64] = b
    for fn in DISTANCES:
        assert fn(big_a, big_b, spacing=(0.7, 1.3)) == pytest.approx(
            fn(a, b, spacing=(0.7, 1.3)), rel=1e-12)


def test_buckets_kdtree_and_distance_transform_agree():
    from segscope.boundary.distances import crop_pair, distances_from_crops, pair_boxes, spacing3

    a = np.zeros((40, 50, 30), np.uint8)
    a[3:6, 4:8, 2:5] = 1
    a[30:35, 40:44, 20:27] = 1
    b = np.roll(a, (1, -2, 1), axis=(0, 1, 2))
    sp3 = spacing3((1.2, 0.8, 2.0), 3)
    lo, hi, _ = pair_boxes(a, b, 2)
    pm, tm = crop_pair(a, b, 1, lo[1], hi[1], True)
    for surface in ("voxels", "elements"):
        edt = distances_from_crops(pm, tm, sp3, surface, a.shape, method="edt")
        for method in ("kdtree", "cells"):
            other = distances_from_crops(pm, tm, sp3, surface, a.shape, method=method)
            np.testing.assert_allclose(edt.pred_to_target, other.pred_to_target, rtol=1e-12)
            np.testing.assert_allclose(edt.target_to_pred, other.target_to_pred, rtol=1e-12)


def test_bucket_search_falls_back_on_far_predictions():
    from segscope.boundary.distances import crop_pair, distances_from_crops, pair_boxes, spacing3

    grid = np.ogrid[:60, :40, :40]
    ball = ((grid[0] - 20) ** 2 + (grid[1] - 20) ** 2 + (grid[2] - 20) ** 2 <= 144)
    sp3 = spacing3((0.9, 1.1, 1.0), 3)
    for shift in (2, 25):  # near: buckets (and a k-d tree); far: the distance transform
        a = ball.astype(np.uint8)
        b = np.roll(a, shift, axis=0)
        lo, hi, _ = pair_boxes(a, b, 2)
        pm, tm = crop_pair(a, b, 1, lo[1], hi[1], True)
        cells = distances_from_crops(pm, tm, sp3, "voxels", a.shape, method="cells")
        edt = distances_from_crops(pm, tm, sp3, "voxels", a.shape, method="edt")
        assert cells.pred_to_target.size > 1024
        np.testing.assert_allclose(cells.pred_to_target, edt.pred_to_target, rtol=1e-12)
        np.testing.assert_allclose(cells.target_to_pred, edt.target_to_pred, rtol=1e-12)


def test_image_border_counts_as_background():
    full = np.ones((5, 5), bool)
    d = surface_distances(full, full)
    assert d.pred_weights.size == 16  # the outer ring


# --- empty masks -----------------------------------------------------------------------

def test_one_empty_mask():
    a, _ = _squares()
    empty = np.zeros_like(a)
    for fn in DISTANCES:
        assert fn(a, empty) == math.inf
        assert fn(empty, a) == math.inf
        assert fn(a, empty, one_empty="worst", spacing=(2.0, 1.0)) == pytest.approx(
            math.hypot(20.0, 10.0))
        assert fn(a, empty, one_empty=99.0) == 99.0
    assert surface_dice(a, empty) == 0.0
    assert boundary_iou(empty, a) == 0.0


def test_both_empty_masks():
    empty = np.zeros((6, 6), bool)
    for fn in DISTANCES:
        assert math.isnan(fn(empty, empty))
        assert fn(empty, empty, empty="perfect") == 0.0
        assert fn(empty, empty, empty=5.0) == 5.0
    assert math.isnan(surface_dice(empty, empty))
    assert surface_dice(empty, empty, empty="perfect") == 1.0
    assert math.isnan(boundary_iou(empty, empty))
    assert boundary_iou(empty, empty, empty="perfect") == 1.0
    d = surface_distances(empty, empty)
    assert d.pred_empty and d.target_empty


# --- bad input -------------------------------------------------------------------------

def test_bad_input_gets_clear_errors():
    a, b = _squares()
    with pytest.raises(ShapeError, match="same shape"):
        hausdorff(a, b[:, :9])
    with pytest.raises(ShapeError, match="one value per spatial axis"):
        hausdorff(a, b, spacing=(1.0, 1.0, 1.0))
    with pytest.raises(ParameterError, match="positive"):
        hausdorff(a, b, spacing=(1.0, 0.0))
    with pytest.raises(ParameterError, match="positive"):
        assd(a, b, spacing=(-1.0, 1.0))
    with pytest.raises(LabelError, match="binary"):
        hausdorff(a.astype(int) * 2, b)
    with pytest.raises(DTypeError, match="fractional"):
        hausdorff(a * 0.7, b)
    with pytest.raises(ShapeError, match="2-D or 3-D"):
        hausdorff(a[None, None], b[None, None])
    with pytest.raises(ParameterError, match="surface"):
        hausdorff(a, b, surface="mesh")
    with pytest.raises(ParameterError, match="pooling"):
        percentile_hausdorff(a, b, pooling="mean")
    with pytest.raises(ParameterError, match="percentile"):
        percentile_hausdorff(a, b, percentile=101)
    with pytest.raises(ParameterError, match="improve"):
        hausdorff(a, b, one_empty="nan")
    with pytest.raises(ParameterError, match="one_empty"):
        hausdorff(a, b, one_empty="zero")
    with pytest.raises(ParameterError, match="one_empty"):
        hausdorff(a, b, one_empty=-1.0)
    with pytest.raises(ParameterError, match="empty"):
        hausdorff(a, b, empty="zero")
    with pytest.raises(ParameterError, match="tolerance"):
        surface_dice(a, b, tolerance=-1)
    with pytest.raises(ParameterError, match="width"):
        boundary_iou(a, b, width=float("nan"))
    with pytest.raises(LabelError):
        hausdorff(np.full((4, 4), np.nan), np.zeros((4, 4)))
