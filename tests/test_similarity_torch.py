"""The torch path: same values as NumPy, differentiable, batch layout, usable as a loss."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from segscope.errors import DataRangeError, ParameterError, ShapeError
from segscope.similarity import (
    euclidean,
    ms_ssim,
    ms_ssim_batch,
    mse,
    psnr,
    ssim,
    ssim_batch,
    ssim_map,
)

torch = pytest.importorskip("torch")
losses = pytest.importorskip("segscope.losses")


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
    per = ssim_batch(torch.from_numpy(x), torch.from_numpy(y), data_range=1.0,
                     channel_axis=1, reduction="none")
    ref = [ssim(x[k, 0], y[k, 0], data_range=1.0) for k in range(2)]
    assert np.allclose(per.numpy(), ref, atol=1e-10)


def test_gradients_are_correct():
    rng = np.random.default_rng(2)
    x = torch.from_numpy(rng.random((1, 1, 7, 6))).requires_grad_()
    y = torch.from_numpy(rng.random((1, 1, 7, 6)))
    assert torch.autograd.gradcheck(
        lambda t: ssim_batch(t, y, data_range=1.0, channel_axis=1, preset="wang", win_size=3),
        (x,))
    assert torch.autograd.gradcheck(
        lambda t: ms_ssim_batch(t, y, data_range=1.0, channel_axis=1, win_size=3,
                                weights=[0.5, 0.5]), (x,))


def test_loss_optimisation_increases_ssim():
    torch.manual_seed(0)
    target = torch.from_numpy(data.camera()[:32, :32] / 255.0).float()[None, None]
    pred = torch.rand_like(target).requires_grad_()
    loss_fn = losses.SSIMLoss(data_range=1.0, channel_axis=1)
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


@pytest.mark.parametrize("preset", ["wang", "skimage", "matlab"])
def test_torch_batch_equals_numpy_batch(rgb_pair, preset):
    a, b = rgb_pair
    xa = np.stack([a, b, a])  # (3, H, W, 3): channels last
    xb = np.stack([b, a, a])
    ref = ssim_batch(xa, xb, channel_axis=-1, preset=preset, reduction="none")
    assert isinstance(ref, np.ndarray) and ref.shape == (3,)
    assert np.allclose(ref, [ssim(xa[k], xb[k], channel_axis=-1, preset=preset)
                             for k in range(3)], atol=1e-12)
    got = ssim_batch(torch.from_numpy(xa).double(), torch.from_numpy(xb).double(),
                     data_range=255, channel_axis=-1, preset=preset, reduction="none")
    assert np.allclose(got.numpy(), ref, atol=1e-10)
    # channels first, as in PyTorch: the same numbers
    first = ssim_batch(torch.from_numpy(np.moveaxis(xa, -1, 1)).double(),
                       torch.from_numpy(np.moveaxis(xb, -1, 1)).double(), data_range=255,
                       channel_axis=1, preset=preset, reduction="none")
    assert np.allclose(first.numpy(), ref, atol=1e-10)


def test_torch_ms_ssim_batch_equals_numpy():
    rng = np.random.default_rng(3)
    x = rng.random((3, 2, 70, 65))
    y = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)
    w = [0.3, 0.3, 0.4]
    ref = ms_ssim_batch(x, y, data_range=1.0, channel_axis=1, win_size=7, weights=w,
                        reduction="none")
    pairs = [ms_ssim(x[k], y[k], data_range=1.0, channel_axis=0, win_size=7, weights=w)
             for k in range(3)]
    assert np.allclose(ref, pairs, atol=1e-12)
    got = ms_ssim_batch(torch.from_numpy(x), torch.from_numpy(y), data_range=1.0,
                        channel_axis=1, win_size=7, weights=w, reduction="none")
    assert np.allclose(got.numpy(), ref, atol=1e-10)


def test_batch_reductions():
    rng = np.random.default_rng(4)
    x = rng.random((4, 20, 20))
    y = np.clip(x + rng.normal(0, 0.2, x.shape), 0, 1)
    per = ssim_batch(x, y, data_range=1.0, win_size=7, reduction="none")
    assert ssim_batch(x, y, data_range=1.0, win_size=7) == pytest.approx(per.mean(), abs=1e-15)
    assert ssim_batch(x, y, data_range=1.0, win_size=7, reduction="sum") == pytest.approx(
        per.sum(), abs=1e-14)
    t = ssim_batch(torch.from_numpy(x), torch.from_numpy(y), data_range=1.0, win_size=7,
                   reduction="sum")
    assert t.ndim == 0 and t.item() == pytest.approx(per.sum(), abs=1e-10)
    with pytest.raises(ParameterError, match="reduction"):
        ssim_batch(x, y, data_range=1.0, reduction="batch")


def test_batch_layout_errors_name_the_fix():
    x = torch.rand(2, 3, 32, 32)
    with pytest.raises(ShapeError, match="channel_axis=1"):
        ssim_batch(x, x, data_range=1.0)  # (N, C, H, W) read as depth 3 without channel_axis
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        ssim_batch(np.zeros((2, 32, 32, 3)), np.zeros((2, 32, 32, 3)), data_range=1.0)
    with pytest.raises(ShapeError, match="batch axis"):
        ssim_batch(x, x, data_range=1.0, channel_axis=0)
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        ssim(torch.rand(32, 32, 3), torch.rand(32, 32, 3), data_range=1.0)


def test_ssim_loss_function_and_module():
    rng = np.random.default_rng(5)
    x = torch.from_numpy(rng.random((3, 2, 24, 24)))
    y = torch.from_numpy(np.clip(x.numpy() + rng.normal(0, 0.1, x.shape), 0, 1))
    per = 1 - ssim_batch(x, y, data_range=1.0, channel_axis=1, reduction="none")
    got = losses.ssim_loss(x, y, data_range=1.0, channel_axis=1, reduction="none")
    assert torch.allclose(got, per, atol=1e-12)
    assert losses.ssim_loss(x, y, data_range=1.0, channel_axis=1).item() == pytest.approx(
        per.mean().item(), abs=1e-12)
    module = losses.SSIMLoss(data_range=1.0, channel_axis=1, reduction="sum")
    assert module(x, y).item() == pytest.approx(per.sum().item(), abs=1e-12)
    ms = losses.SSIMLoss(data_range=1.0, channel_axis=1, multiscale=True, win_size=3,
                         weights=[0.5, 0.5])
    ref = 1 - ms_ssim_batch(x, y, data_range=1.0, channel_axis=1, win_size=3,
                            weights=[0.5, 0.5])
    assert ms(x, y).item() == pytest.approx(ref.item(), abs=1e-12)
    assert "channel_axis=1" in module.extra_repr()
    with pytest.raises(DataRangeError, match="data_range"):
        losses.SSIMLoss(data_range=None)
    with pytest.raises(ParameterError, match="reduction"):
        losses.SSIMLoss(data_range=1.0, reduction="batch")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_stay_on_their_device_and_match_numpy(rgb_pair):
    a, b = rgb_pair
    ta = torch.from_numpy(a).double().cuda()
    tb = torch.from_numpy(b).double().cuda()
    got = ssim(ta, tb, data_range=255, channel_axis=-1)
    assert got.device.type == "cuda"
    assert got.item() == pytest.approx(ssim(a, b, channel_axis=-1), abs=1e-10)
    assert ms_ssim(ta, tb, data_range=255, channel_axis=-1).item() == pytest.approx(
        ms_ssim(a, b, channel_axis=-1), abs=1e-10)
    assert psnr(ta, tb, data_range=255).item() == pytest.approx(psnr(a, b), rel=1e-10)
    xa, xb = np.stack([a, b]), np.stack([b, a])
    per = ssim_batch(torch.from_numpy(xa).cuda(), torch.from_numpy(xb).cuda(),
                     channel_axis=-1, reduction="none")
    assert per.device.type == "cuda"
    np.testing.assert_allclose(per.cpu().numpy(),
                               ssim_batch(xa, xb, channel_axis=-1, reduction="none"),
                               atol=1e-5)  # uint8 tensors compute in float32
    x = (torch.from_numpy(xa).float().cuda() / 255).movedim(-1, 1).requires_grad_()
    loss = losses.SSIMLoss(data_range=1.0, channel_axis=1)(x, x.detach().flip(0))
    loss.backward()
    assert x.grad is not None and x.grad.device.type == "cuda"
