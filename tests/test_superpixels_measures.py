"""Superpixel quality measures on hand-made label maps and against brute-force definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segscope.errors import LabelError, ShapeError
from segscope.superpixels import (
    achievable_segmentation_accuracy,
    boundary_mask,
    boundary_precision,
    boundary_recall,
    boundary_tolerance,
    compactness,
    explained_variation,
    num_fragments,
    regions_from_mask,
    segment,
    size_statistics,
    superpixel_quality,
    undersegmentation_error,
)

GT = np.repeat(np.repeat(np.array([[0, 1], [2, 3]]), 10, axis=0), 12, axis=1)  # 20 x 24


# ---------------------------------------------------------------- brute-force definitions
def _ue_brute(sp, gt):
    n = sp.size
    total = 0
    for g in np.unique(gt):
        in_g = gt == g
        for s in np.unique(sp[in_g]):
            in_s = sp == s
            total += min(int((in_s & in_g).sum()), int((in_s & ~in_g).sum()))
    return total / n


def _asa_brute(sp, gt):
    return sum(np.bincount(gt[sp == s]).max() for s in np.unique(sp)) / sp.size


def _ev_brute(sp, img):
    mu = img.mean()
    between = sum((sp == s).sum() * (img[sp == s].mean() - mu) ** 2 for s in np.unique(sp))
    return between / ((img - mu) ** 2).sum()


def _br_brute(sp, gt, r):
    sb = boundary_mask(sp)
    gb = boundary_mask(gt)
    hits = 0
    for i, j in zip(*np.nonzero(gb), strict=True):
        win = sb[max(0, i - r):i + r + 1, max(0, j - r):j + r + 1]
        hits += bool(win.any())
    return hits / gb.sum()


# ---------------------------------------------------------------- known answers
def test_perfect_superpixels_score_perfectly():
    assert boundary_recall(GT, GT) == 1.0
    assert undersegmentation_error(GT, GT) == 0.0
    assert achievable_segmentation_accuracy(GT, GT) == 1.0
    assert boundary_precision(GT, GT) == 1.0


def test_oversegmentation_of_the_truth_is_still_perfect_on_ue_and_asa():
    over = GT * 4 + (np.arange(24)[None, :] % 2) * 2 + (np.arange(20)[:, None] % 2)
    assert undersegmentation_error(over, GT) == 0.0
    assert achievable_segmentation_accuracy(over, GT) == 1.0
    assert boundary_recall(over, GT) == 1.0
    assert boundary_precision(over, GT) < 1.0


def test_one_superpixel_over_four_equal_regions():
    one = np.zeros_like(GT)
    # the single superpixel overlaps each region with 120 px inside and 360 px outside
    assert undersegmentation_error(one, GT) == pytest.approx(4 * 120 / 480)
    assert achievable_segmentation_accuracy(one, GT) == pytest.approx(0.25)
    assert boundary_recall(one, GT) == 0.0
    assert math.isnan(boundary_precision(one, GT))


def test_undersegmentation_error_counts_the_smaller_side():
    gt = np.array([[0, 0, 0, 0, 1, 1]])
    sp = np.array([[0, 0, 0, 1, 1, 1]])  # superpixel 1 leaks one pixel into region 0
    # region 0: S0 ∩ G0 = 3 (outside 0) -> 0; S1 ∩ G0 = 1 (outside 2) -> 1
    # region 1: S1 ∩ G1 = 2 (outside 1) -> 1
    assert undersegmentation_error(sp, gt) == pytest.approx(2 / 6)
    assert achievable_segmentation_accuracy(sp, gt) == pytest.approx(5 / 6)


def test_boundary_recall_tolerance():
    gt = np.zeros((30, 30), int)
    gt[:, 15:] = 1
    shifted = np.zeros_like(gt)
    shifted[:, 18:] = 1  # superpixel boundary 3 columns to the right
    assert boundary_recall(shifted, gt, tolerance=1) == 0.0
    assert boundary_recall(shifted, gt, tolerance=2) == 0.5  # reaches the right-side column
    assert boundary_recall(shifted, gt, tolerance=3) == 1.0
    assert boundary_tolerance((512, 512)) == 2  # round(0.0025 * 724.08) = round(1.81)
    assert boundary_tolerance((2000, 2000)) == 7


def test_boundary_recall_with_no_truth_boundary_is_nan():
    assert math.isnan(boundary_recall(GT, np.zeros_like(GT)))


def test_compactness_of_squares_is_pi_over_four():
    squares = np.repeat(np.repeat(np.arange(16).reshape(4, 4), 5, 0), 5, 1)
    assert compactness(squares) == pytest.approx(math.pi / 4)
    # a 1 x 20 strip: area 20, perimeter 42
    assert compactness(np.zeros((1, 20), int)) == pytest.approx(4 * math.pi * 20 / 42**2)


def test_compactness_prefers_squares_to_strips():
    strips = np.repeat(np.arange(20)[None, :], 20, axis=0)
    squares = np.repeat(np.repeat(np.arange(16).reshape(4, 4), 5, 0), 5, 1)
    assert compactness(squares) > compactness(strips)


def test_explained_variation_known_values():
    img = GT.astype(float) * 10
    assert explained_variation(GT, img) == pytest.approx(1.0)
    assert explained_variation(np.zeros_like(GT), img) == pytest.approx(0.0)
    assert math.isnan(explained_variation(GT, np.ones(GT.shape)))
    # scale does not matter; colour sums the channels
    rgb = np.stack([img, img * 2, np.ones_like(img)], axis=-1)
    assert explained_variation(GT, rgb, channel_axis=-1) == pytest.approx(1.0)
    assert explained_variation(GT, np.moveaxis(rgb, -1, 0), channel_axis=0) == pytest.approx(1.0)
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        explained_variation(GT, rgb)  # colour must be named: the default is no channel axis


def test_size_statistics_and_fragments():
    stats = size_statistics(GT)
    assert stats["num_segments"] == 4
    assert stats["size_cv"] == 0.0
    assert stats["size_mean"] == 120
    assert num_fragments(np.array([[0, 1, 0, 2, 2]])) == 1
    assert num_fragments(GT) == 0


def test_ignore_index_leaves_pixels_out():
    gt = np.array([[1, 1, 0, 2, 2]])  # 0 = membrane, ignored
    sp = np.array([[0, 0, 0, 1, 1]])
    assert achievable_segmentation_accuracy(sp, gt, ignore_index=0) == 1.0
    assert undersegmentation_error(sp, gt, ignore_index=0) == 0.0
    assert achievable_segmentation_accuracy(sp, gt) == pytest.approx(4 / 5)


def test_regions_from_mask():
    mask = np.array([[255, 0, 255], [255, 0, 255]])
    regions = regions_from_mask(mask, ignore_value=0)
    assert regions.tolist() == [[1, 0, 2], [1, 0, 2]]
    assert regions_from_mask(mask).max() == 3


def test_measures_reject_bad_input():
    with pytest.raises(ShapeError):
        boundary_recall(GT, GT[:10])
    with pytest.raises(LabelError):
        achievable_segmentation_accuracy(GT - 1, GT)
    with pytest.raises(LabelError):
        compactness(np.zeros((2, 2, 2), int))


def test_quality_report_has_every_measure_with_definitions():
    img = (GT * 40).astype(np.uint8)
    report = superpixel_quality(GT, img, gt=GT)
    summary = report.summary()
    for name in ("num_segments", "explained_variation", "compactness", "boundary_recall",
                 "undersegmentation_error", "achievable_segmentation_accuracy"):
        assert name in summary
    assert summary["boundary_recall"] == 1.0
    assert "Neubert" in report["undersegmentation_error"].extra["definition"]
    sp = segment(img, method="slic", n_segments=4, compactness=0.1)
    assert superpixel_quality(sp, img)["runtime_s"].value > 0


# ---------------------------------------------------------------- against brute force
label_maps = arrays(np.int64, st.tuples(st.integers(3, 9), st.integers(3, 9)),
                    elements=st.integers(0, 4))


@settings(max_examples=50, deadline=None)
@given(sp=label_maps, data=st.data())
def test_measures_match_their_definitions(sp, data):
    gt = data.draw(arrays(np.int64, sp.shape, elements=st.integers(0, 3)))
    img = data.draw(arrays(np.float64, sp.shape, elements=st.floats(0, 1)))
    assert undersegmentation_error(sp, gt) == pytest.approx(_ue_brute(sp, gt))
    assert achievable_segmentation_accuracy(sp, gt) == pytest.approx(_asa_brute(sp, gt))
    if boundary_mask(gt).any():
        for r in (0, 1):
            assert boundary_recall(sp, gt, tolerance=r) == pytest.approx(_br_brute(sp, gt, r))
    if img.var() > 1e-12:
        assert explained_variation(sp, img) == pytest.approx(_ev_brute(sp, img), abs=1e-9)
    # relabelling the superpixels changes nothing
    perm = np.random.default_rng(0).permutation(10)
    assert achievable_segmentation_accuracy(perm[sp], gt) == pytest.approx(
        achievable_segmentation_accuracy(sp, gt))
    assert compactness(perm[sp]) == pytest.approx(compactness(sp))
    assert 0 <= achievable_segmentation_accuracy(sp, gt) <= 1
    assert 0 < compactness(sp) <= math.pi / 4 + 1e-12


# ---------------------------------------------------------------- real data
def test_membrane_ground_truth_boundary_recall(shared_data):
    labels = shared_data("membranes", "labels", "0.png")
    image = shared_data("membranes", "images", "0.png")
    from PIL import Image

    gt = regions_from_mask(np.array(Image.open(labels))[:256, :256], ignore_value=0)
    img = np.array(Image.open(image))[:256, :256]
    coarse = segment(img, method="slic", n_segments=20, compactness=0.1)
    fine = segment(img, method="slic", n_segments=600, compactness=0.1)
    br_coarse = boundary_recall(coarse, gt, ignore_index=0)
    br_fine = boundary_recall(fine, gt, ignore_index=0)
    assert 0 < br_coarse < br_fine <= 1
    assert achievable_segmentation_accuracy(fine, gt, ignore_index=0) > \
        achievable_segmentation_accuracy(coarse, gt, ignore_index=0)
    assert boundary_recall(gt, gt, ignore_index=0) == 1.0
