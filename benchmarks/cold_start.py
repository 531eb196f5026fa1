"""Cold start: whole new processes, segscope's command line against a plain script.

Each row is one command started as a fresh Python process (a warm install: files in the
page cache, bytecode and compiled kernels already cached by an untimed first run, with
``PYTHONDONTWRITEBYTECODE`` unset for the children), timed from start to exit. The
commands run round-robin, so a busy machine slows all alike:

- ``segscope evaluate pred.png target.png -c 5`` of one 512×512 pair (5 blocky classes,
  10 % of the prediction changed), against a plain script that reads the same pair with
  Pillow, counts with ``np.bincount`` and prints per-class IoU and Dice: the least a user
  would write by hand. The ratio is segscope / plain script.
- ``segscope demo`` (the bundled nuclei image, four classical segmentations, one table).
- ``segscope --help`` and every subcommand's ``--help``.

The targets (issue 15) are printed beside each figure: evaluate ≤ 1.0 s and ≤ 3× the plain
script, demo ≤ 2 s, every ``--help`` ≤ 0.5 s.

Run:  python -m benchmarks.cold_start [--repeat 7] [--quick] [--src DIR] [--before DIR]
      [--out benchmarks/results/cold_start.md]

``--src`` times another source tree; ``--before DIR`` adds rows for ``evaluate``, ``demo``
and ``--help`` of a second tree in the same round-robin (a before/after comparison in one
run), e.g. one extracted with ``git archive <commit> src | tar -x -C /tmp/before``, then
``--before /tmp/before/src``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ._timing import machine_line, markdown_table, publish

ROOT = Path(__file__).resolve().parents[1]

PLAIN_SCRIPT = """
import sys
import numpy as np
from PIL import Image
c = int(sys.argv[3])
p = np.asarray(Image.open(sys.argv[1]), dtype=np.int64).ravel()
t = np.asarray(Image.open(sys.argv[2]), dtype=np.int64).ravel()
cm = np.bincount(t * c + p, minlength=c * c).reshape(c, c)
tp = np.diag(cm)
iou = tp / (cm.sum(0) + cm.sum(1) - tp)
dice = 2 * tp / (cm.sum(0) + cm.sum(1))
for k in range(c):
    print(k, cm[k].sum(), round(float(iou[k]), 4), round(float(dice[k]), 4))
print("accuracy", round(float(tp.sum() / cm.sum()), 4))
"""

#: (row name, limit in seconds or None, limit as a multiple of the plain script or None)
TARGETS = {"evaluate": (1.0, 3.0), "demo": (2.0, None), "help": (0.5, None)}


def write_pair(folder: Path, side: int = 512, classes: int = 5) -> tuple[Path, Path]:
    """A blocky 512×512 target and a prediction with 10 % of its pixels changed."""
    from PIL import Image

    rng = np.random.default_rng(0)
    block = 32
    coarse = rng.integers(0, classes, (side // block, side // block), dtype=np.uint8)
    target = coarse.repeat(block, 0).repeat(block, 1)
    pred = target.copy()
    flip = rng.random(pred.shape) < 0.1
    pred[flip] = rng.integers(0, classes, int(flip.sum()), dtype=np.uint8)
    paths = folder / "pred.png", folder / "target.png"
    Image.fromarray(pred).save(paths[0])
    Image.fromarray(target).save(paths[1])
    return paths


def subcommands(env: dict[str, str]) -> list[str]:
    """The subcommand names of ``segscope``, asked of the source tree being timed."""
    code = ("import typer; from segscope.cli import app; "
            "print(' '.join(sorted(typer.main.get_command(app).commands)))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.split()


def run_once(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr.decode()[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command")
    parser.add_argument("--quick", action="store_true",
                        help="2 runs, only the top-level and evaluate --help")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the source tree to time (default: this checkout's src)")
    parser.add_argument("--before", type=Path,
                        help="a second source tree timed in the same run (rows 'before: ...')")
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat

    def environment(src: Path) -> dict[str, str]:
        env = {**os.environ, "PYTHONPATH": str(src.resolve())}
        # a warm install has its bytecode cached: let the untimed first run write it
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    env = environment(args.src)
    segscope = [sys.executable, "-m", "segscope"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pred, target = write_pair(folder)
        script = folder / "plain.py"
        script.write_text(PLAIN_SCRIPT)
        names = ["evaluate"] if args.quick else subcommands(env)
        evaluate = [*segscope, "evaluate", str(pred), str(target), "-c", "5"]
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "plain Pillow + np.bincount script": (
                [sys.executable, str(script), str(pred), str(target), "5"], env),
            "segscope evaluate pred.png target.png -c 5": (evaluate, env),
            "segscope demo": ([*segscope, "demo"], env),
            "segscope --help": ([*segscope, "--help"], env),
            **{f"segscope {name} --help": ([*segscope, name, "--help"], env) for name in names},
        }
        if args.before:
            old = environment(args.before)
            commands.update({
                "before: segscope evaluate pred.png target.png -c 5": (evaluate, old),
                "before: segscope demo": ([*segscope, "demo"], old),
                "before: segscope --help": ([*segscope, "--help"], old),
            })
        for command, command_env in commands.values():  # untimed: caches bytecode, kernels
            run_once(command, command_env, folder)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, (command, command_env) in commands.items():
                times[name].append(run_once(command, command_env, folder))

    medians = {name: statistics.median(values) for name, values in times.items()}
    plain = medians["plain Pillow + np.bincount script"]
    rows = []
    for name, median in medians.items():
        kind = ("evaluate" if " evaluate pred" in name else "demo" if name.endswith("demo")
                else "help" if name.endswith("--help") else None)
        limit, multiple = TARGETS.get(kind, (None, None))
        target_text, ok = "", True
        if limit is not None:
            target_text = f"≤ {limit:.1f} s" + (f", ≤ {multiple:.0f}× plain" if multiple else "")
            ok = median <= limit and (multiple is None or median <= multiple * plain)
        rows.append([f"`{name}`", f"{median:.2f}", f"{min(times[name]):.2f}",
                     f"{median / plain:.1f}×", target_text,
                     ("yes" if ok else "**no**") if target_text else ""])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    command = "python -m benchmarks.cold_start " + " ".join(sys.argv[1:])
    text = "\n".join([
        "## Cold start (whole processes)",
        "",
        f"`{command.strip()}` — {machine_line()}; load average {load:.1f}; source "
        f"`{args.src}`" + (f", before: `{args.before}`" if args.before else ""),
        "",
        markdown_table(["command (a new process each run)", "median s", "best s",
                        "vs plain script", "target", "met"], rows),
        "",
        f"Medians of {repeat} round-robin runs per command, after one untimed run each "
        "(a warm install). The plain script reads the same 512×512 PNG pair with Pillow, "
        "counts with np.bincount and prints per-class IoU and Dice. On a busy machine every "
        "figure grows; the ratio to the plain script, measured in the same run, is the "
        "figure to compare.",
        "",
    ])
    publish(text, args.out)


if __name__ == "__main__":
    main()
