"""segscope.streaming.OverlapMetric on NumPy arrays: counts, merging, saving, reports.

(Tensors, DDP and Lightning: test_torch_metrics.py, test_torch_ddp.py, test_torch_lightning.py.)
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segscope
from segscope import Report, confusion_matrix, multilabel_confusion_matrix
from segscope.errors import LabelError, ParameterError, ShapeError
from segscope.streaming import MeanIoU, OverlapMetric


def _case(seed, n=6, c=4, size=(12, 12)):
    rng = np.random.default_rng(seed)
    return rng.integers(0, c, (n, *size)), rng.integers(0, c, (n, *size))


def _same_report(a, b):
    assert a.metrics == b.metrics
    for name in a.metrics:
        x, y = a[name], b[name]
        np.testing.assert_array_equal(np.array(x.per_class), np.array(y.per_class))
        assert (x.value == y.value) or (np.isnan(x.value) and np.isnan(y.value))
        assert x.excluded == y.excluded and x.support == y.support
        np.testing.assert_array_equal(np.array(x.per_image, dtype=float),
                                      np.array(y.per_image, dtype=float))


def test_update_merge_pickle_reset():
    pred, target = _case(7)
    whole = confusion_matrix(pred, target, num_classes=4)
    a, b = OverlapMetric(4), OverlapMetric(4)
    for i in range(3):
        a.update(pred[i:i + 1], target[i:i + 1])
    for i in range(3, 6):
        b.update(pred[i:i + 1], target[i:i + 1])
    b = pickle.loads(pickle.dumps(b))
    assert isinstance(a.merge(b).counts, np.ndarray)
    np.testing.assert_array_equal(a.counts, whole)
    assert a.num_images == 6
    per = OverlapMetric(4, per_image=True)
    per.update(pred, target)
    per.merge(per)  # a metric merged with itself counts everything twice
    assert per.num_images == 12 and len(per.compute()["iou"].per_image) == 12
    np.testing.assert_array_equal(per.counts, 2 * whole)
    a.reset()
    assert a.counts is None and a.num_images == 0
    with pytest.raises(ParameterError, match="before any update"):
        a.compute()
    with pytest.raises(ParameterError, match="different settings"):
        a.merge(OverlapMetric(5))


@pytest.mark.parametrize("aggregate", ["dataset", "image", "image_class"])
@pytest.mark.parametrize("average", ["macro", "micro", "weighted", "none"])
def test_compute_returns_the_report_of_evaluate(aggregate, average):
    pred, target = _case(8)
    target[:, 0] = 255
    options = {"metrics": "all", "ignore_index": 255, "aggregate": aggregate,
               "average": average}
    metric = OverlapMetric(4, **options)
    for i in range(0, 6, 4):  # uneven batches
        metric.update(pred[i:i + 4], target[i:i + 4])
    report = metric.compute()
    assert isinstance(report, Report)
    _same_report(report, segscope.evaluate(pred, target, num_classes=4, **options))
    _same_report(metric.compute(), report)  # compute does not change the state
    assert report.num_images == 6
    assert report.meta["ignore_index"] == 255 and report.meta["task"] == "multiclass"


def test_per_image_rows_and_names():
    pred, target = _case(9, n=3)
    metric = OverlapMetric(4, metrics="iou", per_image=True)
    metric.update(pred[:2], target[:2], names=["a", "b"])
    metric.update(pred[2:], target[2:], names=["c"])
    report = metric.compute()
    assert report.image_names == ("a", "b", "c")
    assert report["iou"].aggregate == "dataset"
    _same_report(report, segscope.evaluate(pred, target, num_classes=4, metrics="iou",
                                           per_image=True))
    unnamed = OverlapMetric(4, metrics="iou", aggregate="image")
    unnamed.update(pred, target)
    assert unnamed.compute().image_names == ()
    with pytest.raises(ShapeError, match="names has 1 entries"):
        metric.update(pred[:2], target[:2], names=["x"])


def test_multilabel_and_binary_tasks():
    rng = np.random.default_rng(10)
    target = rng.random((4, 3, 6, 6)) > 0.5
    pred = rng.random((4, 3, 6, 6)) > 0.5
    metric = OverlapMetric(task="multilabel", metrics=("dice", "iou"))
    metric.update(pred[:2], target[:2])
    metric.update(pred[2:], target[2:])
    assert metric.num_classes == 3
    np.testing.assert_array_equal(metric.counts, multilabel_confusion_matrix(pred, target))
    _same_report(metric.compute(), segscope.evaluate(pred, target, task="multilabel",
                                                     metrics=("dice", "iou"), per_image=False))
    with pytest.raises(ShapeError, match="classes"):
        metric.update(pred[:, :2], target[:, :2])
    binary = OverlapMetric(task="binary", decision="threshold", threshold=0.5, metrics="iou")
    probs = rng.random((2, 5, 5))
    binary.update(probs, probs > 0.4)
    np.testing.assert_array_equal(binary.counts,
                                  confusion_matrix(probs > 0.5, probs > 0.4, num_classes=2))
    with pytest.raises(ParameterError, match="task='binary'"):
        OverlapMetric(3, task="binary")


def test_argmax_infers_classes_and_lists_of_images():
    rng = np.random.default_rng(11)
    scores = rng.random((3, 5, 4, 4))
    target = rng.integers(0, 5, (3, 4, 4))
    miou = MeanIoU(decision="argmax")
    miou.update(scores, target)
    assert miou.num_classes == 5
    assert miou.compute()["iou"].value == segscope.evaluate(
        scores.argmax(1), target, num_classes=5, metrics="iou")["iou"].value
    images = [np.zeros((3, 4), np.uint8), np.ones((5, 2), np.uint8)]
    listed = OverlapMetric(2, metrics="iou", aggregate="image")
    listed.update(images, images)
    assert listed.num_images == 2
    _same_report(listed.compute(), segscope.evaluate(images, images, num_classes=2,
                                                     metrics="iou", aggregate="image"))


def test_state_dict_is_plain_and_round_trips():
    pred, target = _case(12)
    metric = OverlapMetric(4, metrics="iou", aggregate="image")
    metric.update(pred[:4], target[:4], names=["a", "b", "c", "d"])
    state = json.loads(json.dumps(metric.state_dict()))  # plain lists and numbers only
    restored = OverlapMetric(4, metrics="iou", aggregate="image")
    restored.load_state_dict(state)
    restored.update(pred[4:], target[4:])
    metric.update(pred[4:], target[4:])
    _same_report(restored.compute(), metric.compute())
    assert restored.compute().image_names == ("a", "b", "c", "d", "image 4", "image 5")


def test_errors_come_early_and_name_the_fix():
    with pytest.raises(ParameterError, match="unknown metric 'iuo'"):
        OverlapMetric(3, metrics="iuo")
    with pytest.raises(ParameterError, match="average='mean'"):
        OverlapMetric(3, average="mean")
    with pytest.raises(ParameterError, match="outside"):
        OverlapMetric(3, labels=[3])
    with pytest.raises(ParameterError, match="num_classes"):
        OverlapMetric()
    with pytest.raises(ParameterError, match="decision"):
        OverlapMetric(3, decision="max")
    with pytest.raises(ParameterError, match="ignore_index"):
        OverlapMetric(task="multilabel", ignore_index=255)
    with pytest.raises(ParameterError, match="argmax"):
        OverlapMetric(task="multilabel", decision="argmax")
    with pytest.raises(ParameterError, match="MeanIoU always"):
        MeanIoU(3, metrics="dice")
    metric = OverlapMetric(3)
    with pytest.raises(ShapeError, match="leading image axis"):
        metric.update(np.int64(1), np.int64(1))
    with pytest.raises(LabelError, match="labels"):
        metric.update(np.array([[0, 3]]), np.array([[0, 1]]))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.lists(st.integers(1, 4), min_size=1, max_size=5),
       st.sampled_from(["dataset", "image"]), st.integers(0, 2**31 - 1))
def test_property_any_split_into_batches_gives_the_one_shot_report(c, sizes, aggregate, seed):
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    target = rng.integers(0, c, (n, 5, 6))
    pred = rng.integers(0, c, (n, 5, 6))
    target[rng.random(target.shape) < 0.1] = 255
    metric = OverlapMetric(c, metrics=("iou", "dice", "accuracy"), ignore_index=255,
                           aggregate=aggregate)
    parts = [OverlapMetric(c, metrics=("iou", "dice", "accuracy"), ignore_index=255,
                           aggregate=aggregate) for _ in sizes]
    start = 0
    for size, part in zip(sizes, parts):
        metric.update(pred[start:start + size], target[start:start + size])
        part.update(pred[start:start + size], target[start:start + size])
        start += size
    merged = parts[0]
    for part in parts[1:]:
        merged.merge(pickle.loads(pickle.dumps(part)))
    expected = segscope.evaluate(pred, target, num_classes=c, metrics=("iou", "dice", "accuracy"),
                                 ignore_index=255, aggregate=aggregate)
    for report in (metric.compute(), merged.compute()):
        _same_report(report, expected)
        assert report.num_images == n
    np.testing.assert_array_equal(metric.counts, confusion_matrix(pred, target, num_classes=c,
                                                                  ignore_index=255))
