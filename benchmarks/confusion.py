"""Confusion counts: segscope vs np.bincount, scikit-learn and torchmetrics, one run.

Cases: about 100 M uint8 pixels as one array, and a loop over 400 images of 500×500,
for C in {2, 21, 150}. The read floor is ``np.count_nonzero`` over both arrays (the
cost of reading the same bytes once). Label maps are spatially coherent (blocks of one
class with 10 % of the prediction changed), as real segmentations are.

Run:  python -m benchmarks.confusion [--quick] [--out benchmarks/results/confusion.md]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

import segscope

from ._timing import machine_line, markdown_table, median_time, publish


def label_maps(num_images: int, side: int, num_classes: int, seed: int = 0):
    """Blocky target maps and predictions that differ on about 10 % of the pixels."""
    rng = np.random.default_rng(seed)
    block = 20
    coarse = rng.integers(0, num_classes, (num_images, side // block + 1, side // block + 1),
                          dtype=np.uint8)
    target = coarse.repeat(block, 1).repeat(block, 2)[:, :side, :side].copy()
    pred = target.copy()
    flip = rng.random(pred.shape) < 0.1
    pred[flip] = rng.integers(0, num_classes, int(flip.sum()), dtype=np.uint8)
    return pred, target


def bincount(pred, target, c):
    return np.bincount(target.astype(np.int64) * c + pred, minlength=c * c).reshape(c, c)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller, for a smoke run")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import torch
    from sklearn.metrics import confusion_matrix as sk_confusion
    from torchmetrics.classification import MulticlassJaccardIndex
    from torchmetrics.segmentation import MeanIoU

    torch.set_num_threads(2)
    n_images = 40 if args.quick else 400
    rows = []
    for c in (2, 21, 150):
        pred, target = label_maps(n_images, 500, c, seed=c)
        flat_p, flat_t = pred.reshape(-1), target.reshape(-1)
        npix = flat_p.size
        ref = bincount(flat_p, flat_t, c)
        assert (segscope.confusion_matrix(pred, target, num_classes=c) == ref).all()
        floor = median_time(lambda: (np.count_nonzero(flat_p), np.count_nonzero(flat_t)))
        seg = median_time(lambda: segscope.confusion_matrix(flat_p, flat_t, num_classes=c))
        seg_loop = median_time(lambda: [segscope.confusion_matrix(p, t, num_classes=c)
                                        for p, t in zip(pred, target)], repeat=3)
        per_image = segscope.confusion_matrix(pred, target, num_classes=c, per_image=True)
        assert (per_image[-1] == bincount(pred[-1].ravel(), target[-1].ravel(), c)).all()
        seg_batch = median_time(lambda: segscope.confusion_matrix(
            pred, target, num_classes=c, per_image=True), repeat=3)
        bc = median_time(lambda: bincount(flat_p, flat_t, c), repeat=3)
        bc_loop = median_time(lambda: [bincount(p.ravel(), t.ravel(), c)
                                       for p, t in zip(pred, target)], repeat=3)
        # scikit-learn is slow: time a tenth of the pixels once and scale up
        sub = npix // 10
        sk = median_time(lambda: sk_confusion(flat_t[:sub], flat_p[:sub], labels=range(c)),
                         repeat=1, warmup=0) * 10
        tp, tt = torch.from_numpy(pred), torch.from_numpy(target)
        jac = MulticlassJaccardIndex(c, average="macro")
        tm = median_time(lambda: jac(tp, tt), repeat=3)
        assert abs(float(jac(tp, tt)) - segscope.evaluate(
            pred, target, num_classes=c, metrics="iou")["iou"].value) < 1e-5
        # segmentation.MeanIoU one-hot encodes: time 10 % of the images, batches of 8, scale
        miou = MeanIoU(num_classes=c, input_format="index")
        k = max(8, n_images // 10)
        tm_seg = median_time(lambda: [miou.update(tp[i:i + 8].long(), tt[i:i + 8].long())
                                      for i in range(0, k, 8)], repeat=1) * (n_images / k)
        rows.append([
            c, f"{npix / 1e6:.0f} M", f"{floor * 1e3:.1f}", f"{seg * 1e3:.1f}",
            f"{seg / floor:.1f}×", f"{seg_loop * 1e3:.1f}", f"{bc * 1e3:.0f}",
            f"{bc / seg:.1f}×", f"{bc_loop / seg_loop:.1f}×", f"{bc_loop / seg_batch:.1f}×",
            f"{sk / seg:.0f}×",
            f"{tm / seg:.1f}×", f"{tm_seg / seg_loop:.0f}×",
        ])
        print(rows[-1], flush=True)
    header = ["C", "pixels", "read floor ms", "segscope ms (one array)", "segscope / floor",
              f"segscope ms ({n_images}-image loop)", "np.bincount ms", "bincount / segscope",
              "bincount loop / segscope loop", "bincount loop / segscope per_image=True",
              "sklearn / segscope*",
              "tm MulticlassJaccardIndex / segscope", "tm segmentation.MeanIoU / segscope loop*"]
    table = markdown_table(header, rows)
    text = (
        f"## Confusion counts\n\n`{' '.join(['python', *sys.argv])}` — {machine_line()}\n\n"
        f"{table}\n\nRatios above 1 mean segscope is faster. Medians of 3–5 runs. The loop "
        "calls each library once per 500×500 image; `per_image=True` passes the whole "
        "stack in one call and gets the same per-image counts. At C = 150 every call returns "
        "a new 180 kB int64 matrix, and mapping that memory costs about as much as counting "
        "the image (np.bincount pays the same). "
        "`*` scikit-learn timed on a tenth of the pixels and scaled ×10; torchmetrics "
        "segmentation.MeanIoU (which one-hot encodes) timed on a tenth of the images in "
        "batches of 8 and scaled. Every value checked against np.bincount / MulticlassJaccardIndex "
        "in the same run.\n"
    )
    publish(text, args.out)


if __name__ == "__main__":
    main()
