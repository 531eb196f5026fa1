"""Dask distributed: folder evaluation on 1 vs 2 local worker processes, and the overhead.

Cases
-----
decode-bound folder
    VOC-like palette PNGs (500×375, 21 classes, void 255; see benchmarks/evaluate_files.py)
    scored with :func:`segscope.dask.evaluate_paths` on a ``LocalCluster`` of 1 and of 2
    worker processes (one thread each), against :func:`segscope.files.evaluate_paths` in
    this process. Decoding the PNGs is most of the work, and it runs where the task runs:
    the target is a speed-up of at least 1.6× from 1 to 2 workers.
scheduler overhead
    8×8 NPY pairs (nothing to decode or count), one pair per task and the default shards:
    the extra time per image that the cluster adds over the local loop (task submission,
    transfer of the per-image statistics, the merge on the client).

Every cluster run is checked to give the local report, bit for bit (JSON text). The
clusters are started before the timings (start-up is reported apart).

More sections: append a function to ``SECTIONS``. It gets the :class:`Context` (the
clients by number of workers, a scratch folder, ``quick``) and returns
``(title, header, rows, notes)``; ``main`` prints and writes each as a Markdown table.
The near-duplicate audit adds two (``benchmarks/distributed_audit.py``): 1 vs 2 workers on
decode-bound JPEGs, and its unit costs (the inputs of the 1M-image estimate).

Run:  python -m benchmarks.distributed [--quick] [--out benchmarks/results/distributed.md]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from segscope.files import ScoreOptions, evaluate_paths

from ._timing import machine_line, markdown_table, median_time, publish
from .distributed_audit import audit_costs_section, audit_section
from .evaluate_files import make_voc_like


@dataclass
class Context:
    """What every section gets: ``clients[n]`` is a client of ``n`` local worker processes."""

    clients: dict[int, Any]
    root: Path
    quick: bool
    repeat: int
    pairs: int = 2000


Section = Callable[[Context], tuple[str, list[str], list[list[Any]], str]]


def _same_report(a: Any, b: Any) -> None:
    assert a.to_json() == b.to_json(), "cluster and local reports differ"


def folder_section(ctx: Context) -> tuple[str, list[str], list[list[Any]], str]:
    from segscope.dask import evaluate_paths as on_cluster

    n = 40 if ctx.quick else ctx.pairs
    folder = ctx.root / "voc"
    folder.mkdir()
    pred, target, c, ignore, _ = make_voc_like(folder, n)
    kwargs = dict(num_classes=c, ignore_index=ignore,
                  options=ScoreOptions(metrics="iou,dice,accuracy"))
    local = evaluate_paths(pred, target, **kwargs)
    t_local = median_time(lambda: evaluate_paths(pred, target, **kwargs), repeat=ctx.repeat)
    times = {}
    for workers, client in sorted(ctx.clients.items()):
        _same_report(on_cluster(pred, target, client=client, **kwargs), local)
        times[workers] = median_time(lambda: on_cluster(pred, target, client=client, **kwargs),
                                     repeat=ctx.repeat)
    rows = [["local loop (this process)", n, f"{t_local * 1e3:.0f}",
             f"{t_local / n * 1e3:.2f}", "—"]]
    for workers, t in times.items():
        rows.append([f"LocalCluster, {workers} worker process(es)", n, f"{t * 1e3:.0f}",
                     f"{t / n * 1e3:.2f}", f"{times[1] / t:.2f}×"])
    per_image = times[1] / n  # one worker's cost of a pair
    notes = (
        f"Speed-up of 2 over 1 worker: **{times[1] / times[max(times)]:.2f}×** (target ≥ 1.6× "
        "for decode-bound work). Reports equal to the local run, bit for bit, in every run. "
        f"Estimate from these costs: 1M such pairs on N workers ≈ "
        f"{per_image * 1e6 / 3600:.1f} h / N (plus the per-image overhead below, paid on "
        "the client).")
    return ("Folder evaluation, 1 vs 2 workers",
            ["run", "pairs", "ms (median)", "ms / pair", "speed-up vs 1 worker"], rows, notes)


def overhead_section(ctx: Context) -> tuple[str, list[str], list[list[Any]], str]:
    from segscope.dask import evaluate_paths as on_cluster

    n = 50 if ctx.quick else 500
    rng = np.random.default_rng(1)
    pred, target = ctx.root / "tiny_pred", ctx.root / "tiny_target"
    pred.mkdir()
    target.mkdir()
    for i in range(n):
        np.save(pred / f"{i:05d}.npy", rng.integers(0, 3, (8, 8), dtype=np.uint8))
        np.save(target / f"{i:05d}.npy", rng.integers(0, 3, (8, 8), dtype=np.uint8))
    kwargs = dict(num_classes=3, per_image=True)
    local = evaluate_paths(pred, target, **kwargs)
    t_local = median_time(lambda: evaluate_paths(pred, target, **kwargs), repeat=ctx.repeat)
    client = ctx.clients[max(ctx.clients)]
    rows = [["local loop", "—", f"{t_local * 1e3:.0f}", f"{t_local / n * 1e3:.3f}", "—"]]
    for label, shard in (("1 pair per task", 1), ("default shards", None)):
        _same_report(on_cluster(pred, target, client=client, shard_size=shard, **kwargs), local)
        t = median_time(lambda: on_cluster(pred, target, client=client, shard_size=shard,
                                           **kwargs), repeat=ctx.repeat)
        rows.append([f"{max(ctx.clients)} workers, {label}", shard or "auto",
                     f"{t * 1e3:.0f}", f"{t / n * 1e3:.3f}", f"{(t - t_local) / n * 1e3:.3f}"])
    notes = (f"{n} pairs of 8×8 NPY masks: the time is the cost of running on the cluster, "
             "not of scoring. With the default shards (up to 64 pairs per task) the overhead "
             "is paid per task, not per image.")
    return ("Scheduler overhead per image",
            ["run", "pairs per task", "ms (median)", "ms / pair", "overhead ms / pair"],
            rows, notes)


#: The sections, in order.
SECTIONS: list[Section] = [folder_section, overhead_section, audit_section,
                           audit_costs_section]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer images and repeats")
    parser.add_argument("--out", type=Path, help="write the Markdown tables here")
    parser.add_argument("--pairs", type=int, default=2000,
                        help="mask pairs of the folder evaluation (default 2000: a run of a "
                             "few seconds, so the fixed cost of a run does not hide the scaling)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    from segscope.dask._cluster import connect

    repeat = 1 if args.quick else 5
    parts = [f"## Dask distributed\n\n`{' '.join(['python', *sys.argv])}` — {machine_line()}; "
             f"load average {os.getloadavg()[0]:.1f}\n"]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        clients: dict[int, Any] = {}
        starts = []
        for workers in (1, 2):
            start = time.perf_counter()
            clients[workers] = stack.enter_context(connect(workers=workers))
            clients[workers].wait_for_workers(workers)
            starts.append(f"{workers} worker(s) {time.perf_counter() - start:.1f} s")
        parts.append(f"Cluster start-up (not in the timings): {', '.join(starts)}.\n")
        ctx = Context(clients, Path(tmp), args.quick, repeat, args.pairs)
        for section in SECTIONS:
            title, header, rows, notes = section(ctx)
            parts.append(f"### {title}\n\n{markdown_table(header, rows)}\n\n{notes}\n")
            print(parts[-1], flush=True)
    publish("\n".join(parts), args.out)


if __name__ == "__main__":
    main()
