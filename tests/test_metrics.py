"""Overlap metrics: scikit-learn as the oracle, hand cases for each empty policy, properties."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

import segscope
from segscope import evaluate, scores_from_confusion
from segscope.errors import ParameterError, ShapeError
from segscope.metrics import METRICS, class_counts, iou

SK_EMPTY = {"nan": np.nan, "zero": 0.0, "one": 1.0}


def _random_case(seed, c=5, shape=(4, 24, 24)):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, c, shape)
    pred = rng.integers(0, c, shape)
    target[target == c - 1] = 0          # class c-1 absent from the target
    pred[pred == c - 2] = 1              # class c-2 never predicted
    if c > 3:
        target[target == c - 3] = 1      # class c-3 absent from the target ...
        pred[pred == c - 3] = 0          # ... and from the prediction: 0/0 for IoU
    return pred, target


@pytest.mark.parametrize("average", ["micro", "macro", "weighted", "none"])
@pytest.mark.parametrize("empty", ["nan", "zero", "one"])
@pytest.mark.parametrize("seed", [0, 1])
def test_precision_recall_f1_iou_match_sklearn(average, empty, seed):
    c = 6
    pred, target = _random_case(seed, c)
    t, p = target.ravel(), pred.ravel()
    labels = list(range(c))
    sk_avg = None if average == "none" else average
    zd = SK_EMPTY[empty]
    r = evaluate(pred, target, num_classes=c, metrics=("precision", "recall", "f1", "iou",
                                                        "fbeta"),
                 average=average, empty=empty, beta=2.0)
    prec, rec, f1, _ = skm.precision_recall_fscore_support(
        t, p, labels=labels, average=sk_avg, zero_division=zd)
    f2 = skm.fbeta_score(t, p, beta=2.0, labels=labels, average=sk_avg, zero_division=zd)
    refs = [("precision", prec), ("recall", rec), ("f1", f1), ("fbeta", f2)]
    if empty != "nan":  # jaccard_score accepts only 0 and 1 for zero_division
        refs.append(("iou", skm.jaccard_score(t, p, labels=labels, average=sk_avg,
                                              zero_division=zd)))
    for name, ref in refs:
        if average == "none":
            np.testing.assert_allclose(r[name].per_class, ref, rtol=1e-12, err_msg=name)
        else:
            np.testing.assert_allclose(r[name].value, ref, rtol=1e-12, err_msg=name)


def test_global_metrics_match_sklearn():
    pred, target = _random_case(3)
    t, p = target.ravel(), pred.ravel()
    r = evaluate(pred, target, num_classes=5, metrics="all")
    assert r["accuracy"].value == pytest.approx(skm.accuracy_score(t, p), abs=1e-12)
    assert r["mcc"].value == pytest.approx(skm.matthews_corrcoef(t, p), abs=1e-12)
    assert r["kappa"].value == pytest.approx(skm.cohen_kappa_score(t, p), abs=1e-12)
    # scikit-learn averages recall over the classes present in the target
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bal = skm.balanced_accuracy_score(t, p)
    assert r["balanced_accuracy"].value == pytest.approx(bal, abs=1e-12)
    assert r["balanced_accuracy"].excluded == 2  # classes 2 and 4 are absent from the target
    assert r["accuracy"].average == "global"


def test_confusion_matrix_equals_sklearn_and_per_class_counts():
    pred, target = _random_case(4)
    cm = segscope.confusion_matrix(pred, target, num_classes=5)
    np.testing.assert_array_equal(cm, skm.confusion_matrix(target.ravel(), pred.ravel(),
                                                           labels=range(5)))
    tp, fp, fn, tn = class_counts(cm)
    ml = skm.multilabel_confusion_matrix(target.ravel(), pred.ravel(), labels=range(5))
    np.testing.assert_array_equal(tn, ml[:, 0, 0])
    np.testing.assert_array_equal(fp, ml[:, 0, 1])
    np.testing.assert_array_equal(fn, ml[:, 1, 0])
    np.testing.assert_array_equal(tp, ml[:, 1, 1])


def test_specificity_npv_tversky_volume_similarity_by_hand():
    # tp=2, fp=1, fn=3, tn=4 for class 1
    cm = np.array([[4, 1], [3, 2]])
    r = scores_from_confusion(cm, "all", average="none", tversky_alpha=0.3, tversky_beta=0.7,
                              beta=0.5)
    assert r["specificity"].class_value(1) == pytest.approx(4 / 5)
    assert r["npv"].class_value(1) == pytest.approx(4 / 7)
    assert r["tversky"].class_value(1) == pytest.approx(2 / (2 + 0.3 * 1 + 0.7 * 3))
    assert r["volume_similarity"].class_value(1) == pytest.approx(1 - abs(3 - 1) / (4 + 1 + 3))
    assert r["fbeta"].class_value(1) == pytest.approx(1.25 * 2 / (1.25 * 2 + 0.25 * 3 + 1))
    assert r["dice"].class_value(1) == pytest.approx(4 / 8)
    assert r["iou"].class_value(1) == pytest.approx(2 / 6)
    mcc1 = (2 * 4 - 1 * 3) / math.sqrt(3 * 5 * 5 * 7)
    assert r["mcc"].class_value(1) == pytest.approx(mcc1)
    assert r["mcc"].value == pytest.approx(mcc1)  # binary: global equals one-vs-rest
    # Tversky with alpha = beta = 0.5 is Dice
    r2 = scores_from_confusion(cm, ("tversky", "dice"), average="none")
    assert r2["tversky"].per_class == pytest.approx(r2["dice"].per_class)


def test_textbook_all_background_predictor():
    target = np.zeros((100, 100), np.uint8)
    target[:10] = 1  # 10 % foreground
    pred = np.zeros_like(target)
    r = evaluate(pred, target, num_classes=2, metrics=("accuracy", "iou", "f1", "recall"),
                 include_background=False)
    assert r["accuracy"].value == pytest.approx(0.9)
    assert r["iou"].value == 0.0
    assert r["f1"].value == 0.0
    assert r["recall"].value == 0.0
    # with the background class included, macro IoU is still far below accuracy
    both = evaluate(pred, target, num_classes=2, metrics="iou")
    assert both["iou"].per_class == pytest.approx((0.9, 0.0))


@pytest.mark.parametrize(("empty", "expected"), [("nan", math.nan), ("zero", 0.0),
                                                  ("one", 1.0)])
def test_empty_policy_hand_cases(empty, expected):
    # class 2 absent from both maps: IoU and Dice are 0/0
    target = np.array([[0, 1], [1, 0]])
    pred = np.array([[0, 1], [0, 0]])
    r = evaluate(pred, target, num_classes=3, metrics=("iou", "dice"), average="none",
                 empty=empty)
    got = r["iou"].per_class[2]
    assert (math.isnan(got) and math.isnan(expected)) or got == expected
    assert r["iou"].per_class[:2] == pytest.approx((2 / 3, 1 / 2))
    macro = evaluate(pred, target, num_classes=3, metrics="iou", empty=empty)["iou"]
    if empty == "nan":
        assert macro.value == pytest.approx((2 / 3 + 1 / 2) / 2)
        assert macro.excluded == 1          # counted, never silently dropped
    else:
        assert macro.value == pytest.approx((2 / 3 + 1 / 2 + expected) / 3)
        assert macro.excluded == 0


def test_everything_empty_gives_nan_and_counts_it():
    z = np.zeros((4, 4), int)
    s = iou(z, z, num_classes=2, include_background=False)
    assert math.isnan(s.value) and s.excluded == 1
    assert iou(z, z, num_classes=2, include_background=False, empty="one").value == 1.0


def test_nan_target_policy_drops_false_positives_on_empty_images():
    target = np.zeros((2, 4, 4), int)
    target[0, :2] = 1
    pred = target.copy()
    pred[1, 0, 0] = 1  # a false positive on the image without foreground
    kw = dict(num_classes=2, metrics="dice", aggregate="image", include_background=False)
    assert evaluate(pred, target, **kw)["dice"].value == pytest.approx(0.5)
    monai_like = evaluate(pred, target, empty="nan_target", **kw)["dice"]
    assert monai_like.value == 1.0 and monai_like.excluded == 1


def test_aggregate_image_versus_dataset():
    # image 0: perfect; image 1: IoU of foreground 1/3 — dataset pools the pixels
    target = np.zeros((2, 1, 4), int)
    pred = np.zeros((2, 1, 4), int)
    target[0, 0, :2] = 1
    pred[0, 0, :2] = 1
    target[1, 0, :1] = 1
    pred[1, 0, :3] = 1
    kw = dict(num_classes=2, metrics="iou", include_background=False)
    assert evaluate(pred, target, **kw)["iou"].value == pytest.approx(3 / 5)
    img = evaluate(pred, target, aggregate="image", **kw)["iou"]
    assert img.value == pytest.approx((1 + 1 / 3) / 2)
    assert img.per_image == ((1.0,), (pytest.approx(1 / 3),))


def test_micro_f1_equals_accuracy_for_single_label():
    pred, target = _random_case(9)
    r = evaluate(pred, target, num_classes=5, metrics=("f1", "accuracy", "precision"),
                 average="micro")
    assert r["f1"].value == pytest.approx(r["accuracy"].value)
    assert r["precision"].value == pytest.approx(r["accuracy"].value)


def test_labels_selection_and_weighted():
    pred, target = _random_case(11)
    r = evaluate(pred, target, num_classes=5, metrics="iou", labels=[0, 1], average="none")
    assert r["iou"].classes == (0, 1)
    full = evaluate(pred, target, num_classes=5, metrics="iou", average="none")["iou"]
    assert r["iou"].per_class == pytest.approx(full.per_class[:2])
    w = evaluate(pred, target, num_classes=5, metrics="iou", average="weighted",
                 labels=[0, 1])["iou"]
    sup = np.array(r["iou"].support, float)
    assert w.value == pytest.approx(np.dot(r["iou"].per_class, sup) / sup.sum())


def test_multilabel_matches_sklearn():
    rng = np.random.default_rng(2)
    target = rng.random((3, 4, 8, 8)) > 0.6
    pred = rng.random((3, 4, 8, 8)) > 0.5
    flat = lambda x: x.transpose(0, 2, 3, 1).reshape(-1, 4)  # noqa: E731
    for average in ("micro", "macro", "weighted"):
        r = evaluate(pred, target, task="multilabel", metrics=("f1", "iou", "precision"),
                     average=average)
        assert r["f1"].value == pytest.approx(
            skm.f1_score(flat(target), flat(pred), average=average))
        assert r["iou"].value == pytest.approx(
            skm.jaccard_score(flat(target), flat(pred), average=average))
    r = evaluate(pred, target, task="multilabel", metrics="accuracy", average="none")
    expected = (flat(target) == flat(pred)).mean(axis=0)
    assert r["accuracy"].per_class == pytest.approx(tuple(expected))


def test_result_objects_convert():
    pred, target = _random_case(12)
    r = evaluate(pred, target, num_classes=5, metrics=("iou", "dice"), aggregate="image")
    d = json.loads(r.to_json())
    assert d["summary"]["iou"] == pytest.approx(r["iou"].value)
    assert len(d["scores"][0]["per_image"]) == 4
    frame = r.to_frame()
    assert list(frame["class"]) == [0, 1, 2, 3, 4]
    assert frame.loc[1, "dice"] == pytest.approx(r["dice"].per_class[1])
    assert len(r.to_frame(per_image=True)) == 4 * 5
    assert json.loads(r["iou"].to_json())["metric"] == "iou"
    with pytest.raises(ParameterError, match="not in this report"):
        r["hd95"]


def test_bad_options_are_clear():
    p = np.zeros((2, 2), int)
    with pytest.raises(ParameterError, match="unknown metric 'iuo'"):
        evaluate(p, p, num_classes=2, metrics="iuo")
    with pytest.raises(ParameterError, match="average='mean'"):
        evaluate(p, p, num_classes=2, average="mean")
    with pytest.raises(ParameterError, match="num_classes is required"):
        evaluate(p, p)
    with pytest.raises(ParameterError, match="outside"):
        evaluate(p, p, num_classes=2, labels=[3])
    with pytest.raises(ParameterError, match="no class left"):
        evaluate(p, p, num_classes=1, include_background=False)
    with pytest.raises(ParameterError, match="per-image counts"):
        scores_from_confusion(np.eye(2, dtype=int), "iou", aggregate="image")
    with pytest.raises(ShapeError):
        scores_from_confusion(np.zeros((2, 3), int), "iou")
    with pytest.raises(ParameterError, match="empty"):
        evaluate(p, p, num_classes=2, empty="ignore")


def test_every_metric_has_a_function():
    for name in METRICS:
        fn = getattr(segscope.metrics, name)
        s = fn(np.array([0, 1, 1]), np.array([0, 1, 0]), num_classes=2)
        assert s.metric == name and isinstance(float(s), float)
        assert "Examples" in fn.__doc__


pairs = st.integers(2, 5).flatmap(lambda c: st.tuples(st.just(c), st.integers(0, 2**32 - 1)))


@settings(max_examples=50, deadline=None)
@given(pairs)
def test_property_identity_symmetry_bounds(case):
    c, seed = case
    rng = np.random.default_rng(seed)
    target = rng.integers(0, c, (2, 6, 7))
    pred = rng.integers(0, c, (2, 6, 7))
    same = evaluate(target, target, num_classes=c, metrics="all", average="none")
    present = np.isin(np.arange(c), target)
    for name in ("iou", "dice", "precision", "recall", "accuracy", "volume_similarity"):
        vals = np.array(same[name].per_class)
        assert np.all(vals[present] == 1.0), name
    assert same["accuracy"].value == 1.0 and same["mcc"].value == pytest.approx(1.0)
    ab = evaluate(pred, target, num_classes=c, metrics=("iou", "dice"), average="none")
    ba = evaluate(target, pred, num_classes=c, metrics=("iou", "dice"), average="none")
    np.testing.assert_allclose(ab["iou"].per_class, ba["iou"].per_class)
    np.testing.assert_allclose(ab["dice"].per_class, ba["dice"].per_class)
    iou_v = np.array(ab["iou"].per_class)
    dice_v = np.array(ab["dice"].per_class)
    ok = ~np.isnan(iou_v)
    assert np.all((iou_v[ok] >= 0) & (iou_v[ok] <= 1))
    np.testing.assert_allclose(dice_v[ok], 2 * iou_v[ok] / (1 + iou_v[ok]))  # Dice = 2J/(1+J)


def test_evaluate_lists_of_images_keeps_them_apart():
    preds = [np.zeros((4, 5), np.uint8), np.ones((6, 3), np.uint8)]
    targets = [np.zeros((4, 5), np.uint8), np.zeros((6, 3), np.uint8)]
    report = segscope.evaluate(preds, targets, num_classes=2, metrics="iou")
    assert report.num_images == 2
    # dataset aggregation: 20 + 0 true background pixels, 18 false positives
    assert report["iou"].per_class[0] == pytest.approx(20 / 38)
    by_image = segscope.evaluate(preds, targets, num_classes=2, metrics="iou",
                                 aggregate="image")
    assert np.allclose(np.array(by_image["iou"].per_image, float),
                       [[1.0, np.nan], [0.0, 0.0]], equal_nan=True)


def test_numpy_input_never_imports_torch():
    # a fresh process: every public overlap entry point on NumPy arrays, then sys.modules
    import subprocess
    import sys

    code = """
import sys
import numpy as np
import segscope
from segscope import metrics, streaming
p = np.array([[0, 1, 1]]); t = np.array([[0, 1, 0]])
segscope.evaluate(p, t, num_classes=2, metrics="all")
segscope.evaluate(np.random.rand(1, 2, 3), t, decision="argmax")
counts = segscope.confusion_matrix(p, t, num_classes=2, per_image=True)
segscope.scores_from_confusion(counts, "iou", aggregate="image")
segscope.multilabel_confusion_matrix(p[None] > 0, t[None] > 0)
for name in metrics.METRICS:
    getattr(metrics, name)(p, t, num_classes=2)
m = streaming.OverlapMetric(2, aggregate="image")
m.update(p, t); m.merge(m); m.load_state_dict(m.state_dict()); m.compute()
print(sorted(x for x in ("torch", "segscope._torch") if x in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_lazy_top_level_names():
    import importlib
    import importlib.util
    import subprocess
    import sys

    code = ("import segscope\n"
            "print(segscope.metrics.iou.__name__, segscope.streaming.OverlapMetric.__name__, "
            "segscope.METRICS is segscope.options.METRICS)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["iou", "OverlapMetric", "True"]
    module = importlib.import_module("segscope")
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError, match="ConfusionAccumulator"):
        module.ConfusionAccumulator  # noqa: B018  (replaced by streaming.OverlapMetric)
    # tensors go through the same functions: there is no public torch namespace
    spec = importlib.util.find_spec("segscope.torch")
    assert spec is None or spec.origin is None  # at most a stale folder of compiled files


def test_task_binary_is_two_classes_and_task_is_checked():
    rng = np.random.default_rng(21)
    target = rng.integers(0, 2, (3, 8, 8))
    pred = rng.integers(0, 2, (3, 8, 8))
    binary = evaluate(pred, target, task="binary", metrics="all")
    assert binary.to_dict()["scores"] == evaluate(pred, target, num_classes=2,
                                                  metrics="all").to_dict()["scores"]
    assert binary.meta["task"] == "binary"
    probs = rng.random((3, 8, 8))
    assert evaluate(probs, target, task="binary", decision="threshold", threshold=0.7,
                    metrics="iou").summary() == evaluate(probs > 0.7, target, num_classes=2,
                                                         metrics="iou").summary()
    with pytest.raises(ParameterError, match="task='binary' has 2 classes"):
        evaluate(pred, target, task="binary", num_classes=3)
    with pytest.raises(ParameterError, match="task='multi'"):
        evaluate(pred, target, task="multi", num_classes=2)
    with pytest.raises(ShapeError, match="task='binary' needs"):
        scores_from_confusion(np.eye(3, dtype=int), "iou", task="binary")
    with pytest.raises(ParameterError, match="ignore_index is not supported"):
        evaluate(pred[:, None] > 0, target[:, None] > 0, task="multilabel", ignore_index=255)
