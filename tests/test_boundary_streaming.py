"""streaming.BoundaryMetric on NumPy arrays: the contract used by ``segscope evaluate``,
multi-class, empties, merge, the one_empty rule."""

from __future__ import annotations

import itertools
import json
import math
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

from segscope.boundary import (
    assd,
    boundary_iou,
    boundary_scores,
    hausdorff,
    masd,
    percentile_hausdorff,
    surface_dice,
)
from segscope.errors import DTypeError, LabelError, ParameterError, SegscopeWarning, ShapeError
from segscope.results import Report, Score
from segscope.streaming import BoundaryMetric


def _labels(shape=(24, 28), seed=0):
    rng = np.random.default_rng(seed)
    from scipy import ndimage as ndi

    field = ndi.gaussian_filter(rng.random(shape), 2)
    lab = np.digitize(field, np.quantile(field, [0.4, 0.6, 0.8]))
    return lab.astype(np.uint8)


def test_contract_of_segscope_evaluate():
    target = _labels(seed=1)
    pred = _labels(seed=2)
    acc = BoundaryMetric(num_classes=4, metrics=["hd", "hd95", "assd", "masd", "nsd",
                                                      "biou"],
                              percentile=95.0, tolerance=1.0, include_background=False,
                              ignore_index=None, one_empty="inf")
    acc.update(pred[None], target[None], spacing=None, names=["a.png"])
    acc.update(target[None], target[None], spacing=(1.0, 2.0), names=["b.png"])
    report = acc.compute()
    assert isinstance(report, Report) and report.image_names == ("a.png", "b.png")
    scores = report.scores
    assert all(isinstance(s, Score) for s in scores)
    assert [s.metric for s in scores] == ["hd", "hd95", "assd", "masd", "nsd", "biou"]
    hd = scores[0]
    assert hd.classes == (1, 2, 3)
    assert len(hd.per_image) == 2 and len(hd.per_image[0]) == 3
    assert hd.per_image[1] == (0.0, 0.0, 0.0)
    assert hd.aggregate == "image" and hd.excluded == 0
    assert hd.extra["surface"] == "voxels" and hd.extra["spacing"] == "per image"
    assert scores[1].extra["percentile"] == 95.0 and scores[1].extra["pooling"] == "max"
    assert scores[4].extra["tolerance"] == 1.0
    # per_class is the mean over images; value the mean over classes
    for s in scores:
        table = np.array(s.per_image)
        np.testing.assert_allclose(s.per_class, table.mean(axis=0))
        assert s.value == pytest.approx(np.mean(s.per_class))
    assert report.num_images == 2
    rows = report.image_rows()
    assert rows[0]["image"] == "a.png" and "hd95" in rows[0]
    assert "nsd" in report.to_json()


def test_multiclass_equals_binary_functions_per_class():
    target = _labels((20, 18, 16), seed=3)
    pred = _labels((20, 18, 16), seed=4)
    sp = (1.5, 0.7, 1.1)
    for surface in ("voxels", "elements"):
        acc = BoundaryMetric(4, metrics="all", percentile=90, tolerance=1.2,
                                  surface=surface, pooling="pooled", width=0.8)
        acc.update(pred[None], target[None], spacing=sp)
        scores = {s.metric: s for s in acc.compute()}
        assert "hd90" in scores
        for j, c in enumerate((1, 2, 3)):
            p, t = pred == c, target == c
            kw = {"spacing": sp, "surface": surface}
            assert scores["hd"].per_class[j] == pytest.approx(hausdorff(p, t, **kw))
            assert scores["hd90"].per_class[j] == pytest.approx(
                percentile_hausdorff(p, t, percentile=90, pooling="pooled", **kw))
            assert scores["assd"].per_class[j] == pytest.approx(assd(p, t, **kw))
            assert scores["masd"].per_class[j] == pytest.approx(masd(p, t, **kw))
            assert scores["nsd"].per_class[j] == pytest.approx(
                surface_dice(p, t, tolerance=1.2, **kw))
            assert scores["biou"].per_class[j] == pytest.approx(
                boundary_iou(p, t, width=0.8, spacing=sp))


def test_include_background_scores_class_zero():
    target = _labels(seed=5)
    pred = _labels(seed=6)
    acc = BoundaryMetric(4, metrics=["hd"], include_background=True)
    acc.update(pred[None], target[None])
    (hd,) = acc.compute().scores
    assert hd.classes == (0, 1, 2, 3)
    assert hd.per_class[0] == pytest.approx(hausdorff(pred == 0, target == 0))


def test_missed_structures_never_improve_the_mean():
    """The trap: an HD95 that turns NaN (and is dropped) when a structure is missed."""
    target = np.zeros((3, 30, 30), np.uint8)
    target[:, 5:20, 5:20] = 1
    good = np.roll(target, 2, axis=2)
    for one_empty in ("inf", "worst"):
        means = []
        for missed in range(4):
            acc = BoundaryMetric(2, metrics=["hd", "hd95", "assd", "nsd", "biou"],
                                      one_empty=one_empty)
            for i in range(3):
                pred = np.zeros_like(good[i]) if i < missed else good[i]
                acc.update(pred[None], target[i][None])
            means.append({s.metric: s.value for s in acc.compute()})
        for before, after in itertools.pairwise(means):
            for m in ("hd", "hd95", "assd"):
                assert after[m] >= before[m]
            for m in ("nsd", "biou"):
                assert after[m] <= before[m]
        assert all(math.isfinite(v["hd95"]) for v in means) == (one_empty == "worst")
        assert means[-1]["hd95"] == (math.inf if one_empty == "inf" else pytest.approx(
            math.hypot(30, 30)))


def test_both_empty_pairs_are_excluded_and_counted():
    target = np.zeros((10, 10), np.uint8)
    target[2:5, 2:5] = 1
    acc = BoundaryMetric(3, metrics=["hd95", "nsd"])
    acc.update(target[None], target[None])            # class 2 absent from both: excluded
    acc.update(target[None] * 0, target[None] * 0)    # both classes absent: 2 more
    hd, nsd = acc.compute()
    assert hd.excluded == 3 and nsd.excluded == 3
    assert hd.per_class[0] == 0.0 and math.isnan(hd.per_class[1])
    assert hd.value == 0.0 and nsd.value == 1.0
    assert hd.support == (1, 0)
    perfect = BoundaryMetric(3, metrics=["hd95", "nsd"], empty="perfect")
    perfect.update(target[None], target[None])
    hd, nsd = perfect.compute()
    assert hd.excluded == 0 and hd.per_class == (0.0, 0.0) and nsd.per_class == (1.0, 1.0)


def test_merge_equals_one_pass():
    images = [(_labels(seed=s), _labels(seed=s + 10)) for s in range(4)]
    whole = BoundaryMetric(4, metrics=["hd95", "biou"])
    left = BoundaryMetric(4, metrics=["hd95", "biou"])
    right = BoundaryMetric(4, metrics=["hd95", "biou"])
    for i, (p, t) in enumerate(images):
        whole.update(p[None], t[None], names=[str(i)])
        (left if i < 2 else right).update(p[None], t[None], names=[str(i)])
    merged = left.merge(right)
    assert merged.num_images == 4
    assert merged.compute() == whole.compute()
    with pytest.raises(ParameterError, match="different settings"):
        left.merge(BoundaryMetric(4, metrics=["hd"]))
    whole.reset()
    assert whole.num_images == 0
    with pytest.raises(ParameterError, match="update"):
        whole.compute()


def test_ignore_index_pixels_belong_to_no_class():
    target = np.zeros((12, 12), np.uint8)
    target[2:8, 2:8] = 1
    target[9:, :] = 255
    pred = target.copy()
    pred[9:, :] = 1  # predictions under ignored pixels do not count
    acc = BoundaryMetric(2, metrics=["hd"], ignore_index=255)
    acc.update(pred[None], target[None])
    assert acc.compute()["hd"].value == 0.0
    with pytest.raises(LabelError):
        BoundaryMetric(2, metrics=["hd"]).update(pred[None], target[None])


def test_boundary_scores_report():
    target = _labels(seed=7)
    report = boundary_scores(target, target, num_classes=4, spacing=(0.5, 0.5))
    assert isinstance(report, Report)
    assert report.metrics == ("hd", "hd95", "assd", "masd", "nsd", "biou")
    assert report.summary() == {"hd": 0.0, "hd95": 0.0, "assd": 0.0, "masd": 0.0,
                                "nsd": 1.0, "biou": 1.0}


def test_bad_input_is_named():
    acc = BoundaryMetric(3, metrics=["hd"])
    a = np.zeros((5, 5), np.uint8)
    with pytest.raises(ShapeError, match="same shape"):
        acc.update(a[None], np.zeros((1, 5, 6), np.uint8))
    with pytest.raises(ShapeError, match=r"pred\[None\]"):
        acc.update(a, a)  # one image without its batch axis
    with pytest.raises(ShapeError, match="batch"):
        acc.update(np.zeros((2, 3, 1, 5, 5), np.uint8), np.zeros((2, 3, 1, 5, 5), np.uint8))
    with pytest.raises(ShapeError, match="spacing"):
        acc.update(a[None], a[None], spacing=(1.0, 1.0, 1.0))
    with pytest.raises(LabelError, match=r"labels in \[0, 3\)"):
        acc.update(a[None] + 3, a[None])
    with pytest.raises(ShapeError, match="one name per image"):
        acc.update(a[None], a[None], names=["x", "y"])
    with pytest.raises(DTypeError, match="scores, not labels"):
        acc.update(a[None] * 0.5, a[None])
    with pytest.raises(DTypeError, match="batch axis"):
        acc.update([[0]], [[0]])
    with pytest.raises(ParameterError, match="unknown boundary metric"):
        BoundaryMetric(3, metrics=["hd96"])
    with pytest.raises(ParameterError, match="num_classes"):
        BoundaryMetric(0)
    with pytest.raises(ParameterError, match="no class"):
        BoundaryMetric(1)
    with pytest.raises(ParameterError):
        BoundaryMetric(3, surface="mesh")
    with pytest.raises(ParameterError):
        BoundaryMetric(3, one_empty="nan")
    with pytest.raises(ParameterError, match="empty"):
        BoundaryMetric(3, empty="zero")


def _found_and_missed():
    target = np.zeros((2, 30, 30), np.uint8)
    target[:, 5:20, 5:20] = 1
    pred = np.roll(target, 3, axis=2)
    pred[1] = 0  # the structure of image 1 is missed
    return pred, target


def test_finite_one_empty_below_real_distances_warns_loudly():
    """Issue 10: one_empty=0 lets a missed structure lower the mean distance."""
    pred, target = _found_and_missed()
    metric = BoundaryMetric(2, metrics=["hd", "hd95", "assd", "nsd"], one_empty=0)
    metric.update(pred, target)
    with pytest.warns(SegscopeWarning, match="one_empty=0 is smaller than real") as caught:
        report = metric.compute()
    assert all(w.filename == __file__ for w in caught)  # points at the caller
    messages = " ".join(str(w.message) for w in caught)
    for name in ("hd", "hd95", "assd"):
        assert f"lowers the mean {name}" in messages
    assert "nsd" not in messages  # the rule concerns distances only
    # what the warning is about: the miss made the mean better than the found image alone
    found = BoundaryMetric(2, metrics=["hd"])
    found.update(pred[:1], target[:1])
    assert report["hd"].value < found.compute()["hd"].value


def test_one_empty_that_cannot_lower_the_mean_is_quiet():
    pred, target = _found_and_missed()
    hd_found = hausdorff(pred[0], target[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for one_empty in ("inf", "worst", 1000.0, hd_found):
            metric = BoundaryMetric(2, metrics=["hd", "assd"], one_empty=one_empty)
            metric.update(pred, target)
            assert metric.compute()["hd"].value >= hd_found
        # a finite one_empty with no miss at all: nothing was lowered
        metric = BoundaryMetric(2, metrics=["hd"], one_empty=0)
        metric.update(pred[:1], target[:1])
        metric.compute()
    # the rule holds after a merge and a checkpoint, too
    first, second = BoundaryMetric(2, metrics=["hd"], one_empty=0.5), \
        BoundaryMetric(2, metrics=["hd"], one_empty=0.5)
    first.update(pred[:1], target[:1])
    second.load_state_dict(_missed_only_state(pred, target))
    with pytest.warns(SegscopeWarning, match="one_empty=0.5"):
        first.merge(second).compute()


def _missed_only_state(pred, target):
    metric = BoundaryMetric(2, metrics=["hd"], one_empty=0.5)
    metric.update(pred[1:], target[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metric.compute()["hd"].value == 0.5  # no real distance to compare with
    return metric.state_dict()


def test_numpy_streaming_state_names_and_decisions():
    images = [(_labels(seed=s), _labels(seed=s + 20)) for s in range(3)]
    pred = np.stack([p for p, _ in images])
    target = np.stack([t for _, t in images])
    metric = BoundaryMetric(4, metrics=("hd95", "nsd"), spacing=(1.0, 0.5))
    metric.update(pred[:2], target[:2])
    metric.update(pred[2:], target[2:], names=["last.png"])
    report = metric.compute()
    assert report.image_names == ("0", "1", "last.png")
    restored = BoundaryMetric(4, metrics=("hd95", "nsd"), spacing=(1.0, 0.5))
    restored.load_state_dict(pickle.loads(pickle.dumps(metric.state_dict())))
    assert restored.compute() == report
    assert json.loads(json.dumps(metric.state_dict())) == metric.state_dict()
    # scores become labels the same way as for tensors
    scores = np.eye(4)[pred].transpose(0, 3, 1, 2) * 3.0 - 1.0
    by_argmax = BoundaryMetric(metrics=("hd95", "nsd"), spacing=(1.0, 0.5),
                               decision="argmax")
    by_argmax.update(scores, target)
    assert by_argmax.num_classes == 4
    assert [s.per_image for s in by_argmax.compute()] == [s.per_image for s in report]
    probs = (pred > 0) * 0.8 + 0.1
    by_threshold = BoundaryMetric(metrics="hd", decision="threshold")
    by_threshold.update(probs[:, None], (target > 0)[:, None])  # (N, 1, H, W): 2-D images
    by_labels = BoundaryMetric(2, metrics="hd")
    by_labels.update((pred > 0).astype(np.uint8), (target > 0).astype(np.uint8))
    assert by_threshold.compute() == by_labels.compute()


def test_numpy_input_imports_no_torch():
    """The backend rule: NumPy input never imports torch (checked in a fresh process)."""
    code = """
import sys
import numpy as np
from segscope import boundary
from segscope.streaming import BoundaryMetric
t = np.zeros((1, 12, 12), np.uint8); t[0, 3:9, 3:9] = 1
p = np.roll(t, 1, axis=1)
for fn in (boundary.hausdorff, boundary.percentile_hausdorff, boundary.assd, boundary.masd,
           boundary.average_surface_distance, boundary.surface_dice, boundary.boundary_iou,
           boundary.surface_distances):
    fn(p[0], t[0])
boundary.boundary_scores(p[0], t[0], num_classes=2)
metric = BoundaryMetric(2, metrics="all")
metric.update(p, t)
metric.compute()
metric.state_dict()
print("torch" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
