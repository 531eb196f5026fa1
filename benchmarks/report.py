"""The HTML report at scale: `segscope report` on the results of 10k images and 150 classes.

The results are what ``segscope evaluate ... --json`` writes for N images and C classes:
five overlap metrics with per-class values and per-image rows, HD95 per image, the summed
confusion matrix, each image's own values, every input pair with its SHA-256, and bootstrap
intervals. The values are random (the report does not care); the gallery's worst images
are real mask files (512×512, C labels), written for the K worst images only, since the
report reads no other file. Measured:

- building the page from the JSON text (parse + page, what ``segscope report`` does) and
  the file's size; the issue asks for at most 30 s and 10 MB at 10k images and 150 classes;
- that a second build gives the same bytes;
- the bootstrap of the evaluation (1000 draws of N images, C×C counts per image), which
  ``evaluate --html`` runs once before the page is built.

Run:  python -m benchmarks.report [--quick] [--images N] [--classes C]
      [--out benchmarks/results/report.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from segscope.cli.report import evaluation_html
from segscope.results import Report, Score

from ._timing import machine_line, markdown_table, publish

METRICS = ("accuracy", "iou", "dice", "precision", "recall")


def results(root: Path, n: int, c: int, worst: int, seed: int = 0) -> dict:
    """The JSON ``dict`` of evaluate's results for ``n`` images and ``c`` classes."""
    rng = np.random.default_rng(seed)
    classes = tuple(range(c))
    support = tuple(int(v) for v in rng.integers(1_000, 1_000_000, c))
    names = [f"city_{i // 500:03d}/frame_{i:06d}" for i in range(n)]
    image_values = {m: rng.uniform(0.3, 1.0, n) for m in METRICS}
    worst_idx = np.argsort(image_values["iou"])[:worst]
    scores = []
    for m in METRICS:
        per_image = rng.uniform(0, 1, (n, c))
        per_image[rng.random((n, c)) < 0.3] = np.nan  # classes absent from an image
        scores.append(Score(m, float(rng.uniform(0.5, 0.9)), classes,
                            tuple(rng.uniform(0.2, 1.0, c).tolist()), support,
                            average="global" if m == "accuracy" else "macro",
                            per_image=tuple(map(tuple, per_image.tolist()))))
    hd = rng.gamma(2.0, 5.0, (n, c - 1))
    scores.append(Score("hd95", float(np.nanmean(hd)), classes[1:],
                        tuple(hd.mean(0).tolist()), support[1:], aggregate="image",
                        per_image=tuple(map(tuple, hd.tolist())),
                        extra={"percentile": 95.0, "units": "px"}))
    masks = root / "masks"
    (masks / "pred").mkdir(parents=True)
    (masks / "gt").mkdir()
    inputs = []
    for i, name in enumerate(names):
        pred, target = masks / "pred" / f"{i}.png", masks / "gt" / f"{i}.png"
        item = {"name": name, "pred": str(pred), "target": str(target)}
        if i in worst_idx:
            t = (np.arange(512)[:, None] // 16 + np.arange(512)[None] // 16 + i) % c
            p = np.where(rng.random((512, 512)) < 0.2, (t + 1) % c, t)
            Image.fromarray(t.astype(np.uint8)).save(target)
            Image.fromarray(p.astype(np.uint8)).save(pred)
            item["pred_sha256"] = hashlib.sha256(pred.read_bytes()).hexdigest()
            item["target_sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
        else:  # never read by the report: listed with their digests as evaluate lists them
            item["pred_sha256"] = hashlib.sha256(f"p{i}".encode()).hexdigest()
            item["target_sha256"] = hashlib.sha256(f"t{i}".encode()).hexdigest()
        inputs.append(item)
    boot = {m: {"pooled": [v - 0.01, v + 0.01], "per_image": [v - 0.02, v + 0.02],
                "value": {"pooled": v, "per_image": v}, "excluded_images": 0}
            for m, v in ((s.metric, s.value) for s in scores[:5])}
    meta = {
        "num_classes": c, "task": "multiclass", "pred": str(masks / "pred"),
        "target": str(masks / "gt"), "num_pairs": n, "ignore_index": None,
        "binarize": False, "match": "path", "unpaired_pred": [], "unpaired_target": [],
        "confusion": rng.integers(0, 10_000, (c, c)).tolist(),
        "image_values": {m: v.tolist() for m, v in image_values.items()},
        "inputs": inputs,
        "options": {"metrics": list(METRICS), "average": "macro", "aggregate": "dataset",
                    "empty": None, "labels": None, "include_background": True,
                    "num_classes": c, "colormap": None},
        "bootstrap": {"resamples": 1000, "seed": 0, "confidence": 0.95, "metrics": boot},
        "class_names": [f"class {k}" for k in range(c)],
        "segscope_version": "bench", "command": "segscope evaluate preds/ gt/ --html r.html",
        "created": "2026-01-01T00:00:00Z",
    }
    return Report(tuple(scores), n, tuple(names), meta).to_dict()


def time_bootstrap(n: int, c: int) -> float:
    from segscope.bootstrap import bootstrap_intervals

    counts = np.random.default_rng(1).integers(0, 2_000, (n, c, c), dtype=np.int32)
    start = time.perf_counter()
    bootstrap_intervals(counts, resamples=1000)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 images, 30 classes")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    parser.add_argument("--images", type=int, help="number of images (default 10000)")
    parser.add_argument("--classes", type=int, help="number of classes (default 150)")
    args = parser.parse_args()
    n, c, worst = (500, 30, 12) if args.quick else (10_000, 150, 12)
    n, c = args.images or n, args.classes or c
    with tempfile.TemporaryDirectory() as tmp:
        text = json.dumps(results(Path(tmp), n, c, worst), indent=2)
        start = time.perf_counter()
        page = evaluation_html(json.loads(text), worst=worst)
        build = time.perf_counter() - start
        again = evaluation_html(json.loads(text), worst=worst)
    same = again == page
    boot = time_bootstrap(n, c)
    rows = [[f"{n} images × {c} classes", f"{len(text) / 1e6:.1f}", f"{build:.1f}",
             f"{len(page) / 1e6:.2f}", "yes" if same else "**no**", f"{boot:.1f}"]]
    command = "python -m benchmarks.report" + (" --quick" if args.quick else "") + (
        f" --images {args.images}" if args.images else "") + (
        f" --classes {args.classes}" if args.classes else "")
    text_out = "\n".join([
        "## HTML report at scale",
        "",
        f"`{command}` — {machine_line()}",
        "",
        markdown_table(["case", "results JSON MB", "page build s (parse + page)",
                        "page MB", "same bytes twice", "bootstrap s (1000 draws)"], rows),
        "",
        "The page is built from the results JSON as `segscope report` builds it: every "
        "figure once, thumbnails for the gallery's 12 worst images only (read from real "
        "512×512 mask files), the per-image and input tables in full. Limits asked for at "
        "10k images and 150 classes: 30 s and 10 MB. The bootstrap runs once in "
        "`evaluate --html/--json` (the draws sum 3C margins per image, not C×C counts).",
        "",
    ])
    publish(text_out, args.out)
    if not same:
        raise SystemExit("two builds of the same results differ")


if __name__ == "__main__":
    main()
