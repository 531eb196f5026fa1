"""Tables for docs/superpixels.md: how each method's parameters move K and quality.

Sweeps every method over its main parameters on two 512×512 images: the astronaut (RGB,
no ground truth: K, explained variation, compactness, runtime) and ISBI membrane section 0
(grey, with ground truth: boundary recall, undersegmentation error, ASA as well).

Run:  python -m benchmarks.superpixels_guide [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path

import numpy as np

from segscope.superpixels import regions_from_mask, sweep

from ._timing import publish

ROOT = Path(__file__).resolve().parents[1]

GRIDS = {
    "felzenszwalb": {"scale": [10, 100, 300, 1000]},
    "quickshift": {"kernel_size": [3, 5, 10], "max_dist": [10, 30]},
    "slic": {"n_segments": [100, 400], "compactness": [1, 10, 30]},
    "slic-zero": {"n_segments": [100, 400, 1600]},
    "watershed": {"n_segments": [100, 400, 1600], "compactness": [0, 0.001, 0.01]},
}
GREY_GRIDS = {
    "slic": {"n_segments": [100, 400], "compactness": [0.01, 0.1, 1]},
}
COLUMNS = ["num_segments", "size_cv", "explained_variation", "compactness", "boundary_recall",
           "boundary_precision", "undersegmentation_error", "achievable_segmentation_accuracy",
           "runtime_s"]
SHORT = {"num_segments": "K", "size_cv": "size CV", "explained_variation": "EV",
         "compactness": "CO", "boundary_recall": "BR", "boundary_precision": "BP",
         "undersegmentation_error": "UE",
         "achievable_segmentation_accuracy": "ASA", "runtime_s": "time (s)"}


def shared_data() -> Path:
    env = os.environ.get("SEGSCOPE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def table(title: str, image: np.ndarray, grids: dict, gt=None) -> str:
    out = [f"### {title}", ""]
    for method, grid in grids.items():
        res = sweep(image, method=method, grid=grid, gt=gt, ignore_index=0 if gt is not None
                    else None, channel_axis=-1 if image.ndim == 3 else None)
        params = list(grid) if "compactness" not in grid else [
            "compactness (param)" if p == "compactness" else p for p in grid]
        cols = [c for c in COLUMNS if c in res.columns]
        out.append(f"**{method}**")
        out.append("")
        out.append("| " + " | ".join(params + [SHORT[c] for c in cols]) + " |")
        out.append("|" + "---|" * len(params) + "---:|" * len(cols))
        for row in res.rows:
            vals = [str(row[p]) for p in params]
            for c in cols:
                v = row[c]
                vals.append(str(v) if c == "num_segments" else f"{v:.3f}")
            out.append("| " + " | ".join(vals) + " |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    from PIL import Image
    from skimage.data import astronaut

    parts = [
        "# Superpixel parameter sweeps",
        "",
        "Command: `python -m benchmarks.superpixels_guide`  ",
        f"Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC. "
        "EV = explained variation, CO = compactness, BR/BP = boundary recall/precision "
        "(2 px), UE = "
        "undersegmentation error, ASA = achievable segmentation accuracy; other parameters "
        "at their defaults.",
        "",
        table("astronaut, 512×512 RGB", astronaut(), GRIDS),
    ]
    membranes = shared_data() / "membranes"
    if (membranes / "images" / "0.png").exists():
        img = np.array(Image.open(membranes / "images" / "0.png"))
        gt = regions_from_mask(np.array(Image.open(membranes / "labels" / "0.png")),
                               ignore_value=0)
        grids = {**GRIDS, **GREY_GRIDS}
        parts.append(table("ISBI membranes section 0, 512×512 grey, with ground truth", img,
                           grids, gt))
    text = "\n".join(parts) + "\n"
    publish(text, args.out)


if __name__ == "__main__":
    main()
