"""SSIM presets against their reference libraries, Wang's published values, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data
from skimage.metrics import structural_similarity as sk_ssim

from _similarity_refs import load_piq_ssim, matlab_ssim_reference
from segscope.errors import DataRangeError, ParameterError, ShapeError, ValueRangeWarning
from segscope.similarity import PRESETS, get_preset, ssim, ssim_map

TOL = 1e-6


@pytest.fixture(scope="module")
def camera_pair():
    cam = data.camera()[:256, :320].astype(np.float64) / 255
    noisy = np.clip(cam + np.random.default_rng(0).normal(0, 0.05, cam.shape), 0, 1)
    return cam, noisy


@pytest.fixture(scope="module")
def random_pair():
    rng = np.random.default_rng(1)
    a = rng.random((67, 53))
    return a, np.clip(a + rng.normal(0, 0.2, a.shape), 0, 1)


def _sk_wang(a, b, **kw):
    return sk_ssim(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, **kw)


@pytest.mark.parametrize("pair", ["camera_pair", "random_pair"])
def test_wang_preset_matches_skimage_gaussian(pair, request):
    a, b = request.getfixturevalue(pair)
    assert ssim(a, b, data_range=1.0) == pytest.approx(_sk_wang(a, b, data_range=1.0), abs=TOL)


@pytest.mark.parametrize("pair", ["camera_pair", "random_pair"])
def test_skimage_preset_matches_skimage_default(pair, request):
    a, b = request.getfixturevalue(pair)
    got = ssim(a, b, data_range=1.0, preset="skimage")
    assert got == pytest.approx(sk_ssim(a, b, data_range=1.0), abs=TOL)


def test_presets_differ_as_documented(camera_pair):
    a, b = camera_pair
    values = {name: ssim(a, b, data_range=1.0, preset=name) for name in PRESETS}
    assert abs(values["wang"] - values["skimage"]) > 1e-3


def _msssim_window():
    import torch

    return torch.from_numpy(get_preset("wang").weights()).reshape(1, 1, 1, -1)


@pytest.mark.parametrize("pair", ["camera_pair", "random_pair"])
def test_wang_preset_matches_pytorch_msssim(pair, request):
    torch = pytest.importorskip("torch")
    pm = pytest.importorskip("pytorch_msssim")
    a, b = request.getfixturevalue(pair)
    t = lambda x: torch.from_numpy(x)[None, None]  # noqa: E731
    # pytorch-msssim builds its window in float32, which alone moves SSIM by ~6e-6;
    # given the same window in float64 it agrees to rounding.
    ref = pm.ssim(t(a), t(b), data_range=1.0, win=_msssim_window()).item()
    assert ssim(a, b, data_range=1.0) == pytest.approx(ref, abs=TOL)
    ref32 = pm.ssim(t(a), t(b), data_range=1.0).item()
    assert ssim(a, b, data_range=1.0) == pytest.approx(ref32, abs=2e-5)


def test_wang_preset_3d_matches_pytorch_msssim_and_skimage():
    torch = pytest.importorskip("torch")
    pm = pytest.importorskip("pytorch_msssim")
    rng = np.random.default_rng(2)
    a = rng.random((14, 17, 15))
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1)
    win = torch.from_numpy(get_preset("wang").weights()).reshape(1, 1, 1, 1, -1)
    ref = pm.ssim(torch.from_numpy(a)[None, None], torch.from_numpy(b)[None, None],
                  data_range=1.0, win=win).item()
    got = ssim(a, b, data_range=1.0)
    assert got == pytest.approx(ref, abs=TOL)
    assert got == pytest.approx(_sk_wang(a, b, data_range=1.0), abs=TOL)
    assert ssim(a, b, data_range=1.0, preset="skimage") == pytest.approx(
        sk_ssim(a, b, data_range=1.0), abs=TOL)


def test_colour_matches_skimage_channel_axis():
    rgb = data.astronaut()[100:260, 120:300]
    other = np.clip(rgb + np.random.default_rng(3).normal(0, 15, rgb.shape), 0, 255)
    other = other.astype(np.uint8)
    for axis, (x, y) in {-1: (rgb, other), 0: (np.moveaxis(rgb, -1, 0),
                                                np.moveaxis(other, -1, 0))}.items():
        assert ssim(x, y, channel_axis=axis) == pytest.approx(
            _sk_wang(x, y, channel_axis=axis), abs=TOL)
        assert ssim(x, y, channel_axis=axis, preset="skimage") == pytest.approx(
            sk_ssim(x, y, channel_axis=axis), abs=TOL)


def test_matlab_preset_matches_piq_default_when_factor_is_two():
    torch = pytest.importorskip("torch")
    piq_ssim = load_piq_ssim()
    if piq_ssim is None:
        pytest.skip("piq not installed")
    cam = data.camera().astype(np.float64) / 255  # 512 x 512: factor 2
    noisy = np.clip(cam + np.random.default_rng(4).normal(0, 0.05, cam.shape), 0, 1)
    t = lambda x: torch.from_numpy(x)[None, None]  # noqa: E731
    ref = piq_ssim.ssim(t(cam), t(noisy), data_range=1.0, downsample=True).item()
    assert ssim(cam, noisy, data_range=1.0, preset="matlab") == pytest.approx(ref, abs=TOL)


@pytest.mark.parametrize("shape", [(96, 80), (530, 520), (700, 660)])  # f = 1, 2, 3
def test_matlab_preset_matches_ssim_m_algorithm(shape):
    rng = np.random.default_rng(5)
    a = rng.integers(0, 256, shape).astype(np.uint8)
    b = np.clip(a + rng.normal(0, 20, shape), 0, 255).astype(np.uint8)
    ref = matlab_ssim_reference(a, b)
    assert ssim(a, b, preset="matlab") == pytest.approx(ref, abs=TOL)


EINSTEIN = {"meanshift": 0.988, "contrast": 0.913, "impulse": 0.840, "blur": 0.694,
            "jpg": 0.662}


@pytest.mark.parametrize("name", sorted(EINSTEIN))
def test_reproduces_wang_published_einstein_values(name, shared_data):
    folder = shared_data("einstein")
    from PIL import Image

    with Image.open(folder / "einstein.gif") as im:
        ref = np.asarray(im.convert("L"))
    with Image.open(folder / f"{name}.gif") as im:
        dist = np.asarray(im.convert("L"))
    assert round(ssim(ref, dist), 3) == EINSTEIN[name]
    assert round(ssim(ref, dist, preset="matlab"), 3) == EINSTEIN[name]  # 256²: no downsampling


def test_ssim_map_is_the_averaged_map(random_pair):
    a, b = random_pair
    m = ssim_map(a, b, data_range=1.0)
    assert m.shape == (a.shape[0] - 10, a.shape[1] - 10)
    assert m.mean() == pytest.approx(ssim(a, b, data_range=1.0), abs=1e-15)
    _, full = sk_ssim(a, b, data_range=1.0, full=True)
    crop = full[3:-3, 3:-3]
    assert np.allclose(ssim_map(a, b, data_range=1.0, preset="skimage"), crop, atol=1e-10)


def test_ssim_map_keeps_channel_axis_position():
    rgb = data.astronaut()[:40, :30]
    first = np.moveaxis(rgb, -1, 0)
    assert ssim_map(rgb, rgb[::-1], channel_axis=-1).shape == (30, 20, 3)
    assert ssim_map(first, first, channel_axis=0).shape == (3, 30, 20)


def test_integer_data_range_is_inferred_and_float_is_not():
    a = data.camera()[:64, :64]
    b = a[::-1].copy()
    assert ssim(a, b) == pytest.approx(ssim(a / 255.0, b / 255.0, data_range=1.0), abs=1e-12)
    with pytest.raises(DataRangeError, match="data_range is required for float"):
        ssim(a / 255.0, b / 255.0)
    with pytest.warns(ValueRangeWarning, match="values only span"):  # 8-bit data in 16 bits
        assert ssim(a.astype(np.uint16), b.astype(np.uint16)) == pytest.approx(
            ssim(a, b, data_range=65535), abs=1e-12)
    with pytest.raises(DataRangeError, match="32/64-bit"):
        ssim(a.astype(np.int64), b.astype(np.int64))
    with pytest.raises(DataRangeError, match="different integer dtypes"):
        ssim(a, b.astype(np.uint16))


def test_bad_input_errors():
    a = np.zeros((8, 8), np.uint8)
    with pytest.raises(ShapeError, match="win_size"):
        ssim(a, a)
    with pytest.raises(ShapeError, match="same shape"):
        ssim(np.zeros((20, 20), np.uint8), np.zeros((20, 21), np.uint8))
    with pytest.raises(ParameterError, match="preset='wong'"):
        ssim(a, a, preset="wong")
    with pytest.raises(ParameterError, match="odd"):
        ssim(a, a, win_size=4)
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        ssim(np.zeros((20, 20, 3), np.uint8), np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(ShapeError, match="4 spatial axes"):
        ssim(np.zeros((5, 20, 20, 3), np.uint8), np.zeros((5, 20, 20, 3), np.uint8))


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, (13, 12)), arrays(np.uint8, (13, 12)),
       st.sampled_from(sorted(PRESETS)))
def test_ssim_invariants(a, b, preset):
    s_ab = ssim(a, b, preset=preset, win_size=5)
    assert s_ab == pytest.approx(ssim(b, a, preset=preset, win_size=5), abs=1e-12)
    assert -1.0 - 1e-9 <= s_ab <= 1.0 + 1e-9
    assert ssim(a, a, preset=preset, win_size=5) == pytest.approx(1.0, abs=1e-12)
