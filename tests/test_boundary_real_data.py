"""Boundary metrics on a real anisotropic MRI label volume, against MONAI and MedPy.

Uses ``shared/data/mri`` (ITK example data, 128×128×62, spacing 2×2×3 mm); skipped when
the shared data folder is absent.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from segscope.streaming import BoundaryMetric


@pytest.fixture(scope="module")
def volumes(shared_data):
    nib = pytest.importorskip("nibabel")
    pred_path = shared_data("mri", "KmeansTest_T1KmeansPrelimSegmentation.nii.gz")
    target_path = shared_data("mri", "KmeansTest_T1RawSkullStrip.nii.gz")
    pred_img, target_img = nib.load(pred_path), nib.load(target_path)
    spacing = tuple(float(z) for z in target_img.header.get_zooms()[:3])
    # a central block keeps the reference libraries quick
    block = (slice(40, 88), slice(40, 88), slice(16, 40))
    return (np.asarray(pred_img.dataobj)[block], np.asarray(target_img.dataobj)[block], spacing)


def test_real_volume_against_monai_and_medpy(volumes):
    metrics = pytest.importorskip("monai.metrics")
    torch = pytest.importorskip("torch")
    pred, target, spacing = volumes
    assert spacing == (2.0, 2.0, 3.0)
    acc = BoundaryMetric(7, metrics=["hd", "hd95", "assd", "nsd"], tolerance=3.0)
    acc.update(pred[None], target[None], spacing=spacing, names=["kmeans"])
    hd, hd95, asd, nsd = acc.compute()
    # classes 1-3 exist only in the prediction: one mask empty -> inf and NSD 0
    assert not (target[..., None] == np.array([1, 2, 3])).any()
    assert (pred[..., None] == np.array([1, 2, 3])).any(axis=(0, 1, 2)).all()
    for c in (1, 2, 3):
        if (pred == c).any():
            assert hd95.class_value(c) == math.inf and nsd.class_value(c) == 0.0
    assert hd95.value == math.inf
    onehot = lambda x: torch.from_numpy(np.stack([x == c for c in (4, 5, 6)])[None])  # noqa: E731
    yp, yt = onehot(pred), onehot(target)
    kw = {"include_background": True, "spacing": list(spacing)}
    ref_hd = metrics.compute_hausdorff_distance(yp, yt, **kw)[0].numpy()
    ref_hd95 = metrics.compute_hausdorff_distance(yp, yt, percentile=95, **kw)[0].numpy()
    ref_asd = metrics.compute_average_surface_distance(yp, yt, symmetric=True, **kw)[0].numpy()
    ref_nsd = metrics.compute_surface_dice(yp, yt, [3.0] * 3, **kw)[0].numpy()
    for j, c in enumerate((4, 5, 6)):
        assert hd.class_value(c) == pytest.approx(ref_hd[j], rel=1e-6)
        assert hd95.class_value(c) == pytest.approx(ref_hd95[j], rel=1e-6)
        assert asd.class_value(c) == pytest.approx(ref_asd[j], rel=1e-6)
        assert nsd.class_value(c) == pytest.approx(ref_nsd[j], rel=1e-6)
    binary = pytest.importorskip("medpy.metric.binary")
    pooled = BoundaryMetric(7, metrics=["hd95"], pooling="pooled")
    pooled.update(pred[None], target[None], spacing=spacing)
    assert pooled.compute()["hd95"].class_value(6) == pytest.approx(
        binary.hd95(pred == 6, target == 6, voxelspacing=spacing), rel=1e-6)
