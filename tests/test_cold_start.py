"""A short job starts fast: `segscope evaluate` of one pair and `segscope demo` import no heavy
module (numba and SciPy cost about a second to load; see benchmarks/cold_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from PIL import Image

HEAVY = ("numba", "scipy", "skimage", "torch", "dask", "distributed", "nibabel", "pandas",
         "sklearn")


def _modules_after_cli(args: list[str]) -> tuple[set[str], str]:
    code = (
        "import sys, json\n"
        "from segscope.cli import main\n"
        f"sys.argv = ['segscope', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    lines = out.stdout.strip().splitlines()
    return set(json.loads(lines[-1])), "\n".join(lines[:-1])


def test_evaluate_of_one_pair_imports_nothing_heavy(tmp_path):
    rng = np.random.default_rng(0)
    target = rng.integers(0, 5, (512, 512), dtype=np.uint8)
    pred = target.copy()
    pred[::3] = 1
    Image.fromarray(pred).save(tmp_path / "pred.png")
    Image.fromarray(target).save(tmp_path / "target.png")
    heavy, out = _modules_after_cli(["evaluate", str(tmp_path / "pred.png"),
                                     str(tmp_path / "target.png"), "-c", "5"])
    assert heavy == set()
    assert "summary" in out


def test_demo_imports_nothing_heavy():
    heavy, _ = _modules_after_cli(["demo", "-q"])
    assert heavy == set()
