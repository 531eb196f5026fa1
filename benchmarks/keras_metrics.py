"""Benchmark: segscope.keras.IoU vs keras.metrics.MeanIoU, per backend: update and fit step.

Each backend runs in its own process (Keras fixes its backend at import); TensorFlow is
run when it is installed. Both metrics get the same channels-last logits and sparse
labels; the values are checked to agree (on data where no class is absent, so that Keras'
absent-class rule does not differ). Times are medians of ``update_state`` (eager, after a
warm-up that on eager JAX includes the one-off compilation of segscope's step), on JAX
and TensorFlow also of a compiled ``stateless_update_state`` / ``tf.function``; and of one
``train_on_batch`` of a tiny model (two convolutions) with no metric, with segscope's IoU
and with ``keras.metrics.MeanIoU`` (the overhead is the difference).

    python -m benchmarks.keras_metrics                 # every backend, 256² and 512², batch 4
    python -m benchmarks.keras_metrics --quick         # a check of the script (64², 1 repeat)
    python -m benchmarks.keras_metrics --out benchmarks/results/keras_metrics.md
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from ._timing import machine_line, markdown_table, median_time, publish

BACKENDS = ("torch", "jax", "tensorflow")


def _arguments(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=BACKENDS, help="run one backend (in this process)")
    p.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--classes", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--fit-size", type=int, default=256, help="image size of the fit step")
    p.add_argument("--torch-threads", type=int,
                   help="torch.set_num_threads (default: torch's own; on a busy machine 1 "
                        "avoids thread contention, which Keras' single-threaded loop escapes)")
    p.add_argument("--quick", action="store_true", help="64×64, batch 2, one repeat")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.batch, args.repeats, args.fit_size = [64], 2, 1, 64
    return args


def _update_rows(args) -> list[list[str]]:
    """Rows ``[backend, size, mode, segscope ms, keras ms, ratio]`` (in this process)."""
    import keras
    import numpy as np

    import segscope.keras as sk

    backend = keras.backend.backend()
    rows = []
    rng = np.random.default_rng(0)
    c = args.classes
    for size in args.sizes:
        shape = (args.batch, size, size)
        y_true = rng.integers(0, c, size=shape).astype("int32")
        logits = rng.normal(size=(*shape, c)).astype("float32")
        logits[..., 0] += 0.5 * (y_true == 0)
        y_true, logits = keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(logits)
        ours, theirs = sk.IoU(num_classes=c), keras.metrics.MeanIoU(
            num_classes=c, sparse_y_true=True, sparse_y_pred=False)
        t_ours = median_time(lambda: ours.update_state(y_true, logits), args.repeats,
                             warmup=3)
        t_theirs = median_time(lambda: theirs.update_state(y_true, logits), args.repeats)
        ours.reset_state()
        theirs.reset_state()
        ours.update_state(y_true, logits)
        theirs.update_state(y_true, logits)
        a, b = float(ours.result()), float(theirs.result())
        if abs(a - b) > 1e-5:
            raise SystemExit(f"{backend} {size}: segscope {a} vs keras {b}")
        batch = f"{size}²×{args.batch}"
        rows.append([backend, batch, "eager", f"{t_ours * 1e3:.2f}", f"{t_theirs * 1e3:.2f}",
                     f"{t_theirs / t_ours:.1f}"])
        compiled = {"jax": _jax_compiled, "tensorflow": _tf_compiled}.get(backend)
        if compiled is not None:
            f_ours, f_theirs = compiled(ours, y_true, logits), compiled(theirs, y_true, logits)
            t_ours = median_time(f_ours, args.repeats)
            t_theirs = median_time(f_theirs, args.repeats)
            rows.append([backend, batch, "jit" if backend == "jax" else "tf.function (XLA)",
                         f"{t_ours * 1e3:.2f}", f"{t_theirs * 1e3:.2f}",
                         f"{t_theirs / t_ours:.1f}"])
    return rows


def _jax_compiled(metric, y_true, logits):
    import jax

    step = jax.jit(metric.stateless_update_state)
    state = [v.value for v in metric.variables]
    return lambda: jax.block_until_ready(step(state, y_true, logits))


def _tf_compiled(metric, y_true, logits):
    import tensorflow as tf

    step = tf.function(metric.update_state, jit_compile=True)
    return lambda: step(y_true, logits)


def _fit_rows(args) -> list[list[str]]:
    """Rows ``[backend, size, no metric ms, segscope ms (+), keras ms (+)]``: one fit step."""
    import keras
    import numpy as np

    import segscope.keras as sk

    backend = keras.backend.backend()
    rng = np.random.default_rng(1)
    c, size = args.classes, args.fit_size
    x = rng.normal(size=(args.batch, size, size, 3)).astype("float32")
    y = rng.integers(0, c, size=(args.batch, size, size)).astype("int32")
    times = {}
    for label, metric in (("none", None), ("segscope", sk.IoU(num_classes=c)),
                          ("keras", keras.metrics.MeanIoU(num_classes=c, sparse_y_true=True,
                                                          sparse_y_pred=False))):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((size, size, 3))
        h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Conv2D(c, 1)(h))
        model.compile(optimizer="sgd",
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[] if metric is None else [metric])
        times[label] = median_time(lambda m=model: m.train_on_batch(x, y), args.repeats,
                                   warmup=2)
    base = times["none"]

    def cell(label):
        return f"{times[label] * 1e3:.1f} ({(times[label] - base) * 1e3:+.1f})"

    ours, theirs = times["segscope"] - base, times["keras"] - base
    # an overhead within the noise of the step (<= 0) has no meaningful ratio
    ratio = f"{theirs / ours:.0f}" if ours > 0 and theirs > 0 else "-"
    return [[backend, f"{size}²×{args.batch}", f"{base * 1e3:.1f}", cell("segscope"),
             cell("keras"), ratio]]


def _one_backend(args) -> dict[str, list[list[str]]]:
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    return {"update": _update_rows(args), "fit": _fit_rows(args)}


def main(argv=None) -> None:
    args = _arguments(argv)
    if args.backend:
        print(json.dumps(_one_backend(args)))
        return
    update, fit, skipped = [], [], []
    passed = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--out"]
    if args.out:
        i = passed.index(str(args.out))
        del passed[i]
    for backend in BACKENDS:
        needs = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}[backend]
        if importlib.util.find_spec(needs) is None:
            skipped.append(backend)
            continue
        env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu",
               "TF_CPP_MIN_LOG_LEVEL": "2"}
        out = subprocess.run([sys.executable, "-m", "benchmarks.keras_metrics", "--backend",
                              backend, *passed], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise SystemExit(f"{backend}: {out.stderr[-2000:]}")
        rows = json.loads(out.stdout.strip().splitlines()[-1])
        update += rows["update"]
        fit += rows["fit"]
    header = ["backend", "batch", "mode", "segscope IoU (ms)", "keras MeanIoU (ms)",
              "keras / segscope"]
    fit_header = ["backend", "batch", "train step, no metric (ms)",
                  "with segscope IoU (ms, +overhead)", "with keras MeanIoU (ms, +overhead)",
                  "overhead keras / segscope"]
    versions = ", ".join(f"{n} {_version(n)}" for n in ("keras", "jax", "torch", "tensorflow"))
    missing = f"; not installed: {', '.join(skipped)}" if skipped else ""
    text = (f"## Keras metrics: update time per batch ({args.classes} classes)\n\n"
            f"{machine_line()}; {versions}; medians of {args.repeats}{missing}\n\n"
            f"{markdown_table(header, update)}\n\n"
            "### One `train_on_batch` of a tiny model (Conv2D 3×3×8, Conv2D 1×1, SGD), "
            "default `jit_compile`\n\n"
            f"{markdown_table(fit_header, fit)}\n")
    publish(text, args.out)


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    for dist in (name, f"{name}-cpu"):      # TensorFlow's CPU wheel is tensorflow-cpu
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return "-"


if __name__ == "__main__":
    main()
