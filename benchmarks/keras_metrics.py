"""Benchmark: segscope.keras.IoU vs keras.metrics.MeanIoU, update time per batch, per backend.

Each backend runs in its own process (Keras fixes its backend at import). Both metrics get
the same channels-last logits and sparse labels; the values are checked to agree (on data
where no class is absent, so that Keras' absent-class rule does not differ). Times are
medians of ``update_state`` (eager), and on JAX also of a jitted ``stateless_update_state``.

    python -m benchmarks.keras_metrics                 # torch and jax, 256² and 512², batch 4
    python -m benchmarks.keras_metrics --quick         # a check of the script (64², 1 repeat)
    python -m benchmarks.keras_metrics --out benchmarks/results/keras_metrics.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from ._timing import machine_line, markdown_table, median_time, publish

BACKENDS = ("torch", "jax")


def _arguments(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=BACKENDS, help="run one backend (in this process)")
    p.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--classes", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="64×64, batch 2, one repeat")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.batch, args.repeats = [64], 2, 1
    return args


def _one_backend(args) -> list[list[str]]:
    """Rows ``[backend, size, mode, segscope ms, keras ms, ratio]`` (in this process)."""
    import keras
    import numpy as np

    import segscope.keras as sk

    rows = []
    rng = np.random.default_rng(0)
    c = args.classes
    for size in args.sizes:
        shape = (args.batch, size, size)
        y_true = rng.integers(0, c, size=shape).astype("int32")
        logits = rng.normal(size=(*shape, c)).astype("float32")
        logits[..., 0] += 0.5 * (y_true == 0)
        ours, theirs = sk.IoU(num_classes=c), keras.metrics.MeanIoU(
            num_classes=c, sparse_y_true=True, sparse_y_pred=False)
        t_ours = median_time(lambda: ours.update_state(y_true, logits), args.repeats)
        t_theirs = median_time(lambda: theirs.update_state(y_true, logits), args.repeats)
        ours.reset_state()
        theirs.reset_state()
        ours.update_state(y_true, logits)
        theirs.update_state(y_true, logits)
        a, b = float(ours.result()), float(theirs.result())
        if abs(a - b) > 1e-5:
            raise SystemExit(f"{keras.backend.backend()} {size}: segscope {a} vs keras {b}")
        rows.append([keras.backend.backend(), f"{size}²×{args.batch}", "eager",
                     f"{t_ours * 1e3:.2f}", f"{t_theirs * 1e3:.2f}", f"{t_theirs / t_ours:.1f}"])
        if keras.backend.backend() == "jax":
            import jax

            def jitted(metric):
                step = jax.jit(metric.stateless_update_state)
                state = [v.value for v in metric.variables]
                return lambda: jax.block_until_ready(step(state, y_true, logits))

            f_ours, f_theirs = jitted(ours), jitted(theirs)
            t_ours = median_time(f_ours, args.repeats)
            t_theirs = median_time(f_theirs, args.repeats)
            rows.append(["jax", f"{size}²×{args.batch}", "jit", f"{t_ours * 1e3:.2f}",
                         f"{t_theirs * 1e3:.2f}", f"{t_theirs / t_ours:.1f}"])
    return rows


def main(argv=None) -> None:
    args = _arguments(argv)
    if args.backend:
        print(json.dumps(_one_backend(args)))
        return
    rows = []
    passed = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--out"]
    if args.out:
        i = passed.index(str(args.out))
        del passed[i]
    for backend in BACKENDS:
        env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu"}
        out = subprocess.run([sys.executable, "-m", "benchmarks.keras_metrics", "--backend",
                              backend, *passed], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise SystemExit(f"{backend}: {out.stderr[-2000:]}")
        rows += json.loads(out.stdout.strip().splitlines()[-1])
    header = ["backend", "batch", "mode", "segscope IoU (ms)", "keras MeanIoU (ms)",
              "keras / segscope"]
    text = (f"## Keras metrics: update time per batch ({args.classes} classes)\n\n"
            f"{machine_line()}; keras {_version('keras')}, jax {_version('jax')}, torch "
            f"{_version('torch')}; medians of {args.repeats}\n\n"
            f"{markdown_table(header, rows)}\n")
    publish(text, args.out)


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


if __name__ == "__main__":
    main()
