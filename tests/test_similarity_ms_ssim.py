"""MS-SSIM against pytorch-msssim, invariants and size checks."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from segscope.errors import ParameterError, ShapeError
from segscope.similarity import get_preset, ms_ssim

torch = pytest.importorskip("torch")
pm = pytest.importorskip("pytorch_msssim")


def _ref(a, b, data_range, weights=None, channel_last=False):
    channels = a.shape[-1] if channel_last else 1
    win = torch.from_numpy(get_preset("wang").weights()).reshape(1, 1, 1, -1)
    win = win.repeat(channels, 1, 1, 1)
    if channel_last:
        ta = torch.from_numpy(np.moveaxis(a, -1, 0))[None]
        tb = torch.from_numpy(np.moveaxis(b, -1, 0))[None]
    else:
        ta, tb = torch.from_numpy(a)[None, None], torch.from_numpy(b)[None, None]
    return pm.ms_ssim(ta, tb, data_range=data_range, win=win, weights=weights).item()


@pytest.mark.parametrize("shape", [(256, 256), (181, 199)])  # even and odd sides
def test_matches_pytorch_msssim(shape):
    cam = data.camera()[: shape[0], : shape[1]].astype(np.float64) / 255
    noisy = np.clip(cam + np.random.default_rng(0).normal(0, 0.08, cam.shape), 0, 1)
    assert ms_ssim(cam, noisy, data_range=1.0) == pytest.approx(_ref(cam, noisy, 1.0), abs=1e-6)


def test_colour_and_custom_weights_match_pytorch_msssim():
    rgb = data.astronaut()[:200, :177].astype(np.float64)
    other = np.clip(rgb + np.random.default_rng(1).normal(0, 20, rgb.shape), 0, 255)
    w = [0.2, 0.3, 0.5]
    got = ms_ssim(rgb, other, data_range=255, channel_axis=-1, weights=w)
    assert got == pytest.approx(_ref(rgb, other, 255, w, channel_last=True), abs=1e-6)


def test_identity_and_symmetry():
    a = np.random.default_rng(2).random((70, 70))
    b = np.random.default_rng(3).random((70, 70))
    w = [0.5, 0.5]
    assert ms_ssim(a, a, data_range=1.0, weights=w) == pytest.approx(1.0, abs=1e-12)
    assert ms_ssim(a, b, data_range=1.0, weights=w) == pytest.approx(
        ms_ssim(b, a, data_range=1.0, weights=w), abs=1e-12)


def test_too_small_images_and_bad_weights():
    a = np.zeros((100, 100), np.uint8)
    with pytest.raises(ShapeError, match="at least 161"):
        ms_ssim(a, a)
    with pytest.raises(ParameterError, match="weights"):
        ms_ssim(a, a, weights=[-1.0, 2.0])
