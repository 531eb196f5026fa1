"""evaluate_paths and binarize: the library behind `segscope evaluate`."""

from __future__ import annotations

import numpy as np
import pytest

import segscope
from segscope.errors import PairingError, ParameterError, ShapeError
from segscope.io import binarize, evaluate_paths, load_pairs, pair_folders


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
                            metrics="iou,dice")
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
                            spacing=(2.0, 0.5))
    assert report.meta["spacing"] == [2.0, 0.5]
    with pytest.raises(ParameterError, match="unknown boundary metric"):
        evaluate_paths(tmp_path / "p.npy", tmp_path / "t.npy", num_classes=2,
                       boundary=["hausdorff"])


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
    from segscope.io.evaluation import GeometryWarning

    np.savez(tmp_path / "p.npz", labels=np.zeros((2, 2), np.uint8), spacing=[1.0, 1.0])
    np.savez(tmp_path / "t.npz", labels=np.zeros((2, 2), np.uint8), spacing=[1.0, 0.5])
    with pytest.warns(GeometryWarning, match="different spacings"):
        evaluate_paths(tmp_path / "p.npz", tmp_path / "t.npz", num_classes=2)
