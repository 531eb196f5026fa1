"""Panoptic input (categories + instances): hand cases, torchmetrics and MONAI as references."""

from __future__ import annotations

import numpy as np
import pytest

from _instance_data import random_labels
from segscope.errors import LabelError, ParameterError, ShapeError
from segscope.instances import evaluate_panoptic, panoptic_overlaps


def _scene(seed: int, shift: int = 0):
    """Things 1-3 (instances of a random map), stuff 5 (a band), stuff 0 elsewhere."""
    inst = random_labels((64, 64), 30, seed)
    cat = np.where(inst > 0, 1 + inst % 3, 0)
    cat[:8] = 5
    if shift:
        cat, inst = np.roll(cat, shift, 0), np.roll(inst, shift, 1)
    return cat, inst


def test_hand_case_classes_never_match_across():
    cat_t = np.array([[1, 1, 1, 1, 2, 2, 2, 2]])
    ins_t = np.array([[1, 1, 1, 1, 1, 1, 1, 1]])       # same instance id, two classes
    cat_p = np.array([[1, 1, 1, 1, 1, 1, 2, 2]])
    ins_p = np.array([[4, 4, 4, 4, 4, 4, 4, 4]])
    ov = panoptic_overlaps((cat_p, ins_p), (cat_t, ins_t))
    assert ov.pred_classes.tolist() == [1, 2] and ov.target_classes.tolist() == [1, 2]
    r = evaluate_panoptic((cat_p, ins_p), (cat_t, ins_t))
    # class 1: IoU 4/6 > 0.5 (TP); class 2: IoU 2/4 = 0.5, not > 0.5 (FP + FN)
    assert r.dataset["pq"][:, 0].tolist() == pytest.approx([4 / 6, 0.0])
    assert r.value("pq") == pytest.approx((4 / 6) / 2)
    rows = r.class_rows()
    assert [row["class"] for row in rows] == [1, 2]


def test_stuff_is_one_segment_and_layouts_agree():
    cat = np.array([[5, 5, 5, 5]])
    ins = np.array([[1, 2, 3, 4]])                     # ids of a stuff are ignored
    ov = panoptic_overlaps((cat, ins), (cat, ins), stuffs={5})
    assert ov.num_pred == ov.num_target == 1
    stacked = np.stack([cat, ins], axis=-1)
    a = evaluate_panoptic(stacked, stacked, stuffs={5})
    b = evaluate_panoptic((cat, ins), (cat, ins), stuffs={5})
    assert a.summary() == b.summary()


def test_panoptic_bad_input():
    cat = np.array([[1, 9]])
    ins = np.array([[1, 1]])
    with pytest.raises(LabelError, match="neither things"):
        evaluate_panoptic((cat, ins), (cat, ins), things={1})
    with pytest.raises(ParameterError, match="both a thing and a stuff"):
        evaluate_panoptic((cat, ins), (cat, ins), things={1, 9}, stuffs={9})
    with pytest.raises(ShapeError, match="last"):
        evaluate_panoptic(np.zeros((2, 3), int), np.zeros((2, 3), int))


def test_torchmetrics_panoptic_quality():
    torch = pytest.importorskip("torch")
    tm = pytest.importorskip("torchmetrics.detection")
    targets = [_scene(s) for s in range(20, 24)]
    preds = [_scene(s, shift=1) for s in range(20, 24)]
    for c, _ in preds:
        c[60:, :10] = 7                                # unknown in the prediction: void
    ref = tm.PanopticQuality(things={1, 2, 3}, stuffs={0, 5}, allow_unknown_preds_category=True,
                             return_sq_and_rq=True, return_per_class=True)
    for (pc, pi), (tc, ti) in zip(preds, targets):
        ref.update(torch.as_tensor(np.stack([pc, pi], -1)[None]),
                   torch.as_tensor(np.stack([tc, ti], -1)[None]))
    # rows: things 1, 2, 3 then stuffs 0, 5 (torchmetrics returns float32)
    per_class = ref.compute().double().numpy()
    ours = evaluate_panoptic(preds, targets, things={1, 2, 3}, stuffs={0, 5}, void=7)
    order = [ours.classes.index(c) for c in (1, 2, 3, 0, 5)]
    for col, metric in enumerate(("pq", "sq", "rq")):
        np.testing.assert_allclose(ours.dataset[metric][order, 0], per_class[:, col],
                                   rtol=0, atol=1e-7)
    ref_avg = tm.PanopticQuality(things={1, 2, 3}, stuffs={0, 5},
                                 allow_unknown_preds_category=True)
    for (pc, pi), (tc, ti) in zip(preds, targets):
        ref_avg.update(torch.as_tensor(np.stack([pc, pi], -1)[None]),
                       torch.as_tensor(np.stack([tc, ti], -1)[None]))
    assert ours.value("pq") == pytest.approx(float(ref_avg.compute()), abs=1e-7)


def test_monai_panoptic_quality_metric_per_class():
    torch = pytest.importorskip("torch")
    monai = pytest.importorskip("monai.metrics")
    # MONAI reads a pixel of instance 0 as background whatever its class: give such
    # pixels the background class 0, which segscope then reads the same way
    def background_where_no_instance(c, i):
        c = np.where(c == 5, 0, c)
        return np.where(i > 0, c, 0), np.where(c > 0, i, 0)

    targets = [background_where_no_instance(*_scene(s)) for s in range(30, 33)]
    preds = [background_where_no_instance(*_scene(s, shift=1)) for s in range(30, 33)]

    # MONAI: channel 0 instances, channel 1 classes 1..C, class 0 background (no object)
    def monai_input(items):
        arr = np.stack([np.stack([i, c]) for c, i in items])
        return torch.as_tensor(arr.astype(np.int64))
    metric = monai.PanopticQualityMetric(num_classes=3, return_confusion_matrix=True,
                                         reduction="sum_batch")
    metric(monai_input(preds), monai_input(targets))
    ref = metric.aggregate().double().numpy()           # (classes, [tp, fp, fn, iou_sum])
    ours = evaluate_panoptic(preds, targets, things={1, 2, 3}, background=0)
    assert ours.classes == (1, 2, 3)
    c = ours.counts
    np.testing.assert_array_equal(c.tp.sum(0)[:, 0], ref[:, 0])
    np.testing.assert_array_equal(c.fp.sum(0)[:, 0], ref[:, 1])
    np.testing.assert_array_equal(c.fn.sum(0)[:, 0], ref[:, 2])
    np.testing.assert_allclose(c.iou_sum.sum(0)[:, 0], ref[:, 3], rtol=1e-6)
