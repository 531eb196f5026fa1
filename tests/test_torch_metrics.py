"""Tensors through the public functions: the same numbers as NumPy; streaming, merging, pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import segscope  # noqa: E402
from segscope import metrics as sm  # noqa: E402
from segscope._torch.confusion import (  # noqa: E402
    count_on_device,
    multilabel_counts_on_device,
)
from segscope.errors import DTypeError, LabelError, ParameterError, ShapeError  # noqa: E402
from segscope.streaming import MeanIoU, OverlapMetric  # noqa: E402

pytestmark = pytest.mark.torch


def _labels(seed, n=3, c=4, size=(9, 11), ignore=None):
    g = torch.Generator().manual_seed(seed)
    target = torch.randint(0, c, (n, *size), generator=g)
    pred = torch.where(torch.rand(n, *size, generator=g) < 0.6, target,
                       torch.randint(0, c, (n, *size), generator=g))
    if ignore is not None:
        target[torch.rand(n, *size, generator=g) < 0.1] = ignore
    return pred, target


def _same_report(a, b):
    assert a.metrics == b.metrics
    for name in a.metrics:
        x, y = a[name], b[name]
        np.testing.assert_array_equal(np.array(x.per_class), np.array(y.per_class))
        assert (x.value == y.value) or (np.isnan(x.value) and np.isnan(y.value))
        assert x.excluded == y.excluded and x.support == y.support
        if x.per_image is not None or y.per_image is not None:
            np.testing.assert_array_equal(np.array(x.per_image), np.array(y.per_image))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("aggregate", ["dataset", "image", "image_class"])
@pytest.mark.parametrize("average", ["macro", "micro", "weighted", "none"])
def test_tensor_metrics_equal_numpy_metrics(seed, aggregate, average):
    pred, target = _labels(seed, ignore=255)
    options = {"num_classes": 4, "metrics": "all", "ignore_index": 255, "average": average,
               "aggregate": aggregate}
    ours = segscope.evaluate(pred, target, **options)
    theirs = segscope.evaluate(pred.numpy(), target.numpy(), **options)
    _same_report(ours, theirs)


@pytest.mark.parametrize("seed", range(3))
def test_scores_argmax_and_threshold_equal_numpy_on_labels(seed):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, 5, 6, 7, generator=g)
    target = torch.randint(0, 5, (2, 6, 7), generator=g)
    _same_report(segscope.evaluate(logits, target, decision="argmax", metrics="all"),
                 segscope.evaluate(logits.argmax(1).numpy(), target.numpy(), num_classes=5,
                                   metrics="all"))
    probs = torch.rand(2, 6, 7, generator=g)
    binary = (target > 2).long()
    _same_report(segscope.evaluate(probs, binary, decision="threshold", threshold=0.3),
                 segscope.evaluate((probs > 0.3).numpy(), binary.numpy(), num_classes=2))


def test_multilabel_equals_numpy():
    g = torch.Generator().manual_seed(4)
    probs = torch.rand(3, 4, 5, 6, generator=g)
    target = torch.rand(3, 4, 5, 6, generator=g) > 0.5
    ours = segscope.evaluate(probs, target, task="multilabel", decision="threshold", metrics="all",
                       aggregate="image")
    theirs = segscope.evaluate((probs > 0.5).numpy(), target.numpy(), task="multilabel",
                               metrics="all", aggregate="image")
    _same_report(ours, theirs)


@pytest.mark.parametrize("ignore", [None, 255, 0])
@pytest.mark.parametrize("per_image", [False, True])
def test_device_kernel_equals_host_counts(ignore, per_image):
    # the kernel used on CUDA/MPS, run here on the CPU
    pred, target = _labels(5, ignore=255 if ignore == 255 else None)
    counts, invalid = count_on_device(pred, target, 4, ignore, per_image)
    expected = segscope.confusion_matrix(pred.numpy(), target.numpy(), num_classes=4,
                                         ignore_index=ignore, per_image=per_image)
    np.testing.assert_array_equal(counts.numpy(), expected)
    assert int(invalid) == 0
    target[0, 0, :3] = 7
    pred[0, 1, :2] = -1
    _, invalid = count_on_device(pred, target, 4, ignore, per_image)
    assert int(invalid) == 5


def test_device_multilabel_kernel_equals_host_counts():
    g = torch.Generator().manual_seed(6)
    pred = torch.rand(2, 3, 4, 5, generator=g) > 0.4
    target = torch.rand(2, 3, 4, 5, generator=g) > 0.6
    counts, invalid = multilabel_counts_on_device(pred, target)
    expected = segscope.multilabel_confusion_matrix(pred.numpy(), target.numpy(),
                                                    per_image=True)
    np.testing.assert_array_equal(counts.numpy(), expected)
    assert int(invalid) == 0
    _, invalid = multilabel_counts_on_device(pred.long() * 2, target)
    assert int(invalid) == int(pred.sum())


def test_confusion_matrix_of_tensors_stays_a_tensor():
    pred, target = _labels(7)
    counts = segscope.confusion_matrix(pred.to(torch.uint8), target.to(torch.int32), num_classes=4)
    assert isinstance(counts, torch.Tensor) and counts.dtype == torch.int64
    assert int(counts.sum()) == target.numel()
    bool_counts = segscope.confusion_matrix(pred > 1, target > 1, num_classes=2)
    expected = segscope.confusion_matrix((pred > 1).numpy(), (target > 1).numpy(),
                                         num_classes=2)
    np.testing.assert_array_equal(bool_counts.numpy(), expected)


def test_non_contiguous_tensors():
    pred, target = _labels(8, size=(10, 12))
    p, t = pred[:, ::2, 1:], target[:, ::2, 1:]
    np.testing.assert_array_equal(
        segscope.confusion_matrix(p, t, num_classes=4).numpy(),
        segscope.confusion_matrix(p.numpy(), t.numpy(), num_classes=4))


# ---------------------------------------------------------------- errors
def test_errors():
    pred, target = _labels(9)
    with pytest.raises(DTypeError, match="decision='argmax'"):
        segscope.evaluate(pred.float(), target, num_classes=4)
    with pytest.raises(ParameterError, match="num_classes"):
        segscope.evaluate(pred, target)
    with pytest.raises(LabelError):
        segscope.evaluate(pred, target, num_classes=3)
    with pytest.raises(ShapeError):
        segscope.evaluate(pred[:, :2], target, num_classes=4)
    with pytest.raises(ShapeError):
        segscope.evaluate(torch.randn(3, 5, 9, 11), target, num_classes=4, decision="argmax")
    with pytest.raises(ParameterError, match="decision"):
        segscope.evaluate(pred, target, num_classes=4, decision="max")
    with pytest.raises(DTypeError, match="fractional"):
        segscope.evaluate(pred, target + 0.5, num_classes=4)
    with pytest.raises(DTypeError, match="dtype <U1"):
        segscope.evaluate(np.array([["a"]]), target[:1, :1, :1], num_classes=4)
    with pytest.raises(ParameterError, match="num_classes must be 2"):
        segscope.evaluate(torch.rand(3, 9, 11), target, num_classes=4, decision="threshold")


# ---------------------------------------------------------------- streaming
@pytest.mark.parametrize("aggregate", ["dataset", "image"])
@pytest.mark.parametrize("host_kernel", [True, False])
def test_streaming_equals_one_shot(aggregate, host_kernel, monkeypatch):
    monkeypatch.setattr(OverlapMetric, "_host_kernel", host_kernel)
    pred, target = _labels(10, n=6, ignore=255)
    metric = OverlapMetric(num_classes=4, metrics=("iou", "dice", "accuracy"),
                              ignore_index=255, aggregate=aggregate)
    for i in range(0, 6, 2):
        metric.update(pred[i:i + 2], target[i:i + 2])
    expected = segscope.evaluate(pred.numpy(), target.numpy(), num_classes=4,
                                 metrics=("iou", "dice", "accuracy"), ignore_index=255,
                                 aggregate=aggregate)
    _same_report(metric.compute(), expected)
    _same_report(metric.compute(), expected)  # compute does not change the state
    assert metric.num_images == 6
    metric.reset()
    with pytest.raises(ParameterError, match="before any update"):
        metric.compute()


def test_streaming_argmax_infers_classes_and_multilabel_threshold():
    g = torch.Generator().manual_seed(11)
    logits = torch.randn(4, 3, 5, 5, generator=g)
    target = torch.randint(0, 3, (4, 5, 5), generator=g)
    metric = MeanIoU(decision="argmax")
    metric.update(logits[:2], target[:2])
    metric.update(logits[2:], target[2:])
    assert metric.num_classes == 3
    expected = segscope.evaluate(logits.argmax(1).numpy(), target.numpy(), num_classes=3,
                                 metrics="iou")
    assert float(metric.compute()["iou"]) == float(expected["iou"])
    multi = OverlapMetric(task="multilabel", decision="threshold", threshold=0.0,
                             metrics="dice")
    multi.update(logits, logits.detach() > 0.5)
    assert multi.counts.shape == (3, 2, 2)


def test_device_path_defers_label_errors_to_compute(monkeypatch):
    monkeypatch.setattr(OverlapMetric, "_host_kernel", False)
    pred, target = _labels(12)
    target[0, 0, 0] = 9
    metric = OverlapMetric(num_classes=4)
    metric.update(pred, target)  # no synchronisation, so no error yet
    with pytest.raises(LabelError, match="outside"):
        metric.compute()


def test_host_path_raises_in_update():
    pred, target = _labels(12)
    target[0, 0, 0] = 9
    metric = OverlapMetric(num_classes=4)
    with pytest.raises(LabelError):
        metric.update(pred, target)


@pytest.mark.parametrize("aggregate", ["dataset", "image"])
def test_merge_pickle_and_state_dict(aggregate):
    pred, target = _labels(13, n=4)
    a = OverlapMetric(num_classes=4, aggregate=aggregate, metrics="iou")
    b = OverlapMetric(num_classes=4, aggregate=aggregate, metrics="iou")
    a.update(pred[:2], target[:2])
    b.update(pred[2:], target[2:])
    restored = pickle.loads(pickle.dumps(b))
    loaded = OverlapMetric(num_classes=4, aggregate=aggregate, metrics="iou")
    loaded.load_state_dict(b.state_dict())
    merged = a.merge(restored)
    expected = segscope.evaluate(pred.numpy(), target.numpy(), num_classes=4, metrics="iou",
                                 aggregate=aggregate)
    _same_report(merged.compute(), expected)
    np.testing.assert_array_equal(loaded.counts.numpy(), b.counts.numpy())
    assert len(pickle.dumps(b)) < 4000
    with pytest.raises(ParameterError):
        a.merge(OverlapMetric(num_classes=5))


def test_streaming_option_errors_come_early():
    with pytest.raises(ParameterError):
        OverlapMetric(num_classes=3, metrics="iuo")
    with pytest.raises(ParameterError):
        OverlapMetric(num_classes=3, average="mean")
    with pytest.raises(ParameterError, match="num_classes"):
        OverlapMetric()
    with pytest.raises(ParameterError):
        MeanIoU(num_classes=3, metrics="dice")


# ---------------------------------------------------------------- fused argmax (CPU)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("per_image", [False, True])
def test_fused_argmax_counts_equal_torch_argmax(dtype, per_image):
    g = torch.Generator().manual_seed(14)
    scores = torch.randn(3, 5, 37, 41, generator=g).to(dtype)  # 1517 px: a partial block
    scores[0, :, 0, :4] = 0.0                   # ties: the lowest class wins, as in torch
    scores[1, 2, 3, 3] = float("nan")           # NaN is the maximum, as in torch
    target = torch.randint(0, 5, (3, 37, 41), generator=g)
    target[2, :2] = 255
    counts = segscope.confusion_matrix(scores, target, decision="argmax", ignore_index=255,
                                 per_image=per_image)
    expected = segscope.confusion_matrix(scores.argmax(1).numpy(), target.numpy(),
                                         num_classes=5, ignore_index=255, per_image=per_image)
    np.testing.assert_array_equal(counts.numpy(), expected)


def test_fused_argmax_rejects_bad_targets_and_matches_streaming():
    g = torch.Generator().manual_seed(15)
    scores = torch.randn(2, 3, 8, 8, generator=g)
    target = torch.randint(0, 3, (2, 8, 8), generator=g)
    bad = target.clone()
    bad[0, 0, 0] = 3
    with pytest.raises(LabelError):
        segscope.confusion_matrix(scores, bad, decision="argmax")
    for aggregate in ("dataset", "image"):
        metric = OverlapMetric(decision="argmax", aggregate=aggregate, metrics="iou")
        metric.update(scores, target)
        expected = segscope.evaluate(scores.argmax(1).numpy(), target.numpy(), num_classes=3,
                                     metrics="iou", aggregate=aggregate)
        _same_report(metric.compute(), expected)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_evaluate_argument_conflicts_are_named(backend):
    from segscope.errors import ParameterError, ShapeError

    evaluate = segscope.evaluate  # one function for both
    wrap = np.asarray if backend == "numpy" else torch.as_tensor
    labels = wrap(np.zeros((2, 4, 4), np.int64))
    with pytest.raises(ParameterError, match="needs per_image=True"):
        evaluate(labels, labels, num_classes=2, aggregate="image", per_image=False)
    channels = wrap(np.zeros((2, 3, 4, 4), bool))
    with pytest.raises(ShapeError, match="num_classes=2 but the inputs have 3 channels"):
        evaluate(channels, channels, num_classes=2, task="multilabel")
    report = evaluate(channels, channels, task="multilabel", metrics="iou")
    assert report.num_images == 2  # multi-label keeps images by default


# ---------------------------------------------------------------- one function for both types
def test_every_public_function_gives_numpy_numbers_for_tensors():
    pred, target = _labels(16, ignore=255)
    p, t = pred.numpy(), target.numpy()
    counts = segscope.confusion_matrix(pred, target, num_classes=4, ignore_index=255,
                                       per_image=True)
    assert isinstance(counts, torch.Tensor) and counts.device == pred.device
    np.testing.assert_array_equal(counts.numpy(), segscope.confusion_matrix(
        p, t, num_classes=4, ignore_index=255, per_image=True))
    _same_report(segscope.scores_from_confusion(counts, "all", aggregate="image"),
                 segscope.scores_from_confusion(counts.numpy(), "all", aggregate="image"))
    for name in sm.METRICS:
        function = getattr(sm, name)
        ours = function(pred, target, num_classes=4, ignore_index=255, average="none")
        theirs = function(p, t, num_classes=4, ignore_index=255, average="none")
        assert ours == theirs or (np.isnan(ours.value) and ours.per_class == theirs.per_class)
    g = torch.Generator().manual_seed(17)
    channels, truth = torch.rand(2, 3, 5, 5, generator=g) > 0.5, torch.rand(2, 3, 5, 5) > 0.5
    ml = segscope.multilabel_confusion_matrix(channels, truth, per_image=True)
    assert isinstance(ml, torch.Tensor)
    np.testing.assert_array_equal(ml.numpy(), segscope.multilabel_confusion_matrix(
        channels.numpy(), truth.numpy(), per_image=True))
    report = segscope.evaluate(pred, target, num_classes=4, ignore_index=255)
    assert report.meta == {"num_classes": 4, "task": "multiclass", "ignore_index": 255,
                           "decision": "labels"}


def test_lists_of_tensors_of_different_sizes():
    pred, target = _labels(18, n=2, size=(6, 7))
    preds, targets = [pred[0], pred[1][:3]], [target[0], target[1][:3]]
    counts = segscope.confusion_matrix(preds, targets, num_classes=4, per_image=True)
    assert isinstance(counts, torch.Tensor) and counts.shape == (2, 4, 4)
    np.testing.assert_array_equal(counts.numpy(), segscope.confusion_matrix(
        [x.numpy() for x in preds], [x.numpy() for x in targets], num_classes=4,
        per_image=True))
    _same_report(segscope.evaluate(preds, targets, num_classes=4, aggregate="image"),
                 segscope.evaluate([x.numpy() for x in preds], [x.numpy() for x in targets],
                                   num_classes=4, aggregate="image"))
    with pytest.raises(ShapeError, match="image 1"):
        segscope.confusion_matrix(preds, [target[0], target[1]], num_classes=4)


def test_a_mixed_pair_is_read_on_the_tensor_side():
    # as the boundary metrics do: the NumPy side moves to the tensor's device
    pred, target = _labels(19, ignore=255)
    expected = segscope.confusion_matrix(pred, target, num_classes=4, ignore_index=255)
    for p, t in ((pred, target.numpy()), (pred.numpy(), target)):
        counts = segscope.confusion_matrix(p, t, num_classes=4, ignore_index=255)
        assert isinstance(counts, torch.Tensor)
        np.testing.assert_array_equal(counts.numpy(), expected.numpy())
    _same_report(segscope.evaluate(pred, target.numpy(), num_classes=4, ignore_index=255),
                 segscope.evaluate(pred, target, num_classes=4, ignore_index=255))
    scores = torch.randn(3, 4, 9, 11, generator=torch.Generator().manual_seed(1))
    np.testing.assert_array_equal(
        segscope.confusion_matrix(scores, target.numpy(), decision="argmax",
                                  ignore_index=255).numpy(),
        segscope.confusion_matrix(scores, target, decision="argmax", ignore_index=255).numpy())


# ---------------------------------------------------------------- one streaming class
def test_state_lives_where_the_first_batch_lives():
    pred, target = _labels(20, n=4)
    on_tensors = OverlapMetric(num_classes=4, metrics="iou")
    on_tensors.update(pred[:2], target[:2])
    on_tensors.update(pred[2:].numpy(), target[2:].numpy())  # added to the tensor state
    assert isinstance(on_tensors.counts, torch.Tensor)
    on_arrays = OverlapMetric(num_classes=4, metrics="iou")
    on_arrays.update(pred[:2].numpy(), target[:2].numpy())
    on_arrays.update(pred[2:], target[2:])
    assert isinstance(on_arrays.counts, np.ndarray)
    np.testing.assert_array_equal(on_tensors.counts.numpy(), on_arrays.counts)
    _same_report(on_tensors.compute(), on_arrays.compute())
    np.testing.assert_array_equal(on_arrays.merge(on_tensors).counts,
                                  2 * on_tensors.counts.numpy())


@pytest.mark.parametrize("aggregate", ["dataset", "image"])
def test_state_dict_round_trip_through_a_weights_only_checkpoint(tmp_path, aggregate):
    pred, target = _labels(21, n=4)
    metric = OverlapMetric(num_classes=4, metrics=("iou", "dice"), aggregate=aggregate)
    metric.update(pred[:2], target[:2])
    torch.save(metric.state_dict(), tmp_path / "state.pt")
    restored = OverlapMetric(num_classes=4, metrics=("iou", "dice"), aggregate=aggregate)
    restored.load_state_dict(torch.load(tmp_path / "state.pt", weights_only=True))
    assert isinstance(restored.counts, torch.Tensor)
    restored.update(pred[2:], target[2:])
    metric.update(pred[2:], target[2:])
    _same_report(restored.compute(), metric.compute())
    assert restored.num_images == metric.num_images == 4
    with_group = OverlapMetric(num_classes=4, process_group=lambda: None)
    assert pickle.loads(pickle.dumps(with_group)).process_group is None


# ---------------------------------------------------------------- property: same integers
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.sampled_from([torch.uint8, torch.int16, torch.int32, torch.int64]),
       st.sampled_from([None, 0, 255]), st.integers(0, 2**31 - 1), st.booleans())
def test_property_tensor_counts_equal_numpy_counts(c, dtype, ignore, seed, per_image):
    g = torch.Generator().manual_seed(seed)
    shape = tuple(int(x) for x in torch.randint(1, 9, (3,), generator=g))
    target = torch.randint(0, c, shape, generator=g)
    if ignore is not None:
        target[torch.rand(shape, generator=g) < 0.2] = ignore
    pred, target = torch.randint(0, c, shape, generator=g).to(dtype), target.to(dtype)
    expected = segscope.confusion_matrix(pred.numpy(), target.numpy(), num_classes=c,
                                         ignore_index=ignore, per_image=per_image)
    host = segscope.confusion_matrix(pred, target, num_classes=c, ignore_index=ignore,
                                     per_image=per_image)
    device, invalid = count_on_device(pred, target, c, ignore, per_image)
    np.testing.assert_array_equal(host.numpy(), expected)
    np.testing.assert_array_equal(device.numpy(), expected)
    assert int(invalid) == 0


# ---------------------------------------------------------------- CUDA (where it exists)
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_are_counted_on_the_device_and_give_the_numpy_numbers():
    pred, target = _labels(22, ignore=255)
    cuda_pred, cuda_target = pred.cuda(), target.cuda()
    counts = segscope.confusion_matrix(cuda_pred, cuda_target, num_classes=4, ignore_index=255,
                                       per_image=True)
    assert counts.device.type == "cuda"
    np.testing.assert_array_equal(counts.cpu().numpy(), segscope.confusion_matrix(
        pred.numpy(), target.numpy(), num_classes=4, ignore_index=255, per_image=True))
    options = {"num_classes": 4, "ignore_index": 255, "metrics": "all", "aggregate": "image"}
    _same_report(segscope.evaluate(cuda_pred, cuda_target, **options),
                 segscope.evaluate(pred.numpy(), target.numpy(), **options))
    logits = torch.randn(3, 4, 9, 11, generator=torch.Generator().manual_seed(2))
    _same_report(segscope.evaluate(logits.cuda(), cuda_target, decision="argmax",
                                   ignore_index=255),
                 segscope.evaluate(logits.argmax(1).numpy(), target.numpy(), num_classes=4,
                                   ignore_index=255))
    metric = OverlapMetric(num_classes=4, ignore_index=255, metrics="iou")
    metric.update(cuda_pred, cuda_target)
    assert metric.counts.device.type == "cuda"
    _same_report(metric.compute(), segscope.evaluate(pred.numpy(), target.numpy(),
                                                     num_classes=4, ignore_index=255,
                                                     metrics="iou"))
    cuda_target[0, 0, 0] = 7
    metric.update(cuda_pred, cuda_target)  # no synchronisation, so no error yet
    with pytest.raises(LabelError, match="outside"):
        metric.compute()
    with pytest.raises(LabelError):
        segscope.confusion_matrix(cuda_pred, cuda_target, num_classes=4)
