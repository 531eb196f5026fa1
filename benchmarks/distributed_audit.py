"""Benchmark: the near-duplicate audit on 1 and 2 local Dask workers vs one process.

Run from the repository root:

    python -m benchmarks.distributed_audit [--quick] [--images N] [--side S]
        [--set-dir DIR] [--out benchmarks/results/distributed_audit.md]

The set: N generated JPEGs of S×S pixels (``_dedup_data.scale_distractor``, quality 85)
with 1 % planted copies (+20 grey levels, JPEG 50), made once in ``--set-dir`` and reused
while its manifest matches. Large sides make the audit decode-bound (the case where 2
workers should give ≥ 1.6×).

1. **Wall time**: the one-process audit (``segscope.audit.find_duplicates``, one thread)
   and ``segscope.dask.find_duplicates`` on a ``LocalCluster`` of 1 and 2 worker
   processes (one thread each; the cluster is started and warmed up before timing). Each
   cluster result is compared with the one-process result (pairs, scores, groups, skipped
   files): "identical" must be yes.
2. **Unit costs** (one process, one thread), the inputs of the 1M-image estimate of
   ``docs/dask.md``: describing (decode + thumbnail + hashes) per image, the exact search
   per image at this N, candidates per image, verification per candidate (thumbnails read
   again, as the cluster's verifying tasks do), and the scheduler's overhead per task
   (empty tasks through ``run_tasks``).

``--quick``: 400 images of 512² (about a minute on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from ._timing import machine_line, markdown_table, publish

SET_VERSION = 1


def _write_block(args: tuple) -> list[tuple[str, str]]:
    from PIL import Image

    from ._dedup_data import scale_distractor

    folder, start, stop, side, copies = args
    pairs = []
    for k in range(start, stop):
        a = scale_distractor(np.random.default_rng([7, side, k]), side=side)
        Image.fromarray(a).save(folder / f"{k:07d}.jpg", quality=85)
        if k in copies:
            with Image.open(folder / f"{k:07d}.jpg") as im:
                b = np.clip(np.asarray(im).astype(np.int16) + 20, 0, 255).astype(np.uint8)
            name = f"copy{copies[k]:06d}.jpg"
            Image.fromarray(b).save(folder / name, quality=50)
            pairs.append((f"{k:07d}.jpg", name))
    return pairs


def image_set(root: Path, n: int, side: int) -> tuple[Path, list[tuple[str, str]]]:
    """``n`` JPEGs of ``side``² in ``root/n{n}-s{side}`` (1 % planted copies), made once."""
    from concurrent.futures import ProcessPoolExecutor

    folder = root / f"n{n}-s{side}"
    manifest = folder / "manifest.json"
    want = {"version": SET_VERSION, "images": n, "side": side}
    if manifest.is_file():
        have = json.loads(manifest.read_text())
        pairs = [tuple(p) for p in have.pop("planted_pairs", [])]
        if have == want:
            return folder, pairs
    folder.mkdir(parents=True, exist_ok=True)
    planted = max(1, n // 100)
    originals = n - planted
    rng = np.random.default_rng(11)
    sources = sorted(int(s) for s in rng.choice(originals, planted, replace=False))
    copies = dict(zip(sources, range(planted), strict=True))
    block = 200
    tasks = [(folder, s, min(s + block, originals), side,
              {k: c for k, c in copies.items() if s <= k < s + block})
             for s in range(0, originals, block)]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        pairs = [p for chunk in pool.map(_write_block, tasks) for p in chunk]
    part = folder / "manifest.json.part"
    part.write_text(json.dumps({**want, "planted_pairs": pairs}))
    part.replace(manifest)
    return folder, pairs


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def wall_times(folder: Path, n: int) -> tuple[str, object]:
    from segscope.audit import find_duplicates
    from segscope.dask import find_duplicates as cluster_find_duplicates
    from segscope.dask._cluster import connect

    warm = [str(p) for p in sorted(folder.glob("*.jpg"))[:8]]  # imports, compiled kernels
    find_duplicates(warm, threads=1)
    here, wall_here, _ = _timed(lambda: find_duplicates(folder, threads=1))
    rows = [["one process, one thread", f"{wall_here:.1f}", f"{n / wall_here:,.0f}", "—",
             "—", f"{len(here.pairs)} pairs, {here.candidates} candidates"]]
    base = None
    for workers in (1, 2):
        with connect(workers=workers) as client:
            client.wait_for_workers(workers)
            cluster_find_duplicates(warm, client=client)
            there, wall, _ = _timed(lambda c=client: cluster_find_duplicates(folder, client=c))
        base = base or wall
        same = there.to_dict() == here.to_dict()
        rows.append([f"Dask, {workers} worker process{'es' if workers > 1 else ''}",
                     f"{wall:.1f}", f"{n / wall:,.0f}", f"{base / wall:.2f}×",
                     "yes" if same else "NO", f"{wall_here / wall:.2f}× one process"])
    table = markdown_table(["run", "wall (s)", "images/s", "vs 1 worker", "identical",
                            "note"], rows)
    return table, here


def unit_costs(folder: Path, n: int, here) -> str:
    from segscope.audit.api import THUMBNAIL_SIDE
    from segscope.audit.candidates import hash_all, pairs_from_hashes
    from segscope.audit.describe import describe
    from segscope.audit.sources import collect
    from segscope.audit.verdicts import verify_candidate
    from segscope.audit.verify import Thresholds
    from segscope.dask._cluster import connect, run_tasks

    items = collect(folder, split=0)
    found, _, cpu_describe = _timed(lambda: describe(items, size=THUMBNAIL_SIDE, threads=1))
    hashes, _, cpu_hash = _timed(lambda: hash_all(found.thumbs))
    cands, _, cpu_search = _timed(lambda: pairs_from_hashes(hashes, radius=10))
    k = min(cands.lo.size, 400)
    rules = Thresholds()

    def verify_some():
        for c in range(k):
            i, j = int(cands.lo[c]), int(cands.hi[c])
            pair = describe([found.items[i], found.items[j]], size=THUMBNAIL_SIDE)
            verify_candidate(pair.thumbs[0], pair.thumbs[1], found.items[i], found.items[j],
                             distance=int(cands.distance[c]), via=int(cands.via[c]),
                             owner_first=int(cands.owner[c]) == i, splits=("images",),
                             thresholds=rules)

    _, _, cpu_verify = _timed(verify_some)
    with connect(workers=1) as client:
        client.wait_for_workers(1)
        run_tasks(client, abs, list(range(-20, 0)))
        _, wall_tasks, _ = _timed(lambda: run_tasks(client, abs, list(range(-400, 0))))
    rows = [
        ["describing: decode + thumbnail + hashes", f"{1e3 * (cpu_describe + cpu_hash) / n:.2f} "
         "ms CPU per image", f"of which hashes {1e3 * cpu_hash / n:.3f} ms"],
        ["exact search (one process)", f"{1e3 * cpu_search / n:.3f} ms CPU per image",
         f"at N = {n:,}; grows about linearly with N per image (buckets fill)"],
        ["candidates", f"{cands.lo.size / n:.3f} per image", f"{cands.lo.size:,} in all"],
        ["verification, thumbnails read again", f"{1e3 * cpu_verify / max(k, 1):.2f} ms CPU "
         "per candidate", f"timed on {k} candidates"],
        ["scheduler overhead", f"{1e3 * wall_tasks / 400:.2f} ms wall per task",
         "400 empty tasks, 1 local worker"],
    ]
    return markdown_table(["unit", "cost", "note"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 images of 512²")
    parser.add_argument("--images", type=int, default=None, help="images (default 4000)")
    parser.add_argument("--side", type=int, default=None, help="image side (default 1024)")
    parser.add_argument("--set-dir", type=Path, default=Path("/tmp/segscope-dask-audit-set"),
                        help="where the generated set is kept and reused")
    parser.add_argument("--out", type=Path, help="write the Markdown section here")
    args = parser.parse_args()
    n = args.images or (400 if args.quick else 4000)
    side = args.side or (512 if args.quick else 1024)
    folder, _ = image_set(args.set_dir, n, side)
    wall, here = wall_times(folder, n)
    costs = unit_costs(folder, n, here)
    command = "python -m benchmarks.distributed_audit" + (" --quick" if args.quick else
                                                          f" --images {n} --side {side}")
    text = (f"## Near-duplicate audit on Dask (`{command}`)\n\n{machine_line()}\n\n"
            f"{n:,} generated {side}² JPEGs (1 % planted copies).\n\n{wall}\n\n"
            f"Unit costs (one process, one thread):\n\n{costs}\n")
    publish(text, args.out)


if __name__ == "__main__":
    main()
