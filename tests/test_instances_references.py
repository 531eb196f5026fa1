"""Instance metrics against stardist, cellpose, pycocotools and MONAI (test-only references).

Each reference runs on the bundled nuclei mask against perturbed copies and on random
label maps, with the segscope options that reproduce its convention (docs/instances.md):

- stardist ``matching_dataset``: ``method="optimal", rule=">=", empty="zero"``, pooled
  (``aggregate="dataset"``) or ``by_image=True`` (``aggregate="image"``). stardist computes
  IoU in float32, so its IoU sums agree to float32 precision only, and a pair whose IoU
  equals the threshold exactly can fall below it there (0.65 is 0.6499999762 in float32).
- cellpose ``average_precision``: ``method="optimal", rule=">=", empty="nan"`` per image.
- pycocotools segm AP (and faster-coco-eval, its C++ port): ``metric "ap"`` with
  ``scores`` and ``max_detections``.
- MONAI ``compute_panoptic_quality``: ``rule=">"`` at thresholds >= 0.5.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from _instance_data import nuclei, perturbations, random_labels, relabel
from segscope.instances import evaluate_instances, instance_overlaps

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(pred, target) pairs: nuclei against each perturbation, and random maps."""
    target = nuclei()
    out = {name: (pred, target) for name, pred in perturbations(target).items()}
    for seed in range(3):
        t = random_labels((96, 96), 60, seed)
        p = random_labels((96, 96), 60, seed + 10)
        out[f"random{seed}"] = (p, t)
    return out


def _float32_ties(pred: np.ndarray, target: np.ndarray, thresholds) -> list[float]:
    """Thresholds at which some pair's IoU is exactly on the threshold but not in float32."""
    iou = instance_overlaps(pred, target, check_semantic=False).iou()
    return [t for t in thresholds if np.any((iou >= t) != (iou.astype(np.float32) >= t))]


def _stardist():
    return pytest.importorskip("stardist.matching")


@pytest.mark.parametrize("by_image", [False, True])
def test_stardist_matching_dataset(pairs, by_image):
    sd = _stardist()
    names = list(pairs)
    preds = [relabel(pairs[n][0]) for n in names]
    targets = [relabel(pairs[n][1], seed=9) for n in names]
    ties = set()
    for p, t in zip(preds, targets):
        ties.update(_float32_ties(p, t, THRESHOLDS))
    ts = tuple(t for t in THRESHOLDS if t not in ties)
    assert len(ts) >= 5
    ref = sd.matching_dataset(targets, preds, thresh=list(ts), by_image=by_image,
                              show_progress=False)
    ours = evaluate_instances(preds, targets, thresholds=ts, method="optimal", rule=">=",
                              empty="zero", aggregate="image" if by_image else "dataset",
                              check_semantic=False)
    for k, (t, r) in enumerate(zip(ts, ref)):
        assert int(ours.counts.tp[:, 0, k].sum()) == r.tp
        assert int(ours.counts.fp[:, 0, k].sum()) == r.fp
        assert int(ours.counts.fn[:, 0, k].sum()) == r.fn
        for mine, theirs in [("precision", "precision"), ("recall", "recall"),
                             ("f1", "f1"), ("dsb", "accuracy")]:
            assert ours.value(mine, t) == pytest.approx(getattr(r, theirs), abs=1e-12)
        for mine, theirs in [("sq", "mean_matched_score"), ("mean_true_iou", "mean_true_score"),
                             ("pq", "panoptic_quality")]:
            assert ours.value(mine, t) == pytest.approx(getattr(r, theirs), abs=2e-6)


def test_stardist_per_image(pairs):
    """Per image, each perturbation (including exact float32 ties, checked apart)."""
    sd = _stardist()
    for name, (p, t) in pairs.items():
        p, t = relabel(p), relabel(t, seed=9)
        ties = _float32_ties(p, t, THRESHOLDS)
        ref = sd.matching(t, p, thresh=list(THRESHOLDS))
        ours = evaluate_instances(p, t, thresholds=THRESHOLDS, empty="zero",
                                  check_semantic=False)
        for k, (th, r) in enumerate(zip(THRESHOLDS, ref)):
            tp = int(ours.counts.tp[0, 0, k])
            if th in ties:  # stardist's float32 IoU falls below the exact threshold
                assert tp > r.tp, name
                continue
            assert (tp, int(ours.counts.fp[0, 0, k]), int(ours.counts.fn[0, 0, k])) == (
                r.tp, r.fp, r.fn), (name, th)
            assert ours.value("pq", th) == pytest.approx(r.panoptic_quality, abs=2e-6)


def test_stardist_below_half(pairs):
    """Below 0.5 the optimal matching is a real assignment problem: the match counts agree."""
    sd = _stardist()
    ts = (0.1, 0.2, 0.3, 0.4)
    for name, (p, t) in pairs.items():
        p, t = relabel(p), relabel(t, seed=9)
        ref = sd.matching(t, p, thresh=list(ts))
        ours = evaluate_instances(p, t, thresholds=ts, check_semantic=False)
        assert ours.counts.tp[0, 0].tolist() == [r.tp for r in ref], name


def _cellpose_metrics():
    """cellpose.metrics without cellpose.utils (OpenCV; only boundary_scores needs it)."""
    pytest.importorskip("cellpose")
    if "cellpose.metrics" in sys.modules:
        return sys.modules["cellpose.metrics"]
    if "cellpose.utils" not in sys.modules:
        sys.modules["cellpose.utils"] = types.ModuleType("cellpose.utils")
    try:
        import cellpose.metrics as metrics
    except ImportError as err:  # pragma: no cover - depends on the environment
        pytest.skip(f"cellpose.metrics cannot be imported here: {err}")
    return metrics


def test_cellpose_average_precision(pairs):
    cp = _cellpose_metrics()
    names = list(pairs)
    preds = [relabel(pairs[n][0]) for n in names]
    targets = [relabel(pairs[n][1], seed=9) for n in names]
    # one image with no object on either side: cellpose gives NaN (0/0)
    preds.append(np.zeros((16, 16), np.int32))
    targets.append(np.zeros((16, 16), np.int32))
    ts = [0.5, 0.75, 0.9, 0.3]
    with np.errstate(invalid="ignore", divide="ignore"):
        ap, tp, fp, fn = cp.average_precision(targets, preds, threshold=ts)
    ours = evaluate_instances(preds, targets, thresholds=ts, empty="nan", aggregate="image",
                              check_semantic=False)
    np.testing.assert_array_equal(ours.counts.tp[:, 0], tp)
    np.testing.assert_array_equal(ours.counts.fp[:, 0], fp)
    np.testing.assert_array_equal(ours.counts.fn[:, 0], fn)
    np.testing.assert_allclose(ours.per_image["dsb"][:, 0], ap, rtol=0, atol=1e-7)
    assert np.isnan(ours.per_image["dsb"][-1]).all()
    assert ours.excluded("dsb", "image") == 1


def _coco(pred_maps, target_maps, score_maps, thresholds, max_dets, faster=False):
    mask = pytest.importorskip("pycocotools.mask")
    if faster:  # faster-coco-eval: pycocotools' API in C++
        fce = pytest.importorskip("faster_coco_eval")
        COCO, COCOeval = fce.COCO, fce.COCOeval_faster
    else:
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval

    images, gts, dts = [], [], []
    for i, (p, t, s) in enumerate(zip(pred_maps, target_maps, score_maps)):
        h, w = t.shape
        images.append({"id": i, "height": h, "width": w})
        for k in np.unique(t)[1:]:
            rle = mask.encode(np.asfortranarray((t == k).astype(np.uint8)))
            gts.append({"id": len(gts) + 1, "image_id": i, "category_id": 1, "iscrowd": 0,
                        "segmentation": rle, "area": float(mask.area(rle)),
                        "bbox": list(mask.toBbox(rle))})
        for k in np.unique(p)[1:]:
            rle = mask.encode(np.asfortranarray((p == k).astype(np.uint8)))
            dts.append({"image_id": i, "category_id": 1, "segmentation": rle,
                        "score": float(s[int(k)]), "area": float(mask.area(rle)),
                        "bbox": list(mask.toBbox(rle)), "id": len(dts) + 1, "iscrowd": 0})
    gt = COCO()
    gt.dataset = {"images": images, "annotations": gts, "categories": [{"id": 1}]}
    gt.createIndex()
    dt = COCO()
    dt.dataset = {"images": images, "annotations": dts, "categories": [{"id": 1}]}
    dt.createIndex()
    ev = COCOeval(gt, dt, "segm")
    ev.params.iouThrs = np.asarray(thresholds)
    ev.params.maxDets = [max_dets]
    ev.params.areaRng = [[0, 1e10]]
    ev.params.areaRngLbl = ["all"]
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        ev.evaluate()
        ev.accumulate()
    precision = ev.eval["precision"][:, :, 0, 0, 0]  # (thresholds, recall points)
    return precision.mean(axis=1)


@pytest.mark.parametrize("max_dets, faster", [(100, False), (10_000, False), (10_000, True)])
def test_pycocotools_mask_ap(pairs, max_dets, faster):
    names = list(pairs)
    rng = np.random.default_rng(0)
    preds = [pairs[n][0] for n in names]
    targets = [pairs[n][1] for n in names]
    # {id: score}; ties on purpose (rounded), to check the tie order too
    scores = [{int(k): float(np.round(rng.random(), 1)) for k in np.unique(p)[1:]}
              for p in preds]
    ref = _coco(preds, targets, scores, THRESHOLDS, max_dets, faster)
    ours = evaluate_instances(preds, targets, thresholds=THRESHOLDS, metrics="ap",
                              scores=scores, max_detections=max_dets, check_semantic=False)
    np.testing.assert_allclose(ours.dataset["ap"][0], ref, rtol=0, atol=1e-12)
    assert ours.value("ap") == pytest.approx(ref.mean(), abs=1e-12)


def test_monai_panoptic_quality(pairs):
    torch = pytest.importorskip("torch")
    mq = pytest.importorskip("monai.metrics.panoptic_quality")
    # MONAI builds a full-image mask per object: crops keep this test short
    for name in ("merged", "split", "dilated", "mixed", "random0"):
        p, t = (x[:160, :160] for x in pairs[name])
        for th in (0.5, 0.75):
            ref = mq.compute_panoptic_quality(
                torch.as_tensor(p.astype(np.int32)), torch.as_tensor(t.astype(np.int32)),
                match_iou_threshold=th, output_confusion_matrix=True).double()
            ours = evaluate_instances(p, t, thresholds=th, rule=">", check_semantic=False)
            c = ours.counts
            assert [int(c.tp[0, 0, 0]), int(c.fp[0, 0, 0]), int(c.fn[0, 0, 0])] == \
                ref[:3].long().tolist(), (name, th)
            assert float(c.iou_sum[0, 0, 0]) == pytest.approx(float(ref[3]), abs=1e-4)


def test_monai_below_half_is_max_iou(pairs):
    """Below 0.5 MONAI assigns by the largest total IoU, then applies the threshold."""
    torch = pytest.importorskip("torch")
    mq = pytest.importorskip("monai.metrics.panoptic_quality")
    for name in ("merged", "split", "random0", "random1"):
        p, t = (x[:128, :128] for x in pairs[name])
        for th in (0.2, 0.35):
            ref = mq.compute_panoptic_quality(
                torch.as_tensor(p.astype(np.int32)), torch.as_tensor(t.astype(np.int32)),
                match_iou_threshold=th, output_confusion_matrix=True).double()
            ours = evaluate_instances(p, t, thresholds=th, rule=">", method="max_iou",
                                      check_semantic=False).counts
            assert [int(ours.tp.sum()), int(ours.fp.sum()), int(ours.fn.sum())] == \
                ref[:3].long().tolist(), (name, th)
            assert float(ours.iou_sum.sum()) == pytest.approx(float(ref[3]), abs=1e-4)
