"""BoundaryAccumulator: the contract used by ``segscope evaluate``, multi-class, empties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from segscope.boundary import (
    BoundaryAccumulator,
    assd,
    boundary_iou,
    boundary_scores,
    hausdorff,
    masd,
    percentile_hausdorff,
    surface_dice,
)
from segscope.errors import LabelError, ParameterError, ShapeError
from segscope.results import Report, Score


def _labels(shape=(24, 28), seed=0):
    rng = np.random.default_rng(seed)
    from scipy import ndimage as ndi

    field = ndi.gaussian_filter(rng.random(shape), 2)
    lab = np.digitize(field, np.quantile(field, [0.4, 0.6, 0.8]))
    return lab.astype(np.uint8)


def test_contract_of_segscope_evaluate():
    target = _labels(seed=1)
    pred = _labels(seed=2)
    acc = BoundaryAccumulator(num_classes=4, metrics=["hd", "hd95", "assd", "masd", "nsd",
                                                      "biou"],
                              percentile=95.0, tolerance=1.0, include_background=False,
                              ignore_index=None, one_empty="inf")
    acc.update(pred, target, spacing=None, name="a.png")
    acc.update(target, target, spacing=(1.0, 2.0), name="b.png")
    scores = acc.compute()
    assert isinstance(scores, tuple) and all(isinstance(s, Score) for s in scores)
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
    report = Report(scores=scores, num_images=2, image_names=("a.png", "b.png"))
    rows = report.image_rows()
    assert rows[0]["image"] == "a.png" and "hd95" in rows[0]
    assert "nsd" in report.to_json()


def test_multiclass_equals_binary_functions_per_class():
    target = _labels((20, 18, 16), seed=3)
    pred = _labels((20, 18, 16), seed=4)
    sp = (1.5, 0.7, 1.1)
    for surface in ("voxels", "elements"):
        acc = BoundaryAccumulator(4, metrics="all", percentile=90, tolerance=1.2,
                                  surface=surface, pooling="pooled", width=0.8)
        acc.update(pred, target, spacing=sp)
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
    acc = BoundaryAccumulator(4, metrics=["hd"], include_background=True)
    acc.update(pred, target)
    (hd,) = acc.compute()
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
            acc = BoundaryAccumulator(2, metrics=["hd", "hd95", "assd", "nsd", "biou"],
                                      one_empty=one_empty)
            for i in range(3):
                pred = np.zeros_like(good[i]) if i < missed else good[i]
                acc.update(pred, target[i])
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
    acc = BoundaryAccumulator(3, metrics=["hd95", "nsd"])
    acc.update(target, target)            # class 2 absent from both: excluded
    acc.update(target * 0, target * 0)    # both classes absent: 2 more
    hd, nsd = acc.compute()
    assert hd.excluded == 3 and nsd.excluded == 3
    assert hd.per_class[0] == 0.0 and math.isnan(hd.per_class[1])
    assert hd.value == 0.0 and nsd.value == 1.0
    assert hd.support == (1, 0)
    perfect = BoundaryAccumulator(3, metrics=["hd95", "nsd"], empty="perfect")
    perfect.update(target, target)
    hd, nsd = perfect.compute()
    assert hd.excluded == 0 and hd.per_class == (0.0, 0.0) and nsd.per_class == (1.0, 1.0)


def test_merge_equals_one_pass():
    images = [(_labels(seed=s), _labels(seed=s + 10)) for s in range(4)]
    whole = BoundaryAccumulator(4, metrics=["hd95", "biou"])
    left = BoundaryAccumulator(4, metrics=["hd95", "biou"])
    right = BoundaryAccumulator(4, metrics=["hd95", "biou"])
    for i, (p, t) in enumerate(images):
        whole.update(p, t, name=str(i))
        (left if i < 2 else right).update(p, t, name=str(i))
    merged = left.merge(right)
    assert merged.num_images == 4
    assert merged.compute() == whole.compute()
    with pytest.raises(ParameterError, match="different settings"):
        left.merge(BoundaryAccumulator(4, metrics=["hd"]))
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
    acc = BoundaryAccumulator(2, metrics=["hd"], ignore_index=255)
    acc.update(pred, target)
    assert acc.compute()[0].value == 0.0
    with pytest.raises(LabelError):
        BoundaryAccumulator(2, metrics=["hd"]).update(pred, target)


def test_boundary_scores_report():
    target = _labels(seed=7)
    report = boundary_scores(target, target, num_classes=4, spacing=(0.5, 0.5))
    assert isinstance(report, Report)
    assert report.metrics == ("hd", "hd95", "assd", "masd", "nsd", "biou")
    assert report.summary() == {"hd": 0.0, "hd95": 0.0, "assd": 0.0, "masd": 0.0,
                                "nsd": 1.0, "biou": 1.0}


def test_accumulator_bad_input():
    acc = BoundaryAccumulator(3, metrics=["hd"])
    a = np.zeros((5, 5), np.uint8)
    with pytest.raises(ShapeError, match="same shape"):
        acc.update(a, np.zeros((5, 6), np.uint8))
    with pytest.raises(ShapeError, match="one 2-D image"):
        acc.update(a[None, None], a[None, None])
    with pytest.raises(ShapeError, match="spacing"):
        acc.update(a, a, spacing=(1.0, 1.0, 1.0))
    with pytest.raises(LabelError, match=r"labels in \[0, 3\)"):
        acc.update(a + 3, a)
    with pytest.raises(ParameterError, match="unknown boundary metric"):
        BoundaryAccumulator(3, metrics=["hd96"])
    with pytest.raises(ParameterError, match="num_classes"):
        BoundaryAccumulator(0)
    with pytest.raises(ParameterError, match="no class"):
        BoundaryAccumulator(1)
    with pytest.raises(ParameterError):
        BoundaryAccumulator(3, surface="mesh")
    with pytest.raises(ParameterError):
        BoundaryAccumulator(3, one_empty="nan")
    with pytest.raises(ParameterError, match="empty"):
        BoundaryAccumulator(3, empty="zero")
