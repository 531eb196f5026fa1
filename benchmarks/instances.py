"""Instance metrics: segscope vs stardist, cellpose, MONAI, torchmetrics, COCO evaluators, one run.

Workloads
---------
(a) one 1024×1024 image with 2,000 objects against a prediction with shifted, resized,
    dropped and spurious objects (and other ids), scored at the 10 IoU thresholds
    0.5:0.05:0.95 (MONAI and torchmetrics: their one threshold, 0.5);
(b) 100 such images (different objects in each), pooled;
(c) 1,500 images × 2,000 objects, segscope only (the peers' time is extrapolated from (b)),
    streamed one image at a time; target: at most 2 minutes on the 2-core machine;
(d) one 4096×4096 image with 10,000 objects: segscope's time and its peak memory beyond
    the two label maps (measured in a fresh process; target: at most 200 MB).

Every peer's counts (or AP) are checked against segscope's with the options that
reproduce its convention (docs/instances.md) before anything is timed. stardist and
cellpose build a dense (objects+1)² overlap matrix and solve a dense assignment per
threshold; MONAI builds a full-image mask per object; pycocotools run-length encodes each
object (timed apart) and matches in a Python loop (faster-coco-eval: the same in C++);
torchmetrics groups pixels with ``torch.unique`` and loops over pairs in Python.

Run:  python -m benchmarks.instances [--quick] [--out benchmarks/results/instances.md]
      from the repository root. ``--quick`` shrinks every workload
      (256×256 images with 200 objects, 10 and 150 images, 2,500 objects) to check the
      script in a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from segscope.instances import (
    DEFAULT_THRESHOLDS,
    InstanceCounts,
    count_image,
    evaluate_instances,
    instance_overlaps,
    score_counts,
)

from ._timing import machine_line, markdown_table, median_time, publish

THRESHOLDS = DEFAULT_THRESHOLDS
#: MONAI keeps a full-image int32 mask per object (2,000 objects at 1024²: 16 GB), so it
#: runs on a CROP×CROP corner and its time is scaled by objects × pixels.
CROP = 256


# -- synthetic data ------------------------------------------------------------------


def _paint(shape, cy, cx, radius, ids):
    out = np.zeros(shape, np.int32)
    for y, x, r, k in zip(cy, cx, radius, ids):
        y0, y1 = max(0, y - r), min(shape[0], y + r + 1)
        x0, x1 = max(0, x - r), min(shape[1], x + r + 1)
        yy, xx = np.ogrid[y0:y1, x0:x1]
        out[y0:y1, x0:x1][(yy - y) ** 2 + (xx - x) ** 2 <= r * r] = k
    return out


def make_pair(shape=(1024, 1024), objects=2000, seed=0):
    """(pred, target): disks on a grid with jitter; the prediction shifted, resized, 5 %
    dropped, 5 % spurious, ids shuffled to large non-consecutive values."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(objects)))
    step = (shape[0] / side, shape[1] / side)
    grid = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1)
    grid = grid.reshape(-1, 2)[:objects]
    r_max = max(2, int(0.45 * min(step)))
    cy = (grid[:, 0] * step[0] + step[0] / 2 + rng.integers(-2, 3, objects)).astype(int)
    cx = (grid[:, 1] * step[1] + step[1] / 2 + rng.integers(-2, 3, objects)).astype(int)
    r = rng.integers(max(2, r_max - 3), r_max + 1, objects)
    target = _paint(shape, cy, cx, r, np.arange(1, objects + 1))
    keep = rng.random(objects) > 0.05
    n_sp = objects // 20
    py = np.r_[cy[keep] + rng.integers(-1, 2, keep.sum()), rng.integers(0, shape[0], n_sp)]
    px = np.r_[cx[keep] + rng.integers(-1, 2, keep.sum()), rng.integers(0, shape[1], n_sp)]
    pr = np.r_[np.clip(r[keep] + rng.integers(-2, 2, keep.sum()), 1, None),
               rng.integers(2, r_max + 1, n_sp)]
    ids = rng.choice(2**31 - 1, size=py.size, replace=False) + 1
    pred = _paint(shape, py, px, pr, ids)
    return pred, target


def consecutive(labels):
    """Ids 1..n (what stardist and cellpose expect)."""
    ids, inv = np.unique(labels, return_inverse=True)
    start = 0 if ids[0] == 0 else 1
    return (inv.reshape(labels.shape) + start).astype(np.int32)


# -- peers ---------------------------------------------------------------------------


def peer_stardist():
    try:
        from stardist.matching import matching_dataset
    except ImportError:
        return None
    return lambda pairs: matching_dataset([t for _, t in pairs], [p for p, _ in pairs],
                                          thresh=list(THRESHOLDS), show_progress=False)


def peer_cellpose():
    import types

    try:
        import cellpose  # noqa: F401
    except ImportError:
        return None
    sys.modules.setdefault("cellpose.utils", types.ModuleType("cellpose.utils"))
    from cellpose.metrics import average_precision

    def run(pairs):
        with np.errstate(invalid="ignore", divide="ignore"):
            return average_precision([t for _, t in pairs], [p for p, _ in pairs],
                                     threshold=list(THRESHOLDS))
    return run


def peer_monai():
    try:
        import torch
        from monai.metrics.panoptic_quality import compute_panoptic_quality
    except ImportError:
        return None

    def run(pairs):
        return [compute_panoptic_quality(torch.as_tensor(p), torch.as_tensor(t),
                                         match_iou_threshold=0.5, output_confusion_matrix=True)
                for p, t in pairs]
    return run


def peer_torchmetrics():
    try:
        import torch
        from torchmetrics.detection import PanopticQuality
    except ImportError:
        return None

    def run(pairs):
        metric = PanopticQuality(things={1}, stuffs={0}, return_per_class=True)
        for p, t in pairs:
            metric.update(torch.as_tensor(np.stack([(p > 0).astype(np.int64), p], -1)[None]),
                          torch.as_tensor(np.stack([(t > 0).astype(np.int64), t], -1)[None]))
        return metric.compute()
    return run


def coco_encode(pairs, scores):
    try:
        from pycocotools import mask
    except ImportError:
        return None
    images, gts, dts = [], [], []
    for i, (p, t) in enumerate(pairs):
        images.append({"id": i, "height": t.shape[0], "width": t.shape[1]})
        for side, labels, out in (("gt", t, gts), ("dt", p, dts)):
            ids = np.unique(labels)[1:]
            rles = []
            for a in range(0, ids.size, 64):  # 64 full-image masks at a time
                chunk = np.stack([labels == k for k in ids[a:a + 64]], -1).astype(np.uint8)
                rles += mask.encode(np.asfortranarray(chunk))
            for k, rle in zip(ids, rles):
                a = {"id": len(out) + 1, "image_id": i, "category_id": 1, "iscrowd": 0,
                     "segmentation": rle, "area": float(mask.area(rle)),
                     "bbox": list(mask.toBbox(rle))}
                if side == "dt":
                    a["score"] = float(scores[i][k])
                out.append(a)
    return images, gts, dts


def coco_ap(encoded, max_dets, faster=False):
    """AP per threshold from pycocotools (or faster-coco-eval, the same API in C++)."""
    if faster:
        from faster_coco_eval import COCO
        from faster_coco_eval import COCOeval_faster as COCOeval
    else:
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval

    images, gts, dts = encoded
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {"images": images, "annotations": gts, "categories": [{"id": 1}]}
        gt.createIndex()
        dt = COCO()
        dt.dataset = {"images": images, "annotations": dts, "categories": [{"id": 1}]}
        dt.createIndex()
        ev = COCOeval(gt, dt, "segm")
        ev.params.iouThrs = np.asarray(THRESHOLDS)
        ev.params.maxDets = [max_dets]
        ev.params.areaRng = [[0, 1e10]]
        ev.params.areaRngLbl = ["all"]
        ev.evaluate()
        ev.accumulate()
    return ev.eval["precision"][:, :, 0, 0, 0].mean(axis=1)


# -- checks --------------------------------------------------------------------------


def check_peers(pairs, ours, scores, max_dets):
    """Each peer's counts equal segscope's in its convention; returns the names checked."""
    checked = []
    tp = ours.counts.tp.sum(axis=(0, 1))
    sd = peer_stardist()
    if sd is not None:
        ref = sd([(consecutive(p), consecutive(t)) for p, t in pairs])
        agree = [r.tp == tp[k] for k, r in enumerate(ref)]
        # stardist's float32 IoU may drop a pair whose IoU equals a threshold exactly
        assert sum(agree) >= len(agree) - 2, ("stardist", [r.tp for r in ref], tp)
        checked.append("stardist")
    cp = peer_cellpose()
    if cp is not None:
        _, ctp, _, _ = cp([(consecutive(p), consecutive(t)) for p, t in pairs])
        assert (ctp.sum(0) == tp).all(), ("cellpose", ctp.sum(0), tp)
        checked.append("cellpose")
    mo = peer_monai()
    if mo is not None:
        crop = [(x[:CROP, :CROP], y[:CROP, :CROP]) for x, y in pairs[:1]]
        ref = np.array([r[:3].tolist() for r in mo(crop)]).sum(0)
        mine = evaluate_instances(crop[0][0], crop[0][1], thresholds=0.5, rule=">",
                                  check_semantic=False).counts
        mine = [int(mine.tp.sum()), int(mine.fp.sum()), int(mine.fn.sum())]
        assert list(map(int, ref)) == mine, ("MONAI", ref, mine)
        checked.append("MONAI")
    tm = peer_torchmetrics()
    if tm is not None:
        ref = float(tm(pairs[:1]).flatten()[0])  # things first: class 1
        mine = evaluate_instances(pairs[0][0], pairs[0][1], thresholds=0.5, rule=">",
                                  check_semantic=False).value("pq")
        assert abs(ref - mine) < 1e-6, ("torchmetrics", ref, mine)
        checked.append("torchmetrics")
    enc = coco_encode(pairs, scores)
    if enc is not None:
        ref = coco_ap(enc, max_dets)
        assert np.allclose(ref, ours.dataset["ap"][0], atol=1e-12), ("pycocotools", ref)
        checked.append("pycocotools")
        if _has("faster_coco_eval"):
            ref = coco_ap(enc, max_dets, faster=True)
            assert np.allclose(ref, ours.dataset["ap"][0], atol=1e-12), ("faster-coco-eval", ref)
            checked.append("faster-coco-eval")
    return checked


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# -- the workloads ---------------------------------------------------------------------


def _fmt(seconds):
    if seconds is None:
        return "–"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(peer, ours):
    return "–" if peer is None else f"{peer / ours:.0f}×" if peer / ours >= 10 else \
        f"{peer / ours:.1f}×"


def _scores_for(pairs, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for p, _ in pairs:
        ids = np.unique(p)
        table = {int(k): float(v) for k, v in zip(ids, rng.random(ids.size))}
        out.append(table)
    return out


def time_peers(pairs, scores, max_dets, repeat):
    """Seconds per peer on ``pairs`` (one run for the slow ones)."""
    out = {}
    slow = {"stardist": peer_stardist(), "cellpose": peer_cellpose(), "MONAI": peer_monai(),
            "torchmetrics": peer_torchmetrics()}
    for name, fn in slow.items():
        if fn is None:
            out[name] = None
            continue
        args = ([(consecutive(p), consecutive(t)) for p, t in pairs]
                if name in ("stardist", "cellpose") else pairs)
        scale = 1.0
        if name == "MONAI" and pairs[0][1].shape[0] > CROP:
            crop = [(p[:CROP, :CROP], t[:CROP, :CROP]) for p, t in pairs]
            n_full = sum(len(np.unique(t)) for _, t in pairs)
            n_crop = sum(len(np.unique(t)) for _, t in crop)
            scale = (n_full / n_crop) * (pairs[0][1].size / crop[0][1].size)
            args = crop
        start = time.perf_counter()
        fn(args)
        first = time.perf_counter() - start
        if first < 2 and repeat > 1:
            first = median_time(lambda: fn(args), repeat=repeat, warmup=0)
        out[name] = first * scale
    start = time.perf_counter()
    enc = coco_encode(pairs, scores)
    out["pycocotools encode"] = None if enc is None else time.perf_counter() - start
    out["pycocotools evaluate"] = out["faster-coco-eval evaluate"] = None
    if enc is not None:
        start = time.perf_counter()
        coco_ap(enc, max_dets)
        out["pycocotools evaluate"] = time.perf_counter() - start
        if _has("faster_coco_eval"):
            start = time.perf_counter()
            coco_ap(enc, max_dets, faster=True)
            out["faster-coco-eval evaluate"] = time.perf_counter() - start
    return out


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory_child(path: str) -> None:
    """Run in a fresh process: peak memory of one evaluation beyond the loaded maps.

    A thread samples the resident set size every half millisecond while the evaluation
    runs (the compiled loops release the GIL); the figure is the largest sample minus the
    size just before the call.
    """
    import threading

    data = np.load(path)
    pred, target = data["pred"], data["target"]
    evaluate_instances(pred[:256, :256], target[:256, :256], check_semantic=False)  # warm
    sys.setswitchinterval(0.0005)
    before = _rss()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.0005)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    start = time.perf_counter()
    r = evaluate_instances(pred, target, check_semantic=False)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    peak[0] = max(peak[0], _rss())
    print(json.dumps({"seconds": seconds, "extra_mb": (peak[0] - before) / 2**20,
                      "objects": int(r.counts.num_target.sum()), "f1": r.value("f1")}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads (a minute)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-images", type=int, default=None,
                        help="images of (b) that stardist and cellpose run on, then scaled "
                        "(default: all)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.quick:
        shape, objects, n_images, n_big, big_shape, big_objects = (256, 256), 200, 10, 150, \
            (1024, 1024), 2500
    else:
        shape, objects, n_images, n_big, big_shape, big_objects = (1024, 1024), 2000, 100, \
            1500, (4096, 4096), 10_000
    max_dets = 10 * objects
    lines = []

    # (a) one image ----------------------------------------------------------------------
    one = [make_pair(shape, objects, seed=0)]
    tables = _scores_for(one)
    ours = evaluate_instances([p for p, _ in one], [t for _, t in one], scores=tables,
                              check_semantic=False)
    checked = check_peers(one, ours, tables, max_dets)
    t_ours = median_time(lambda: evaluate_instances([p for p, _ in one], [t for _, t in one],
                                                    scores=tables, check_semantic=False),
                         repeat=max(3, args.repeat))
    peers_a = time_peers(one, tables, max_dets, args.repeat)

    # (b) many images ----------------------------------------------------------------------
    many = [make_pair(shape, objects, seed=s) for s in range(n_images)]
    tables_b = _scores_for(many, seed=1)
    t_many = median_time(lambda: evaluate_instances([p for p, _ in many], [t for _, t in many],
                                                    scores=tables_b, check_semantic=False),
                         repeat=args.repeat, warmup=0)
    # stardist and cellpose run on the first --peer-images images, scaled to all of them
    fast_peers = {}
    if args.peer_images is None:
        args.peer_images = n_images
    some = many[:args.peer_images]
    for name, make in (("stardist", peer_stardist), ("cellpose", peer_cellpose)):
        fn = make()
        if fn is None:
            fast_peers[name] = None
            continue
        cons = [(consecutive(p), consecutive(t)) for p, t in some]
        start = time.perf_counter()
        fn(cons)
        fast_peers[name] = (time.perf_counter() - start) * len(many) / len(some)

    # (c) the large workload, streamed (10 distinct pairs cycled) ------------------------------
    base = many[:10]
    start = time.perf_counter()
    parts = []
    for i in range(n_big):
        p, t = base[i % len(base)]
        parts.append(count_image(instance_overlaps(p, t, check_semantic=False), THRESHOLDS))
    big = score_counts(InstanceCounts.concatenate(parts))
    t_big = time.perf_counter() - start
    assert big.num_images == n_big

    # (d) one crowded image, in a fresh process ----------------------------------------------
    crowded = make_pair(big_shape, big_objects, seed=99)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crowded.npz"
        np.savez(path, pred=crowded[0], target=crowded[1])
        cmd = [sys.executable, "-m", "benchmarks.instances", "--memory-child", str(path)]
        env = dict(os.environ)
        root = Path(__file__).resolve().parent.parent
        env["PYTHONPATH"] = os.pathsep.join([str(root / "src"), str(root),
                                             env.get("PYTHONPATH", "")])
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root, check=True)
        mem = json.loads(res.stdout.strip().splitlines()[-1])
    map_mb = (crowded[0].nbytes + crowded[1].nbytes) / 2**20

    # the table ------------------------------------------------------------------------------
    px = f"{shape[0]}×{shape[1]}"
    header = ["workload", "segscope", *[k for k in peers_a]]
    row_a = [f"(a) 1 image {px}, {objects} objects", _fmt(t_ours)]
    row_a += [f"{_fmt(v)} ({_ratio(v, t_ours)})" for v in peers_a.values()]
    row_b = [f"(b) {n_images} images", _fmt(t_many)]
    for name in peers_a:
        if name in fast_peers and fast_peers[name] is not None:
            mark = "*" if args.peer_images < n_images else ""
            row_b.append(f"{_fmt(fast_peers[name])}{mark} ({_ratio(fast_peers[name], t_many)})")
        elif peers_a[name] is not None:
            est = peers_a[name] * n_images
            row_b.append(f"≈{_fmt(est)}* ({_ratio(est, t_many)})")
        else:
            row_b.append("–")
    row_c = [f"(c) {n_big} images × {objects} objects", _fmt(t_big)]
    for name in peers_a:
        known = fast_peers.get(name)
        per_image = (known / n_images) if known is not None else peers_a[name]
        row_c.append("–" if per_image is None else f"≈{_fmt(per_image * n_big)}*")
    lines.append("## Instance metrics (object matching, PQ, AJI, mask AP)")
    lines.append("")
    lines.append(f"`python -m benchmarks.instances{' --quick' if args.quick else ''}"
                 f"{' --out ' + str(args.out) if args.out else ''}` — {machine_line()}")
    lines.append("")
    lines.append(markdown_table(header, [row_a, row_b, row_c]))
    lines.append("")
    lines.append(
        f"segscope: all 10 thresholds 0.5:0.05:0.95, every metric (P/R/F1/DSB/PQ/SQ/RQ/AJI "
        f"and mask AP from random scores) in one pass over the pixels; stardist "
        f"`matching_dataset` and cellpose `average_precision` at the same 10 thresholds; "
        f"MONAI `compute_panoptic_quality` and torchmetrics `PanopticQuality` at their one "
        f"threshold (0.5); pycocotools segm (maxDets={max_dets}) timed as RLE encoding plus "
        f"`evaluate`+`accumulate`, and faster-coco-eval's `COCOeval_faster` on the same "
        f"encoding. Ratios: peer time / segscope time. `*` extrapolated from "
        f"(a), or from {min(args.peer_images, n_images)} images of (b), per image; MONAI timed "
        f"on a {CROP}×{CROP} corner and scaled by objects × pixels. Checked to agree "
        f"before timing: {', '.join(checked)}. "
        f"(c) streams {n_big} images one at a time (counts per image, one score at the end): "
        f"{n_big / t_big:.0f} images/s.")
    lines.append("")
    lines.append(
        f"(d) one {big_shape[0]}×{big_shape[1]} image with {mem['objects']} objects: "
        f"{_fmt(mem['seconds'])}, peak memory {mem['extra_mb']:.1f} MB beyond the two label "
        f"maps ({map_mb:.0f} MB), measured in a fresh process (resident size sampled every "
        f"0.5 ms during the call, minus the size before it). stardist and cellpose would "
        f"allocate a dense {mem['objects'] + 1}² overlap matrix "
        f"({(mem['objects'] + 1) ** 2 * 8 / 2**20:.0f} MB) and its float IoU copy.")
    if args.quick:
        lines.append("")
        lines.append("Quick mode (small workloads): a check of the script, not the figures of "
                     "the workloads above; run without --quick for those.")
    publish("\n".join(lines) + "\n", args.out)


if __name__ == "__main__":
    main()
