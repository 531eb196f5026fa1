"""Per-object rows: statuses agree with the counts, best partners, boundary distances."""

from __future__ import annotations

import numpy as np
import pytest

from _instance_data import nuclei, perturbations
from segscope.boundary import assd
from segscope.errors import ParameterError
from segscope.instances import evaluate_instances, object_table


def test_statuses_agree_with_counts():
    target = nuclei()
    pred = perturbations(target)["mixed"]
    for threshold in (0.3, 0.5, 0.75):
        table = object_table(pred, target, threshold)
        r = evaluate_instances(pred, target, thresholds=threshold)
        assert len(table.missed()) == int(r.counts.fn.sum())
        assert len(table.spurious()) == int(r.counts.fp.sum())
        matched = [row for row in table.rows() if row["status"] == "matched"]
        assert len(matched) == 2 * int(r.counts.tp.sum())
        assert sum(row["iou"] for row in matched) == pytest.approx(2 * r.counts.iou_sum.sum())
        assert len(table) == int(r.counts.num_pred.sum() + r.counts.num_target.sum())


def test_partners_are_mutual_and_best_iou_bounds_iou():
    target = nuclei()
    pred = perturbations(target)["merged"]
    rows = object_table(pred, target).rows()
    by_side = {(r["side"], r["id"]): r for r in rows}
    for r in rows:
        if r["status"] == "matched":
            other = by_side[("pred" if r["side"] == "target" else "target", r["partner"])]
            assert other["partner"] == r["id"] and other["iou"] == r["iou"]
            assert r["best_iou"] >= r["iou"]
    # a merge: the absorbed object's best partner is the merged prediction, IoU < 0.5
    merged_misses = [r for r in rows if r["status"] == "missed" and r["best_iou"] > 0]
    assert merged_misses and all(r["best_iou"] < 0.5 for r in merged_misses)


def test_boundary_distance_is_assd_of_the_pair():
    target = nuclei()
    pred = perturbations(target)["dilated"]
    table = object_table(pred, target, boundary=True, spacing=(0.5, 0.25))
    rows = [r for r in table.rows() if r["side"] == "target" and r["status"] == "matched"]
    for r in rows[:5]:
        full = assd(pred == r["partner"], target == r["id"], spacing=(0.5, 0.25))
        assert r["boundary"] == pytest.approx(full, abs=1e-12)
    assert all(np.isnan(r["boundary"]) for r in table.rows() if r["status"] != "matched")


def test_lists_names_and_frames():
    target = nuclei()
    p = perturbations(target)
    table = object_table([p["dropped"], p["spurious"]], [target, target],
                         image_names=["a.tif", "b.tif"])
    assert {r["image"] for r in table.missed()} == {"a.tif"}
    assert {r["image"] for r in table.spurious()} == {"b.tif"}
    assert table.to_dict()["objects"][0]["iou"] is not None
    frame = table.to_frame()
    assert list(frame.columns)[:3] == ["image", "side", "id"] and len(frame) == len(table)
    with pytest.raises(ParameterError, match="without scores"):
        object_table(target, target, method="greedy_score")
