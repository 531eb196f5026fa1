"""Boundary metrics against MONAI, MedPy and DeepMind's surface-distance (test oracles only).

Each named option is shown to reproduce one library on random 2-D and 3-D shapes with
anisotropic spacing:

* ``surface="voxels", pooling="max"``: MONAI ``compute_hausdorff_distance(percentile=95)``
* ``surface="voxels", pooling="pooled"``: MedPy ``hd95``
* ``assd`` (voxels): MONAI ``compute_average_surface_distance(symmetric=True)`` and MedPy ``assd``
* ``average_surface_distance`` (voxels): MONAI ``symmetric=False``
* ``surface_dice`` (voxels): MONAI ``compute_surface_dice``
* ``surface="elements"`` NSD: MONAI ``compute_surface_dice(use_subvoxels=True)``
* ``surface="elements"``: DeepMind ``compute_robust_hausdorff``,
  ``compute_average_surface_distance`` (its pair's mean is ``masd``),
  ``compute_surface_dice_at_tolerance``
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from segscope.boundary import (
    assd,
    average_surface_distance,
    hausdorff,
    masd,
    percentile_hausdorff,
    surface_dice,
    surface_distances,
)
from segscope.boundary._kernels import (
    nearest_squared_in_cells,
    squared_edt,
    squared_edt_full,
)
from segscope.boundary.surfaces import element_measure_table

RTOL = 1e-6


def _random_pairs(n=6):
    """Target: a smooth random field above its 60 % quantile; prediction: the field shifted
    and perturbed, sometimes with a small far-away false positive."""
    rng = np.random.default_rng(1234)
    out = []
    for k in range(n):
        shape = (48, 40) if k % 2 == 0 else (24, 30, 20)
        spacing = tuple(rng.uniform(0.5, 2.5, len(shape)).round(2))
        field = ndi.gaussian_filter(rng.random(shape), 2.5)
        level = np.quantile(field, 0.6)
        target = field > level
        shift = tuple(rng.integers(-2, 3, len(shape)))
        moved = np.roll(field, shift, axis=tuple(range(len(shape))))
        pred = moved + 0.01 * rng.standard_normal(shape) > level
        if k % 3 == 2:
            pred[(slice(0, 2),) * len(shape)] = True
        out.append((pred, target, spacing))
    return out


PAIRS = _random_pairs()


def _monai_input(mask):
    torch = pytest.importorskip("torch")
    return torch.from_numpy(np.stack([~mask, mask])[None])


@pytest.mark.parametrize("pred,target,spacing", PAIRS)
def test_voxels_max_pooling_reproduces_monai(pred, target, spacing):
    metrics = pytest.importorskip("monai.metrics")
    yp, yt = _monai_input(pred), _monai_input(target)
    kw = {"spacing": list(spacing)}
    hd = float(metrics.compute_hausdorff_distance(yp, yt, **kw)[0, 0])
    hd95 = float(metrics.compute_hausdorff_distance(yp, yt, percentile=95, **kw)[0, 0])
    hd80 = float(metrics.compute_hausdorff_distance(yp, yt, percentile=80, **kw)[0, 0])
    directed = float(metrics.compute_hausdorff_distance(yp, yt, directed=True, **kw)[0, 0])
    sym = float(metrics.compute_average_surface_distance(yp, yt, symmetric=True, **kw)[0, 0])
    asd = float(metrics.compute_average_surface_distance(yp, yt, **kw)[0, 0])
    nsd = float(metrics.compute_surface_dice(yp, yt, [1.5], **kw)[0, 0])
    assert hausdorff(pred, target, spacing=spacing) == pytest.approx(hd, rel=RTOL)
    assert hausdorff(pred, target, spacing=spacing, directed=True) == pytest.approx(
        directed, rel=RTOL)
    assert percentile_hausdorff(pred, target, spacing=spacing) == pytest.approx(hd95, rel=RTOL)
    assert percentile_hausdorff(pred, target, spacing=spacing, percentile=80) == pytest.approx(
        hd80, rel=RTOL)
    assert assd(pred, target, spacing=spacing) == pytest.approx(sym, rel=RTOL)
    assert average_surface_distance(pred, target, spacing=spacing) == pytest.approx(
        asd, rel=RTOL)
    assert surface_dice(pred, target, spacing=spacing, tolerance=1.5) == pytest.approx(
        nsd, rel=RTOL)


@pytest.mark.parametrize("pred,target,spacing", PAIRS)
def test_voxels_pooled_reproduces_medpy(pred, target, spacing):
    binary = pytest.importorskip("medpy.metric.binary")
    assert percentile_hausdorff(pred, target, spacing=spacing, pooling="pooled") == pytest.approx(
        binary.hd95(pred, target, voxelspacing=spacing), rel=RTOL)
    assert hausdorff(pred, target, spacing=spacing) == pytest.approx(
        binary.hd(pred, target, voxelspacing=spacing), rel=RTOL)
    assert assd(pred, target, spacing=spacing) == pytest.approx(
        binary.assd(pred, target, voxelspacing=spacing), rel=RTOL)
    # MedPy's asd is the directed mean from its first argument
    assert average_surface_distance(pred, target, spacing=spacing) == pytest.approx(
        binary.asd(pred, target, voxelspacing=spacing), rel=RTOL)


@pytest.mark.parametrize("pred,target,spacing", PAIRS)
def test_elements_reproduce_deepmind(pred, target, spacing):
    sd = pytest.importorskip("surface_distance")
    ref = sd.compute_surface_distances(target, pred, spacing)
    ours = surface_distances(pred, target, spacing=spacing, surface="elements")
    np.testing.assert_allclose(np.sort(ours.pred_to_target), ref["distances_pred_to_gt"],
                               rtol=RTOL)
    np.testing.assert_allclose(np.sort(ours.target_to_pred), ref["distances_gt_to_pred"],
                               rtol=RTOL)
    np.testing.assert_allclose(ours.pred_weights.sum(), ref["surfel_areas_pred"].sum(),
                               rtol=RTOL)
    for q in (95, 50, 100):
        assert percentile_hausdorff(pred, target, spacing=spacing, surface="elements",
                                    percentile=q) == pytest.approx(
            sd.compute_robust_hausdorff(ref, q), rel=RTOL)
    gt_to_pred, pred_to_gt = sd.compute_average_surface_distance(ref)
    assert masd(pred, target, spacing=spacing, surface="elements") == pytest.approx(
        0.5 * (gt_to_pred + pred_to_gt), rel=RTOL)
    assert average_surface_distance(pred, target, spacing=spacing,
                                    surface="elements") == pytest.approx(pred_to_gt, rel=RTOL)
    for tol in (0.5, 1.0, 2.5):
        assert surface_dice(pred, target, spacing=spacing, surface="elements",
                            tolerance=tol) == pytest.approx(
            sd.compute_surface_dice_at_tolerance(ref, tol), rel=RTOL)


@pytest.mark.parametrize("pred,target,spacing", PAIRS[1:2])
def test_elements_nsd_reproduces_monai_subvoxels(pred, target, spacing):
    metrics = pytest.importorskip("monai.metrics")
    for tol in (0.5, 2.0):
        ref = float(metrics.compute_surface_dice(
            _monai_input(pred), _monai_input(target), [tol], spacing=list(spacing),
            use_subvoxels=True)[0, 0])
        # MONAI works in float32
        assert surface_dice(pred, target, spacing=spacing, tolerance=tol,
                            surface="elements") == pytest.approx(ref, rel=1e-6)


def test_element_tables_equal_deepmind_tables():
    lookup = pytest.importorskip("surface_distance.lookup_tables")
    for spacing in ((1.0, 1.0, 1.0), (0.7, 1.3, 2.9)):
        np.testing.assert_allclose(element_measure_table(spacing),
                                   lookup.create_table_neighbour_code_to_surface_area(spacing),
                                   rtol=1e-12, atol=1e-12)
    for spacing in ((1.0, 1.0), (0.4, 3.0)):
        np.testing.assert_allclose(element_measure_table(spacing),
                                   lookup.create_table_neighbour_code_to_contour_length(spacing),
                                   rtol=1e-12, atol=1e-12)


def test_pooled_and_max_differ_like_medpy_and_monai_on_a_far_blob():
    binary = pytest.importorskip("medpy.metric.binary")
    metrics = pytest.importorskip("monai.metrics")
    target = np.zeros((64, 64), bool)
    target[8:32, 8:32] = True
    pred = target.copy()
    pred[50:53, 50:53] = True
    ours_max = percentile_hausdorff(pred, target)
    ours_pooled = percentile_hausdorff(pred, target, pooling="pooled")
    monai = float(metrics.compute_hausdorff_distance(
        _monai_input(pred), _monai_input(target), percentile=95)[0, 0])
    assert ours_max == pytest.approx(monai, rel=RTOL)
    assert ours_pooled == pytest.approx(binary.hd95(pred, target), rel=RTOL)
    assert ours_max > 20 > ours_pooled


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays
except ImportError:  # pragma: no cover
    given = None

if given is not None:
    @settings(max_examples=50, deadline=None)
    @given(
        arrays(np.bool_, st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9))),
        st.tuples(*[st.floats(0.3, 3.0)] * 3),
    )
    def test_distance_transform_equals_scipy(features, spacing):
        if not features.any():
            assert np.isinf(squared_edt_full(features, np.asarray(spacing))).all()
            return
        ref = ndi.distance_transform_edt(~features, sampling=spacing) ** 2
        np.testing.assert_allclose(squared_edt_full(features, np.asarray(spacing)), ref,
                                   rtol=1e-9, atol=1e-12)

    @settings(max_examples=30, deadline=None)
    @given(
        arrays(np.bool_, st.tuples(st.integers(1, 8), st.integers(1, 8), st.integers(1, 8))),
        st.tuples(*[st.floats(0.3, 3.0)] * 3),
        st.integers(0, 2**32 - 1),
    )
    def test_distance_transform_at_queries_equals_the_full_one(features, spacing, seed):
        rng = np.random.default_rng(seed)
        queries = np.stack([rng.integers(0, n, 6) for n in features.shape], axis=1)
        full = squared_edt_full(features, np.asarray(spacing))
        at = squared_edt(features, np.asarray(spacing), queries)
        np.testing.assert_array_equal(at, full[queries[:, 0], queries[:, 1], queries[:, 2]])

    @settings(max_examples=50, deadline=None)
    @given(
        st.integers(1, 40), st.integers(1, 30),
        st.tuples(*[st.floats(0.2, 4.0)] * 3),
        st.floats(0.5, 8.0), st.integers(0, 4), st.integers(0, 2**32 - 1),
    )
    def test_bucket_search_is_exact_or_says_unresolved(n_points, n_queries, spacing, cell,
                                                        max_ring, seed):
        rng = np.random.default_rng(seed)
        extent = rng.integers(1, 30, 3)
        points = np.stack([rng.integers(0, e, n_points) for e in extent], axis=1)
        queries = np.stack([rng.integers(0, e, n_queries) for e in extent], axis=1)
        sp = np.asarray(spacing)
        got, resolved = nearest_squared_in_cells(points, queries, sp, cell, max_ring)
        diff = (queries[:, None, :] - points[None, :, :]) * sp
        want = (diff ** 2).sum(axis=2).min(axis=1)
        np.testing.assert_allclose(got[resolved], want[resolved], rtol=1e-12)
        # enough rings to cover the whole extent resolve every query
        got, resolved = nearest_squared_in_cells(points, queries, sp, cell, 64)
        assert resolved.all()
        np.testing.assert_allclose(got, want, rtol=1e-12)
