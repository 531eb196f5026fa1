"""Benchmark: the near-duplicate audit vs imagededup and imagehash, accuracy, speed and scale.

Run from the repository root (either form):

    python -m benchmarks.dedup [--quick] [--scale N] [--index-scale M]
        [--distractors D] [--scale-dir DIR [--prepare-scale]] [--out benchmarks/results/dedup.md]
    .venv/bin/python -m benchmarks.dedup --quick

1. **Planted duplicates** (``_dedup_data``): real photos (scikit-image's bundled ones cut in
   256² tiles, the 30 EM sections of ``../shared/data/membranes``, the nuclei image, the two
   views of the stereo motorcycle); each transform at each strength applied to every base.
   Per transform and strength, one run over the bases and their copies: recall = copies
   paired with their original, precision = those among every pair reported (pairs between
   bases are hard negatives: adjacent tiles, consecutive sections, the stereo views).
   segscope at its defaults; imagededup's PHash/DHash/WHash and imagehash's
   phash/dhash/whash at imagededup's default ``max_distance_threshold=10`` (all pairs
   compared, as their brute-force search does). A precision–recall curve over each
   method's threshold.
2. **Distractors**: D procedural images (detail at every scale) plus the bases, all pairs:
   false pairs per million pairs at the defaults.
3. **Speed**: decode + descriptors on one thread, images per CPU-second of the process
   (every thread counted, so the figure is one core's; the CPU share of any helper thread
   is shown) for 256² JPEGs and 12-megapixel JPEG photos, medians of 7 runs; Pillow's
   reduced-size decode alone (the floor, alternated run by run with segscope) and
   imagededup's and imagehash's hashing of the same files. Only this section:
   ``python -m benchmarks.dedup --skip planted,distractors,scale,index``.
4. **Scale**: N generated 256² JPEGs (1 % planted copies) through ``segscope dedup`` end to
   end in a subprocess: wall time, peak memory (max RSS), recall of the planted copies.
   The set (``_dedup_data.scale_distractor``, written by one process per core) takes about
   1.5 ms of CPU per image to make; with ``--scale-dir DIR`` it is kept in ``DIR`` and reused
   while its manifest matches, and ``--prepare-scale`` only makes it, so that a timed run
   times the audit alone::

       python -m benchmarks.dedup --scale-dir /tmp/segscope-dedup-scale --prepare-scale
       python -m benchmarks.dedup --scale-dir /tmp/segscope-dedup-scale --out ...
5. **Index**: exact Hamming search over M codes (real hashes spread by random bit flips):
   build time, full-frame self-search, window queries, memory.

``--quick`` shrinks every section (a third of the bases, the weakest and strongest strength
of each transform; a few minutes on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

from ._dedup_data import TRANSFORMS, base_images, distractor, write_scale_block
from ._timing import machine_line, markdown_table, publish

PEER_RADIUS = 10  # imagededup's default max_distance_threshold


# ------------------------------------------------------------------ peers
def _imagededup_hashing():
    """imagededup.methods.hashing without the package __init__s (they import torchvision)."""
    spec = importlib.util.find_spec("imagededup")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = spec.submodule_search_locations[0]
    for sub in ("methods", "utils"):
        name = f"imagededup.{sub}"
        if name not in sys.modules:
            pkg = types.ModuleType(name)
            pkg.__path__ = [os.path.join(root, sub)]
            sys.modules[name] = pkg
    return importlib.import_module("imagededup.methods.hashing")


def peer_hashers() -> dict[str, object]:
    """name -> function(uint8 image array) -> uint64 code."""
    from PIL import Image

    out: dict[str, object] = {}
    hashing = _imagededup_hashing()
    if hashing is not None:
        for cls in ("PHash", "DHash", "WHash"):
            method = getattr(hashing, cls)(verbose=False)
            out[f"imagededup {cls}"] = (
                lambda a, m=method: np.uint64(int(m.encode_image(image_array=_rgb(a)), 16)))
    try:
        import imagehash
    except ImportError:  # pragma: no cover - optional peer
        imagehash = None
    if imagehash is not None:
        for fn in ("phash", "dhash", "whash"):
            f = getattr(imagehash, fn)
            out[f"imagehash {fn}"] = (
                lambda a, f=f: np.uint64(int(str(f(Image.fromarray(a))), 16)))
    return out


def _rgb(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 3 else np.repeat(a[..., None], 3, axis=-1)


def _hamming_matrix(codes: np.ndarray) -> np.ndarray:
    x = np.bitwise_xor(codes[:, None], codes[None, :])
    return np.bitwise_count(x).astype(np.int16)


# ------------------------------------------------------------------ segscope
def _thumbs(images: list[np.ndarray]) -> np.ndarray:
    from segscope.io.thumbnails import thumbnail_of

    return np.stack([thumbnail_of(a, channel_axis=-1 if a.ndim == 3 else None).pixels
                     for a in images])


def _score(scores, rules) -> float:
    """One number per verified pair: >= 1 exactly when the default rule accepts it."""
    return max(min(scores.ssim / rules.min_ssim,
                   max(scores.ncc / rules.min_ncc, scores.match / rules.min_match)),
               min(scores.ncc_low / rules.min_ncc_low, scores.ssim_low / rules.min_ssim_low))


def segscope_scored(thumbs: np.ndarray, *, flips: bool = False,
                    rotations: bool = False) -> dict[tuple[int, int], float]:
    """Candidate pairs of the default pipeline with their score (see :func:`_score`)."""
    from segscope.audit import THUMBNAIL_SIDE, Thresholds, verify_pair
    from segscope.audit.candidates import candidate_pairs
    from segscope.audit.descriptors import window_boxes

    rules = Thresholds()
    found = candidate_pairs(thumbs, flips=flips, rotations=rotations)
    boxes = window_boxes(THUMBNAIL_SIDE)
    out = {}
    for i, j, via, owner in zip(found.lo, found.hi, found.via, found.owner, strict=True):
        hint = (0 if owner == i else 1, boxes[via - 1]) if 1 <= via <= len(boxes) else None
        scores = verify_pair(thumbs[i], thumbs[j], flips=flips, rotations=rotations,
                             hint=hint)
        out[(int(i), int(j))] = _score(scores, rules)
    return out


# ------------------------------------------------------------------ 1. planted
def planted(bases, hashers, quick: bool):
    names = [n for n, _ in bases]
    images = [a for _, a in bases]
    nb = len(images)
    base_thumbs = _thumbs(images)
    base_codes = {m: np.array([h(a) for a in images], np.uint64) for m, h in hashers.items()}
    rng = np.random.default_rng(0)
    rows, curve = [], {}
    methods = ["segscope", *hashers]
    for tname, (fn, strengths) in TRANSFORMS.items():
        geometric = tname in ("hflip", "rot90")
        for s in (dict.fromkeys((strengths[0], strengths[-1])) if quick else strengths):
            copies = [fn(a, s, rng=rng) for a in images]
            truth = {(k, nb + k) for k in range(nb)}
            thumbs = np.concatenate([base_thumbs, _thumbs(copies)])
            scored = segscope_scored(thumbs, flips=geometric, rotations=tname == "rot90")
            found = {"segscope": {p for p, v in scored.items() if v >= 1.0}}
            curve.setdefault("segscope", []).append((truth, scored, len(thumbs)))
            for m, h in hashers.items():
                codes = np.concatenate([base_codes[m], np.array([h(c) for c in copies],
                                                                np.uint64)])
                dist = _hamming_matrix(codes)
                iu = np.triu_indices(len(codes), 1)
                found[m] = {(int(i), int(j)) for i, j, d in zip(*iu, dist[iu], strict=True)
                            if d <= PEER_RADIUS}
                curve.setdefault(m, []).append(
                    (truth, {(int(i), int(j)): -float(d) for i, j, d in
                             zip(*iu, dist[iu], strict=True) if d <= 32}, len(codes)))
            label = f"{tname}{'' if s is None else f' {s}'}"
            if geometric:
                label += " (--flips/--rotations)"
            cells = [label]
            for m in methods:
                tp = len(found[m] & truth)
                fp = len(found[m] - truth)
                cells.append(f"{tp / nb:.3f} / {tp / max(tp + fp, 1):.3f}")
            rows.append(cells)
    table = markdown_table(["transform", *[f"{m} R / P" for m in methods]], rows)
    return table, curve, names


def pr_curve(curve) -> str:
    """Precision and recall pooled over every transform run, per threshold."""
    lines = []
    for method, runs in curve.items():
        if method == "segscope":
            steps = (0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2)
        else:
            steps = tuple(-float(t) for t in (2, 4, 6, 8, 10, 12, 14, 16, 20))
        points = []
        for th in steps:
            tp = fp = pos = 0
            for truth, scored, _ in runs:
                hit = {p for p, v in scored.items() if v >= th}
                tp += len(hit & truth)
                fp += len(hit - truth)
                pos += len(truth)
            shown = f"{th:g}" if method == "segscope" else f"d<={-th:g}"
            points.append(f"{shown}: {tp / pos:.3f}/{tp / max(tp + fp, 1):.3f}")
        lines.append(f"| {method} | " + " · ".join(points) + " |")
    head = ("| method | threshold: recall/precision, pooled over every transform and strength "
            "(segscope: score = max(min(ssim/min_ssim, max(ncc/min_ncc, match/min_match)), "
            "min(ncc_low/min_ncc_low, ssim_low/min_ssim_low)), "
            "default 1; hashes: Hamming distance, imagededup default 10) |\n|---|---|")
    return head + "\n" + "\n".join(lines)


# ------------------------------------------------------------------ 2. distractors
def distractors(bases, hashers, count: int) -> str:
    rng = np.random.default_rng(1)
    images = [distractor(rng) for _ in range(count)] + [a for _, a in bases]
    n = len(images)
    pairs = n * (n - 1) // 2
    thumbs = _thumbs(images)
    t0 = time.perf_counter()
    scored = segscope_scored(thumbs)
    elapsed = time.perf_counter() - t0
    rows = [["segscope", len(scored), sum(v >= 1.0 for v in scored.values())]]
    for m, h in hashers.items():
        codes = np.array([h(a) for a in images], np.uint64)
        dist = _hamming_matrix(codes)
        false = int(((dist <= PEER_RADIUS).sum() - n) // 2)
        rows.append([m, "all pairs", false])
    for r in rows:
        r.append(f"{1e6 * r[2] / pairs:.2f}")
    return (f"{count} distractors + {len(bases)} real bases = {n} images, {pairs:,} pairs "
            f"(segscope: candidates and verification in {elapsed:.1f} s)\n\n"
            + markdown_table(["method", "candidates", "false pairs", "per million pairs"],
                             rows))


# ------------------------------------------------------------------ 3. speed
def _write_jpegs(folder: Path, images, quality: int = 90) -> list[Path]:
    from PIL import Image

    paths = []
    for k, a in enumerate(images):
        p = folder / f"{k:06d}.jpg"
        Image.fromarray(a).save(p, quality=quality)
        paths.append(p)
    return paths


def speed(hashers_by_path, quick: bool, repeats: int = 7) -> str:
    from PIL import Image

    from segscope.audit.descriptors import frame_hashes, gradient_hashes, window_hashes
    from segscope.io.thumbnails import read_thumbnail

    rng = np.random.default_rng(2)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        small = _write_jpegs(Path(tmp), [distractor(rng) for _ in range(100 if quick else 1000)])
        import skimage.data

        photo = Image.fromarray(skimage.data.astronaut()).resize((4000, 3000),
                                                                 Image.Resampling.BICUBIC)
        big = []
        for k in range(4 if quick else 12):
            p = Path(tmp) / f"photo{k}.jpg"
            photo.rotate(k, resample=Image.Resampling.BILINEAR).save(p, quality=90)
            big.append(p)
        for label, paths in (("256×256 JPEG", small), ("12-megapixel JPEG", big)):
            def ours(paths=paths):
                thumbs = np.stack([read_thumbnail(p).pixels for p in paths])
                frame_hashes(thumbs)
                gradient_hashes(thumbs)
                window_hashes(thumbs)

            def floor(paths=paths):  # Pillow's reduced-size JPEG decode to grey, nothing else
                for p in paths:
                    with Image.open(p) as im:
                        im.draft("L", (64, 64))
                        im.load()

            # alternated run by run, so that both see the same machine: the ratio holds
            seg, base = _rates([ours, floor], len(paths), repeats)
            cells = [label, _cell(seg), _cell(base) + f"; segscope {seg[1] / base[1]:.2f}×"]
            for fn in hashers_by_path.values():
                (r,) = _rates([lambda fn=fn, paths=paths: [fn(p) for p in paths]],
                              len(paths), repeats)
                cells.append(_cell(r) + f"; segscope {seg[1] / r[1]:.1f}×")
            rows.append(cells)
    return ("Images per CPU-second of the whole process (every thread counted: on one thread "
            "this is the rate per core), wall-clock rate in brackets; medians of "
            f"{repeats} runs after a warm-up run (segscope and the floor alternated run by "
            "run). The process runs the work on the calling "
            "thread; the share of its CPU time spent on other threads (BLAS or numba "
            "workers) is given and is 0 % when the figure is one core's. The floor is "
            "Pillow's reduced-size JPEG decode straight to grey (`draft`, libjpeg-turbo), "
            "which segscope's reader does first. The machine may be shared: CPU time is the "
            "fairer figure.\n\n"
            + markdown_table(["images", "segscope: decode + thumbnail + 20 hashes",
                              "floor: Pillow draft decode alone", *hashers_by_path], rows))


def _cell(rate: tuple[float, float, float]) -> str:
    wall, cpu, other = rate
    return f"{cpu:,.0f} ({wall:,.0f}); other threads {100 * other:.0f} %"


def _rates(fns, n: int, repeats: int = 7) -> list[tuple[float, float, float]]:
    """For each function: ``(wall rate, rate per process CPU-second, share of the CPU time
    on other threads)``, medians of ``repeats`` runs, the functions alternated run by run.

    ``time.process_time`` counts every thread of the process and ``time.thread_time`` the
    calling one, so their difference is what helper threads (a threaded BLAS spinning, a
    parallel kernel) spent: it would make a one-thread figure cost more than one core.
    """
    for fn in fns:
        fn()  # warm: numba kernels, Pillow plugins, file cache
    runs: list[list[tuple[float, float, float]]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, runs, strict=True):
            wall, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
            fn()
            own = time.thread_time() - own
            cpu = max(time.process_time() - cpu, 1e-9)
            out.append((n / (time.perf_counter() - wall), n / cpu, max(cpu - own, 0.0) / cpu))
    return [tuple(float(v) for v in np.median(np.array(out), axis=0)) for out in runs]


def path_hashers() -> dict[str, object]:
    from PIL import Image

    out: dict[str, object] = {}
    hashing = _imagededup_hashing()
    if hashing is not None:
        ph = hashing.PHash(verbose=False)
        out["imagededup PHash"] = lambda p: ph.encode_image(image_file=p)
    try:
        import imagehash

        out["imagehash phash"] = lambda p: imagehash.phash(Image.open(p))
    except ImportError:  # pragma: no cover - optional peer
        pass
    return out


# ------------------------------------------------------------------ 4. scale
SCALE_VERSION = 2  # bump when the generated set changes (content, names, planted copies)


def _scale_manifest(n: int, seed: int) -> dict:
    return {"version": SCALE_VERSION, "images": n, "seed": seed,
            "generator": "benchmarks._dedup_data.scale_distractor, JPEG 85; 1 % copies: "
                         "+20 grey levels, JPEG 50"}


def scale_set(root: Path, n: int, seed: int = 3, jobs: int | None = None
              ) -> tuple[Path, list[tuple[str, str]], float | None]:
    """The n-image scale set in ``root/n{n}-seed{seed}``, made once and then reused.

    Returns ``(folder, planted_pairs, seconds)``; ``seconds`` is None when the set was
    already there (its ``manifest.json``, written last, matches). An interrupted or stale
    set is remade: only this generator's own files (``NNNNNNN.jpg``, ``copyNNNNNN.jpg``,
    the manifest) are removed, nothing else in the folder is touched.
    """
    import json
    import re

    folder = root / f"n{n}-seed{seed}"
    manifest = folder / "manifest.json"
    want = _scale_manifest(n, seed)
    if manifest.is_file():
        have = json.loads(manifest.read_text())
        pairs = [tuple(p) for p in have.pop("planted_pairs", [])]
        if have == want and sum(1 for _ in folder.glob("*.jpg")) == n:
            return folder, pairs, None
    folder.mkdir(parents=True, exist_ok=True)
    own = re.compile(r"(\d{7}|copy\d{6})\.jpg")
    manifest.unlink(missing_ok=True)
    for f in folder.iterdir():
        if own.fullmatch(f.name):
            f.unlink()
    t0 = time.perf_counter()
    pairs = _make_scale_set(folder, n, seed, jobs)
    made = time.perf_counter() - t0
    tmp = folder / "manifest.json.part"
    tmp.write_text(json.dumps({**want, "planted_pairs": pairs}))
    tmp.replace(manifest)
    return folder, pairs, made


def _make_scale_set(folder: Path, n: int, seed: int = 3, jobs: int | None = None
                    ) -> list[tuple[str, str]]:
    """n JPEGs: distractors plus 1 % planted copies (JPEG 50 + brightness); the planted pairs."""
    from concurrent.futures import ProcessPoolExecutor

    planted_n = max(1, n // 100)
    originals = n - planted_n
    rng = np.random.default_rng(seed + 1)
    sources = sorted(int(s) for s in rng.choice(originals, planted_n, replace=False))
    copies = dict(zip(sources, range(planted_n), strict=True))
    block = 1000
    tasks = [(folder, start, min(start + block, originals), (seed,),
              {s: k for s, k in copies.items() if start <= s < start + block}, 256)
             for start in range(0, originals, block)]
    with ProcessPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        pairs = [p for chunk in pool.map(write_scale_block, tasks) for p in chunk]
    return sorted(pairs, key=lambda p: p[1])


def scale(n: int, root: Path | None = None) -> str:
    import json

    with tempfile.TemporaryDirectory() as tmp:
        folder, planted_pairs, made = scale_set(Path(root or Path(tmp) / "set"), n)
        out = Path(tmp) / "result.json"
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[1] / "src")
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "segscope", "dedup", str(folder), "--json",
                        str(out), "-q"], check=True, env=env)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        data = json.loads(out.read_text())
    found = {tuple(sorted((p["name_a"], p["name_b"]))) for p in data["pairs"]}
    recall = sum(tuple(sorted(p)) in found for p in planted_pairs) / len(planted_pairs)
    extra = len(found) - sum(tuple(sorted(p)) in found for p in planted_pairs)
    mem = f"{peak / 1024:,.0f} MiB" + ("" if peak > before else " (≥, an earlier child)")
    return markdown_table(
        ["images", "end to end (s)", "images/s", "peak memory (max RSS)", "candidates",
         "planted pairs found", "other pairs", "set generated in (s)"],
        [[f"{n:,}", f"{wall:.1f}", f"{n / wall:,.0f}", mem, f"{data['candidates']:,}",
          f"{recall:.3f} of {len(planted_pairs)}", extra,
          "reused" if made is None else f"{made:.0f}"]])


# ------------------------------------------------------------------ 5. index
def index_search(m: int) -> str:
    from segscope.audit.descriptors import frame_hashes, window_hashes
    from segscope.audit.index import HammingIndex

    rng = np.random.default_rng(4)
    seeds = np.stack([_thumb_of(distractor(rng)) for _ in range(512)])
    real = frame_hashes(seeds)
    wins = window_hashes(seeds)
    # spread the real hashes over m codes: each a real hash with 12-24 random bits flipped
    codes = real[rng.integers(0, real.size, m)]
    for _ in range(3):
        bits = rng.integers(0, 64, (m, 6)).astype(np.uint64)
        masks = np.bitwise_or.reduce(np.uint64(1) << bits, axis=1)
        codes ^= masks
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    index = HammingIndex(codes, threads=os.cpu_count() or 1)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    q, _, _ = index.query(codes, radius=10)
    frame_t = time.perf_counter() - t0
    sub = min(m, 10_000)
    queries = (wins[rng.integers(0, wins.shape[0], sub)]
               ^ (np.uint64(1) << rng.integers(0, 64, (sub, 1)).astype(np.uint64)))
    t0 = time.perf_counter()
    index.query(queries.ravel(), radius=10)
    win_t = (time.perf_counter() - t0) * m / sub
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return markdown_table(
        ["codes", "build (s)", "frame self-search (s)", "matches", "window queries (s, "
         f"{wins.shape[1]} per image{'' if sub == m else f', timed on {sub:,} images'})",
         "index memory", "max RSS growth"],
        [[f"{m:,}", f"{build:.2f}", f"{frame_t:.1f}", f"{len(q):,}", f"{win_t:.1f}",
          f"{index.nbytes / 2**20:,.0f} MiB", f"{max(rss1 - rss0, 0) / 1024:,.0f} MiB"]])


def _thumb_of(a):
    from segscope.io.thumbnails import thumbnail_of

    return thumbnail_of(a).pixels


# ------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes everywhere")
    parser.add_argument("--scale", type=int, default=None,
                        help="images of the end-to-end run (default 100000; quick 2000)")
    parser.add_argument("--index-scale", type=int, default=None,
                        help="codes of the index run (default 1000000; quick 100000)")
    parser.add_argument("--distractors", type=int, default=None,
                        help="procedural distractors (default 1500; quick 300)")
    parser.add_argument("--skip", default="", help="comma list of sections to skip: "
                        "planted,distractors,speed,scale,index")
    parser.add_argument("--scale-dir", type=Path, default=None,
                        help="keep the generated scale set here and reuse it (a folder "
                        "outside the repository, e.g. /tmp/segscope-dedup-scale); default: "
                        "a temporary folder, made anew each run")
    parser.add_argument("--prepare-scale", action="store_true",
                        help="only generate the scale set in --scale-dir (reused by later "
                        "runs with the same --scale) and exit")
    parser.add_argument("--out", type=Path, help="write the Markdown section here")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    n_scale = args.scale or (2000 if args.quick else 100_000)
    n_index = args.index_scale or (100_000 if args.quick else 1_000_000)
    n_distract = args.distractors or (300 if args.quick else 1500)
    if args.prepare_scale:
        if args.scale_dir is None:
            parser.error("--prepare-scale needs --scale-dir DIR (where the set is kept)")
        folder, pairs, made = scale_set(args.scale_dir, n_scale)
        print(f"{folder}: {n_scale:,} images, {len(pairs)} planted copies, "
              + ("already there (reused)" if made is None else f"generated in {made:.0f} s"))
        return
    cmd = "python -m benchmarks.dedup " + " ".join(sys.argv[1:])
    parts = [f"## Near-duplicate audit (`{cmd.strip()}`)\n", machine_line(), ""]
    bases, _ = base_images()
    if args.quick:
        bases = bases[::3]
    hashers = peer_hashers()
    if "planted" not in skip:
        table, curve, _ = planted(bases, hashers, args.quick)
        parts += [f"### Planted duplicates: recall / precision per transform ({len(bases)} "
                  "real bases; hashes at Hamming ≤ 10)\n", table, "",
                  "### Precision–recall curve\n", pr_curve(curve), ""]
        print("planted: done", file=sys.stderr, flush=True)
    if "distractors" not in skip:
        parts += ["### False pairs among distractors\n", distractors(bases, hashers,
                                                                     n_distract), ""]
    if "speed" not in skip:
        parts += ["### Decode + descriptors, one thread\n", speed(path_hashers(), args.quick),
                  ""]
    if "scale" not in skip:
        parts += [f"### End to end: `segscope dedup` on {n_scale:,} generated 256² JPEGs\n",
                  scale(n_scale, args.scale_dir), ""]
    if "index" not in skip:
        parts += ["### Exact Hamming search (multi-index hashing)\n", index_search(n_index), ""]
    publish("\n".join(parts), args.out)


if __name__ == "__main__":
    main()
