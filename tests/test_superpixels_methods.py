"""segment(): every method, contiguous labels, parameter checking, same result as scikit-image."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import segmentation as skseg

from _superpixel_data import astronaut_crop, nuclei_crop
from segscope.errors import DataRangeError, ParameterError, ShapeError, ValueRangeWarning
from segscope.superpixels import (
    METHODS,
    num_fragments,
    relabel_sequential,
    segment,
)

FAST = {
    "felzenszwalb": {"scale": 100},
    "quickshift": {"kernel_size": 3, "max_dist": 6},
    "slic": {"n_segments": 100},
    "slic-zero": {"n_segments": 100},
    "watershed": {"n_segments": 100},
}


def _contiguous(labels: np.ndarray, k: int) -> bool:
    return np.array_equal(np.unique(labels), np.arange(k))


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_on_astronaut_gives_contiguous_labels(method):
    img = astronaut_crop()
    sp = segment(img, method=method, channel_axis=-1, **FAST[method])
    assert sp.labels.shape == img.shape[:2]
    assert sp.num_segments > 1
    assert _contiguous(sp.labels, sp.num_segments)
    assert sp.runtime_s >= sp.method_runtime_s > 0


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_on_grey_nuclei_gives_contiguous_labels(method):
    img = nuclei_crop()
    assert img.dtype == np.uint16
    params = dict(FAST[method])
    if method in ("slic", "slic-zero"):
        params["compactness"] = 0.1  # grey [0, 1] intensities need a small compactness
    sp = segment(img, method=method, data_range=float(np.ptp(img)), **params)
    assert _contiguous(sp.labels, sp.num_segments)
    assert sp.num_segments > 1


@pytest.mark.parametrize("method", list(METHODS))
def test_same_seed_same_labels(method):
    img = astronaut_crop()[:96, :96]
    a = segment(img, method=method, seed=3, channel_axis=-1, **FAST[method])
    b = segment(img, method=method, seed=3, channel_axis=-1, **FAST[method])
    np.testing.assert_array_equal(a.labels, b.labels)


def test_quickshift_seed_reaches_rng():
    img = astronaut_crop()[:96, :96]
    direct = skseg.quickshift(img, kernel_size=3, max_dist=6, rng=7)
    ours = segment(img, method="quickshift", seed=7, kernel_size=3, max_dist=6,
                   channel_axis=-1)
    np.testing.assert_array_equal(ours.labels, relabel_sequential(direct)[0])


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("felzenszwalb", lambda im: skseg.felzenszwalb(im, scale=100, sigma=0.8, min_size=20)),
        ("slic", lambda im: skseg.slic(im, n_segments=100, start_label=1)),
        ("slic-zero", lambda im: skseg.slic(im, n_segments=100, slic_zero=True)),
    ],
)
def test_same_labels_as_scikit_image(method, call):
    img = astronaut_crop()
    ours = segment(img, method=method, channel_axis=-1, **FAST[method])
    np.testing.assert_array_equal(ours.labels, relabel_sequential(call(img))[0])


def test_watershed_matches_compact_watershed_on_sobel_gradient():
    from skimage.color import rgb2gray
    from skimage.filters import sobel

    img = astronaut_crop()
    direct = skseg.watershed(sobel(rgb2gray(img)), markers=100, compactness=0.001)
    ours = segment(img, method="watershed", n_segments=100, channel_axis=-1)
    np.testing.assert_array_equal(ours.labels, relabel_sequential(direct)[0])


def test_channel_axis_first_equals_channels_last():
    img = astronaut_crop()[:64, :64]
    a = segment(img, method="slic", n_segments=20, channel_axis=-1)
    b = segment(np.moveaxis(img, -1, 0), method="slic", n_segments=20, channel_axis=0)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_single_channel_axis_is_grey():
    img = astronaut_crop()[:64, :64, 0]
    a = segment(img, method="felzenszwalb", scale=50)
    b = segment(img[..., None], method="felzenszwalb", scale=50, channel_axis=-1)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_split_disconnected_removes_fragments():
    img = astronaut_crop()[:128, :128]
    plain = segment(img, method="quickshift", kernel_size=3, max_dist=6, channel_axis=-1)
    split = segment(img, method="quickshift", kernel_size=3, max_dist=6,
                    split_disconnected=True, channel_axis=-1)
    assert num_fragments(split.labels) == 0
    assert split.num_segments == plain.num_segments + num_fragments(plain.labels)
    assert _contiguous(split.labels, split.num_segments)


def test_relabel_sequential_keeps_order_and_counts():
    out, k = relabel_sequential(np.array([[5, 5, 2], [9, 2, 9]]))
    assert k == 3
    assert out.tolist() == [[1, 1, 0], [2, 0, 2]]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"method": "slic", "n_segment": 10}, "did you mean 'n_segments'"),
        ({"method": "slic", "max_iter": 5}, "max_num_iter"),
        ({"method": "slic", "multichannel": True}, "channel_axis"),
        ({"method": "slic", "start_label": 1}, "start at 0"),
        ({"method": "quickshift", "random_seed": 1}, "seed"),
        ({"method": "felzenszwalb", "n_segments": 10}, "Valid parameters: scale, sigma, min_size"),
    ],
)
def test_unknown_parameters_are_errors_listing_the_valid_ones(kwargs, fragment):
    with pytest.raises(ParameterError) as info:
        segment(astronaut_crop()[:32, :32], channel_axis=-1, **kwargs)
    assert fragment in str(info.value)
    assert "Valid parameters" in str(info.value)


def test_unknown_method_suggests_the_closest():
    with pytest.raises(ParameterError, match="did you mean 'slic'"):
        segment(astronaut_crop()[:32, :32], method="slick", channel_axis=-1)


@pytest.mark.parametrize(
    "kwargs",
    [{"scale": -1}, {"scale": "big"}, {"min_size": 2.5}, {"sigma": float("nan")}],
)
def test_bad_values_are_errors(kwargs):
    with pytest.raises(ParameterError):
        segment(astronaut_crop()[:32, :32], method="felzenszwalb", channel_axis=-1, **kwargs)


@pytest.mark.parametrize("kwargs", [{"kernel_size": 0.5}, {"ratio": 1.5}])
def test_quickshift_ranges_are_checked_before_scikit_image(kwargs):
    with pytest.raises(ParameterError):
        segment(astronaut_crop()[:32, :32], method="quickshift", channel_axis=-1, **kwargs)


def test_grey_image_with_convert2lab_is_an_error():
    with pytest.raises(ParameterError, match="RGB"):
        segment(astronaut_crop()[:32, :32, 0], method="quickshift", convert2lab=True)


def test_scale_is_never_guessed():
    # floats need data_range; integers use their dtype's span (segscope's one rule)
    with pytest.raises(DataRangeError, match="data_range is required for float"):
        segment(astronaut_crop()[:32, :32] / 255.0, method="slic", channel_axis=-1)
    with pytest.raises(DataRangeError, match="32/64-bit"):
        segment(nuclei_crop().astype(np.int64), method="slic")
    a = segment(astronaut_crop()[:64, :64] / 255.0, method="slic", data_range=1.0,
                channel_axis=-1)
    b = segment(astronaut_crop()[:64, :64], method="slic", channel_axis=-1)
    np.testing.assert_array_equal(a.labels, b.labels)
    grey = nuclei_crop()  # uint16 holding 8-bit values: warned about, the dtype's span kept
    with pytest.warns(ValueRangeWarning, match="values only span"):
        c = segment(grey, method="slic", compactness=0.1)
    d = segment(grey / 65535.0, method="slic", compactness=0.1, data_range=1.0)
    np.testing.assert_array_equal(c.labels, d.labels)
    with pytest.warns(ValueRangeWarning, match="values only span"):
        e = segment(grey.astype(np.int16) - 64, method="felzenszwalb")  # shifted by -32768
    f = segment(grey.astype(np.int16) - 64, method="felzenszwalb", data_range=65535)
    np.testing.assert_array_equal(e.labels, f.labels)


def test_bad_image_shapes():
    with pytest.raises(ShapeError, match="alpha"):
        segment(np.zeros((8, 8, 4), np.uint8), channel_axis=-1)
    with pytest.raises(ShapeError):
        segment(np.zeros((8, 8, 8, 3), np.uint8))
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        segment(np.zeros((8, 8, 3), np.uint8), channel_axis=None)
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        segment(np.zeros((8, 8, 3), np.uint8))  # the default is None: RGB must be named
    with pytest.raises(ShapeError, match="channel_axis"):
        segment(np.zeros((8, 8, 5), np.uint8))
    with pytest.raises(DataRangeError, match="NaN"):
        segment(np.full((8, 8), np.nan), data_range=1.0)


def test_describe_names_changed_parameters():
    sp = segment(astronaut_crop()[:32, :32], method="felzenszwalb", scale=100, channel_axis=-1)
    assert sp.describe() == "felzenszwalb scale=100"
