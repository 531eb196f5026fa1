"""Instance metrics: hand-computed cases, invariants, bad input, empty images, void."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _instance_data import nuclei, perturbations, random_labels, shuffled
from segscope.errors import DTypeError, LabelError, ParameterError, ShapeError
from segscope.instances import (
    InstanceCounts,
    count_instances,
    evaluate_instances,
    instance_overlaps,
    label_components,
    match_objects,
)
from segscope.instances import overlaps as overlaps_module


def _brute_overlaps(pred, target):
    """Pairs and sizes by np.unique over pixel pairs: an independent reference."""
    kind = np.uint64 if pred.dtype.kind == target.dtype.kind == "u" else np.int64
    p, t = pred.ravel().astype(kind), target.ravel().astype(kind)
    both = (p != 0) & (t != 0)
    pairs, inter = np.unique(np.stack([p[both], t[both]]), axis=1, return_counts=True)
    pid, psz = np.unique(p[p != 0], return_counts=True)
    tid, tsz = np.unique(t[t != 0], return_counts=True)
    return pid, psz, tid, tsz, pairs, inter


def _check_table(pred, target, **kwargs):
    ov = instance_overlaps(pred, target, check_semantic=False, **kwargs)
    pid, psz, tid, tsz, pairs, inter = _brute_overlaps(pred, target)
    np.testing.assert_array_equal(ov.pred_ids.astype(pid.dtype), pid)
    np.testing.assert_array_equal(ov.pred_sizes, psz)
    np.testing.assert_array_equal(ov.target_ids.astype(tid.dtype), tid)
    np.testing.assert_array_equal(ov.target_sizes, tsz)
    got = np.stack([ov.pred_ids[ov.pair_pred].astype(pairs.dtype),
                    ov.target_ids[ov.pair_target].astype(pairs.dtype)])
    np.testing.assert_array_equal(got, pairs)
    np.testing.assert_array_equal(ov.pair_intersection, inter)
    return ov


# -- the overlap table -------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_table_equals_brute_force_2d_and_3d(seed):
    t2 = random_labels((70, 90), 50, seed)
    p2 = random_labels((70, 90), 40, seed + 100)
    _check_table(p2, t2)
    t3 = random_labels((20, 24, 18), 30, seed)
    p3 = random_labels((20, 24, 18), 30, seed + 100)
    _check_table(p3, t3)


def test_table_on_nuclei_perturbations():
    target = nuclei()
    for pred in perturbations(target).values():
        _check_table(pred, target)


def test_large_and_wide_ids(monkeypatch):
    """uint64 ids beyond int64, ids wider than the look-up table: the same table."""
    t = random_labels((40, 50), 30, 1).astype(np.uint64)
    p = random_labels((40, 50), 30, 2).astype(np.uint64)
    ref = _check_table(p, t)
    big_t = np.where(t > 0, t * np.uint64(2**58) + np.uint64(3), 0).astype(np.uint64)
    big_p = np.where(p > 0, p * np.uint64(2**40) + np.uint64(2**63), 0).astype(np.uint64)
    big = _check_table(big_p, big_t)
    np.testing.assert_array_equal(big.pair_intersection, ref.pair_intersection)
    monkeypatch.setattr(overlaps_module, "LUT_MAX_ID", 0)  # force the binary-search path
    _check_table(p.astype(np.int32) * 1000, t.astype(np.int16))


def test_non_contiguous_and_small_dtypes():
    t = random_labels((60, 40), 30, 3)
    p = random_labels((60, 40), 30, 4)
    a = _check_table(p.T, t.T)
    assert a.shape == (40, 60)
    _check_table(p.astype(np.uint8), t.astype(np.uint16))
    _check_table(p[::2, ::3], t[::2, ::3])


def test_pair_buffer_grows():
    """Many more pairs than the kernel's first guess: the hash table grows, nothing lost."""
    rng = np.random.default_rng(0)
    t = rng.integers(1, 400, size=(200, 200))
    p = rng.integers(1, 400, size=(200, 200))
    ov = _check_table(p, t)
    assert ov.num_pairs > 10 * (ov.num_pred + ov.num_target)


def test_empty_and_background_only_maps():
    z = np.zeros((5, 5), np.uint8)
    ov = instance_overlaps(z, z)
    assert (ov.num_pred, ov.num_target, ov.num_pairs) == (0, 0, 0)
    ov = instance_overlaps(np.zeros((0, 3), np.int32), np.zeros((0, 3), np.int32))
    assert ov.num_pairs == 0


# -- hand-computed cases -------------------------------------------------------------


def _two_squares():
    target = np.zeros((4, 10), np.uint8)
    target[:, 0:4] = 1          # A: 16 px
    target[:, 6:10] = 2         # B: 16 px
    pred = np.zeros_like(target)
    pred[:, 0:4] = 5            # X = A
    pred[:, 6:8] = 7            # Y: half of B, IoU exactly 0.5
    return pred, target


def test_hand_case_rule_at_exact_half():
    pred, target = _two_squares()
    ge = evaluate_instances(pred, target, thresholds=0.5, rule=">=")
    assert ge.counts.tp[0, 0, 0] == 2 and ge.counts.fp[0, 0, 0] == 0
    assert ge.summary() == pytest.approx({
        "precision": 1.0, "recall": 1.0, "f1": 1.0, "dsb": 1.0, "pq": 0.75, "sq": 0.75,
        "rq": 1.0, "mean_true_iou": 0.75, "aji": 24 / 32})
    gt = evaluate_instances(pred, target, thresholds=0.5, rule=">")
    assert gt.summary() == pytest.approx({
        "precision": 0.5, "recall": 0.5, "f1": 0.5, "dsb": 1 / 3, "pq": 0.5, "sq": 1.0,
        "rq": 0.5, "mean_true_iou": 0.5, "aji": 24 / 32})


def test_hand_case_aji_reuses_a_merged_prediction():
    """Kumar's AJI: a prediction covering two objects serves both; unpaired ones add area."""
    target = np.zeros((4, 10), np.uint8)
    target[:, 0:4] = 1
    target[:, 4:8] = 2
    pred = np.zeros_like(target)
    pred[:, 0:8] = 9            # merges A and B: IoU 0.5 with each
    assert evaluate_instances(pred, target, metrics="aji").value("aji") == pytest.approx(0.5)
    pred[0, 8:10] = 3           # a spurious 2-pixel object, paired with nothing
    pred[1, 8:10] = 3
    r = evaluate_instances(pred, target, metrics="aji")
    assert r.value("aji") == pytest.approx(32 / 68)


def _contested():
    """P1 overlaps T1 (IoU 7/15) and T2 (5/17); P2 overlaps T1 only (0.3)."""
    target = np.zeros((1, 20), np.int32)
    target[0, 0:10] = 1
    target[0, 10:20] = 2
    pred = np.zeros_like(target)
    pred[0, 3:15] = 1
    pred[0, 0:3] = 2
    return pred, target


def test_optimal_beats_greedy_below_half():
    pred, target = _contested()
    ov = instance_overlaps(pred, target)
    np.testing.assert_allclose(ov.iou(), [7 / 15, 5 / 17, 0.3])
    assert match_objects(ov, 0.25, method="optimal").true_positives().tolist() == [2]
    assert match_objects(ov, 0.25, method="greedy_iou").true_positives().tolist() == [1]
    low = match_objects(ov, 0.25, method="greedy_score", scores=np.array([0.9, 0.1]))
    high = match_objects(ov, 0.25, method="greedy_score", scores=np.array([0.1, 0.9]))
    assert (low.true_positives()[0], high.true_positives()[0]) == (1, 2)
    # above the contested IoUs every method agrees
    for method, kw in [("optimal", {}), ("greedy_iou", {}),
                       ("greedy_score", {"scores": np.array([0.5, 0.5])})]:
        assert match_objects(ov, 0.4, method=method, **kw).true_positives().tolist() == [1]


def test_exact_half_tie_gives_one_match():
    """Two predictions, each exactly half of one object: IoU 0.5 twice, one match at most."""
    target = np.zeros((1, 8), np.int32)
    target[0, :] = 4
    pred = np.zeros_like(target)
    pred[0, :4] = 1
    pred[0, 4:] = 2
    ov = instance_overlaps(pred, target)
    m = match_objects(ov, 0.5)
    assert m.true_positives().tolist() == [1]  # a tie at exactly 0.5: one match only
    assert match_objects(ov, 0.5, rule=">").true_positives().tolist() == [0]


def test_partners_and_iou_sum():
    pred, target = _two_squares()
    m = match_objects(instance_overlaps(pred, target), (0.5, 0.9))
    p_partner, t_partner = m.partners(0)
    assert p_partner.tolist() == [0, 1] and t_partner.tolist() == [0, 1]
    assert m.partners(1)[0].tolist() == [0, -1]
    assert m.iou_sum().tolist() == [1.5, 1.0]


def test_mask_ap_hand_case():
    """Three detections ranked 0.9 (hit), 0.8 (miss), 0.7 (hit) against two objects."""
    target = np.zeros((2, 12), np.int32)
    target[:, 0:4] = 1
    target[:, 8:12] = 2
    pred = np.zeros_like(target)
    pred[:, 0:4] = 1
    pred[:, 5:7] = 2
    pred[:, 8:12] = 3
    r = evaluate_instances(pred, target, thresholds=0.5, metrics="ap",
                           scores={1: 0.9, 2: 0.8, 3: 0.7})
    # precision 1 up to recall 0.5, then 2/3 up to recall 1 (COCO's eps aside)
    expected = (51 * 1.0 + 50 * (2 / 3)) / 101
    assert r.value("ap") == pytest.approx(expected, abs=1e-12)
    r2 = evaluate_instances(pred, target, thresholds=0.5, metrics="ap",
                            scores={1: 0.9, 2: 0.8, 3: 0.7}, max_detections=2)
    assert r2.value("ap") == pytest.approx(51 / 101, abs=1e-12)


# -- invariants ----------------------------------------------------------------------


def test_perfect_prediction_scores_one():
    target = nuclei()
    scores = {int(k): 0.5 for k in np.unique(target)[1:]}
    r = evaluate_instances(target.copy(), target, scores=scores)
    for metric, value in r.summary().items():
        assert value == pytest.approx(1.0, abs=1e-12), metric
    assert r.counts.fp.sum() == r.counts.fn.sum() == 0


def test_relabelling_ids_changes_nothing():
    target = nuclei()
    pred = perturbations(target)["mixed"]
    a = evaluate_instances(pred, target)
    b = evaluate_instances(shuffled(pred, seed=11), shuffled(target, seed=12))
    for m in a.metrics:
        np.testing.assert_allclose(a.dataset[m], b.dataset[m], rtol=0, atol=1e-12)


def test_swapping_sides_swaps_precision_and_recall():
    target = nuclei()
    pred = perturbations(target)["mixed"]
    a = evaluate_instances(pred, target)
    b = evaluate_instances(target, pred)
    assert a.value("precision") == pytest.approx(b.value("recall"), abs=1e-12)
    for m in ("f1", "dsb", "pq", "sq", "rq"):
        assert a.value(m) == pytest.approx(b.value(m), abs=1e-12), m


def test_scores_in_bounds_and_pq_is_sq_times_rq():
    target = nuclei()
    for name, pred in perturbations(target).items():
        r = evaluate_instances(pred, target, check_semantic=False)
        for m, v in r.summary().items():
            assert 0.0 <= v <= 1.0, (name, m)
        matched = r.counts.tp.sum(0) > 0
        np.testing.assert_allclose(r.dataset["pq"][matched],
                                   (r.dataset["sq"] * r.dataset["rq"])[matched], atol=1e-12)
        assert (r.dataset["pq"][~matched] == 0).all()


def test_perturbations_lower_the_scores():
    target = nuclei()
    for name, pred in perturbations(target).items():
        r = evaluate_instances(pred, target, thresholds=0.5)
        f1 = r.value("f1")
        if name in ("identical", "shuffled"):
            assert f1 == 1.0
        elif name in ("merged", "split", "dropped", "spurious", "mixed"):
            assert f1 < 0.97, name


def test_counts_add_up_over_images():
    target = nuclei()
    preds = perturbations(target)
    names = list(preds)
    whole = count_instances([preds[n] for n in names], [target] * len(names))
    parts = [count_instances(preds[n], target) for n in names]
    summed = parts[0]
    for p in parts[1:]:
        summed = summed + p
    for field in ("tp", "fp", "fn", "iou_sum", "num_pred", "num_target", "aji_union"):
        np.testing.assert_array_equal(getattr(whole, field), getattr(summed, field))
    assert InstanceCounts.concatenate(parts).num_images == len(names)


def test_pooled_and_per_image_side_by_side():
    target = nuclei()
    p = perturbations(target)
    r = evaluate_instances([p["dropped"], p["spurious"]], [target, target], thresholds=0.5)
    c = r.counts
    tp, fp, fn = c.tp.sum(), c.fp.sum(), c.fn.sum()
    assert r.value("precision") == pytest.approx(tp / (tp + fp))
    assert r.value("recall") == pytest.approx(tp / (tp + fn))
    per = [c.tp[i, 0, 0] / (c.tp[i, 0, 0] + c.fp[i, 0, 0]) for i in range(2)]
    assert r.value("precision", aggregate="image") == pytest.approx(np.mean(per))
    d = r.to_dict()
    assert set(d["dataset"]) == set(d["image"]) == set(r.metrics)
    assert len(d["images"]) == 2 and len(d["thresholds_table"]) == 1


# -- images with no objects ------------------------------------------------------------


def test_image_with_no_objects_follows_the_empty_policy():
    z = np.zeros((8, 8), np.int32)
    for empty, expected in (("nan", np.nan), ("zero", 0.0), ("one", 1.0)):
        r = evaluate_instances(z, z, empty=empty)
        for m in r.metrics:
            v = r.value(m)
            assert (np.isnan(v) if np.isnan(expected) else v == expected), (empty, m)
    r = evaluate_instances(z, z)
    assert r.excluded("f1", "image") == 1


def test_empty_image_in_a_dataset_is_counted_not_hidden():
    target = nuclei()
    pred = perturbations(target)["dropped"]
    z = np.zeros((16, 16), np.uint16)
    alone = evaluate_instances(pred, target)
    both = evaluate_instances([pred, z], [target, z])
    assert both.value("f1") == pytest.approx(alone.value("f1"))          # pooled: no effect
    assert both.value("f1", aggregate="image") == pytest.approx(alone.value("f1"))
    assert both.excluded("f1", "image") == 1
    zero = evaluate_instances([pred, z], [target, z], empty="zero", aggregate="image")
    assert zero.value("f1") == pytest.approx(alone.value("f1") / 2)     # stardist by_image
    # a false positive on an empty image is never ignored
    fp = z.copy()
    fp[2:5, 2:5] = 1
    worse = evaluate_instances([pred, fp], [target, z], aggregate="image")
    assert worse.value("precision") < alone.value("precision")
    assert worse.excluded("precision", "image") == 0


# -- void ------------------------------------------------------------------------------


def test_void_pixels_are_not_scored():
    target = np.zeros((4, 12), np.int32)
    target[:, 0:4] = 1
    target[:, 8:12] = 99        # an unlabelled region
    pred = np.zeros_like(target)
    pred[:, 0:5] = 3            # A plus one column of background: IoU 16/20
    pred[:, 9:12] = 4           # lies on void: ignored, not a false positive
    r = evaluate_instances(pred, target, thresholds=0.5, void=99)
    assert r.counts.fp.sum() == 0 and r.counts.tp.sum() == 1
    assert r.value("sq") == pytest.approx(16 / 20)
    plain = evaluate_instances(pred, target, thresholds=0.5)
    assert plain.counts.tp.sum() == 2  # without void, 99 is an object that 4 matches


# -- bad input -------------------------------------------------------------------------


def test_bad_input_messages():
    t = np.zeros((4, 4), np.int32)
    t[:2, :2] = 1
    with pytest.raises(DTypeError, match="integers"):
        evaluate_instances(t.astype(float), t)
    with pytest.raises(LabelError, match="negative"):
        evaluate_instances(t - 1, t)
    with pytest.raises(ShapeError, match="same shape"):
        evaluate_instances(t[:3], t)
    with pytest.raises(DTypeError, match="label_components"):
        evaluate_instances(t > 0, t)
    with pytest.raises(ShapeError, match="both"):
        evaluate_instances([t], t)
    with pytest.raises(ShapeError, match="image 1"):
        evaluate_instances([t, t], [t, t[:3]])
    with pytest.raises(ParameterError, match="image_class"):
        evaluate_instances(t, t, aggregate="image_class")
    with pytest.raises(ParameterError, match="scores"):
        evaluate_instances(t, t, metrics="ap")
    with pytest.raises(ParameterError, match="no score for predicted object 1"):
        evaluate_instances(t, t, scores={2: 0.5})
    with pytest.raises(ParameterError, match="thresholds"):
        evaluate_instances(t, t, thresholds=1.5)
    with pytest.raises(ParameterError, match="method"):
        evaluate_instances(t, t, method="hungarian")
    with pytest.raises(ParameterError, match="greedy_score"):
        match_objects(instance_overlaps(t, t), 0.5, method="greedy_score")
    with pytest.raises(ParameterError, match="void"):
        evaluate_instances(t, t, void=0)


def test_semantic_mask_gets_a_hint():
    semantic = (nuclei() > 0).astype(np.uint8)          # every nucleus is "object 1"
    with pytest.raises(LabelError, match="semantic mask"):
        evaluate_instances(semantic, nuclei())
    with pytest.raises(LabelError, match="label_components"):
        evaluate_instances(nuclei(), semantic)
    r = evaluate_instances(label_components(semantic), nuclei(), thresholds=0.5)
    assert r.value("recall") > 0.7  # touching nuclei stay merged
    assert evaluate_instances(semantic, nuclei(), check_semantic=False).counts.tp.sum() >= 0


def test_cpu_tensors_are_read_in_place():
    torch = pytest.importorskip("torch")
    target = nuclei()
    pred = perturbations(target)["mixed"]
    a = evaluate_instances(pred, target)
    b = evaluate_instances(torch.as_tensor(pred.astype(np.int32)),
                           torch.as_tensor(target.astype(np.int32)))
    assert a.summary() == b.summary()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 30), cols=st.integers(1, 30),
       k=st.integers(1, 12), dtype=st.sampled_from(["uint8", "int16", "uint32", "int64",
                                                      "uint64"]))
def test_property_table_equals_brute_force(seed, rows, cols, k, dtype):
    """Any small maps, any integer dtype, ids with gaps: the table is the brute-force one."""
    rng = np.random.default_rng(seed)
    ids = np.array([0, *rng.choice(100, size=k, replace=False) + 1])
    pred = ids[rng.integers(0, ids.size, (rows, cols))].astype(dtype)
    target = ids[rng.integers(0, ids.size, (rows, cols))].astype(dtype)
    _check_table(pred, target)


def test_max_iou_maximises_iou_not_matches():
    target = np.zeros((1, 20), np.int32)
    target[0, 0:10] = 1
    target[0, 10:20] = 2
    pred = np.zeros_like(target)
    pred[0, 1:12] = 1           # IoU 9/12 with T1, 2/19 with T2
    pred[0, 0:1] = 2            # IoU 1/10 with T1
    ov = instance_overlaps(pred, target)
    np.testing.assert_allclose(ov.iou(), [9 / 12, 2 / 19, 1 / 10])
    assert match_objects(ov, 0.1, method="optimal").true_positives().tolist() == [2]
    m = match_objects(ov, 0.1, method="max_iou")
    assert m.true_positives().tolist() == [1] and m.iou_sum().tolist() == [0.75]
