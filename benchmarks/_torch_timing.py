"""Timing helpers of the torch benchmarks: device choice, round-robin medians, Markdown."""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ._timing import publish

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def devices(requested: str) -> list[torch.device]:
    """``--device auto`` means the CPU, plus CUDA whenever it is available."""
    if requested == "auto":
        found = [torch.device("cpu")]
        if torch.cuda.is_available():
            found.append(torch.device("cuda"))
        return found
    return [torch.device(requested)]


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_time(function: Callable[[], object], device: torch.device, repeats: int,
                warmup: int = 1) -> float:
    """Median wall time of ``function()`` in seconds (device work included)."""
    for _ in range(warmup):
        function()
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_times(functions: dict[str, Callable[[], object]], device: torch.device,
                 repeats: int, warmup: int = 2, budget: float = 1.5) -> dict[str, float]:
    """Median wall time of each function, timed round-robin (one run of each in turn), so
    that a change of load on a shared machine affects every contender alike.

    Cheap cases get more rounds (up to 51), so that each contender runs for about
    ``budget`` seconds: short medians on a busy machine are mostly noise.
    """
    first = {}
    for name, function in functions.items():
        for _ in range(warmup):
            start = time.perf_counter()
            function()
            synchronize(device)
            first[name] = time.perf_counter() - start
    slowest = max(first.values())
    rounds = max(repeats, min(51, int(budget / max(slowest, 1e-6))))
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            synchronize(device)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def environment(device: torch.device) -> str:
    name = (torch.cuda.get_device_name(device) if device.type == "cuda"
            else platform.processor() or platform.machine())
    return (f"{device.type} ({name}), torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads, Python {sys.version.split()[0]}")


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:.1f}"


def ratio(peer: float | None, ours: float) -> str:
    return "—" if peer is None else f"{peer / ours:.2f}×"


def parse_arguments(description: str, name: str, repeats: int) -> argparse.Namespace:
    """The options every torch benchmark takes (batch, classes, size, repeats, device)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--classes", type=int, default=21)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--device", default="auto", help="cpu, cuda, or auto (both if CUDA)")
    parser.add_argument("--write", action="store_true",
                        help=f"write benchmarks/results/{name}.md")
    return parser.parse_args()


def command_line(script: str) -> str:
    """``Command: `...` — date UTC.`` for the head of a result section."""
    command = f"python -m benchmarks.{script.removesuffix('.py')} " + " ".join(sys.argv[1:])
    return (f"Command: `{command.strip()}` — "
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.")


def finish(lines: list[str], name: str, write: bool) -> None:
    """Note missing CUDA, print the section, and write it as ``results/<name>.md``."""
    if not torch.cuda.is_available():
        lines.append("CUDA: not available on this machine; GPU figures are pending (the script "
                     "runs on CUDA automatically when it is available).")
    publish("\n".join(lines) + "\n", RESULTS / f"{name}.md" if write else None)
