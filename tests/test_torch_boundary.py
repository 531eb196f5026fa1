"""Boundary metrics of tensors: the same functions and BoundaryMetric as for NumPy arrays,
the NumPy path's numbers, MONAI's on batches, streaming."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from segscope import boundary  # noqa: E402
from segscope.errors import DTypeError, ParameterError, ShapeError  # noqa: E402
from segscope.results import Report  # noqa: E402
from segscope.streaming import BoundaryMetric  # noqa: E402

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
    """Rows of the NumPy path, one stateless call per image."""
    rows: dict[str, list] = {}
    for p, t in zip(pred.numpy(), target.numpy()):
        report = boundary.boundary_scores(p, t, num_classes=num_classes, metrics=metrics,
                                          spacing=spacing, **options)
        for s in report:
            rows.setdefault(s.metric, []).extend(s.per_image)
    return {m: np.array(r) for m, r in rows.items()}


def _batch_scores(pred, target, *, spacing=None, **options):
    metric = BoundaryMetric(spacing=spacing, sync_on_compute=False, **options)
    metric.update(pred, target)
    return metric.compute()


@pytest.mark.parametrize("shape,spacing", [((24, 30), (0.7, 1.3)), ((10, 14, 12), (2.5, 1, 1))])
def test_tensor_rows_equal_numpy_rows(shape, spacing):
    pred, target = _batch(shape, 4, 3, seed=len(shape))
    report = _batch_scores(pred, target, num_classes=4, metrics="all", spacing=spacing)
    expected = _numpy_rows(pred, target, 4, "all", spacing)
    assert isinstance(report, Report) and report.num_images == 3
    for score in report.scores:
        np.testing.assert_array_equal(np.array(score.per_image), expected[score.metric])


def test_batched_values_reproduce_monai():
    metrics = pytest.importorskip("monai.metrics")
    pred, target = _batch((12, 16, 14), 3, 3, seed=11)
    spacing = (2.0, 0.8, 1.1)
    report = _batch_scores(pred, target, num_classes=3, metrics=("hd", "hd95", "assd"),
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
    by_labels = _batch_scores(pred, target, num_classes=3, metrics=("hd", "nsd"))
    by_argmax = _batch_scores(logits, target, metrics=("hd", "nsd"), decision="argmax")
    for a, b in zip(by_labels.scores, by_argmax.scores):
        assert a.per_image == b.per_image
    probs = (pred > 0).float() * 0.8 + 0.1
    binary_target = (target > 0).long()
    by_threshold = _batch_scores(probs, binary_target, metrics="hd95", decision="threshold")
    by_binary = _batch_scores((pred > 0).long(), binary_target, num_classes=2,
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
    with pytest.raises(DTypeError, match="scores, not labels"):
        metric.update(torch.zeros(1, 4, 4), torch.zeros(1, 4, 4, dtype=torch.long))
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
    expected = _batch_scores(pred, target, num_classes=2, metrics=("hd95", "assd"))
    probs = pred[:, None].float() * 0.8 + 0.1  # (N, 1, H, W) output of a binary net
    for p, t, options in ((probs, target, {"decision": "threshold"}),
                          (probs, target[:, None], {"decision": "threshold"}),
                          (pred[:, None], target[:, None], {"num_classes": 2})):
        got = _batch_scores(p, t, metrics=("hd95", "assd"), **options)
        for a, b in zip(got.scores, expected.scores):
            assert a.per_image == b.per_image
    # as a volume one slice deep every object voxel would be on the surface: not this
    one_slice = boundary.boundary_scores(pred[0, None], target[0, None], num_classes=2,
                                         metrics=["assd"])
    assert one_slice["assd"].per_image[0] != expected["assd"].per_image[0]


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


_MASK_FUNCTIONS = {
    "hausdorff": lambda p, t, **kw: boundary.hausdorff(p, t, **kw),
    "directed hausdorff": lambda p, t, **kw: boundary.hausdorff(p, t, directed=True, **kw),
    "hd95": lambda p, t, **kw: boundary.percentile_hausdorff(p, t, **kw),
    "hd90 pooled": lambda p, t, **kw: boundary.percentile_hausdorff(
        p, t, percentile=90, pooling="pooled", **kw),
    "assd": lambda p, t, **kw: boundary.assd(p, t, **kw),
    "masd": lambda p, t, **kw: boundary.masd(p, t, **kw),
    "asd": lambda p, t, **kw: boundary.average_surface_distance(p, t, **kw),
    "nsd": lambda p, t, **kw: boundary.surface_dice(p, t, tolerance=1.5, **kw),
}


@pytest.mark.parametrize("shape,spacing", [((24, 30), (0.7, 1.3)), ((10, 14, 12), (2.5, 1, 1))])
@pytest.mark.parametrize("surface", ["voxels", "elements"])
def test_tensors_through_the_boundary_functions_equal_numpy(shape, spacing, surface):
    pred, target = _blobs(shape, 2, 3, seed=21 + len(shape))
    p, t = pred > 0, target > 0
    for name, fn in _MASK_FUNCTIONS.items():
        kw = {"spacing": spacing, "surface": surface}
        expected = fn(p, t, **kw)
        assert fn(torch.from_numpy(p), torch.from_numpy(t), **kw) == expected, name
        assert fn(torch.from_numpy(p).long(), torch.from_numpy(t).long(), **kw) == expected
        assert fn(torch.from_numpy(p), t, **kw) == expected, name  # a mixed pair
    assert boundary.boundary_iou(torch.from_numpy(p), torch.from_numpy(t), width=1.2,
                                 spacing=spacing) == boundary.boundary_iou(
        p, t, width=1.2, spacing=spacing)
    d_np = boundary.surface_distances(p, t, spacing=spacing, surface=surface)
    d_t = boundary.surface_distances(torch.from_numpy(p), torch.from_numpy(t),
                                     spacing=spacing, surface=surface)
    np.testing.assert_array_equal(d_t.pred_to_target, d_np.pred_to_target)
    np.testing.assert_array_equal(d_t.target_weights, d_np.target_weights)
    r_np = boundary.boundary_scores(pred, target, num_classes=2, spacing=spacing,
                                    surface=surface)
    r_t = boundary.boundary_scores(torch.from_numpy(pred), torch.from_numpy(target),
                                   num_classes=2, spacing=spacing, surface=surface)
    assert r_t == r_np


def test_tensor_errors_are_those_of_numpy():
    p = torch.zeros(6, 6, dtype=torch.long)
    p[1:3, 1:3] = 2
    with pytest.raises(Exception, match="binary") as from_tensor:
        boundary.hausdorff(p, p)
    with pytest.raises(Exception, match="binary") as from_numpy:
        boundary.hausdorff(p.numpy(), p.numpy())
    assert from_tensor.type is from_numpy.type
    with pytest.raises(DTypeError, match="fractional"):
        boundary.hausdorff(torch.rand(6, 6), p > 0)


def test_boundary_metric_on_arrays_equals_on_tensors():
    pred, target = _batch((18, 22), 4, 4, seed=17)
    spacings = [(1.0, 2.0), (0.5, 0.5), (1.0, 1.0), (3.0, 1.0)]
    on_tensors = BoundaryMetric(num_classes=4, metrics="all", ignore_index=None)
    on_arrays = BoundaryMetric(num_classes=4, metrics="all", ignore_index=None)
    on_tensors.update(pred, target, spacing=spacings, names=list("abcd"))
    on_arrays.update(pred.numpy(), target.numpy(), spacing=spacings, names=list("abcd"))
    tensor_report, array_report = on_tensors.compute(), on_arrays.compute()
    assert isinstance(tensor_report, Report)
    assert tensor_report.to_dict() == array_report.to_dict()  # (NaN != NaN in ==)
    assert tensor_report.image_names == ("a", "b", "c", "d")
    # the per-image spacing may be a tensor, and both kinds of state merge
    more = BoundaryMetric(num_classes=4, metrics="all")
    more.update(pred.numpy()[:1], target.numpy()[:1], spacing=torch.tensor([[1.0, 2.0]]))
    assert on_tensors.merge(more).num_images == 5
    np.testing.assert_array_equal(on_tensors.compute()["hd"].per_image[4],
                                  array_report["hd"].per_image[0])


def test_a_mixed_batch_is_read_on_the_tensor_side():
    pred, target = _batch((16, 16), 3, 2, seed=29)
    mixed = _batch_scores(pred, target.numpy(), num_classes=3, metrics=("hd", "nsd"))
    assert mixed.to_dict() == _batch_scores(pred, target, num_classes=3,
                                            metrics=("hd", "nsd")).to_dict()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_give_the_numpy_numbers():
    pred, target = _batch((20, 24), 3, 2, seed=31)
    logits = torch.nn.functional.one_hot(pred, 3).movedim(-1, 1).float() * 4 - 1
    on_host = _batch_scores(logits, target, metrics="all", decision="argmax")
    on_device = _batch_scores(logits.cuda(), target.cuda(), metrics="all", decision="argmax")
    assert on_device.to_dict() == on_host.to_dict()
    p, t = pred[0] == 1, target[0] == 1
    assert boundary.hausdorff(p.cuda(), t.cuda(), spacing=(0.5, 2.0)) == boundary.hausdorff(
        p.numpy(), t.numpy(), spacing=(0.5, 2.0))
