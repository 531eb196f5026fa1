"""segscope.files (evaluate_paths, binarize) and io.load_pairs: the library behind
`segscope evaluate`."""

from __future__ import annotations

import numpy as np
import pytest

import segscope
from segscope.errors import PairingError, ParameterError, ShapeError
from segscope.files import BoundaryOptions, ScoreOptions, binarize, evaluate_paths
from segscope.io import GeometryWarning, load_pairs, pair_folders


def test_binarize_keeps_ignore_index():
    labels = np.array([[0, 5, 255], [300, 0, 1]])
    assert binarize(labels).tolist() == [[0, 1, 1], [1, 0, 1]]
    assert binarize(labels, ignore_index=255).tolist() == [[0, 1, 255], [1, 0, 1]]
    assert binarize(labels, ignore_index=300).tolist() == [[0, 1, 1], [300, 0, 1]]


def test_evaluate_paths_binarize_equals_library(tmp_path):
    rng = np.random.default_rng(3)
    pred = rng.integers(0, 6, (10, 10))
    target = rng.integers(0, 6, (10, 10))
    np.save(tmp_path / "p.npy", pred)
    np.save(tmp_path / "t.npy", target)
    report = evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", binarize_labels=True,
                            options=ScoreOptions(metrics="iou,dice"))
    want = segscope.evaluate((pred > 0).astype(int), (target > 0).astype(int), num_classes=2,
                             metrics=("iou", "dice"))
    assert report.summary() == pytest.approx(want.summary())
    assert report.meta["binarize"] is True and report.meta["num_pairs"] == 1
    with pytest.raises(ParameterError, match="binarize gives 2 classes"):
        evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", binarize_labels=True,
                       num_classes=6)


def test_spacing_override_and_boundary_names(tmp_path):
    np.save(tmp_path / "p.npy", np.zeros((3, 3), np.uint8))
    np.save(tmp_path / "t.npy", np.zeros((3, 3), np.uint8))
    report = evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", num_classes=2,
                            boundary=BoundaryOptions(spacing=(2.0, 0.5)))
    assert report.meta["spacing"] == [2.0, 0.5]
    with pytest.raises(ParameterError, match="unknown boundary metric"):
        evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", num_classes=2,
                       boundary=BoundaryOptions(metrics=["hausdorff"]))


def test_empty_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(PairingError, match="no prediction/target pairs"):
        evaluate_paths(tmp_path / "a", tmp_path / "b", num_classes=2)


def test_load_pairs_streams_and_checks_shapes(tmp_path):
    for side in ("p", "t"):
        (tmp_path / side).mkdir()
    np.save(tmp_path / "p" / "a.npy", np.zeros((2, 2), np.uint8))
    np.save(tmp_path / "t" / "a.npy", np.ones((2, 2), np.uint8))
    np.save(tmp_path / "p" / "b.npy", np.zeros((2, 3), np.uint8))
    np.save(tmp_path / "t" / "b.npy", np.zeros((3, 2), np.uint8))
    loaded = load_pairs(pair_folders(tmp_path / "p", tmp_path / "t").pairs)
    first = next(loaded)
    assert first.name == "a" and first.target.labels.sum() == 4
    with pytest.raises(ShapeError, match=r"b\.npy.*b\.npy"):
        next(loaded)


def test_geometry_warning_for_different_spacings(tmp_path):
    np.savez(tmp_path / "p.npz", labels=np.zeros((2, 2), np.uint8), spacing=[1.0, 1.0])
    np.savez(tmp_path / "t.npz", labels=np.zeros((2, 2), np.uint8), spacing=[1.0, 0.5])
    with pytest.warns(GeometryWarning, match="different spacings"):
        evaluate_paths(tmp_path / "p.npz", tmp_path / "t.npz", num_classes=2)


def _folder_pairs(tmp_path, n=3, shape=(9, 7), classes=3):
    rng = np.random.default_rng(11)
    preds, targets = [], []
    for side in ("p", "t"):
        (tmp_path / side).mkdir()
    for i in range(n):
        t = rng.integers(0, classes, shape)
        p = np.where(rng.random(shape) < 0.6, t, rng.integers(0, classes, shape))
        if i == 0:  # class 2 absent on both sides of the first image: a 0/0 pair
            t[t == 2] = 0
            p[p == 2] = 1
        np.save(tmp_path / "p" / f"im{i}.npy", p)
        np.save(tmp_path / "t" / f"im{i}.npy", t)
        preds.append(p)
        targets.append(t)
    return preds, targets


@pytest.mark.parametrize("aggregate", ["dataset", "image", "image_class"])
def test_every_aggregate_equals_the_array_function(tmp_path, aggregate):
    # the file pipeline follows the per-image rule of segscope.metrics, whatever aggregate
    preds, targets = _folder_pairs(tmp_path)
    options = ScoreOptions(metrics=("iou", "dice", "recall"), aggregate=aggregate)
    report = evaluate_paths(tmp_path / "p", tmp_path / "t", num_classes=3, options=options)
    want = segscope.evaluate(np.stack(preds), np.stack(targets), num_classes=3,
                             per_image=aggregate != "dataset", **options.as_dict())
    assert report.summary() == pytest.approx(want.summary(), nan_ok=True)
    for got, exp in zip(report.scores, want.scores, strict=True):
        assert got.excluded == exp.excluded
        assert got.aggregate == aggregate
    assert report.image_names == ("im0", "im1", "im2")


def test_score_options_reach_the_scores(tmp_path):
    preds, targets = _folder_pairs(tmp_path)
    options = ScoreOptions(metrics="fbeta,tversky", average="weighted", labels=(1, 2),
                           beta=2.0, tversky_alpha=0.3, tversky_beta=0.7, empty="zero")
    report = evaluate_paths(tmp_path / "p", tmp_path / "t", num_classes=3, options=options)
    want = segscope.evaluate(np.stack(preds), np.stack(targets), num_classes=3,
                             **options.as_dict())
    assert report.summary() == pytest.approx(want.summary())
    assert report["fbeta"].classes == (1, 2)


def test_per_image_rows_kept_only_when_asked(tmp_path):
    _folder_pairs(tmp_path)
    pooled = evaluate_paths(tmp_path / "p", tmp_path / "t", num_classes=3)
    assert pooled["iou"].per_image is None
    kept = evaluate_paths(tmp_path / "p", tmp_path / "t", num_classes=3, per_image=True)
    assert len(kept["iou"].per_image) == 3
    assert kept.summary() == pytest.approx(pooled.summary())


def test_boundary_options_are_checked_and_reach_the_accumulator(tmp_path):
    from segscope.boundary import BOUNDARY_METRICS

    t = np.zeros((12, 12), np.uint8)
    t[3:8, 3:8] = 1
    np.save(tmp_path / "t.npy", t)
    np.save(tmp_path / "p.npy", np.zeros_like(t))  # the structure is missed
    assert BoundaryOptions(metrics="all").accumulator(2, None).metrics == BOUNDARY_METRICS
    inf = evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", num_classes=2,
                         boundary=BoundaryOptions(metrics="hd, hd95"))
    assert inf["hd"].value == float("inf") and inf["hd95"].value == float("inf")
    fixed = evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", num_classes=2,
                           boundary=BoundaryOptions(metrics="hd", one_empty=50.0))
    assert fixed["hd"].value == 50.0
    with pytest.raises(ParameterError, match="one_empty"):
        evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", num_classes=2,
                       boundary=BoundaryOptions(metrics="hd", one_empty="nan"))
