"""Pixel-wise distances: MSE, RMSE, Euclidean, PSNR."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio

from segscope.errors import DataRangeError, DTypeError, ShapeError
from segscope.similarity import euclidean, mse, psnr, rmse, ssim


def test_uint8_differences_do_not_wrap():
    a = np.array([0, 10], np.uint8)
    b = np.array([255, 0], np.uint8)
    assert mse(a, b) == (255**2 + 10**2) / 2
    assert euclidean(a, b) == pytest.approx(np.hypot(255, 10))


def test_matches_skimage_on_real_image():
    from skimage import data

    cam = data.camera()
    noisy = np.clip(cam + np.random.default_rng(0).normal(0, 12, cam.shape), 0, 255)
    noisy = noisy.astype(np.uint8)
    assert mse(cam, noisy) == pytest.approx(mean_squared_error(cam, noisy), rel=1e-12)
    assert rmse(cam, noisy) == pytest.approx(np.sqrt(mean_squared_error(cam, noisy)))
    assert psnr(cam, noisy) == pytest.approx(peak_signal_noise_ratio(cam, noisy), rel=1e-12)


def test_psnr_identical_is_inf_and_float_needs_data_range():
    a = np.random.default_rng(1).random((8, 8))
    assert psnr(a, a, data_range=1.0) == np.inf
    with pytest.raises(DataRangeError, match=r"data_range=1\.0 for images scaled to"):
        psnr(a, a * 0.5)
    assert psnr(a, a + 0.1, data_range=1.0) == pytest.approx(20.0)


def test_worked_example_euclidean_blind_ssim_not():
    """The docs' 3×3 RGB example: Euclidean 129.0 vs 129.9, SSIM tells them apart."""
    base = np.array([[[60, 90, 120], [80, 110, 140], [100, 130, 160]],
                     [[70, 100, 130], [90, 120, 150], [110, 140, 170]],
                     [[65, 95, 125], [85, 115, 145], [105, 135, 165]]], np.uint8)
    spike = base.copy()
    spike[1, 1, 0] += 129
    brighter = base + 25
    assert euclidean(base, spike) == 129.0
    assert round(euclidean(base, brighter), 1) == 129.9
    s_spike = ssim(base, spike, channel_axis=-1, win_size=3)
    s_bright = ssim(base, brighter, channel_axis=-1, win_size=3)
    assert s_bright > 0.95
    assert s_spike < 0.8
    assert round(s_spike, 3) == 0.754 and round(s_bright, 3) == 0.979


def test_errors_are_clear():
    with pytest.raises(ShapeError, match="same shape"):
        mse(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(DataRangeError, match="NaN"):
        mse(np.array([np.nan]), np.array([0.0]))
    with pytest.raises(DTypeError, match="boolean"):
        mse(np.zeros(2, bool), np.zeros(2, bool))
    with pytest.raises(DataRangeError, match="positive"):
        psnr(np.zeros(2), np.ones(2), data_range=0)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (5, 4), elements=st.floats(-100, 100)),
       arrays(np.float64, (5, 4), elements=st.floats(-100, 100)))
def test_metric_invariants(a, b):
    assert mse(a, b) == pytest.approx(mse(b, a))
    assert mse(a, a) == 0.0
    assert euclidean(a, b) == pytest.approx(np.sqrt(mse(a, b) * a.size), abs=1e-9)
    assert euclidean(a, b) >= 0
