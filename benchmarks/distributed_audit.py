"""Sections of ``benchmarks/distributed.py``: the near-duplicate audit on 1 and 2 workers.

Run through ``python -m benchmarks.distributed [--quick]`` (its clusters, its output).

The set: generated JPEGs (``_dedup_data.scale_distractor``, quality 85; quick: 400 of
512², full: 4,000 of 1024²) with 1 % planted copies (+20 grey levels, JPEG 50), made
once in ``$TMPDIR/segscope-dask-audit-set`` and reused while its manifest matches. Large
images make the audit decode-bound (the case where 2 workers should give ≥ 1.6×).

``audit_section``
    The one-process audit (``segscope.audit.find_duplicates``, one thread) and
    ``segscope.dask.find_duplicates`` on 1 and 2 worker processes; each cluster result is
    compared with the one-process result (pairs, scores, groups, skipped files).
``audit_costs_section``
    Unit costs, one process, one thread (the inputs of the 1M-image estimate in
    ``docs/dask.md``): describing (decode + thumbnail + hashes) per image, the exact
    search per image at this N, candidates per image, verification per candidate with the
    thumbnails read again (as the verifying tasks do).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._dedup_data import write_scale_block
from ._timing import median_time

SET_VERSION = 1


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
    tasks = [(folder, s, min(s + block, originals), (7, side),
              {k: c for k, c in copies.items() if s <= k < s + block}, side)
             for s in range(0, originals, block)]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        pairs = [p for chunk in pool.map(write_scale_block, tasks) for p in chunk]
    part = folder / "manifest.json.part"
    part.write_text(json.dumps({**want, "planted_pairs": pairs}))
    part.replace(manifest)
    return folder, pairs


def _set(ctx: Any) -> tuple[Path, int, int]:
    n, side = (400, 512) if ctx.quick else (4000, 1024)
    folder, _ = image_set(Path(tempfile.gettempdir()) / "segscope-dask-audit-set", n, side)
    return folder, n, side


def audit_section(ctx: Any) -> tuple[str, list[str], list[list[Any]], str]:
    from segscope.audit import find_duplicates
    from segscope.dask import find_duplicates as on_cluster

    folder, n, side = _set(ctx)
    repeat = min(ctx.repeat, 3)
    warm = [str(p) for p in sorted(folder.glob("*.jpg"))[:8]]  # imports, compiled kernels
    find_duplicates(warm, threads=1)
    local = find_duplicates(folder, threads=1)
    t_local = median_time(lambda: find_duplicates(folder, threads=1), repeat=repeat, warmup=0)
    times = {}
    for workers, client in sorted(ctx.clients.items()):
        on_cluster(warm, client=client)
        same = on_cluster(folder, client=client).to_dict() == local.to_dict()
        assert same, "cluster and local audits differ"
        times[workers] = median_time(lambda c=client: on_cluster(folder, client=c),
                                     repeat=repeat, warmup=0)
    rows = [["one process, one thread", f"{t_local:.2f}", f"{n / t_local:,.0f}", "—"]]
    for workers, t in times.items():
        rows.append([f"LocalCluster, {workers} worker process(es)", f"{t:.2f}",
                     f"{n / t:,.0f}", f"{times[1] / t:.2f}×"])
    notes = (f"{n:,} generated {side}² JPEGs (1 % planted copies; {len(local.pairs)} pairs "
             f"from {local.candidates} candidates). Speed-up of 2 over 1 worker: "
             f"**{times[1] / times[max(times)]:.2f}×** (target ≥ 1.6× for decode-bound work). "
             "Every cluster result equals the one-process result (pairs, scores, groups, "
             "skipped files).")
    return ("Near-duplicate audit (dedup), 1 vs 2 workers",
            ["run", "s (median)", "images/s", "speed-up vs 1 worker"], rows, notes)


def _cpu(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def audit_costs_section(ctx: Any) -> tuple[str, list[str], list[list[Any]], str]:
    from segscope.audit.api import THUMBNAIL_SIDE
    from segscope.audit.candidates import hash_all, pairs_from_hashes
    from segscope.audit.describe import describe
    from segscope.audit.sources import collect
    from segscope.audit.verdicts import verify_candidate
    from segscope.audit.verify import Thresholds

    folder, n, side = _set(ctx)
    items = collect(folder, split=0)
    found, cpu_describe = _cpu(lambda: describe(items, size=THUMBNAIL_SIDE, threads=1))
    hashes, cpu_hash = _cpu(lambda: hash_all(found.thumbs))
    cands, cpu_search = _cpu(lambda: pairs_from_hashes(hashes, radius=10))
    k = min(cands.lo.size, 400)
    rules = Thresholds()

    def verify_some() -> None:
        for c in range(k):
            i, j = int(cands.lo[c]), int(cands.hi[c])
            pair = describe([found.items[i], found.items[j]], size=THUMBNAIL_SIDE)
            verify_candidate(pair.thumbs[0], pair.thumbs[1], found.items[i], found.items[j],
                             distance=int(cands.distance[c]), via=int(cands.via[c]),
                             owner_first=int(cands.owner[c]) == i, splits=("images",),
                             thresholds=rules)

    _, cpu_verify = _cpu(verify_some)
    rows = [
        ["describing: decode + thumbnail + hashes", f"{1e3 * (cpu_describe + cpu_hash) / n:.2f}"
         " ms / image", f"of which hashes {1e3 * cpu_hash / n:.3f} ms"],
        ["exact search (frames, windows, gradients)", f"{1e3 * cpu_search / n:.3f} ms / image",
         f"at N = {n:,} (the work per image grows with N: buckets fill)"],
        ["candidates", f"{cands.lo.size / n:.3f} / image", f"{cands.lo.size:,} in all"],
        ["verification, thumbnails read again", f"{1e3 * cpu_verify / max(k, 1):.2f} ms / "
         "candidate", f"timed on {k} candidates"],
    ]
    notes = (f"CPU time of one thread in this process, {n:,} {side}² JPEGs: the inputs of "
             "the 1M-image estimate in docs/dask.md (with the scheduler overhead above).")
    return ("Near-duplicate audit: unit costs", ["unit", "cost", "note"], rows, notes)
