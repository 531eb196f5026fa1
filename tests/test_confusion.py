"""Confusion counts: against scikit-learn, hand cases, properties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import multilabel_confusion_matrix as sk_multilabel

from segscope import confusion_matrix, multilabel_confusion_matrix
from segscope.errors import DTypeError, LabelError, ParameterError, ShapeError


def _reference(pred, target, c, ignore=None):
    p, t = np.asarray(pred).ravel(), np.asarray(target).ravel()
    if ignore is not None:
        keep = t != ignore
        p, t = p[keep], t[keep]
    if t.size == 0:
        return np.zeros((c, c), dtype=np.int64)
    return sk_confusion(t, p, labels=list(range(c)))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.int32, np.int64])
@pytest.mark.parametrize("num_classes", [2, 3, 21])
def test_matches_sklearn_over_dtypes(dtype, num_classes):
    rng = np.random.default_rng(num_classes)
    target = rng.integers(0, num_classes, (3, 17, 23)).astype(dtype)
    pred = rng.integers(0, num_classes, (3, 17, 23)).astype(dtype)
    np.testing.assert_array_equal(
        confusion_matrix(pred, target, num_classes=num_classes),
        _reference(pred, target, num_classes),
    )


def test_absent_classes_and_ignore_index_match_sklearn():
    rng = np.random.default_rng(0)
    target = rng.integers(0, 4, (40, 40)).astype(np.uint8)  # classes 4, 5 absent
    pred = rng.integers(0, 6, (40, 40)).astype(np.uint8)
    target[:7] = 255
    pred[:3] = 200  # predictions under ignored pixels do not matter
    got = confusion_matrix(pred, target, num_classes=6, ignore_index=255)
    np.testing.assert_array_equal(got, _reference(pred, target, 6, ignore=255))
    assert got.sum() == (target != 255).sum()


def test_negative_ignore_index():
    target = np.array([[0, 1, -100], [1, -100, 0]])
    pred = np.array([[0, 0, 1], [1, 1, 0]])
    got = confusion_matrix(pred, target, num_classes=2, ignore_index=-100)
    assert got.tolist() == [[2, 0], [1, 1]]


def test_hand_case_layout_rows_are_target():
    target = np.array([0, 0, 0, 1, 1, 2])
    pred = np.array([0, 1, 2, 1, 1, 0])
    assert confusion_matrix(pred, target, num_classes=3).tolist() == [
        [1, 1, 1], [0, 2, 0], [1, 0, 0]]


def test_non_contiguous_and_bool_and_whole_floats():
    rng = np.random.default_rng(5)
    target = rng.integers(0, 3, (30, 50))
    pred = rng.integers(0, 3, (30, 50))
    ref = _reference(pred.T, target.T, 3)
    np.testing.assert_array_equal(confusion_matrix(pred.T, target.T, num_classes=3), ref)
    np.testing.assert_array_equal(
        confusion_matrix(pred[:, ::2], target[:, ::2], num_classes=3),
        _reference(pred[:, ::2], target[:, ::2], 3))
    b_t, b_p = target > 1, pred > 1
    np.testing.assert_array_equal(confusion_matrix(b_p, b_t, num_classes=2),
                                  _reference(b_p.astype(int), b_t.astype(int), 2))
    np.testing.assert_array_equal(
        confusion_matrix(pred.astype(np.float32), target.astype(np.float64), num_classes=3),
        _reference(pred, target, 3))


def test_chunked_path_equals_contiguous(monkeypatch):
    import segscope.confusion as conf

    monkeypatch.setattr(conf, "CHUNK_ELEMENTS", 64)
    rng = np.random.default_rng(2)
    target = rng.integers(0, 5, (20, 30, 7))
    pred = rng.integers(0, 5, (20, 30, 7))
    got = confusion_matrix(pred.transpose(2, 0, 1), target.transpose(2, 0, 1), num_classes=5)
    np.testing.assert_array_equal(got, _reference(pred, target, 5))


def test_wide_label_range_uses_checked_path():
    # a huge ignore value makes the dense table too wide: the checked loop must agree
    rng = np.random.default_rng(9)
    target = rng.integers(0, 3, (50, 50)).astype(np.int64)
    pred = rng.integers(0, 3, (50, 50)).astype(np.int64)
    target[0] = 10**9
    got = confusion_matrix(pred, target, num_classes=3, ignore_index=10**9)
    np.testing.assert_array_equal(got, _reference(pred, target, 3, ignore=10**9))


def test_per_image_counts_sum_to_total():
    rng = np.random.default_rng(1)
    target = rng.integers(0, 3, (4, 10, 10))
    pred = rng.integers(0, 3, (4, 10, 10))
    per = confusion_matrix(pred, target, num_classes=3, per_image=True)
    assert per.shape == (4, 3, 3) and per.dtype == np.int64
    np.testing.assert_array_equal(per.sum(0), confusion_matrix(pred, target, num_classes=3))
    np.testing.assert_array_equal(per[2], _reference(pred[2], target[2], 3))


def _blocky_maps(rng, shape, num_classes, dtype):
    """Label maps made of 4-pixel runs (so that neighbouring pixels share a cell) with
    random errors: the data the counting lanes are built for."""
    target = rng.integers(0, num_classes, (*shape[:-1], -(-shape[-1] // 4))).repeat(4, -1)
    target = target[..., : shape[-1]]
    pred = np.where(rng.random(shape) < 0.2, rng.integers(0, num_classes, shape), target)
    return pred.astype(dtype), target.astype(dtype)


@pytest.mark.parametrize("num_classes", [3, 21, 100])  # 100: a four-lane table
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int64])
def test_per_image_batch_path_matches_sklearn(num_classes, dtype):
    rng = np.random.default_rng(num_classes)
    pred, target = _blocky_maps(rng, (5, 13, 19), num_classes, dtype)  # 247 px: not 8k
    per = confusion_matrix(pred, target, num_classes=num_classes, per_image=True)
    for i in range(5):
        np.testing.assert_array_equal(per[i], _reference(pred[i], target[i], num_classes))


def test_per_image_batch_with_ignore_and_signed_offsets():
    rng = np.random.default_rng(4)
    pred, target = _blocky_maps(rng, (6, 9, 11), 4, np.int8)
    target[:, 0] = -1  # ignored value below the class range
    target[2, 3] = 2
    pred[1, 1, :3] = 0
    per = confusion_matrix(pred, target, num_classes=4, ignore_index=-1, per_image=True)
    for i in range(6):
        np.testing.assert_array_equal(per[i], _reference(pred[i], target[i], 4, ignore=-1))
    u_pred, u_target = _blocky_maps(rng, (3, 20, 20), 5, np.uint8)
    u_target[:, :, :2] = 255
    per = confusion_matrix(u_pred, u_target, num_classes=5, ignore_index=255, per_image=True)
    assert per.sum() == (u_target != 255).sum()
    np.testing.assert_array_equal(per[1], _reference(u_pred[1], u_target[1], 5, ignore=255))
    # the ignored class itself lies inside [0, C)
    per = confusion_matrix(u_pred, u_target % 5, num_classes=5, ignore_index=0,
                           per_image=True)
    np.testing.assert_array_equal(per[2], _reference(u_pred[2], u_target[2] % 5, 5, ignore=0))


def test_repeated_calls_do_not_carry_counts_over():
    # the counting tables are reused between calls: nothing may leak from one to the next
    rng = np.random.default_rng(12)
    big_p, big_t = _blocky_maps(rng, (40, 40), 120, np.uint8)
    small_p, small_t = _blocky_maps(rng, (9, 9), 4, np.uint8)
    expected_big = _reference(big_p, big_t, 120)
    expected_small = _reference(small_p, small_t, 4)
    for _ in range(2):
        np.testing.assert_array_equal(confusion_matrix(big_p, big_t, num_classes=120),
                                      expected_big)
        np.testing.assert_array_equal(confusion_matrix(small_p, small_t, num_classes=4),
                                      expected_small)
        per = confusion_matrix(big_p[None], big_t[None], num_classes=120, per_image=True)
        np.testing.assert_array_equal(per[0], expected_big)


def test_per_image_blocks_of_wide_tables(monkeypatch):
    import segscope.confusion as conf

    monkeypatch.setattr(conf, "BLOCK_CELLS", 3000)  # 256×6-cell tables: one image per block
    rng = np.random.default_rng(6)
    pred, target = _blocky_maps(rng, (5, 12, 10), 6, np.uint8)
    target[:, :2] = 255
    per = confusion_matrix(pred, target, num_classes=6, ignore_index=255, per_image=True)
    for i in range(5):
        np.testing.assert_array_equal(per[i], _reference(pred[i], target[i], 6, ignore=255))
    pred[3, 5, 5] = 6  # a bad label in a later block is still found and named
    with pytest.raises(LabelError, match=r"\{6\}"):
        confusion_matrix(pred, target, num_classes=6, ignore_index=255, per_image=True)


def test_per_image_batch_path_names_bad_labels():
    pred = np.zeros((3, 4, 4), np.uint8)
    target = np.ones((3, 4, 4), np.uint8)
    target[2, 1, 1] = 9
    with pytest.raises(LabelError, match=r"\{9\}"):
        confusion_matrix(pred, target, num_classes=3, per_image=True)


@pytest.mark.parametrize("per_image", [False, True])
def test_threaded_counting_matches_one_thread(monkeypatch, per_image):
    import segscope.confusion as conf

    rng = np.random.default_rng(8)
    pred, target = _blocky_maps(rng, (7, 30, 41), 6, np.uint8)
    expected = confusion_matrix(pred, target, num_classes=6, per_image=per_image)
    monkeypatch.setattr(conf, "PARALLEL_MIN_ELEMENTS", 100)
    monkeypatch.setenv("SEGSCOPE_NUM_THREADS", "3")
    got = confusion_matrix(pred, target, num_classes=6, per_image=per_image)
    np.testing.assert_array_equal(got, expected)
    flat = confusion_matrix(pred[0].ravel()[:1001], target[0].ravel()[:1001], num_classes=6)
    np.testing.assert_array_equal(flat, _reference(pred[0].ravel()[:1001],
                                                   target[0].ravel()[:1001], 6))


def test_concurrent_callers_get_their_own_counts():
    # callers in several threads (dask, a thread pool) each use their own counting table
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(21)
    cases = [_blocky_maps(rng, (60, 70), c, np.uint8) for c in (3, 7, 40, 120) * 3]
    expected = [_reference(p, t, int(max(p.max(), t.max())) + 1) for p, t in cases]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda pt: confusion_matrix(
            pt[0], pt[1], num_classes=int(max(pt[0].max(), pt[1].max())) + 1), cases))
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def _count_in_child(queue):
    pred = np.arange(5000, dtype=np.int64) % 7
    queue.put(confusion_matrix(pred, pred[::-1].copy(), num_classes=7).sum())


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_threaded_counting_works_in_a_forked_child(monkeypatch):
    import multiprocessing

    import segscope.confusion as conf

    monkeypatch.setattr(conf, "PARALLEL_MIN_ELEMENTS", 100)
    monkeypatch.setenv("SEGSCOPE_NUM_THREADS", "2")
    pred = np.arange(5000, dtype=np.int64) % 7
    assert confusion_matrix(pred, pred, num_classes=7).sum() == 5000  # starts the threads
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_count_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0, "the forked child hung or failed while counting"
    assert queue.get(timeout=5) == 5000


def test_out_of_range_labels_are_named():
    target = np.array([0, 1, 7, 1])
    pred = np.array([0, 1, 1, 9])
    with pytest.raises(LabelError, match=r"target has 1 pixels with labels \{7\}") as err:
        confusion_matrix(pred, target, num_classes=3)
    assert "{9}" in str(err.value)
    with pytest.raises(LabelError, match="-1"):
        confusion_matrix(np.array([0, -1]), np.array([0, 1]), num_classes=2)
    with pytest.raises(LabelError):  # binary fast path must also validate
        confusion_matrix(np.array([0, 2], np.uint8), np.array([0, 1], np.uint8), num_classes=2)


def test_labels_beyond_int64_are_named_not_crashed():
    target = np.array([0, 1, 1], np.uint64)
    pred = np.array([0, 1, 2**64 - 1], np.uint64)
    with pytest.raises(LabelError, match="18446744073709551615"):
        confusion_matrix(pred, target, num_classes=3)
    with pytest.raises(ParameterError, match="64-bit"):
        confusion_matrix(pred, target, num_classes=3, ignore_index=2**64 - 1)


def test_bad_input_errors():
    with pytest.raises(ShapeError, match="same shape"):
        confusion_matrix(np.zeros((2, 3), int), np.zeros((3, 2), int), num_classes=2)
    with pytest.raises(DTypeError, match="argmax"):
        confusion_matrix(np.full((2, 2), 0.3), np.zeros((2, 2), int), num_classes=2)
    with pytest.raises(LabelError, match="NaN"):
        confusion_matrix(np.array([0.0, np.nan]), np.zeros(2, int), num_classes=2)
    with pytest.raises(ParameterError, match="num_classes"):
        confusion_matrix(np.zeros(3, int), np.zeros(3, int), num_classes=0)
    with pytest.raises(ParameterError, match="num_classes"):
        confusion_matrix(np.zeros(3, int), np.zeros(3, int), num_classes=2.5)
    with pytest.raises(DTypeError):
        confusion_matrix(np.array(["a"]), np.array(["b"]), num_classes=2)


def test_empty_input_gives_zero_counts():
    got = confusion_matrix(np.zeros((0, 5), int), np.zeros((0, 5), int), num_classes=3)
    assert got.tolist() == [[0] * 3] * 3


def test_multilabel_matches_sklearn():
    rng = np.random.default_rng(4)
    target = rng.random((3, 4, 9, 9)) > 0.6
    pred = rng.random((3, 4, 9, 9)) > 0.5
    got = multilabel_confusion_matrix(pred, target)
    flat = lambda x: x.transpose(0, 2, 3, 1).reshape(-1, 4)  # noqa: E731
    np.testing.assert_array_equal(got, sk_multilabel(flat(target), flat(pred)))
    per = multilabel_confusion_matrix(pred, target, per_image=True)
    assert per.shape == (3, 4, 2, 2)
    np.testing.assert_array_equal(per.sum(0), got)
    with pytest.raises(LabelError, match="0/1"):
        multilabel_confusion_matrix(pred.astype(int) * 2, target)
    with pytest.raises(ShapeError, match=r"\(N, C"):
        multilabel_confusion_matrix(np.zeros(5, bool), np.zeros(5, bool))


def test_decision_argmax_and_threshold_equal_labels_made_by_hand():
    rng = np.random.default_rng(9)
    scores = rng.random((3, 4, 7, 6))
    scores[0, :, 0, :3] = 0.5  # ties: the lowest class wins, as np.argmax
    target = rng.integers(0, 4, (3, 7, 6))
    target[1, :2] = 255
    for per_image in (False, True):
        np.testing.assert_array_equal(
            confusion_matrix(scores, target, decision="argmax", ignore_index=255,
                             per_image=per_image),
            confusion_matrix(scores.argmax(1), target, num_classes=4, ignore_index=255,
                             per_image=per_image))
    probs = rng.random((3, 7, 6))
    binary = (target == 1).astype(np.uint8)
    np.testing.assert_array_equal(
        confusion_matrix(probs, binary, decision="threshold", threshold=0.3),
        confusion_matrix(probs > 0.3, binary, num_classes=2))
    channels = rng.random((3, 2, 7, 6))
    truth = rng.random((3, 2, 7, 6)) > 0.5
    np.testing.assert_array_equal(
        multilabel_confusion_matrix(channels, truth, decision="threshold", threshold=0.7),
        multilabel_confusion_matrix(channels > 0.7, truth))
    images = [scores[0], scores[1][:, :3]]  # (C, H, W) scores of different sizes
    np.testing.assert_array_equal(
        confusion_matrix(images, [target[0], target[1][:3]], decision="argmax",
                         ignore_index=255),
        confusion_matrix([scores[0].argmax(0), scores[1][:, :3].argmax(0)],
                         [target[0], target[1][:3]], num_classes=4, ignore_index=255))


def test_decision_errors_name_the_fix():
    scores = np.zeros((2, 3, 4, 4))
    with pytest.raises(ShapeError, match=r"\(N, C, \*spatial\)"):
        confusion_matrix(scores, np.zeros((2, 3, 4, 4), int), decision="argmax")
    with pytest.raises(ShapeError, match="num_classes=4 but pred has 3 score channels"):
        confusion_matrix(scores, np.zeros((2, 4, 4), int), decision="argmax", num_classes=4)
    with pytest.raises(DTypeError, match="floating-point scores"):
        confusion_matrix(np.zeros((2, 3, 4), int), np.zeros((2, 4), int), decision="argmax")
    with pytest.raises(ParameterError, match="num_classes must be 2"):
        confusion_matrix(np.zeros((2, 4)), np.zeros((2, 4), int), decision="threshold",
                         num_classes=3)
    with pytest.raises(ParameterError, match="decision='max'"):
        confusion_matrix(scores, scores, decision="max")
    with pytest.raises(ParameterError, match="argmax"):
        multilabel_confusion_matrix(scores, scores, decision="argmax")
    with pytest.raises(ParameterError, match="num_classes is required"):
        confusion_matrix(np.zeros(3, int), np.zeros(3, int))


label_maps = st.integers(1, 6).flatmap(
    lambda c: st.tuples(
        st.just(c),
        arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)),
               elements=st.integers(0, c - 1)),
        st.integers(0, 2**31 - 1),
    )
)


@settings(max_examples=60, deadline=None)
@given(label_maps)
def test_property_counts_sum_to_non_ignored_pixels(case):
    c, target, seed = case
    rng = np.random.default_rng(seed)
    pred = rng.integers(0, c, target.shape).astype(np.uint8)
    ignore = int(rng.integers(0, c))
    got = confusion_matrix(pred, target, num_classes=c, ignore_index=ignore)
    assert got.sum() == int((target != ignore).sum())
    assert got[ignore].sum() == 0
    np.testing.assert_array_equal(got, _reference(pred, target, c, ignore))
    # swapping the maps transposes the matrix
    np.testing.assert_array_equal(confusion_matrix(target, pred, num_classes=c),
                                  confusion_matrix(pred, target, num_classes=c).T)


@settings(max_examples=60, deadline=None)
@given(label_maps, st.sampled_from([np.uint8, np.int8, np.uint16, np.int32, np.int64]))
def test_property_per_image_counts_add_up_to_the_whole(case, dtype):
    # rows of the (N, W) map are the images: the batch kernel must agree with the
    # one-array path image by image, for any dtype and any ignore value
    c, target, seed = case
    rng = np.random.default_rng(seed)
    pred = rng.integers(0, c, target.shape).astype(dtype)
    target = target.astype(dtype)
    ignore = int(rng.integers(-1, c + 1))
    per = confusion_matrix(pred, target, num_classes=c + 1, ignore_index=ignore,
                           per_image=True)
    whole = confusion_matrix(pred, target, num_classes=c + 1, ignore_index=ignore)
    np.testing.assert_array_equal(per.sum(axis=0), whole)
    for i in (0, target.shape[0] - 1):
        np.testing.assert_array_equal(per[i], _reference(pred[i], target[i], c + 1, ignore))


def test_lists_of_images_of_different_sizes():
    rng = np.random.default_rng(30)
    shapes = [(7, 9), (12, 5), (3, 3, 4)]  # 2-D images and a small volume
    preds = [rng.integers(0, 4, s).astype(np.uint8) for s in shapes]
    targets = [rng.integers(0, 4, s).astype(np.uint8) for s in shapes]
    targets[1][0] = 255
    per = confusion_matrix(preds, targets, num_classes=4, ignore_index=255, per_image=True)
    assert per.shape == (3, 4, 4)
    for i in range(3):
        np.testing.assert_array_equal(per[i], _reference(preds[i], targets[i], 4, 255))
    total = confusion_matrix(tuple(preds), tuple(targets), num_classes=4, ignore_index=255)
    np.testing.assert_array_equal(total, per.sum(axis=0))
    # equal sizes: a list of images is the same as the stacked batch
    same = [rng.integers(0, 3, (5, 6)) for _ in range(4)]
    np.testing.assert_array_equal(
        confusion_matrix(same, same[::-1], num_classes=3, per_image=True),
        confusion_matrix(np.stack(same), np.stack(same[::-1]), num_classes=3, per_image=True))


def test_lists_of_images_errors_name_the_image():
    a, b = np.zeros((4, 4), np.uint8), np.zeros((5, 4), np.uint8)
    with pytest.raises(ShapeError, match="2 images but target has 1"):
        confusion_matrix([a, a], [a], num_classes=2)
    with pytest.raises(ShapeError, match=r"image 1: .*same shape"):
        confusion_matrix([a, a], [a, b], num_classes=2)
    with pytest.raises(ShapeError, match="lists of arrays"):
        confusion_matrix([a, a], np.stack([a, a]), num_classes=2)
    bad = a.copy()
    bad[0, 0] = 7
    with pytest.raises(LabelError, match=r"\{7\}"):
        confusion_matrix([a, bad], [a, a], num_classes=2)


def test_multilabel_lists_of_images():
    rng = np.random.default_rng(31)
    preds = [rng.random((3, 5, 6)) < 0.5, rng.random((3, 8, 2)) < 0.5]
    targets = [rng.random((3, 5, 6)) < 0.5, rng.random((3, 8, 2)) < 0.5]
    per = multilabel_confusion_matrix(preds, targets, per_image=True)
    assert per.shape == (2, 3, 2, 2)
    for i in range(2):
        expected = sk_multilabel(targets[i].reshape(3, -1).T, preds[i].reshape(3, -1).T)
        np.testing.assert_array_equal(per[i], expected)
    with pytest.raises(ShapeError, match="same number of channels"):
        multilabel_confusion_matrix([preds[0], preds[1][:2]], [targets[0], targets[1][:2]])
