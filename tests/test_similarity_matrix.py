"""N×N and cross matrices equal the pairwise functions; float32 stays within 1e-5."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data

from segscope.errors import DataRangeError, ParameterError, ShapeError
from segscope.similarity import (
    cross_matrix,
    euclidean,
    ms_ssim,
    mse,
    psnr,
    rmse,
    similarity_matrix,
    ssim,
)

PAIRWISE = {"mse": mse, "rmse": rmse, "euclidean": euclidean}


@pytest.fixture(scope="module")
def grey_set():
    cam = data.camera()[100:164, 200:260]
    rng = np.random.default_rng(0)
    noise = [rng.normal(0, s, cam.shape) for s in (0, 4, 12, 30, 60)]
    ims = [np.clip(cam + n, 0, 255).astype(np.uint8) for n in noise]
    ims.append(ims[0].copy())  # an exact duplicate
    ims.append(np.clip(cam.astype(int) + 40, 0, 255).astype(np.uint8))
    return ims


def _loop(ims_a, ims_b, fn):
    return np.array([[fn(a, b) for b in ims_b] for a in ims_a])


@pytest.mark.parametrize("metric", ["mse", "rmse", "euclidean", "psnr"])
def test_pixel_matrices_equal_pairwise(grey_set, metric):
    fn = PAIRWISE.get(metric, psnr)
    got = similarity_matrix(grey_set, metric=metric)
    ref = _loop(grey_set, grey_set, fn)
    finite = np.isfinite(ref)
    assert np.array_equal(finite, np.isfinite(got))  # duplicates give exactly inf PSNR
    assert np.allclose(got[finite], ref[finite], rtol=1e-10, atol=1e-9)
    assert got[0, 5] == (np.inf if metric == "psnr" else 0.0)


@pytest.mark.parametrize("preset", ["wang", "skimage", "matlab"])
def test_ssim_matrix_equals_pairwise_in_float64(grey_set, preset):
    got = similarity_matrix(grey_set, preset=preset, dtype=np.float64)
    ref = _loop(grey_set, grey_set, lambda a, b: ssim(a, b, preset=preset))
    assert np.abs(got - ref).max() < 1e-10
    assert np.array_equal(got, got.T)


@pytest.mark.parametrize("preset", ["wang", "skimage"])
def test_float32_stays_within_1e5_of_float64(preset):
    rng = np.random.default_rng(7)
    base = data.camera()[:96, :96].astype(np.float64) / 255
    ims = [np.clip(base * g + rng.normal(0, s, base.shape), 0, 1)
           for g, s in ((1, 0.0), (0.3, 0.02), (1.0, 0.3), (0.05, 0.001), (1, 0.1))]
    ims.append(np.full_like(base, 0.5) + rng.normal(0, 1e-4, base.shape))  # nearly flat
    m32 = similarity_matrix(ims, data_range=1.0, preset=preset)
    m64 = similarity_matrix(ims, data_range=1.0, preset=preset, dtype=np.float64)
    assert np.abs(m32 - m64).max() < 1e-5


def test_ms_ssim_matrix_equals_pairwise():
    rng = np.random.default_rng(3)
    ims = rng.random((4, 48, 44))
    w = [0.3, 0.3, 0.4]
    got = similarity_matrix(ims, metric="ms_ssim", data_range=1.0, weights=w,
                            dtype=np.float64)
    ref = _loop(ims, ims, lambda a, b: ms_ssim(a, b, data_range=1.0, weights=w))
    assert np.abs(got - ref).max() < 1e-10


def test_colour_and_3d_matrices_equal_pairwise():
    rng = np.random.default_rng(4)
    rgb = rng.integers(0, 256, (3, 20, 18, 3), dtype=np.uint8)
    got = similarity_matrix(rgb, channel_axis=-1, dtype=np.float64)
    ref = _loop(rgb, rgb, lambda a, b: ssim(a, b, channel_axis=-1))
    assert np.abs(got - ref).max() < 1e-10
    vol = rng.random((3, 13, 12, 14))
    got = similarity_matrix(vol, data_range=1.0, dtype=np.float64)
    ref = _loop(vol, vol, lambda a, b: ssim(a, b, data_range=1.0))
    assert np.abs(got - ref).max() < 1e-10


@pytest.mark.parametrize("metric", ["ssim", "mse", "psnr"])
def test_cross_matrix_equals_pairwise(grey_set, metric):
    fn = {"ssim": ssim, "mse": mse, "psnr": psnr}[metric]
    a, b = grey_set[:3], grey_set[2:]
    got = cross_matrix(a, b, metric=metric, dtype=np.float64)
    ref = _loop(a, b, fn)
    assert got.shape == (3, len(b))
    finite = np.isfinite(ref)
    assert np.array_equal(finite, np.isfinite(got))
    assert np.allclose(got[finite], ref[finite], rtol=1e-10, atol=1e-9)


def test_chunking_and_progress_do_not_change_values(grey_set):
    whole = similarity_matrix(grey_set, chunk_size=10_000)
    small = similarity_matrix(grey_set, chunk_size=1, progress=True)
    assert np.array_equal(whole, small)


def test_mixed_sizes_need_explicit_size():
    rng = np.random.default_rng(5)
    ims = [rng.random((30, 30)), rng.random((40, 36))]
    with pytest.raises(ShapeError, match="size="):
        similarity_matrix(ims, data_range=1.0)
    m = similarity_matrix(ims, data_range=1.0, size=(32, 32))
    assert m.shape == (2, 2) and m[0, 0] == 1.0
    from skimage.transform import resize

    r = [resize(im, (32, 32), order=1, anti_aliasing=True, preserve_range=True) for im in ims]
    assert m[0, 1] == pytest.approx(ssim(r[0], r[1], data_range=1.0), abs=1e-5)


def test_matrix_errors():
    ims = np.random.default_rng(6).random((3, 16, 16))
    with pytest.raises(DataRangeError, match="data_range"):
        similarity_matrix(ims)
    with pytest.raises(ParameterError, match="metric="):
        similarity_matrix(ims, metric="ssmi", data_range=1.0)
    with pytest.raises(ParameterError, match="dtype"):
        similarity_matrix(ims, data_range=1.0, dtype=np.float16)
    with pytest.raises(ShapeError, match="empty"):
        similarity_matrix([], data_range=1.0)
    with pytest.raises(ShapeError, match="different image shapes"):
        cross_matrix(ims, ims[:, :8], metric="mse")


@settings(max_examples=25, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(2, 4), st.integers(5, 9), st.integers(5, 9))),
       st.sampled_from(["wang", "skimage"]))
def test_matrix_kernel_property(ims, preset):
    got = similarity_matrix(ims, preset=preset, win_size=5, dtype=np.float64)
    ref = _loop(ims, ims, lambda a, b: ssim(a, b, preset=preset, win_size=5))
    assert np.abs(got - ref).max() < 1e-9
    got32 = similarity_matrix(ims, preset=preset, win_size=5)
    assert np.abs(got32 - ref).max() < 1e-5
