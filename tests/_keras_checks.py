"""Checks of segscope.keras on one Keras backend, run by tests/test_keras.py in a subprocess.

The backend is fixed when keras is first imported, so each backend runs in its own
process (``KERAS_BACKEND`` set by the caller). Prints one JSON line: check name ->
"ok" or the traceback.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import traceback

import numpy as np

BACKEND = os.environ["KERAS_BACKEND"]
import keras  # noqa: E402
import torch  # noqa: E402
from keras import ops  # noqa: E402

import segscope  # noqa: E402
import segscope.keras as sk  # noqa: E402
import segscope.losses as tl  # noqa: E402
from segscope.errors import LabelError, ParameterError, ShapeError  # noqa: E402

C = 4
RNG = np.random.default_rng(14)
WIDE = "float64" if BACKEND == "torch" else "float32"
TOL = 1e-10 if WIDE == "float64" else 1e-5


def _data(n=3, h=12, w=10, c=C, void=(255, 254)):
    logits = RNG.normal(size=(n, h, w, c)).astype(np.float32)
    target = RNG.integers(0, c, size=(n, h, w))
    target[0, :2] = void[0]
    target[1, :, :1] = void[-1]
    target[2] = np.where(target[2] == c - 1, 0, target[2])   # class c-1 absent in image 2
    return logits, target


def _reference_target(target, void=(255, 254)):
    out = target.copy()
    for v in void:
        out[out == v] = 255
    return out


def check_metrics_equal_evaluate():
    logits, target = _data()
    labels = logits.argmax(-1)
    ref_target = _reference_target(target)
    classes = (sk.IoU, sk.Dice, sk.F1, sk.Precision, sk.Recall, sk.Specificity, sk.Accuracy)
    settings = [(a, e, b, cls) for a in ("macro", "micro", "weighted", "none")
                for e in (None, "zero", "one", "nan_target") for b in (True, False)
                for cls in (sk.IoU, sk.Accuracy)]
    settings += [("macro", None, True, cls) for cls in classes]
    settings += [("weighted", "nan_target", False, cls) for cls in classes]
    for average, empty, include_background, cls in settings:
        if True:
            if True:
                if True:
                    m = cls(num_classes=C, average=average, empty=empty,
                            ignore_index=(255, 254), include_background=include_background)
                    m.update_state(target[:2], logits[:2])
                    m.update_state(target[2:], logits[2:])
                    r = segscope.evaluate(labels, ref_target, num_classes=C, metrics=(m.metric,),
                                          ignore_index=255, average=average, empty=empty,
                                          include_background=include_background)
                    score = r[m.metric]
                    got = ops.convert_to_numpy(m.result()).astype(np.float64)
                    want = (np.asarray(score.per_class) if average == "none"
                            else np.float64(score.value))
                    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0, equal_nan=True,
                                               err_msg=f"{cls.__name__} {average} {empty}")
                    # the exact path: the same Report as segscope.evaluate
                    a, b = m.report()[m.metric], score
                    assert (a.per_class, a.excluded) == (b.per_class, b.excluded), (a, b)
                    assert a.value == b.value or (np.isnan(a.value) and np.isnan(b.value)), (
                        a, b)
    cm = segscope.confusion_matrix(labels, ref_target, num_classes=C, ignore_index=255)
    m = sk.IoU(num_classes=C, ignore_index=[255, 254])
    m.update_state(target, logits)
    np.testing.assert_array_equal(m.counts, np.asarray(cm))


def check_one_hot_sparse_and_binary_inputs():
    logits, target = _data(void=(0,))
    target = np.where(target >= C, 0, target)
    labels = logits.argmax(-1)
    want = segscope.evaluate(labels, target, num_classes=C, metrics="iou").summary()["iou"]
    for y_true in (target, target[..., None], np.eye(C, dtype="float32")[target],
                   target.astype("float32")):
        m = sk.IoU(num_classes=C)
        m.update_state(y_true, logits)
        np.testing.assert_allclose(float(m.result()), want, rtol=1e-6)
    # a channels-last view of channels-first memory (a Keras torch model's output), with ties
    tied = logits.copy()
    tied[0, 0, :, 2] = tied[0, 0, :, 1]
    view = ops.moveaxis(ops.convert_to_tensor(np.ascontiguousarray(np.moveaxis(tied, -1, 1))),
                        1, -1)
    m = sk.IoU(num_classes=C)
    m.update_state(target, view)
    cm = segscope.confusion_matrix(tied.argmax(-1), target, num_classes=C)
    np.testing.assert_array_equal(m.counts, np.asarray(cm))
    fg = logits[..., :1]
    truth = (target > 1).astype("int64")
    pred = (fg[..., 0] > 0).astype("int64")
    for metric in ("iou", "dice", "precision", "recall", "specificity", "accuracy"):
        m = sk.OverlapMetric(metric=metric, task="binary", from_logits=True,
                             include_background=False)
        m.update_state(truth[..., None], fg)
        r = segscope.evaluate(pred, truth, num_classes=2, metrics=metric,
                              include_background=False)
        np.testing.assert_allclose(float(m.result()), r.summary()[metric], rtol=1e-6)


def check_counts_do_not_wrap():
    m = sk.IoU(num_classes=2)
    m.low.assign(np.full(4, 2**24 - 1, dtype="int32"))
    m.high.assign(np.full(4, 2**31 - 10, dtype="int32"))   # ~3.6e16 pixels per cell
    y_true = np.zeros((1, 3, 1), dtype="int64")
    y_pred = np.zeros((1, 3, 1, 2), dtype="float32")
    y_pred[..., 0] = 1
    m.update_state(y_true, y_pred)
    expected = (2**31 - 10) * 2**24 + 2**24 - 1
    assert m.counts[0, 0] == expected + 3 and m.counts[1, 1] == expected, m.counts
    assert m.counts.dtype == np.int64


def check_bad_input():
    logits, target = _data(void=(0,))
    m = sk.IoU(num_classes=C)
    for bad_pred, fix in ((logits[:, 0, 0], "channels-last"),
                          (np.moveaxis(logits, -1, 1), "channels-first")):
        try:
            m.update_state(target, bad_pred)
        except ShapeError as e:
            assert fix in str(e), str(e)
        else:
            raise AssertionError("no ShapeError")
    wrong = target.copy()
    wrong[0, 0, 0] = C
    for fn in (lambda: m.update_state(wrong, logits),
               lambda: sk.soft_dice_loss(wrong, logits, task="multiclass", from_logits=True)):
        try:
            fn()
        except LabelError as e:
            assert f"[0, {C})" in str(e), str(e)
        else:
            raise AssertionError("no LabelError")
    nan_logits = logits.copy()
    nan_logits[0, 0, 0, 0] = np.nan
    for fn in (lambda: m.update_state(target, nan_logits),
               lambda: sk.dice_ce_loss(target, nan_logits, task="multiclass", from_logits=True)):
        try:
            fn()
        except ParameterError as e:
            assert "NaN" in str(e), str(e)
        else:
            raise AssertionError("no error on NaN")
    # a wrong label that is ignored is fine
    m2 = sk.IoU(num_classes=C, ignore_index=C)
    m2.update_state(wrong, logits)


#: report() of per-image means: float64 sums (torch, TensorFlow), float32 on JAX without x64
PER_IMAGE_TOL = 2e-6 if BACKEND == "jax" else 1e-12


def _compare(m, report, tol=1e-6):
    """``m.result()`` (float32) and ``m.report()`` against the segscope.evaluate ``report``."""
    score = report[m.metric]
    got = ops.convert_to_numpy(m.result()).astype(np.float64)
    want = np.asarray(score.per_class) if m.average == "none" else np.float64(score.value)
    label = f"{type(m).__name__} {m.task} {m.aggregate} {m.average} {m.empty}"
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True, err_msg=label)
    a = m.report()[m.metric]
    assert (a.classes, a.support, a.excluded, a.average, a.aggregate) == (
        score.classes, score.support, score.excluded, score.average, score.aggregate), (
        label, a, score)
    assert a.extra.get("excluded_images") == score.extra.get("excluded_images"), (label, a)
    close = 0 if m.aggregate == "dataset" else PER_IMAGE_TOL   # exact counts: bit for bit
    np.testing.assert_allclose(a.per_class, score.per_class, rtol=close, atol=close,
                               equal_nan=True, err_msg=label)
    np.testing.assert_allclose(a.value, score.value, rtol=close, atol=close, equal_nan=True,
                               err_msg=label)


def _settings(classes):
    out = [(cls, a, e, b, g) for cls in (sk.IoU, sk.Accuracy)
           for a in ("macro", "micro", "weighted", "none")
           for e in (None, "zero", "one", "nan_target") for b in (True, False)
           for g in ("image", "image_class")]
    out += [(cls, a, None, True, g) for cls in classes for a in ("macro", "weighted")
            for g in ("dataset", "image")]
    return out


CLASSES = (sk.IoU, sk.Dice, sk.F1, sk.Precision, sk.Recall, sk.Specificity, sk.Accuracy)


def check_per_image_equal_evaluate():
    """aggregate="image"/"image_class" of multiclass labels: the per-image means of evaluate."""
    logits, target = _data(n=5)
    target[3] = 255                            # an image with every pixel ignored
    target[4] = np.where(target[4] == 1, 2, target[4])   # class 1 absent in image 4
    labels = logits.argmax(-1)
    ref_target = _reference_target(target)
    for cls, average, empty, background, aggregate in _settings(CLASSES):
        m = cls(num_classes=C, average=average, empty=empty, aggregate=aggregate,
                ignore_index=(255, 254), include_background=background)
        m.update_state(target[:2], logits[:2])
        m.update_state(target[2:], logits[2:])
        r = segscope.evaluate(labels, ref_target, num_classes=C, metrics=(m.metric,),
                              ignore_index=255, average=average, empty=empty,
                              aggregate=aggregate, per_image=True,
                              include_background=background)
        _compare(m, r)


def _multilabel_data(n=4, h=9, w=7, c=C):
    probs = RNG.random(size=(n, h, w, c)).astype(np.float32)
    target = (RNG.random(size=(n, h, w, c)) > 0.6).astype(np.int64)
    target[1, ..., 2] = 0                      # channel 2 absent in image 1
    probs[1, ..., 2] = 0.1                     # ... and not predicted: 0/0 there
    target[2, ..., 0] = 1
    return probs, target


def check_multilabel_equal_evaluate():
    probs, target = _multilabel_data()
    pred_nchw, target_nchw = np.moveaxis(probs, -1, 1), np.moveaxis(target, -1, 1)
    for cls, average, empty, background, aggregate in _settings(CLASSES):
        m = cls(num_classes=C, task="multilabel", average=average, empty=empty,
                aggregate=aggregate, include_background=background)
        m.update_state(target[:1], probs[:1])
        m.update_state(target[1:], probs[1:])
        r = segscope.evaluate(pred_nchw, target_nchw, task="multilabel", decision="threshold",
                              threshold=0.5, metrics=(m.metric,), average=average,
                              empty=empty, aggregate=aggregate,
                              include_background=background)
        _compare(m, r)
        if aggregate == "dataset":
            np.testing.assert_array_equal(m.counts, segscope.multilabel_confusion_matrix(
                pred_nchw, target_nchw, decision="threshold", threshold=0.5))
    # logits (cut at log(t / (1 - t))), bool and float targets, another threshold
    logits = np.log(probs / (1 - probs)).astype(np.float32)
    for y_true in (target, target.astype(bool), target.astype(np.float32)):
        for threshold in (0.5, 0.3):
            m = sk.Dice(num_classes=C, task="multilabel", from_logits=True,
                        threshold=threshold)
            m.update_state(y_true, logits)
            cut = float(np.log(threshold / (1 - threshold)))
            r = segscope.evaluate(np.moveaxis(logits, -1, 1), target_nchw, task="multilabel",
                                  decision="threshold", threshold=cut, metrics="dice")
            want = dataclasses.replace(r["dice"], per_image=None)
            assert m.report()["dice"] == want, (m.report()["dice"], want)
    # bad multilabel targets
    wrong = target.copy()
    wrong[0, 0, 0, 0] = 2
    m = sk.IoU(num_classes=C, task="multilabel")
    try:
        m.update_state(wrong, probs)
    except LabelError as e:
        assert "0/1" in str(e), str(e)
    else:
        raise AssertionError("no LabelError")
    for bad in (target[..., 0], target[..., :2]):
        try:
            m.update_state(bad, probs)
        except ShapeError as e:
            assert "multilabel" in str(e), str(e)
        else:
            raise AssertionError("no ShapeError")
    try:
        sk.IoU(num_classes=C, task="multilabel", ignore_index=255)
    except ParameterError as e:
        assert "multilabel" in str(e)
    else:
        raise AssertionError("ignore_index accepted")
    try:
        sk.IoU(num_classes=C, aggregate="image").report(metrics="dice")
    except ParameterError as e:
        assert "per-image" in str(e)
    else:
        raise AssertionError("a per-image report of another metric")


def _torch_args(y_true, y_pred, task):
    pred = torch.from_numpy(np.moveaxis(y_pred, -1, 1).copy())
    if task == "multiclass" and y_true.ndim == y_pred.ndim - 1:
        target = torch.from_numpy(y_true.copy()).long()
    else:
        target = torch.from_numpy(np.moveaxis(y_true, -1, 1).copy()).to(pred.dtype)
    return pred, target


LOSSES = [
    ("soft_dice_loss", {}), ("soft_jaccard_loss", {}),
    ("tversky_loss", {"tversky_alpha": 0.3, "tversky_beta": 0.7}),
    ("focal_tversky_loss", {}), ("focal_loss", {}), ("cross_entropy_loss", {}),
    ("dice_ce_loss", {"ce_weight": 0.5}), ("soft_dice_loss", {"smooth": 0.0}),
    ("generalized_dice_loss", {}), ("generalized_dice_loss", {"weighting": "simple"}),
]


def check_losses_equal_torch():
    dtype = np.float64 if WIDE == "float64" else np.float32
    logits, target = _data(void=(255,))
    logits = logits.astype(dtype)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    multilabel = (RNG.random(logits.shape) > 0.6).astype(dtype)
    soft = np.eye(C, dtype=dtype)[np.where(target == 255, 0, target)] * 0.8 + 0.05
    cases = [
        ("multiclass", target, logits, True, 255),
        ("multiclass", target, probs, False, 255),
        ("multiclass", soft, logits, True, None),
        ("binary", multilabel[..., :1], logits[..., :1], True, None),
        ("multilabel", multilabel, logits, True, None),
        ("multilabel", multilabel, 1 / (1 + np.exp(-logits)), False, None),
    ]
    for name, extra in LOSSES:
        for task, y_true, y_pred, from_logits, ignore in cases:
            for aggregate in ("dataset", "image"):
                for weights in (None, [0.5, 1.0, 2.0, 0.0][: y_pred.shape[-1]]):
                    if weights is not None and (aggregate == "image" or not from_logits):
                        continue
                    if task == "binary" and weights is not None:
                        weights = [2.0]
                    kw = dict(task=task, from_logits=from_logits, aggregate=aggregate,
                              ignore_index=ignore, class_weights=weights, **extra)
                    got = float(ops.convert_to_numpy(getattr(sk, name)(y_true, y_pred, **kw)))
                    want = float(getattr(tl, name)(*_torch_args(y_true, y_pred, task), **kw))
                    assert abs(got - want) <= TOL * max(1.0, abs(want)), (
                        name, task, from_logits, aggregate, weights, got, want)
    # several ignored labels: the same as one label standing for both
    logits, target = _data()
    for name, extra in LOSSES:
        kw = dict(task="multiclass", from_logits=True, **extra)
        got = float(ops.convert_to_numpy(getattr(sk, name)(target, logits,
                                                           ignore_index=(254, 255), **kw)))
        want = float(getattr(sk, name)(_reference_target(target), logits, ignore_index=255, **kw))
        assert abs(got - want) <= 1e-6, (name, got, want)
    # Lovász: hard targets only
    hard = [case for case in cases if case[0] != "multiclass" or case[1].ndim == 3]
    for task, y_true, y_pred, from_logits, ignore in hard:
        for aggregate in ("dataset", "image"):
            names = [("lovasz_softmax_loss", {}), ("lovasz_softmax_loss", {"classes": "present"})]
            if task != "multiclass" and from_logits:
                names.append(("lovasz_hinge_loss", {}))
            for name, extra in names:
                kw = dict(task=task, from_logits=from_logits, aggregate=aggregate,
                          ignore_index=ignore, **extra)
                got = float(ops.convert_to_numpy(getattr(sk, name)(y_true, y_pred, **kw)))
                want = float(getattr(tl, name)(*_torch_args(y_true, y_pred, task), **kw))
                assert abs(got - want) <= TOL * max(1.0, abs(want)), (name, task, aggregate,
                                                                      got, want)
    # binary focal with alpha
    logits = logits.astype(dtype)
    got = float(sk.focal_loss(multilabel[..., :1], logits[..., :1], task="binary",
                              from_logits=True, alpha=0.25))
    want = float(tl.focal_loss(*_torch_args(multilabel[..., :1], logits[..., :1], "binary"),
                               task="binary", from_logits=True, alpha=0.25))
    assert abs(got - want) <= TOL, (got, want)


def check_losses_empty_target_finite():
    zeros = np.zeros((2, 6, 6), dtype="int64")
    logits = RNG.normal(size=(2, 6, 6, 3)).astype("float32")
    for k, (name, extra) in enumerate(LOSSES):
        aggregate = ("dataset", "image")[k % 2]
        v = float(getattr(sk, name)(zeros, logits, task="multiclass", from_logits=True,
                                    aggregate=aggregate, **extra))
        assert np.isfinite(v), (name, v)
    # everything ignored
    v = float(sk.dice_ce_loss(np.full((2, 6, 6), 255), logits, task="multiclass",
                              from_logits=True, ignore_index=255))
    assert np.isfinite(v), v


def _model(c):
    inputs = keras.Input((8, 8, 2))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    outputs = keras.layers.Conv2D(c, 1)(x)
    return keras.Model(inputs, outputs)


def check_fit_and_evaluate():
    keras.utils.set_random_seed(3)
    x = RNG.normal(size=(16, 8, 8, 2)).astype("float32")
    y = (x[..., 0] > 0).astype("int64") + (x[..., 1] > 1).astype("int64")
    y[:2, :1] = 255
    c = 3
    names = ("iou", "dice", "precision", "recall", "specificity", "accuracy")
    metrics = [sk.OverlapMetric(num_classes=c, metric=m, ignore_index=255) for m in names]
    metrics.append(sk.IoU(num_classes=c, ignore_index=255, average="micro", name="iou_micro"))
    model = _model(c)
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=sk.DiceCELoss(task="multiclass", from_logits=True, ignore_index=255),
                  metrics=metrics)
    hist = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert all(np.isfinite(v).all() for v in hist.history.values()), hist.history
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    labels = ops.convert_to_numpy(model.predict(x, batch_size=4, verbose=0)).argmax(-1)
    r = segscope.evaluate(labels, y, num_classes=c, metrics=names, ignore_index=255)
    for name in names:
        np.testing.assert_allclose(logs[name], r.summary()[name], rtol=1e-6, err_msg=name)
    micro = segscope.evaluate(labels, y, num_classes=c, metrics="iou", ignore_index=255,
                              average="micro").summary()["iou"]
    np.testing.assert_allclose(logs["iou_micro"], micro, rtol=1e-6)
    assert metrics[0].report().summary()["iou"] == r.summary()["iou"]
    # the loss inside fit equals segscope.losses on the same batch
    pred = ops.convert_to_numpy(model(x[:4]))
    got = float(sk.dice_ce_loss(y[:4], pred, task="multiclass", from_logits=True,
                                ignore_index=255))
    want = float(tl.dice_ce_loss(*_torch_args(y[:4], pred, "multiclass"), task="multiclass",
                                 from_logits=True, ignore_index=255))
    assert abs(got - want) < 1e-5, (got, want)
    # every loss class equals its function (one fit above trained with DiceCELoss)
    for cls, fn in ((sk.DiceLoss, sk.soft_dice_loss), (sk.JaccardLoss, sk.soft_jaccard_loss),
                    (sk.TverskyLoss, sk.tversky_loss), (sk.FocalTverskyLoss,
                                                        sk.focal_tversky_loss),
                    (sk.FocalLoss, sk.focal_loss), (sk.CrossEntropyLoss, sk.cross_entropy_loss)):
        kw = dict(task="multiclass", from_logits=True, ignore_index=255)
        got = float(ops.convert_to_numpy(cls(**kw)(y[:4], pred)))
        assert abs(got - float(fn(y[:4], pred, **kw))) < 1e-6, cls
    # the report callback: segscope's summary (overlap + boundary) in logs, JSON written
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "val.json"
        cb = sk.SegscopeReport(x, y, num_classes=c, ignore_index=255, json_path=path,
                               boundary_metrics=("hd95",))
        hist = model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[cb])
        assert "val_segscope_iou" in hist.history and "val_segscope_hd95" in hist.history
        labels = ops.convert_to_numpy(model.predict(x, batch_size=4, verbose=0)).argmax(-1)
        want = segscope.evaluate(labels, y, num_classes=c, ignore_index=255).summary()["iou"]
        assert hist.history["val_segscope_iou"][-1] == want
        assert json.loads(path.read_text())
    # bad labels under fit's compiled step: NaN (JAX jit, TensorFlow graph) or an error
    # (eager torch)
    bad = y.copy()
    bad[3, 3, 3] = 7
    try:
        logs = model.evaluate(x, bad, batch_size=4, verbose=0, return_dict=True)
    except LabelError:
        assert BACKEND == "torch"
    else:
        assert BACKEND in ("jax", "tensorflow")
        assert all(np.isnan(logs[n]) for n in names), logs


def check_fit_multilabel_and_per_image():
    """Multi-label and per-image metrics inside fit/evaluate (jit on JAX) equal evaluate."""
    keras.utils.set_random_seed(5)
    x = RNG.normal(size=(12, 8, 8, 2)).astype("float32")
    y = np.stack([x[..., 0] > 0, x[..., 1] > 0.5, x[..., 0] + x[..., 1] > 1], -1)
    y = y.astype("float32")
    metrics = [sk.IoU(num_classes=3, task="multilabel", from_logits=True, name="iou"),
               sk.Dice(num_classes=3, task="multilabel", from_logits=True, aggregate="image",
                       name="dice_image"),
               sk.Recall(num_classes=3, task="multilabel", from_logits=True,
                         aggregate="image_class", average="none", name="recall_pairs")]
    model = _model(3)
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=sk.DiceLoss(task="multilabel", from_logits=True), metrics=metrics)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    logits = np.moveaxis(ops.convert_to_numpy(model.predict(x, batch_size=4, verbose=0)), -1, 1)
    kw = dict(task="multilabel", decision="threshold", threshold=0.0)
    target = np.moveaxis(y, -1, 1).astype("int64")
    want = segscope.evaluate(logits, target, metrics="iou", **kw).summary()["iou"]
    np.testing.assert_allclose(logs["iou"], want, rtol=1e-6)
    want = segscope.evaluate(logits, target, metrics="dice", aggregate="image", **kw)
    np.testing.assert_allclose(logs["dice_image"], want.summary()["dice"], rtol=1e-6)
    want = segscope.evaluate(logits, target, metrics="recall", aggregate="image_class",
                             average="none", **kw)["recall"].per_class
    np.testing.assert_allclose(ops.convert_to_numpy(metrics[2].result()), want, rtol=1e-6)
    # per-image multiclass inside fit, with ignored pixels
    labels = (x[..., 0] > 0).astype("int64") + (x[..., 1] > 1)
    labels[:3, :2] = 255
    m = sk.IoU(num_classes=3, aggregate="image", ignore_index=255, name="iou_image")
    model = _model(3)
    model.compile(optimizer="adam", loss=sk.CrossEntropyLoss(task="multiclass",
                                                             from_logits=True,
                                                             ignore_index=255), metrics=[m])
    logs = model.evaluate(x, labels, batch_size=5, verbose=0, return_dict=True)
    pred = ops.convert_to_numpy(model.predict(x, batch_size=5, verbose=0)).argmax(-1)
    want = segscope.evaluate(pred, labels, num_classes=3, metrics="iou", ignore_index=255,
                             aggregate="image").summary()["iou"]
    np.testing.assert_allclose(logs["iou_image"], want, rtol=1e-6)
    assert m.report().num_images == 12


def check_jit():
    if BACKEND != "jax":
        return
    import jax

    logits, target = _data(void=(0,))
    m = sk.Dice(num_classes=C)
    state = [v.value for v in m.variables]

    @jax.jit
    def step(state, y_true, y_pred):
        return m.stateless_update_state(state, y_true, y_pred)

    state = step(state, target, logits)
    value = m.stateless_result(state)
    labels = logits.argmax(-1)
    want = segscope.evaluate(labels, target, num_classes=C, metrics="dice").summary()["dice"]
    np.testing.assert_allclose(float(value), want, rtol=1e-6)
    wrong = target.copy()
    wrong[0, 0, 0] = 9
    state = step(state, wrong, logits)
    assert np.isnan(float(m.stateless_result(state)))
    # NaN scores and bad shapes under jit: NaN until reset, and a ShapeError at trace time
    nan_logits = logits.copy()
    nan_logits[0, 1, 1, 2] = np.nan
    for aggregate in ("dataset", "image"):
        for task, y_true, y_pred in (("multiclass", target, nan_logits),
                                     ("multilabel", (target[..., None] == np.arange(C)),
                                      nan_logits)):
            mm = sk.IoU(num_classes=C, task=task, aggregate=aggregate)
            fresh = [v.value for v in mm.variables]
            f = jax.jit(mm.stateless_update_state)
            assert np.isnan(float(mm.stateless_result(f(fresh, y_true, y_pred)))), task
            ok = mm.stateless_result(f(fresh, y_true, logits))
            assert np.isfinite(float(ok)), (task, aggregate)
    for bad_pred, fix in ((logits[:, 0, 0], "channels-last"),
                          (np.moveaxis(logits, -1, 1), "channels-first")):
        try:
            step([v.value for v in m.variables], target, bad_pred)
        except ShapeError as e:
            assert fix in str(e), str(e)
        else:
            raise AssertionError("no ShapeError under jit")
    loss = jax.jit(lambda t, p: sk.tversky_loss(t, p, task="multiclass", from_logits=True))
    want = float(sk.tversky_loss(target, logits, task="multiclass", from_logits=True))
    np.testing.assert_allclose(float(loss(target, logits)), want, rtol=1e-6)


def check_tf_graph():
    """TensorFlow: tf.function with and without XLA; bad input there gives NaN, never a number."""
    if BACKEND != "tensorflow":
        return
    import tensorflow as tf

    logits, target = _data(void=(0,))
    labels = logits.argmax(-1)
    wrong = target.copy()
    wrong[0, 0, 0] = 9
    nan_logits = logits.copy()
    nan_logits[1, 2, 3, 0] = np.nan
    for jit_compile in (False, True):
        for aggregate in ("dataset", "image"):
            for bad_target, bad_logits in ((wrong, logits), (target, nan_logits)):
                m = sk.Dice(num_classes=C, aggregate=aggregate)
                step = tf.function(m.update_state, jit_compile=jit_compile)
                step(tf.constant(target), tf.constant(logits))
                want = segscope.evaluate(labels, target, num_classes=C, metrics="dice",
                                         aggregate=aggregate, per_image=True)
                np.testing.assert_allclose(float(m.result()), want.summary()["dice"],
                                           rtol=1e-6)
                step(tf.constant(bad_target), tf.constant(bad_logits))
                assert np.isnan(float(m.result())), (jit_compile, aggregate)
                try:
                    m.report()
                except LabelError as e:
                    assert "reset_state" in str(e)
                else:
                    raise AssertionError("report() of a flagged metric")
                m.reset_state()
                step(tf.constant(target), tf.constant(logits))
                np.testing.assert_allclose(float(m.result()), want.summary()["dice"],
                                           rtol=1e-6)
    # multi-label under XLA, with an unknown batch size in the traced signature
    probs, y = _multilabel_data()
    m = sk.IoU(num_classes=C, task="multilabel", aggregate="image")
    spec = [tf.TensorSpec((None, *y.shape[1:]), tf.int64),
            tf.TensorSpec((None, *probs.shape[1:]), tf.float32)]
    step = tf.function(m.update_state, input_signature=spec, jit_compile=False)
    step(y[:3], probs[:3])
    step(y[3:], probs[3:])
    want = segscope.evaluate(np.moveaxis(probs, -1, 1), np.moveaxis(y, -1, 1), task="multilabel",
                             decision="threshold", metrics="iou", aggregate="image")
    np.testing.assert_allclose(float(m.result()), want.summary()["iou"], rtol=1e-6)
    # a fit with jit_compile=True
    keras.utils.set_random_seed(2)
    x = RNG.normal(size=(8, 8, 8, 2)).astype("float32")
    t = (x[..., 0] > 0).astype("int64")
    model = _model(2)
    metric = sk.IoU(num_classes=2, aggregate="image")
    model.compile(optimizer="adam", loss=sk.DiceLoss(task="multiclass", from_logits=True),
                  metrics=[metric], jit_compile=True)
    model.fit(x, t, batch_size=4, epochs=1, verbose=0)
    logs = model.evaluate(x, t, batch_size=4, verbose=0, return_dict=True)
    pred = ops.convert_to_numpy(model.predict(x, batch_size=4, verbose=0)).argmax(-1)
    want = segscope.evaluate(pred, t, num_classes=2, metrics="iou", aggregate="image")
    np.testing.assert_allclose(logs["iou"], want.summary()["iou"], rtol=1e-6)


def check_docstring_examples():
    import doctest
    import importlib

    for name in ("segscope.keras", "segscope.keras._inputs", "segscope.keras._scores",
                 "segscope.keras._counting", "segscope.keras.metrics", "segscope.keras.losses",
                 "segscope.keras.callbacks"):
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
        assert result.failed == 0, name


def check_docs_example():
    import contextlib
    import io
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "keras.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert blocks
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for code in blocks:
            exec(compile(code, "docs/keras.md", "exec"), namespace)


def main() -> None:
    import time

    results = {}
    for name, fn in list(globals().items()):
        if name.startswith("check_") and callable(fn):
            try:
                start = time.perf_counter()
                fn()
                results[name] = f"ok {time.perf_counter() - start:.1f} s"
            except Exception:
                results[name] = traceback.format_exc()
    print(json.dumps(results))
    sys.exit(0)


if __name__ == "__main__":
    main()
