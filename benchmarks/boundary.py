"""Boundary metrics: segscope vs MONAI, MedPy and DeepMind's surface-distance, side by side.

Each library computes HD95 and the average surface distance the way a user would get
both (MONAI: ``compute_hausdorff_distance(percentile=95)`` +
``compute_average_surface_distance(symmetric=True)``; MedPy: ``hd95`` + ``assd``;
DeepMind: ``compute_surface_distances`` + ``compute_robust_hausdorff`` +
``compute_average_surface_distance``). segscope computes the same pair with the
option that reproduces each peer (``pooling``/``surface``), and the script checks that
the values agree (relative 1e-6).

Cases: (a) a ball of radius 40 in 128³ against a perturbed copy; (b) a ball of radius
15 in 256×256×160 (spacing 0.9×0.9×1.5); (c) 512×512 2-D nuclei masks (the bundled
demo mask, shifted, with some nuclei missed); (d) a 4-class volume (3 structures in
192×192×96).

Run:  python -m benchmarks.boundary [--quick] [--out FILE]
MedPy is run once per case (it is slow); the others report the median of
``--repeat`` runs after one warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from segscope.boundary import boundary_scores


def _ball(shape, center, radii):
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    r = sum(((g - c) / rad) ** 2 for g, c, rad in zip(grids, center, radii, strict=True))
    return r <= 1.0


def _perturb(mask, rng, shift):
    """A plausible prediction: shifted, with a rough surface."""
    from scipy import ndimage as ndi

    out = np.roll(mask, shift, axis=tuple(range(mask.ndim)))
    noise = ndi.gaussian_filter(rng.standard_normal(mask.shape), 2.0)
    grown = ndi.binary_dilation(out)
    shrunk = ndi.binary_erosion(out)
    return np.where(noise > 0.15, grown, np.where(noise < -0.15, shrunk, out))


def make_cases(rng):
    cases = {}
    t = _ball((128, 128, 128), (64, 64, 64), (40, 40, 40))
    cases["(a) ball r=40 in 128³"] = (t.astype(np.uint8), _perturb(t, rng, (2, -1, 1))
                                      .astype(np.uint8), (1.0, 1.0, 1.0), 2)
    t = _ball((256, 256, 160), (100, 140, 70), (15, 15, 15 / 1.5 * 0.9))
    cases["(b) ball r=15 in 256×256×160"] = (t.astype(np.uint8), _perturb(t, rng, (1, 1, 0))
                                             .astype(np.uint8), (0.9, 0.9, 1.5), 2)
    import tifffile

    inst = tifffile.imread(Path(__file__).resolve().parents[1] / "src/segscope/data/mask2d.tif")
    t = inst > 0
    kept = np.isin(inst, np.unique(inst)[::7], invert=True)   # miss every 7th nucleus
    p = _perturb(t & kept, rng, (2, -1))
    cases["(c) 2-D nuclei 512×512"] = (t.astype(np.uint8), p.astype(np.uint8), (1.0, 1.0), 2)
    shape = (192, 192, 96)
    t = np.zeros(shape, np.uint8)
    t[_ball(shape, (96, 96, 48), (70, 60, 40))] = 1
    t[_ball(shape, (80, 100, 50), (25, 20, 18))] = 2
    t[_ball(shape, (120, 70, 40), (10, 12, 8))] = 3
    p = np.zeros(shape, np.uint8)
    for c in (1, 2, 3):
        p[_perturb(t == c, rng, (1, -1, 1))] = c
    cases["(d) 4 classes 192×192×96"] = (t, p, (1.0, 0.8, 2.0), 4)
    return cases


def _timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


# --- the libraries, each returning {class: (hd95, average distance)} --------------------

def seg_voxels(pred, target, spacing, nc, pooling):
    def run():
        hd, asd = boundary_scores(pred, target, num_classes=nc, metrics=["hd95", "assd"],
                                  pooling=pooling, spacing=spacing)
        return {c: (hd.per_class[i], asd.per_class[i]) for i, c in enumerate(hd.classes)}
    return run


def seg_elements(pred, target, spacing, nc):
    def run():
        hd, asd = boundary_scores(pred, target, num_classes=nc, metrics=["hd95", "masd"],
                                  surface="elements", spacing=spacing)
        return {c: (hd.per_class[i], asd.per_class[i]) for i, c in enumerate(hd.classes)}
    return run


def monai_fn(pred, target, spacing, nc):
    import torch
    from monai.metrics import compute_average_surface_distance, compute_hausdorff_distance

    def onehot(x):
        return torch.from_numpy(np.stack([x == c for c in range(nc)])[None])

    yp, yt = onehot(pred), onehot(target)

    def run():
        hd = compute_hausdorff_distance(yp, yt, percentile=95, spacing=spacing)[0]
        asd = compute_average_surface_distance(yp, yt, symmetric=True, spacing=spacing)[0]
        return {c: (float(hd[c - 1]), float(asd[c - 1])) for c in range(1, nc)}
    return run


def medpy_fn(pred, target, spacing, nc):
    from medpy.metric import binary

    def run():
        out = {}
        for c in range(1, nc):
            p, t = pred == c, target == c
            out[c] = (binary.hd95(p, t, voxelspacing=spacing),
                      binary.assd(p, t, voxelspacing=spacing))
        return out
    return run


def deepmind_fn(pred, target, spacing, nc):
    import surface_distance as sd

    def run():
        out = {}
        for c in range(1, nc):
            d = sd.compute_surface_distances(target == c, pred == c, spacing)
            a, b = sd.compute_average_surface_distance(d)
            out[c] = (sd.compute_robust_hausdorff(d, 95), 0.5 * (a + b))
        return out
    return run


def _agree(a, b, rtol=1e-6):
    return all(np.allclose(a[c], b[c], rtol=rtol, atol=1e-9) for c in a)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip MedPy on the 3-D cases")
    ap.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    cases = make_cases(rng)
    try:
        import surface_distance  # noqa: F401
        have_dm = True
    except ImportError:
        have_dm = False

    lines = ["| case | peer (convention) | peer s | segscope s | speed-up | values agree |",
             "|---|---|---:|---:|---:|---|"]
    ok = True
    summary = ["| case | fastest peer | its s | segscope s (slowest convention) | speed-up |",
               "|---|---|---:|---:|---:|"]
    for name, (target, pred, spacing, nc) in cases.items():
        best_peer, ours_worst = (math.inf, ""), 0.0
        runs = [("MONAI (voxels, max)", monai_fn(pred, target, spacing, nc),
                 seg_voxels(pred, target, spacing, nc, "max"), args.repeat)]
        if not (args.quick and target.ndim == 3):
            runs.append(("MedPy (voxels, pooled), 1 run", medpy_fn(pred, target, spacing, nc),
                         seg_voxels(pred, target, spacing, nc, "pooled"), 1))
        if have_dm:
            runs.append(("DeepMind (elements)", deepmind_fn(pred, target, spacing, nc),
                         seg_elements(pred, target, spacing, nc), args.repeat))
        for peer_name, peer, ours, repeat in runs:
            ours()  # warm-up (loads compiled kernels)
            if repeat > 1:
                peer()
            t_peer, v_peer = _timed(peer, repeat)
            t_ours, v_ours = _timed(ours, max(repeat, 3))
            agree = _agree(v_ours, v_peer)
            ok &= agree
            best_peer = min(best_peer, (t_peer, peer_name.split(" ")[0]))
            ours_worst = max(ours_worst, t_ours)
            verdict = "yes" if agree else f"NO: {v_ours} vs {v_peer}"
            lines.append(f"| {name} | {peer_name} | {t_peer:.4f} | {t_ours:.4f} | "
                         f"{t_peer / t_ours:.1f}× | {verdict} |")
            print(lines[-1], flush=True)
        summary.append(f"| {name} | {best_peer[1]} | {best_peer[0]:.4f} | {ours_worst:.4f} | "
                       f"{best_peer[0] / ours_worst:.1f}× |")
    table = "\n".join(lines) + "\n\n" + "\n".join(summary)
    print()
    print(table)
    if args.out:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        cmd = "python -m benchmarks.boundary " + " ".join(
            a for a in (argv or sys.argv[1:]))
        args.out.write_text(
            f"# Boundary metrics (HD95 + average surface distance)\n\n"
            f"Command: `{cmd.strip()}`  \nDate: {stamp}  \nMachine: {platform.machine()}, "
            f"{platform.python_version()}, shared 2-core VM; medians of {args.repeat} runs "
            f"(MedPy: 1 run).\n\n{table}\n"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
