"""Boundary metrics of tensors: the NumPy path's numbers, MONAI's on batches, streaming."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from segscope.boundary import BoundaryAccumulator  # noqa: E402
from segscope.errors import DTypeError, ParameterError, ShapeError  # noqa: E402
from segscope.torch import BoundaryMetric, boundary_scores  # noqa: E402

pytestmark = pytest.mark.torch


def _blobs(shape, num_classes, count, seed):
    """Label maps made of random boxes: target, and a prediction with moved edges."""
    rng = np.random.default_rng(seed)
    target = np.zeros(shape, np.int64)
    pred = np.zeros(shape, np.int64)
    for _ in range(count):
        label = int(rng.integers(1, num_classes))
        lo = [int(rng.integers(0, s - 4)) for s in shape]
        hi = [a + int(rng.integers(2, max(3, s // 2))) for a, s in zip(lo, shape)]
        box = tuple(slice(a, b) for a, b in zip(lo, hi))
        target[box] = label
        moved = tuple(slice(max(0, a + int(rng.integers(-2, 3))), b + int(rng.integers(-2, 3)))
                      for a, b in zip(lo, hi))
        pred[moved] = label
    return pred, target


def _batch(shape, num_classes, n, seed):
    pairs = [_blobs(shape, num_classes, 4, seed + i) for i in range(n)]
    return (torch.from_numpy(np.stack([p for p, _ in pairs])),
            torch.from_numpy(np.stack([t for _, t in pairs])))


def _numpy_rows(pred, target, num_classes, metrics, spacing, **options):
    acc = BoundaryAccumulator(num_classes, metrics=metrics, **options)
    for p, t in zip(pred.numpy(), target.numpy()):
        acc.update(p, t, spacing=spacing)
    return {s.metric: np.array(s.per_image) for s in acc.compute()}


@pytest.mark.parametrize("shape,spacing", [((24, 30), (0.7, 1.3)), ((10, 14, 12), (2.5, 1, 1))])
def test_tensor_rows_equal_numpy_rows(shape, spacing):
    pred, target = _batch(shape, 4, 3, seed=len(shape))
    report = boundary_scores(pred, target, num_classes=4, metrics="all", spacing=spacing)
    expected = _numpy_rows(pred, target, 4, "all", spacing)
    assert report.num_images == 3
    for score in report.scores:
        np.testing.assert_array_equal(np.array(score.per_image), expected[score.metric])


@pytest.mark.filterwarnings("ignore:.*always_return_as_numpy:FutureWarning")
def test_batched_values_reproduce_monai():
    metrics = pytest.importorskip("monai.metrics")
    pred, target = _batch((12, 16, 14), 3, 3, seed=11)
    spacing = (2.0, 0.8, 1.1)
    report = boundary_scores(pred, target, num_classes=3, metrics=("hd", "hd95", "assd"),
                             spacing=spacing)

    def one_hot(x):
        return torch.nn.functional.one_hot(x, 3).movedim(-1, 1)

    yp, yt = one_hot(pred), one_hot(target)
    kw = {"include_background": False, "spacing": list(spacing)}
    refs = {
        "hd": metrics.compute_hausdorff_distance(yp, yt, **kw),
        "hd95": metrics.compute_hausdorff_distance(yp, yt, percentile=95, **kw),
        "assd": metrics.compute_average_surface_distance(yp, yt, symmetric=True, **kw),
    }
    for name, ref in refs.items():
        ref = ref.numpy()
        got = np.array(report[name].per_image)
        present = (yt[:, 1:].flatten(2).any(-1) & yp[:, 1:].flatten(2).any(-1)).numpy()
        np.testing.assert_allclose(got[present], ref[present], rtol=1e-6)


def test_argmax_and_threshold_decisions_match_labels():
    pred, target = _batch((20, 20), 3, 2, seed=3)
    logits = torch.nn.functional.one_hot(pred, 3).movedim(-1, 1).float() * 4 - 1
    by_labels = boundary_scores(pred, target, num_classes=3, metrics=("hd", "nsd"))
    by_argmax = boundary_scores(logits, target, metrics=("hd", "nsd"), decision="argmax")
    for a, b in zip(by_labels.scores, by_argmax.scores):
        assert a.per_image == b.per_image
    probs = (pred > 0).float() * 0.8 + 0.1
    binary_target = (target > 0).long()
    by_threshold = boundary_scores(probs, binary_target, metrics="hd95", decision="threshold")
    by_binary = boundary_scores((pred > 0).long(), binary_target, num_classes=2,
                                metrics="hd95")
    assert by_threshold["hd95"].per_image == by_binary["hd95"].per_image


def test_streaming_merge_pickle_and_reset():
    pred, target = _batch((18, 22), 3, 4, seed=5)
    whole = BoundaryMetric(num_classes=3, metrics=("hd95", "biou"), spacing=0.5)
    whole.update(pred, target)
    first = BoundaryMetric(num_classes=3, metrics=("hd95", "biou"), spacing=0.5)
    first.update(pred[:1], target[:1])
    second = pickle.loads(pickle.dumps(BoundaryMetric(num_classes=3,
                                                      metrics=("hd95", "biou"), spacing=0.5)))
    second.update(pred[1:], target[1:])
    merged = first.merge(second).compute()
    expected = whole.compute()
    assert merged.num_images == expected.num_images == 4
    for a, b in zip(merged.scores, expected.scores):
        assert a.per_image == b.per_image
        assert a.value == b.value or (math.isnan(a.value) and math.isnan(b.value))
    whole.reset()
    assert whole.num_images == 0
    with pytest.raises(ParameterError, match="before any update"):
        whole.compute()


def test_spacing_changes_distances_per_update():
    target = torch.zeros(1, 16, 16, dtype=torch.long)
    target[0, 4:12, 4:12] = 1
    pred = torch.roll(target, 2, dims=1)
    metric = BoundaryMetric(num_classes=2, metrics="hd")
    metric.update(pred, target)
    metric.update(pred, target, spacing=(3.0, 1.0))
    rows = metric.compute()["hd"].per_image
    assert rows == ((2.0,), (6.0,))


def test_bad_input_is_named():
    with pytest.raises(ParameterError, match="num_classes is required"):
        BoundaryMetric(metrics="hd")
    with pytest.raises(ParameterError, match="unknown boundary metric"):
        BoundaryMetric(num_classes=2, metrics="hd99x")
    metric = BoundaryMetric(num_classes=2, metrics="hd")
    with pytest.raises(DTypeError, match="torch tensors"):
        metric.update(np.zeros((1, 4, 4), int), np.zeros((1, 4, 4), int))
    with pytest.raises(ShapeError, match="batch"):
        metric.update(torch.zeros(4, dtype=torch.long), torch.zeros(4, dtype=torch.long))
    with pytest.raises(DTypeError, match="merge"):
        metric.merge(object())


def test_state_dict_round_trip_through_a_weights_only_checkpoint(tmp_path):
    pred, target = _batch((16, 18), 3, 3, seed=9)
    metric = BoundaryMetric(num_classes=3, metrics=("hd95", "nsd"), spacing=(1.0, 0.5))
    metric.update(pred, target)
    torch.save(metric.state_dict(), tmp_path / "state.pt")
    restored = BoundaryMetric(num_classes=3, metrics=("hd95", "nsd"), spacing=(1.0, 0.5))
    restored.load_state_dict(torch.load(tmp_path / "state.pt", weights_only=True))
    restored.update(pred[:1], target[:1])
    metric.update(pred[:1], target[:1])
    for a, b in zip(restored.compute().scores, metric.compute().scores):
        np.testing.assert_array_equal(np.array(a.per_image), np.array(b.per_image))
    assert restored.num_images == metric.num_images == 4
    # a process group does not pickle; the metric does, without it
    with_group = BoundaryMetric(num_classes=3, metrics="hd", process_group=lambda: None)
    assert pickle.loads(pickle.dumps(with_group)).process_group is None
    with pytest.raises(ParameterError, match="saved rows"):
        BoundaryMetric(num_classes=3, metrics="hd").load_state_dict(metric.state_dict())
    empty = BoundaryMetric(num_classes=3, metrics="hd")
    empty.load_state_dict(BoundaryMetric(num_classes=3, metrics="hd").state_dict())
    assert empty.num_images == 0


def test_singleton_channel_axis_means_2d_images_not_one_slice_volumes():
    target = torch.zeros(2, 16, 16, dtype=torch.long)
    target[:, 4:12, 4:12] = 1
    pred = torch.roll(target, 2, dims=1)
    expected = boundary_scores(pred, target, num_classes=2, metrics=("hd95", "assd"))
    probs = pred[:, None].float() * 0.8 + 0.1  # (N, 1, H, W) output of a binary net
    for p, t, options in ((probs, target, {"decision": "threshold"}),
                          (probs, target[:, None], {"decision": "threshold"}),
                          (pred[:, None], target[:, None], {"num_classes": 2})):
        got = boundary_scores(p, t, metrics=("hd95", "assd"), **options)
        for a, b in zip(got.scores, expected.scores):
            assert a.per_image == b.per_image
    # as a volume one slice deep every object voxel would be on the surface: not this
    one_slice = BoundaryAccumulator(2, metrics=["assd"])
    one_slice.update(pred[0, None].numpy(), target[0, None].numpy())
    assert one_slice.compute()[0].per_image[0] != expected["assd"].per_image[0]


def test_per_image_spacing_like_monai():
    pred, target = _batch((14, 20), 3, 2, seed=13)
    spacings = [(1.0, 2.0), (0.5, 0.5)]
    metric = BoundaryMetric(num_classes=3, metrics=("hd", "assd"))
    metric.update(pred, target, spacing=spacings)
    expected = _numpy_rows(pred[:1], target[:1], 3, ("hd", "assd"), spacings[0])
    second = _numpy_rows(pred[1:], target[1:], 3, ("hd", "assd"), spacings[1])
    for score in metric.compute().scores:
        np.testing.assert_array_equal(np.array(score.per_image),
                                      np.vstack([expected[score.metric], second[score.metric]]))
    with pytest.raises(ShapeError, match="2 per-image voxel sizes for a batch of 1"):
        metric.update(pred[:1], target[:1], spacing=spacings)
