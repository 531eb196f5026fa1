"""Scoring folders of mask files: segscope.files.evaluate_paths vs the loops users write, one run.

Cases
-----
membranes
    The 30 real ISBI-2012 label PNGs (512×512, {0, 255}) as targets, and predictions
    made from them by a 2-pixel erosion of the cell interiors (saved as PNG), scored
    foreground/background (segscope ``binarize_labels=True``).
voc-like
    100 palette PNGs of 500×375 with 21 classes and a 255 "void" border, as in Pascal
    VOC (synthetic, blocky), predictions differing on about 10 % of the pixels;
    ``ignore_index=255``.

Every method reads the files and produces per-class IoU; the values are checked to
agree. The floor is reading the same files with Pillow and nothing else.

Run:  python -m benchmarks.evaluate_files [--quick]
      [--out benchmarks/results/evaluate_files.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from segscope.files import ScoreOptions, evaluate_paths

from ._timing import machine_line, markdown_table, median_time, publish

SHARED = Path(os.environ.get("SEGSCOPE_SHARED_DATA") or
              Path(__file__).resolve().parents[2] / "shared" / "data")


def make_membranes(root: Path) -> tuple[Path, Path, int, int | None, bool]:
    from scipy import ndimage as ndi

    labels = SHARED / "membranes" / "labels"
    pred_dir = root / "membranes_pred"
    pred_dir.mkdir()
    for path in sorted(labels.glob("*.png")):
        target = np.array(Image.open(path)) > 0
        pred = ndi.binary_erosion(target, iterations=2)
        Image.fromarray((pred * 255).astype(np.uint8)).save(pred_dir / path.name)
    return pred_dir, labels, 2, None, True


def make_voc_like(root: Path, n: int) -> tuple[Path, Path, int, int | None, bool]:
    rng = np.random.default_rng(0)
    pred_dir, gt_dir = root / "voc_pred", root / "voc_gt"
    pred_dir.mkdir()
    gt_dir.mkdir()
    palette = list(rng.integers(0, 256, 256 * 3).astype(int))
    for i in range(n):
        coarse = rng.integers(0, 21, (375 // 25 + 1, 500 // 25 + 1), dtype=np.uint8)
        target = coarse.repeat(25, 0).repeat(25, 1)[:375, :500].copy()
        target[:3] = 255
        target[:, :3] = 255
        pred = target.copy()
        flip = rng.random(pred.shape) < 0.1
        pred[flip] = rng.integers(0, 21, int(flip.sum()), dtype=np.uint8)
        pred[pred == 255] = 0
        for arr, folder in ((pred, pred_dir), (target, gt_dir)):
            im = Image.fromarray(arr, mode="P")
            im.putpalette(palette)
            im.save(folder / f"{i:05d}.png")
    return pred_dir, gt_dir, 21, 255, False


def read_pairs(pred_dir: Path, gt_dir: Path):
    for path in sorted(pred_dir.glob("*.png")):
        yield np.array(Image.open(path)), np.array(Image.open(gt_dir / path.name))


def prepare(p, t, binarize):
    """Flat label arrays (foreground/background when ``binarize``)."""
    p, t = p.ravel(), t.ravel()
    return ((p > 0).astype(np.uint8), (t > 0).astype(np.uint8)) if binarize else (p, t)


def iou_from_cm(cm):
    tp = np.diag(cm).astype(float)
    return tp / (cm.sum(0) + cm.sum(1) - tp)


def run_case(name, pred_dir, gt_dir, c, ignore, binarize, repeat):
    import torch
    from sklearn.metrics import confusion_matrix as sk_confusion
    from torchmetrics.classification import MulticlassJaccardIndex

    def floor():
        for _ in read_pairs(pred_dir, gt_dir):
            pass

    def seg():
        return evaluate_paths(pred_dir, gt_dir, num_classes=None if binarize else c,
                              options=ScoreOptions(metrics="iou,dice,accuracy"),
                              ignore_index=ignore, binarize_labels=binarize)["iou"].per_class

    def with_bincount():
        cm = np.zeros((c, c), np.int64)
        for p, t in read_pairs(pred_dir, gt_dir):
            p, t = prepare(p, t, binarize)
            keep = t != ignore if ignore is not None else slice(None)
            cm += np.bincount(t[keep].astype(np.int64) * c + p[keep],
                              minlength=c * c).reshape(c, c)
        return iou_from_cm(cm)

    def with_sklearn():
        cm = np.zeros((c, c), np.int64)
        for p, t in read_pairs(pred_dir, gt_dir):
            p, t = prepare(p, t, binarize)
            keep = t != ignore if ignore is not None else slice(None)
            cm += sk_confusion(t[keep], p[keep], labels=range(c))
        return iou_from_cm(cm)

    def with_torchmetrics():
        jac = MulticlassJaccardIndex(c, average="none", ignore_index=ignore)
        for p, t in read_pairs(pred_dir, gt_dir):
            p, t = prepare(p, t, binarize)
            jac.update(torch.from_numpy(p.astype(np.int64)), torch.from_numpy(t.astype(np.int64)))
        return jac.compute().numpy()

    def cli():
        args = [sys.executable, "-m", "segscope", "evaluate", str(pred_dir), str(gt_dir), "-q",
                *(["--binarize"] if binarize else ["-c", str(c)]),
                *(["--ignore-index", str(ignore)] if ignore is not None else [])]
        subprocess.run(args, check=True, capture_output=True)

    ref = np.asarray(seg())
    for other in (with_bincount(), with_sklearn(), with_torchmetrics()):
        assert np.allclose(ref, other, atol=1e-6), (name, ref, other)
    t_floor = median_time(floor, repeat=repeat)
    t_seg = median_time(seg, repeat=repeat)
    t_bc = median_time(with_bincount, repeat=repeat)
    t_sk = median_time(with_sklearn, repeat=max(1, repeat // 2))
    t_tm = median_time(with_torchmetrics, repeat=repeat)
    t_cli = median_time(cli, repeat=max(1, repeat // 2), warmup=1)
    n = len(list(pred_dir.glob("*.png")))
    return [name, n, f"{t_floor * 1e3:.0f}", f"{t_seg * 1e3:.0f}", f"{t_seg / t_floor:.2f}×",
            f"{t_bc / t_seg:.2f}×", f"{t_sk / t_seg:.2f}×", f"{t_tm / t_seg:.2f}×",
            f"{t_cli * 1e3:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer images and repeats")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import torch

    torch.set_num_threads(1)  # 2 threads on a shared 2-core machine oversubscribe badly
    repeat = 2 if args.quick else 5
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if (SHARED / "membranes" / "labels").is_dir():
            rows.append(run_case("membranes (real, binary)", *make_membranes(root), repeat))
            print(rows[-1], flush=True)
        else:
            print("shared data not found: membranes case skipped", file=sys.stderr)
        rows.append(run_case("voc-like (21 classes, void 255)",
                             *make_voc_like(root, 20 if args.quick else 100), repeat))
        print(rows[-1], flush=True)
    header = ["case", "pairs", "Pillow read floor ms", "segscope evaluate_paths ms",
              "segscope / floor", "Pillow+np.bincount / segscope",
              "Pillow+sklearn / segscope", "Pillow+torchmetrics / segscope",
              "`segscope evaluate` CLI ms (incl. start-up)"]
    text = (
        f"## Scoring folders of mask files\n\n`{' '.join(['python', *sys.argv])}` — "
        f"{machine_line()}; load average {os.getloadavg()[0]:.1f}\n\n"
        f"{markdown_table(header, rows)}\n\n"
        "Each method reads the PNG pairs and produces per-class IoU (checked equal in the "
        "same run); segscope also checks shapes and labels and computes Dice and accuracy. "
        "Ratios above 1 mean segscope is faster. The floor is decoding the same PNGs with "
        "Pillow and nothing else: file decoding dominates, so segscope / floor close to 1 "
        "means the counting and checks cost little. torch runs with 1 thread (with 2 on the "
        "shared 2-core machine it was up to 12× slower). Medians of repeated runs.\n"
    )
    publish(text, args.out)


if __name__ == "__main__":
    main()
