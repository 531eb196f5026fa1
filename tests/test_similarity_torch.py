"""The torch path: same values as NumPy, differentiable, batch layout, usable as a loss."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from segscope.errors import DataRangeError
from segscope.similarity import euclidean, ms_ssim, mse, psnr, ssim, ssim_map

torch = pytest.importorskip("torch")
tp = pytest.importorskip("segscope.similarity.torch_path")


@pytest.fixture(scope="module")
def rgb_pair():
    rgb = data.astronaut()[:200, :190]
    other = np.clip(rgb + np.random.default_rng(0).normal(0, 12, rgb.shape), 0, 255)
    return rgb, other.astype(np.uint8)


@pytest.mark.parametrize("preset", ["wang", "skimage", "matlab"])
def test_torch_ssim_equals_numpy(rgb_pair, preset):
    a, b = rgb_pair
    ta = torch.from_numpy(a).double()
    tb = torch.from_numpy(b).double()
    got = ssim(ta, tb, data_range=255, channel_axis=-1, preset=preset)
    assert isinstance(got, torch.Tensor)
    assert got.item() == pytest.approx(ssim(a, b, channel_axis=-1, preset=preset), abs=1e-10)
    gmap = ssim_map(ta, tb, data_range=255, channel_axis=-1, preset=preset)
    assert np.allclose(gmap.numpy(), ssim_map(a, b, channel_axis=-1, preset=preset),
                       atol=1e-10)


def test_torch_ms_ssim_and_pixel_metrics_equal_numpy(rgb_pair):
    a, b = rgb_pair
    ta, tb = torch.from_numpy(a).double(), torch.from_numpy(b).double()
    assert ms_ssim(ta, tb, data_range=255, channel_axis=-1).item() == pytest.approx(
        ms_ssim(a, b, channel_axis=-1), abs=1e-10)
    assert mse(ta, tb).item() == pytest.approx(mse(a, b), rel=1e-12)
    assert euclidean(ta, tb).item() == pytest.approx(euclidean(a, b), rel=1e-12)
    assert psnr(torch.from_numpy(a), torch.from_numpy(b)).item() == pytest.approx(
        psnr(a, b), rel=1e-6)


def test_3d_batch_matches_numpy():
    rng = np.random.default_rng(1)
    x = rng.random((2, 1, 13, 14, 15))
    y = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)
    per = tp.ssim_batch(torch.from_numpy(x), torch.from_numpy(y), data_range=1.0,
                        reduction="none")
    ref = [ssim(x[k, 0], y[k, 0], data_range=1.0) for k in range(2)]
    assert np.allclose(per.numpy(), ref, atol=1e-10)


def test_gradients_are_correct():
    rng = np.random.default_rng(2)
    x = torch.from_numpy(rng.random((1, 1, 7, 6))).requires_grad_()
    y = torch.from_numpy(rng.random((1, 1, 7, 6)))
    assert torch.autograd.gradcheck(
        lambda t: tp.ssim_batch(t, y, data_range=1.0, preset="wang", win_size=3), (x,))
    assert torch.autograd.gradcheck(
        lambda t: tp.ms_ssim_batch(t, y, data_range=1.0, win_size=3, weights=[0.5, 0.5]), (x,))


def test_loss_optimisation_increases_ssim():
    torch.manual_seed(0)
    target = torch.from_numpy(data.camera()[:32, :32] / 255.0).float()[None, None]
    pred = torch.rand_like(target).requires_grad_()
    loss_fn = tp.SSIMLoss(data_range=1.0)
    opt = torch.optim.Adam([pred], lr=0.05)
    first = loss_fn(pred, target).item()
    for _ in range(20):
        opt.zero_grad()
        loss = loss_fn(pred, target)
        loss.backward()
        opt.step()
    assert loss_fn(pred, target).item() < first - 0.3


def test_torch_errors():
    a = torch.rand(20, 20)
    with pytest.raises(DataRangeError, match="data_range"):
        ssim(a, a)
    with pytest.raises(DataRangeError, match="NaN"):
        ssim(a, torch.full_like(a, float("nan")), data_range=1.0)
