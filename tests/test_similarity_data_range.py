"""One data-range rule (``segscope._checks.resolve_data_range``) for every package."""

from __future__ import annotations

import numpy as np
import pytest

from segscope._checks import resolve_data_range
from segscope.errors import DataRangeError, ShapeError, ValueRangeWarning
from segscope.explain import explain
from segscope.similarity import psnr, similarity_matrix, ssim, ssim_batch
from segscope.superpixels import as_float_image, segment


@pytest.mark.parametrize(("dtype", "span"), [(bool, 1.0), (np.uint8, 255.0), (np.int8, 255.0),
                                             (np.uint16, 65535.0), (np.int16, 65535.0)])
def test_integer_and_bool_input_use_the_dtype_span(dtype, span):
    # values that fill the dtype (16-bit images holding fewer bits warn: see test_honest_numbers)
    lo, hi = (0, 1) if dtype is bool else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    full = np.array([lo, hi, lo], dtype)
    assert resolve_data_range(None, full) == span
    assert resolve_data_range(None, full, np.array([hi, lo], dtype)) == span
    assert resolve_data_range(7, np.zeros(3, dtype)) == 7.0  # a given one always wins


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "image", True, [1.0]])
def test_a_given_data_range_must_be_a_finite_positive_number(bad):
    with pytest.raises(DataRangeError, match="finite positive number"):
        resolve_data_range(bad, np.zeros(3, np.uint8))


def test_floats_and_wide_integers_never_get_a_guessed_scale():
    for dtype in (np.float16, np.float32, np.float64):
        with pytest.raises(DataRangeError, match=r"data_range=1\.0 for images scaled to"):
            resolve_data_range(None, np.zeros(3, dtype))
    for dtype in (np.int32, np.int64, np.uint32):
        with pytest.raises(DataRangeError, match="32/64-bit"):
            resolve_data_range(None, np.zeros(3, dtype))
    with pytest.raises(DataRangeError, match="different integer dtypes"):
        resolve_data_range(None, np.zeros(3, np.uint8), np.zeros(3, np.uint16))
    with pytest.raises(DataRangeError, match="data_range is required"):
        resolve_data_range(None)


def test_torch_dtypes_are_read_without_a_copy():
    torch = pytest.importorskip("torch")
    assert resolve_data_range(None, torch.zeros(2, dtype=torch.uint8)) == 255.0
    assert resolve_data_range(None, torch.tensor([-32768, 32767], dtype=torch.int16)) == 65535.0
    with pytest.warns(ValueRangeWarning, match="16-bit"):  # zeros use none of the span
        assert resolve_data_range(None, torch.zeros(2, dtype=torch.int16)) == 65535.0
    assert resolve_data_range(None, torch.zeros(2, dtype=torch.bool)) == 1.0
    for dtype in (torch.float32, torch.bfloat16):
        with pytest.raises(DataRangeError, match="float"):
            resolve_data_range(None, torch.zeros(2, dtype=dtype))


def test_every_package_applies_the_same_rule():
    rng = np.random.default_rng(0)
    img16 = rng.integers(0, 65536, (40, 40), dtype=np.uint16)
    other = rng.integers(0, 65536, (40, 40), dtype=np.uint16)
    as01 = img16 / 65535.0
    # similarity: uint16 is 65535, the same as the float image scaled by hand
    assert ssim(img16, other) == pytest.approx(ssim(as01, other / 65535.0, data_range=1.0),
                                               abs=1e-12)
    assert psnr(img16, other) == pytest.approx(psnr(as01, other / 65535.0, data_range=1.0))
    # superpixels: the same scaling to [0, 1]
    np.testing.assert_allclose(as_float_image(img16), as01, atol=1e-15)
    np.testing.assert_array_equal(segment(img16, method="slic", compactness=0.1).labels,
                                  segment(as01, method="slic", compactness=0.1,
                                          data_range=1.0).labels)
    # explain: the l2 distance divides by the same span
    seg = np.repeat(np.arange(4), 10)[None].repeat(40, axis=0)
    e = explain(img16, lambda b: b.mean(axis=(1, 2)), segments=seg, num_samples=8,
                distance="l2", fill=0)
    assert e.settings["data_range"] == 65535.0
    # and one error, with the same fix, everywhere
    floats = img16.astype(np.float32)
    calls = [lambda: ssim(floats, floats), lambda: psnr(floats, floats),
             lambda: ssim_batch(floats[None], floats[None]),
             lambda: similarity_matrix([floats, floats]),
             lambda: segment(floats, method="slic"), lambda: as_float_image(floats),
             lambda: explain(floats, lambda b: b.mean(axis=(1, 2)), segments=seg,
                             num_samples=8, distance="ssim")]
    for call in calls:
        with pytest.raises(DataRangeError, match=r"data_range=1\.0 for images scaled to"):
            call()


def test_channel_axis_none_refuses_a_colour_looking_array_everywhere():
    rgb = np.zeros((32, 32, 3), np.uint8)
    seg = np.zeros((32, 32), int)
    calls = [lambda: ssim(rgb, rgb), lambda: similarity_matrix([rgb, rgb]),
             lambda: segment(rgb), lambda: as_float_image(rgb),
             lambda: explain(rgb, lambda b: b.mean(axis=(1, 2, 3)), segments=seg,
                             num_samples=4)]
    for call in calls:
        with pytest.raises(ShapeError, match="channel_axis=-1"):
            call()
    # a thin volume is still possible, made explicit with a channel axis of length 1
    vol = np.random.default_rng(1).random((20, 20, 3))
    assert ssim(vol[..., None], vol[..., None], data_range=1.0, channel_axis=-1,
                win_size=3) == pytest.approx(1.0)
