"""Numbers that were silently wrong (issue 10): each case failed on the earlier main.

- ``average="weighted"`` with ``aggregate="image"`` dropped images whose target is empty
  even when they hold false positives (a spurious structure improved the score).
- LIME's surrogate reported an in-sample R² near 1 for a classifier that returns noise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import segscope
from segscope.errors import UnreliableFitWarning


def _missing_classes_case():
    rng = np.random.default_rng(3)
    target = rng.integers(0, 4, (6, 16, 16))
    pred = rng.integers(0, 4, (6, 16, 16))
    target[2] = 0                      # two images whose target is background only:
    pred[2] = 0                        # one predicted empty too,
    target[4] = 0
    pred[4] = 0
    pred[4, :3, :3] = 2                # one with a small false positive
    target[1][target[1] == 3] = 1      # class 3 missing from one image's target
    return pred, target


@pytest.mark.filterwarnings("ignore:DiceScore metric currently defaults")
@pytest.mark.parametrize("average", ["weighted", "macro", "micro"])
def test_image_aggregate_matches_torchmetrics_samplewise_dice(average):
    torch = pytest.importorskip("torch")
    from torchmetrics.segmentation import DiceScore

    pred, target = _missing_classes_case()
    ref = DiceScore(num_classes=4, average=average, include_background=False,
                    input_format="index", aggregation_level="samplewise")
    want = float(ref(torch.tensor(pred), torch.tensor(target)))
    got = segscope.evaluate(pred, target, num_classes=4, metrics="dice", average=average,
                            aggregate="image", include_background=False)["dice"].value
    assert got == pytest.approx(want, abs=1e-6)


def test_false_positives_on_an_empty_target_never_improve_the_weighted_mean():
    pred, target = _missing_classes_case()
    clean = pred.copy()
    clean[4] = 0                       # the same prediction without the false positive
    kw = dict(num_classes=4, metrics=("dice", "iou", "precision"), average="weighted",
              aggregate="image", include_background=False)
    spurious = segscope.evaluate(pred, target, **kw)
    without = segscope.evaluate(clean, target, **kw)
    for metric in ("dice", "iou", "precision"):
        assert spurious[metric].value < without[metric].value
    # the image with only false positives counts (as 0), the empty-empty one is excluded
    assert spurious["dice"].extra["excluded_images"] == 1
    assert without["dice"].extra["excluded_images"] == 2


def test_weighted_dataset_average_of_false_positives_only_is_zero_not_nan():
    target = np.zeros((8, 8), np.uint8)
    pred = target.copy()
    pred[:2, :2] = 1
    r = segscope.evaluate(pred, target, num_classes=2, metrics="dice", average="weighted",
                          include_background=False)
    assert r["dice"].value == 0.0


# ----------------------------------------------------------------------------- LIME


def _noise_explanation(num_samples, n_segments=64, seed=0):
    from segscope.explain import explain

    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    side = int(np.sqrt(n_segments))
    seg = np.repeat(np.repeat(np.arange(n_segments).reshape(side, side), 32 // side, 0),
                    32 // side, 1)
    noise = np.random.default_rng(seed + 1)
    return explain(image, lambda batch: noise.random(len(batch)), segments=seg,
                   num_samples=num_samples, fill=0, seed=seed, alpha=0.0)


def test_lime_on_noise_reports_no_fit_and_warns_when_samples_are_too_few():
    with pytest.warns(UnreliableFitWarning, match="64 superpixels"):
        e = _noise_explanation(num_samples=40)
    assert not e.r2 > 0.2  # held out: the noise is not explained (NaN or about 0 or below)


def test_lime_on_noise_with_enough_samples_reports_a_low_held_out_r2():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreliableFitWarning)
        e = _noise_explanation(num_samples=400)
    assert e.r2 < 0.1


def test_lime_on_a_linear_classifier_keeps_a_high_held_out_r2():
    from segscope.explain import explain

    image = np.zeros((16, 16), np.uint8)
    image[:8, :8] = 200
    seg = np.repeat(np.repeat(np.arange(16).reshape(4, 4), 4, 0), 4, 1)
    e = explain(image, lambda b: b[:, :8, :8].mean(axis=(1, 2)) / 255, segments=seg,
                num_samples=300, fill=0, seed=1)
    assert e.r2 > 0.95


# ------------------------------------------------------------------ SSIM/PSNR data_range


@pytest.mark.parametrize("name", ["ssim", "psnr", "ms_ssim"])
def test_values_beyond_the_given_data_range_warn(name):
    from segscope import similarity
    from segscope.errors import ValueRangeWarning

    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (192, 192)).astype(np.float64)   # 0..255 data
    b = np.clip(a + rng.normal(0, 10, a.shape), 0, 255)
    with pytest.warns(ValueRangeWarning, match=r"data_range=1\b.*data_range=255"):
        getattr(similarity, name)(a, b, data_range=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ValueRangeWarning)
        getattr(similarity, name)(a, b, data_range=255.0)
        getattr(similarity, name)(a.astype(np.uint8), b.astype(np.uint8))


def test_values_beyond_the_data_range_warn_for_tensors_too():
    torch = pytest.importorskip("torch")
    from segscope import similarity
    from segscope.errors import ValueRangeWarning

    a = torch.rand(1, 1, 32, 32) * 255
    with pytest.warns(ValueRangeWarning):
        similarity.psnr(a, a.flip(-1), data_range=1.0)
    with pytest.warns(ValueRangeWarning):
        similarity.ssim_batch(a, a.flip(-1), data_range=1.0, channel_axis=1)


def test_16bit_images_holding_fewer_bits_warn_without_data_range():
    import warnings

    from segscope.errors import ValueRangeWarning
    from segscope.similarity import psnr, ssim

    rng = np.random.default_rng(0)
    a = rng.integers(0, 236, (32, 32)).astype(np.uint16)  # the bundled nuclei image's span
    b = np.clip(a.astype(int) + rng.integers(-20, 21, a.shape), 0, 235).astype(np.uint16)
    with pytest.warns(ValueRangeWarning, match=r"values only span 0\.\.235.*data_range=4095"):
        ssim(a, b)
    with pytest.warns(ValueRangeWarning, match="16-bit"):
        psnr(a, b)
    # told the span, or a full 16-bit image: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ssim(a, b, data_range=235) < ssim(a, b, data_range=65535)
        full = (a.astype(np.uint32) * 270).astype(np.uint16)
        ssim(full, full)
        ssim(a.astype(np.uint8), b.astype(np.uint8))  # 8-bit: the convention is 255
