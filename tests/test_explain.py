"""LIME: distances, kernel, ridge surrogate against references, faithfulness, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cosine as scipy_cosine

from _superpixel_data import astronaut_crop
from segscope.errors import DataRangeError, ParameterError, ShapeError
from segscope.explain import (
    cosine_distance,
    explain,
    exponential_kernel,
    fill_image,
    fit_weighted_ridge,
    heatmap,
    l2_distance,
    perturb_batch,
    sample_masks,
    ssim_distance,
    top_k_overlay,
    weighted_r2,
)
from segscope.superpixels import METHODS, segment

# ------------------------------------------------------------------ sampling and fills


def test_sample_masks_keep_probability_is_the_probability_to_keep():
    m = sample_masks(50, 4001, keep_probability=0.8, rng=1)
    assert m[0].all()
    assert m[1:].mean() == pytest.approx(0.8, abs=0.01)
    np.testing.assert_array_equal(m, sample_masks(50, 4001, keep_probability=0.8, rng=1))
    with pytest.raises(ParameterError, match="kept"):
        sample_masks(5, 10, keep_probability=1.0)
    with pytest.raises(ParameterError):
        sample_masks(5, 1)


def test_fills():
    img = np.array([[0, 4, 10], [2, 6, 20]], dtype=np.uint8)
    seg = np.array([[0, 0, 1], [0, 0, 1]])
    assert fill_image(img, seg, 2, "mean").tolist() == [[3, 3, 15], [3, 3, 15]]
    assert fill_image(img, seg, 2, 7).tolist() == [[7, 7, 7], [7, 7, 7]]
    blurred = fill_image(img.astype(float), seg, 2, "blur", blur_sigma=1.0)
    assert blurred.std() < img.std()
    with pytest.raises(ParameterError, match="mean"):
        fill_image(img, seg, 2, "median")
    batch = perturb_batch(img, np.zeros_like(img), seg, np.array([[True, False], [False, True]]))
    assert batch[0].tolist() == [[0, 4, 0], [2, 6, 0]]
    assert batch[1].tolist() == [[0, 0, 10], [0, 0, 20]]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64, np.int16, bool])
@pytest.mark.parametrize("channels", [None, 1, 3, 4])
def test_perturb_batch_equals_elementwise_selection(dtype, channels):
    rng = np.random.default_rng(1)
    shape = (7, 9) if channels is None else (7, 9, channels)
    img = (rng.random(shape) * 100).astype(dtype)
    fil = (rng.random(shape) * 100).astype(dtype)
    seg = rng.integers(0, 5, (7, 9))
    masks = rng.random((4, 5)) < 0.5
    out = perturb_batch(img, fil, seg, masks)
    keep = masks[:, seg] if channels is None else masks[:, seg][..., None]
    expected = np.where(keep, img[None], fil[None])
    assert out.dtype == img.dtype and out.shape == (4, *shape)
    np.testing.assert_array_equal(out, expected)


# ------------------------------------------------------------------ distances and kernel


def test_cosine_distance_matches_scipy_and_keeps_weights_alive_with_many_segments():
    rng = np.random.default_rng(0)
    masks = rng.random((30, 250)) < 0.5
    masks[0] = True
    ours = cosine_distance(masks)
    ref = [scipy_cosine(m.astype(float), np.ones(250)) for m in masks]
    np.testing.assert_allclose(ours, ref, atol=1e-12)
    w = exponential_kernel(ours, 0.25)
    # half the segments kept: d = 1 - sqrt(0.5) ≈ 0.29 -> w ≈ 0.50, far from 0
    assert w[1:].min() > 0.3
    assert w[0] == 1.0


def test_cosine_distance_of_the_all_off_sample_is_one():
    assert cosine_distance(np.zeros((1, 5), bool)).tolist() == [1.0]


def test_kernel_is_limes_exponential_kernel():
    d = np.array([0.0, 0.1, 0.5])
    np.testing.assert_allclose(exponential_kernel(d, 0.25), np.sqrt(np.exp(-(d**2) / 0.0625)))
    with pytest.raises(ParameterError):
        exponential_kernel(d, 0.0)


def test_l2_distance_equals_rms_of_the_perturbed_image():
    img = astronaut_crop()[:40, :40]
    seg = segment(img, channel_axis=-1, method="slic", n_segments=12).labels
    k = seg.max() + 1
    filler = fill_image(img, seg, k, "mean")
    masks = sample_masks(k, 6, rng=2)
    diff = (img.astype(float) - filler.astype(float)) ** 2
    sse = np.bincount(seg.ravel(), weights=diff.sum(axis=-1).ravel(), minlength=k)
    ours = l2_distance(sse, masks, img.size, 255.0)
    batch = perturb_batch(img, filler, seg, masks).astype(float)
    direct = np.sqrt(((batch - img) ** 2).mean(axis=(1, 2, 3))) / 255.0
    np.testing.assert_allclose(ours, direct, rtol=1e-10)


def test_ssim_distance_matches_scikit_image_wang_settings():
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(0)
    a = rng.random((3, 32, 32))
    b = rng.random((32, 32))
    ours = ssim_distance(a, b, 1.0)
    ref = [1 - structural_similarity(x, b, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                     use_sample_covariance=False) for x in a]
    np.testing.assert_allclose(ours, np.clip(ref, 0, 1), atol=1e-10)
    rgb = rng.random((1, 24, 24, 3))
    rgb = np.concatenate([rgb, np.clip(rgb + rng.normal(scale=0.2, size=rgb.shape), 0, 1)])
    ref_rgb = [1 - structural_similarity(x, rgb[0], data_range=1.0, gaussian_weights=True,
                                         sigma=1.5, use_sample_covariance=False,
                                         channel_axis=-1) for x in rgb]
    np.testing.assert_allclose(ssim_distance(rgb, rgb[0], 1.0), ref_rgb, atol=1e-10)


# ------------------------------------------------------------------ surrogate


@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
def test_weighted_ridge_matches_scikit_learn(alpha):
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(alpha.__hash__() % 100)
    x = (rng.random((120, 15)) < 0.5).astype(float)
    y = x @ rng.normal(size=15) + rng.normal(scale=0.3, size=120)
    w = rng.random(120)
    ours = fit_weighted_ridge(x, y, w, alpha=alpha)
    ref = Ridge(alpha=alpha).fit(x, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef, ref.coef_, atol=1e-9)
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-9)
    assert ours.r2_in_sample == pytest.approx(r2_score(y, ref.predict(x), sample_weight=w),
                                              abs=1e-9)
    assert weighted_r2(y, ours.predict(x), w) == pytest.approx(ours.r2_in_sample)
    # the reported r2 is held out: each interleaved fold predicted by a fit to the others
    fold = np.arange(120) % 5
    y_hat = np.empty(120)
    for k in range(5):
        train = fold != k
        model = Ridge(alpha=alpha).fit(x[train], y[train], sample_weight=w[train])
        y_hat[~train] = model.predict(x[~train])
    assert ours.r2 == pytest.approx(r2_score(y, y_hat, sample_weight=w), abs=1e-9)
    assert ours.r2 < ours.r2_in_sample


def test_weighted_least_squares_matches_scikit_learn():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(5)
    x = rng.normal(size=(50, 4))
    y = x @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.7
    w = rng.random(50)
    ours = fit_weighted_ridge(x, y, w, alpha=0.0)
    ref = LinearRegression().fit(x, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef, ref.coef_, atol=1e-9)
    assert ours.r2 == pytest.approx(1.0)


def test_surrogate_rejects_bad_weights():
    with pytest.raises(ParameterError):
        fit_weighted_ridge(np.ones((3, 1)), np.ones(3), np.zeros(3))
    with pytest.raises(ShapeError):
        fit_weighted_ridge(np.ones((3, 1)), np.ones(4), np.ones(3))


# ------------------------------------------------------------------ faithfulness

ROWS, COLS = slice(40, 80), slice(50, 90)
METHOD_PARAMS = {
    "felzenszwalb": {"scale": 200},
    "quickshift": {"kernel_size": 5, "max_dist": 20},
    "slic": {"n_segments": 40},
    "slic-zero": {"n_segments": 40},
    "watershed": {"n_segments": 40},
}


def _square_brightness(batch: np.ndarray) -> np.ndarray:
    """A 'classifier' whose score is the mean brightness inside a known square."""
    return batch[:, ROWS, COLS].astype(float).mean(axis=(1, 2, 3)) / 255.0


def _face() -> np.ndarray:
    from skimage.data import astronaut

    return astronaut()[100:228, 150:278]


@pytest.mark.parametrize("method", list(METHODS))
def test_top_superpixels_cover_the_region_the_classifier_looks_at(method):
    img = _face()
    sp = segment(img, channel_axis=-1, method=method, **METHOD_PARAMS[method])
    e = explain(img, _square_brightness, segments=sp, channel_axis=-1,
                num_samples=300, fill=0, seed=0)
    square = np.zeros(img.shape[:2], bool)
    square[ROWS, COLS] = True
    overlap = np.bincount(sp.labels[square], minlength=sp.num_segments)
    touching = np.flatnonzero(overlap > 0)
    top = e.top(len(touching))
    # the top-weighted superpixels cover the square ...
    assert np.isin(sp.labels[square], top).mean() >= 0.95
    # ... and superpixels outside it get (almost) no weight
    outside = np.flatnonzero(overlap == 0)
    assert np.abs(e.weights[outside]).max() < 0.05 * e.weights.max()
    assert e.r2 > 0.95


@pytest.mark.parametrize("distance", ["l2", "ssim"])
def test_faithful_with_image_level_distances(distance):
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=40)
    e = explain(img, _square_brightness, segments=sp, channel_axis=-1, num_samples=120, fill=0,
                distance=distance, seed=0)
    square = np.zeros(img.shape[:2], bool)
    square[ROWS, COLS] = True
    touching = np.flatnonzero(np.bincount(sp.labels[square], minlength=sp.num_segments))
    assert np.isin(sp.labels[square], e.top(len(touching))).mean() >= 0.95
    assert (e.sample_weights > 0).all() and e.sample_weights[0] == 1.0


def test_grey_uint16_image():
    from _superpixel_data import nuclei_crop

    img = nuclei_crop()[:96, :96]
    sp = segment(img, method="slic", n_segments=30, compactness=0.1,
                 data_range=float(np.ptp(img)))

    def score(batch):
        return batch[:, 20:60, 20:60].astype(float).mean(axis=(1, 2))

    e = explain(img, score, segments=sp, num_samples=100, fill=0, distance="l2",
                data_range=float(img.max()), seed=0)
    assert e.segments.shape == img.shape
    square = np.zeros(img.shape, bool)
    square[20:60, 20:60] = True
    # each superpixel's true effect is its brightness summed inside the square; those with
    # at least 5 % of the largest effect must be the top-ranked ones
    effect = np.bincount(sp.labels[square], weights=img[square].astype(float),
                         minlength=sp.num_segments)
    strong = np.flatnonzero(effect >= 0.05 * effect.max())
    assert set(e.top(len(strong)).tolist()) == set(strong.tolist())
    assert e.r2 > 0.95


def test_same_seed_same_explanation_other_seed_other_samples():
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=30)

    def noisy(batch):  # depends on the whole image: weights are not trivially exact
        return np.tanh(batch.astype(float).mean(axis=(1, 2, 3)) / 100.0)

    a = explain(img, noisy, segments=sp, channel_axis=-1, num_samples=80, seed=4)
    b = explain(img, noisy, segments=sp, channel_axis=-1, num_samples=80, seed=4, batch_size=7)
    c = explain(img, noisy, segments=sp, channel_axis=-1, num_samples=80, seed=5)
    np.testing.assert_array_equal(a.masks, b.masks)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-12)
    assert not np.array_equal(a.masks, c.masks)


def test_target_column_and_probabilities():
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=20)

    def two_classes(batch):
        s = _square_brightness(batch)
        return np.stack([1 - s, s], axis=1)

    e = explain(img, two_classes, segments=sp, channel_axis=-1, num_samples=60, fill=0, seed=0)
    assert e.target == int(np.argmax(two_classes(img[None])[0]))
    e1 = explain(img, two_classes, segments=sp, channel_axis=-1,
                 num_samples=60, fill=0, seed=0, target=1)
    e0 = explain(img, two_classes, segments=sp, channel_axis=-1,
                 num_samples=60, fill=0, seed=0, target=0)
    np.testing.assert_allclose(e0.weights, -e1.weights, atol=1e-9)
    with pytest.raises(ParameterError, match="output column"):
        explain(img, two_classes, segments=sp, channel_axis=-1, num_samples=10, target=2)
    with pytest.raises(ParameterError, match="one score per image"):
        explain(img, _square_brightness, segments=sp, channel_axis=-1, num_samples=10, target=0)


def test_explain_errors():
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=20)
    with pytest.raises(ShapeError, match="height and width"):
        explain(img, _square_brightness, segments=sp.labels[:10], channel_axis=-1, num_samples=10)
    with pytest.raises(ShapeError, match="one score per image"):
        explain(img, lambda b: np.ones(3), segments=sp, channel_axis=-1, num_samples=10)
    with pytest.raises(ParameterError, match="distance"):
        explain(img, _square_brightness, segments=sp, channel_axis=-1,
                num_samples=10, distance="cos")
    with pytest.raises(DataRangeError, match="data_range"):
        explain(img / 255.0, _square_brightness, segments=sp, channel_axis=-1,
                num_samples=10, distance="l2")
    with pytest.raises(ParameterError, match="kernel weight is 0"):
        explain(img, _square_brightness, segments=sp, channel_axis=-1,
                num_samples=10, kernel_width=1e-4)
    with pytest.raises(ParameterError, match="NaN"):
        explain(img, lambda b: np.full(len(b), np.nan), segments=sp, channel_axis=-1,
                num_samples=10)


def test_rendering():
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=40)
    e = explain(img, _square_brightness, segments=sp, channel_axis=-1,
                num_samples=100, fill=0, seed=0)
    heat = heatmap(e)
    best = e.top(1)[0]
    ys, xs = np.nonzero(sp.labels == best)
    assert heat[ys[0], xs[0]].tolist() == [255, 0, 0]  # the strongest positive is full red
    assert heatmap(e, img, channel_axis=-1).shape == img.shape
    over = top_k_overlay(e, img, 3, channel_axis=-1)
    chosen = np.isin(sp.labels, e.top(3))
    assert over.shape == img.shape
    # pixels of non-chosen superpixels are dimmed
    assert over[~chosen].mean() < img[~chosen].mean() * 0.5
    grey = top_k_overlay(e, img[..., 0], 3)
    assert grey.shape == img.shape


def test_channel_axis_first_gives_the_classifier_its_own_layout():
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=30)
    seen = []

    def chw_square(batch):  # a channels-first model: (B, C, H, W)
        seen.append(batch.shape[1:])
        return batch[:, :, ROWS, COLS].astype(float).mean(axis=(1, 2, 3)) / 255.0

    first = explain(np.moveaxis(img, -1, 0), chw_square, segments=sp, channel_axis=0,
                    num_samples=60, fill=0, seed=1)
    last = explain(img, _square_brightness, segments=sp, channel_axis=-1, num_samples=60,
                   fill=0, seed=1)
    assert set(seen) == {(3, *img.shape[:2])}
    np.testing.assert_allclose(first.weights, last.weights, rtol=1e-12)
    ssim_first = explain(np.moveaxis(img, -1, 0), chw_square, segments=sp, channel_axis=0,
                         num_samples=30, fill=0, distance="ssim", seed=1)
    ssim_last = explain(img, _square_brightness, segments=sp, channel_axis=-1,
                        num_samples=30, fill=0, distance="ssim", seed=1)
    np.testing.assert_allclose(ssim_first.distances, ssim_last.distances, atol=1e-12)
    np.testing.assert_array_equal(
        heatmap(first, np.moveaxis(img, -1, 0), channel_axis=0),
        heatmap(last, img, channel_axis=-1))


def test_colour_image_needs_channel_axis_and_data_range_follows_the_one_rule():
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=20)
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        explain(img, _square_brightness, segments=sp, num_samples=10)
    with pytest.raises(ShapeError, match="channel_axis=-1"):
        heatmap(explain(img, _square_brightness, segments=sp, channel_axis=-1,
                        num_samples=40, seed=0), img)
    # integer images take their dtype's span (uint8 255, uint16 65535), floats need it
    e8 = explain(img, _square_brightness, segments=sp, channel_axis=-1, num_samples=20,
                 fill=0, distance="l2", seed=0)
    assert e8.settings["data_range"] == 255.0
    wide = (img.astype(np.uint16) * 257)
    e16 = explain(wide, lambda b: _square_brightness(b / 257.0), segments=sp,
                  channel_axis=-1, num_samples=20, fill=0, distance="l2", seed=0)
    assert e16.settings["data_range"] == 65535.0
    np.testing.assert_allclose(e16.distances, e8.distances, atol=1e-12)
    with pytest.raises(DataRangeError, match="data_range is required for float"):
        explain(img / 255.0, _square_brightness, segments=sp, channel_axis=-1,
                num_samples=10, distance="ssim")
    # cosine distance needs no scale at all
    cos = explain(img / 255.0, _square_brightness, segments=sp, channel_axis=-1,
                  num_samples=40, seed=0)
    assert cos.settings["data_range"] is None


# ------------------------------------------------------------------ reference: the lime package


@pytest.mark.parametrize("fill", [0, "mean"])
def test_weights_agree_with_the_lime_package(fill):
    lime_image = pytest.importorskip("lime.lime_image")
    img = _face()
    sp = segment(img, channel_axis=-1, method="slic", n_segments=40)

    def two_classes(batch):
        s = _square_brightness(batch)
        return np.stack([1 - s, s], axis=1)

    explainer = lime_image.LimeImageExplainer(random_state=0)
    ref = explainer.explain_instance(
        img, two_classes, labels=(1,), top_labels=None, num_features=1000, num_samples=500,
        hide_color=0 if fill == 0 else None, batch_size=50,
        segmentation_fn=lambda _: sp.labels)
    lime_weights = np.zeros(sp.num_segments)
    for feature, weight in ref.local_exp[1]:
        lime_weights[feature] = weight
    ours = explain(img, two_classes, segments=sp, channel_axis=-1,
                   num_samples=500, fill=fill, target=1, seed=0)
    # same kernel (cosine, width 0.25), same ridge (alpha 1), different random samples
    assert np.corrcoef(lime_weights, ours.weights)[0, 1] > 0.99
    # superpixels that matter clearly (over a third of the largest weight) rank alike
    clear = np.flatnonzero(lime_weights > lime_weights.max() / 3)
    assert set(ours.top(len(clear)).tolist()) == set(clear.tolist())
