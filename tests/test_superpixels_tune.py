"""tune() hits a requested number of superpixels; sweep() measures a grid."""

from __future__ import annotations

import numpy as np
import pytest

from _superpixel_data import astronaut_crop, nuclei_crop
from segscope.errors import ParameterError
from segscope.superpixels import draw_boundaries, gallery, sweep, tune

CASES = [
    ("felzenszwalb", {}, 150),
    ("quickshift", {"max_dist": 8}, 120),
    ("slic", {}, 160),
    ("slic-zero", {}, 150),
    ("watershed", {}, 150),
]


@pytest.mark.parametrize(("method", "fixed", "target"), CASES)
def test_tune_hits_its_target_on_astronaut(method, fixed, target):
    img = astronaut_crop()[:128] if method == "quickshift" else astronaut_crop()
    res = tune(img, method=method, num_segments=target, channel_axis=-1, **fixed)
    assert res.reached, res.message
    assert abs(res.num_segments - target) <= 0.05 * target
    assert res.superpixels.num_segments == res.num_segments
    assert res.superpixels.params[res.param] == res.value
    assert (res.value, res.num_segments) in res.history


@pytest.mark.parametrize("target", [60, 300])
def test_tune_felzenszwalb_on_nuclei(target):
    img = nuclei_crop()
    res = tune(img, method="felzenszwalb", num_segments=target, data_range=float(np.ptp(img)))
    assert res.reached, res.message
    assert abs(res.num_segments - target) <= 0.05 * target


def test_tune_says_when_the_target_cannot_be_reached():
    img = astronaut_crop()[:48, :48]  # 2304 px; min_size=20 allows at most ~115 segments
    res = tune(img, method="felzenszwalb", num_segments=2000, channel_axis=-1)
    assert not res.reached
    assert "cannot reach K=2000" in res.message
    assert res.num_segments < 2000


def test_tune_reports_a_jump_over_the_target():
    # on this crop slic gives K=140 up to n_segments=190 and K=161 from 192 on
    res = tune(astronaut_crop(), method="slic", num_segments=150, channel_axis=-1)
    assert not res.reached
    assert "K jumps from 140" in res.message and "to 161" in res.message
    assert res.num_segments in (140, 161)


def test_tune_rejects_parameters_that_do_not_move_k_monotonically():
    with pytest.raises(ParameterError, match="monotonic"):
        tune(astronaut_crop()[:32, :32], method="slic", num_segments=10, param="compactness",
             channel_axis=-1)
    with pytest.raises(ParameterError, match="being tuned"):
        tune(astronaut_crop()[:32, :32], method="felzenszwalb", num_segments=10, scale=3,
             channel_axis=-1)


def test_sweep_table_and_gallery():
    img = astronaut_crop()[:96, :96]
    res = sweep(img, method="felzenszwalb", grid={"scale": [1, 10, 100, 1000]},
                gt=np.repeat(np.arange(4), 24)[None, :].repeat(96, axis=0), channel_axis=-1)
    assert [row["scale"] for row in res.rows] == [1, 10, 100, 1000]
    ks = [row["num_segments"] for row in res.rows]
    assert ks == sorted(ks, reverse=True)  # larger scale, fewer segments
    assert all(0 <= row["boundary_recall"] <= 1 for row in res.rows)
    csv = res.to_csv().splitlines()
    assert csv[0].startswith("scale,num_segments")
    assert len(csv) == 5
    assert res.titles()[0] == f"scale=1 K={ks[0]}"
    sheet = gallery([draw_boundaries(img, sp, channel_axis=-1) for sp in res.superpixels],
                    res.titles())
    assert sheet.size[0] > 2 * 96 and sheet.size[1] > 2 * 96
    sheet = res.gallery(img, ncols=4, channel_axis=-1)
    assert sheet.size[0] > 4 * 96 > sheet.size[1]
    assert "| scale |" in res.to_markdown()


def test_sweep_parameter_named_like_a_measure_keeps_both_columns():
    res = sweep(astronaut_crop()[:64, :64], method="slic",
                grid={"n_segments": [10], "compactness": [1, 10]}, channel_axis=-1)
    assert [row["compactness (param)"] for row in res.rows] == [1, 10]
    assert all(0 < row["compactness"] < 1 for row in res.rows)


def test_sweep_checks_its_grid():
    img = astronaut_crop()[:32, :32]
    with pytest.raises(ParameterError, match="Valid parameters"):
        sweep(img, method="felzenszwalb", grid={"scael": [1, 2]}, channel_axis=-1)
    with pytest.raises(ParameterError, match="non-empty"):
        sweep(img, method="felzenszwalb", grid={"scale": []}, channel_axis=-1)
    with pytest.raises(ParameterError, match="both swept"):
        sweep(img, method="felzenszwalb", grid={"scale": [1]}, scale=2, channel_axis=-1)
