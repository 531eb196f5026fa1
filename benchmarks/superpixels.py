"""Superpixel benchmark: segscope.superpixels.segment vs calling scikit-image directly.

For each 512×512 image and method: median runtime of the direct scikit-image call and of
segscope's `segment` (timed alternately in one process), segscope's overhead, a check that
both give the same labels (after renumbering), and segscope's quality measures (K,
explained variation, compactness; boundary recall, undersegmentation error and ASA on the
membrane image, which has ground truth).

Run:  python -m benchmarks.superpixels [--repeats 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import skimage
from skimage import segmentation as skseg
from skimage.color import rgb2gray
from skimage.filters import sobel

from segscope.superpixels import (
    achievable_segmentation_accuracy,
    boundary_recall,
    compactness,
    explained_variation,
    regions_from_mask,
    relabel_sequential,
    segment,
    undersegmentation_error,
)

from ._timing import publish

ROOT = Path(__file__).resolve().parents[1]
# CPU time of this process: the methods are single-threaded, and on a shared machine the
# wall clock mostly measures the other processes
CLOCK = time.process_time


def shared_data() -> Path:
    env = os.environ.get("SEGSCOPE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def load_images() -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """(name, image as given to both sides, ground truth or None)."""
    from PIL import Image
    from skimage.data import astronaut

    images: list[tuple[str, np.ndarray, np.ndarray | None]] = [
        ("astronaut (RGB uint8)", astronaut(), None)]
    import tifffile

    nuclei = tifffile.imread(ROOT / "src" / "segscope" / "data" / "image2d.tif").astype(float)
    nuclei = (nuclei - nuclei.min()) / (nuclei.max() - nuclei.min())
    images.append(("nuclei (grey, float [0, 1])", nuclei, None))
    membranes = shared_data() / "membranes"
    if (membranes / "images" / "0.png").exists():
        img = np.array(Image.open(membranes / "images" / "0.png"))
        gt = regions_from_mask(np.array(Image.open(membranes / "labels" / "0.png")),
                               ignore_value=0)
        images.append(("membranes (grey uint8, with GT)", img, gt))
    return images


def settings(colour: bool) -> dict[str, tuple[dict, object]]:
    """Method -> (segscope parameters, direct scikit-image call on the same input)."""
    slic_c = 10.0 if colour else 0.1
    axis = -1 if colour else None

    def grey(im):
        return rgb2gray(im) if colour else skimage.img_as_float(im)

    return {
        "felzenszwalb": ({"scale": 100},
                         lambda im: skseg.felzenszwalb(im, scale=100, sigma=0.8, min_size=20,
                                                       channel_axis=axis)),
        "quickshift": ({"kernel_size": 5, "max_dist": 10},
                       lambda im: skseg.quickshift(im, kernel_size=5, max_dist=10,
                                                   convert2lab=colour, rng=0, channel_axis=-1)),
        "slic": ({"n_segments": 200, "compactness": slic_c},
                 lambda im: skseg.slic(im, n_segments=200, compactness=slic_c,
                                       channel_axis=axis)),
        "slic-zero": ({"n_segments": 200, "compactness": slic_c},
                      lambda im: skseg.slic(im, n_segments=200, compactness=slic_c,
                                            slic_zero=True, channel_axis=axis)),
        "watershed": ({"n_segments": 200, "compactness": 0.001},
                      lambda im: skseg.watershed(sobel(grey(im)), markers=200,
                                                 compactness=0.001)),
    }


def _added_work(img: np.ndarray, span: float | None, axis: int | None, raw: np.ndarray
                ) -> float:
    """Median time of what segscope adds around the method: checks, scaling, renumbering."""
    from segscope.superpixels import as_float_image

    times = []
    for _ in range(15):
        t0 = CLOCK()
        as_float_image(img, data_range=span, channel_axis=axis)
        relabel_sequential(raw)
        times.append(CLOCK() - t0)
    return statistics.median(times)


def bench(repeats: int, methods: list[str]) -> str:
    rows = []
    overheads = []
    for name, img, gt in load_images():
        colour = img.ndim == 3
        span = 1.0 if img.dtype.kind == "f" else None
        img01 = img if img.dtype.kind == "f" else img / 255.0
        for method, (params, direct) in settings(colour).items():
            if method not in methods:
                continue
            reps = max(3, repeats // 2) if method == "quickshift" else repeats
            t_direct, t_ours, inner = [], [], []
            ref = ours = None
            direct(img)  # warm-up (imports, caches)
            for i in range(reps):  # alternate which side runs first
                for side in ((0, 1) if i % 2 == 0 else (1, 0)):
                    t0 = CLOCK()
                    if side == 0:
                        ref = direct(img)
                        t_direct.append(CLOCK() - t0)
                    else:
                        ours = segment(img, method=method, data_range=span,
                                       channel_axis=-1 if colour else None, **params)
                        t_ours.append(CLOCK() - t0)
                        inner.append(ours.runtime_s / ours.method_runtime_s - 1)
            added = _added_work(img, span, -1 if colour else None, ref)
            same = np.array_equal(relabel_sequential(ref)[0], ours.labels)
            md, mo = statistics.median(t_direct), statistics.median(t_ours)
            overheads.append(mo / md - 1)
            row = {
                "image": name, "method": method,
                "params": " ".join(f"{k}={v}" for k, v in params.items()),
                "skimage_s": md, "segscope_s": mo, "overhead": mo / md - 1,
                "added": added / md,
                "inner": statistics.median(inner),
                "same": same, "K": ours.num_segments,
                "EV": explained_variation(ours.labels, img01, channel_axis=-1 if colour else None),
                "CO": compactness(ours.labels),
            }
            if gt is not None:
                row["BR"] = boundary_recall(ours.labels, gt, ignore_index=0)
                row["UE"] = undersegmentation_error(ours.labels, gt, ignore_index=0)
                row["ASA"] = achievable_segmentation_accuracy(ours.labels, gt, ignore_index=0)
            rows.append(row)
            print(f"{name:32s} {method:12s} {md:7.3f}s {mo:7.3f}s {mo / md - 1:+6.1%} "
                  f"added={added / md:.2%} inner={statistics.median(inner):.2%} "
                  f"same={same} K={ours.num_segments}", file=sys.stderr)
    lines = [
        "| image | method | parameters | scikit-image (s) | segscope (s) | end-to-end ratio − 1 "
        "| overhead in the call | added work | same labels | K | explained variation | "
        "compactness | boundary recall | UE | ASA |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        gt_cols = [f"{r[k]:.3f}" if k in r else "–" for k in ("BR", "UE", "ASA")]
        lines.append(
            f"| {r['image']} | {r['method']} | {r['params']} | {r['skimage_s']:.3f} | "
            f"{r['segscope_s']:.3f} | {r['overhead']:+.1%} | {r['inner']:.2%} | "
            f"{r['added']:.2%} | "
            f"{'yes' if r['same'] else 'NO'} | "
            f"{r['K']} | {r['EV']:.3f} | {r['CO']:.3f} | " + " | ".join(gt_cols) + " |")
    lines.append("")
    lines.append(f"End-to-end ratio − 1, median over all rows: "
                 f"{statistics.median(overheads):+.1%} (range {min(overheads):+.1%} to "
                 f"{max(overheads):+.1%}: run-to-run noise on a shared machine). Overhead "
                 f"measured inside each call (segment's total time / time inside scikit-image "
                 f"− 1, median of the repeats): at most {max(r['inner'] for r in rows):.2%}. "
                 f"Added work (segscope's checks, scaling and renumbering, timed on their own): "
                 f"at most {max(r['added'] for r in rows):.2%} of the method's time. All labels "
                 f"identical to scikit-image: {'yes' if all(r['same'] for r in rows) else 'NO'}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--methods", default="felzenszwalb,quickshift,slic,slic-zero,watershed")
    parser.add_argument("--out", type=Path, default=None, help="Write the Markdown here.")
    args = parser.parse_args()
    table = bench(args.repeats, args.methods.split(","))
    header = (
        f"# Superpixels: segscope vs scikit-image\n\n"
        f"Command: `python -m benchmarks.superpixels --repeats {args.repeats}`  \n"
        f"Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"scikit-image {skimage.__version__}, NumPy {np.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (shared machine: ratios "
        f"matter, absolute times are noisy).  \n"
        f"Process CPU time (the methods are single-threaded; wall-clock time on this shared "
        f"2-core machine mostly measured the other jobs). "
        f"Medians of alternating runs in one process (which side runs first alternates). "
        f"End-to-end ratio − 1 = segscope / scikit-image − 1 from separate runs (noisy); "
        f"'overhead in the call' = Superpixels.runtime_s / method_runtime_s − 1 (wall clock, "
        f"both from the same call, so free of run-to-run noise; it counts the scaling to "
        f"[0, 1] that scikit-image otherwise does itself); 'added work' = the median time "
        f"of segscope's own steps around the method, timed separately, / scikit-image's time. "
        f"segscope's time includes input checks, scaling to [0, 1] (which scikit-image "
        f"does itself on the direct path) and renumbering labels to 0..K−1. Boundary recall "
        f"(tolerance round(0.0025 × diagonal) = 2 px), UE and ASA use the ISBI membrane "
        f"labels (cell interiors as regions, membrane pixels ignored).\n\n"
    )
    text = header + table + "\n"
    publish(text, args.out)


if __name__ == "__main__":
    main()
