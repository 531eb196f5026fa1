"""Dask scale-out gives exactly the single-machine counts."""

from __future__ import annotations

import numpy as np
import pytest

import segscope

da = pytest.importorskip("dask.array")
from segscope.dask import confusion_matrix  # noqa: E402


def test_dask_counts_equal_numpy_counts():
    rng = np.random.default_rng(0)
    target = rng.integers(0, 5, (6, 20, 30))
    pred = rng.integers(0, 5, (6, 20, 30))
    target[:, :3] = 255
    expected = segscope.confusion_matrix(pred, target, num_classes=5, ignore_index=255)
    got = confusion_matrix(da.from_array(pred, chunks=(2, 7, 11)),
                           da.from_array(target, chunks=(3, 20, 30)),
                           num_classes=5, ignore_index=255)
    np.testing.assert_array_equal(got, expected)
    per = confusion_matrix(da.from_array(pred, chunks=(4, 10, 30)), target, num_classes=5,
                           ignore_index=255, per_image=True)
    np.testing.assert_array_equal(
        per, segscope.confusion_matrix(pred, target, num_classes=5, ignore_index=255,
                                       per_image=True))
    delayed = confusion_matrix(da.from_array(pred, chunks=3), target, num_classes=5,
                               ignore_index=255, compute=False)
    np.testing.assert_array_equal(delayed.compute(), expected)


def test_dask_errors_propagate():
    x = da.from_array(np.array([[0, 7]]), chunks=1)
    with pytest.raises(segscope.errors.LabelError, match="7"):
        confusion_matrix(x, x, num_classes=2)
    with pytest.raises(segscope.errors.ShapeError):
        confusion_matrix(da.zeros((2, 2), dtype=int), da.zeros((2, 3), dtype=int),
                         num_classes=2)
