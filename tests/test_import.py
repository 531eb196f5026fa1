"""`import segscope` and `segscope --help` stay light: no torch, dask or nibabel."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "dask", "distributed", "nibabel", "numba", "sklearn", "pandas", "keras", "jax")


def _imported_after(code: str) -> set[str]:
    probe = (
        f"{code}\n"
        "import sys, json\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    import json

    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_segscope_is_light():
    assert _imported_after("import segscope") == set()


def test_cli_help_is_light():
    code = (
        "import sys\n"
        "from segscope.cli import app\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
    )
    assert _imported_after(code) == set()


def test_python_dash_m_help():
    out = subprocess.run([sys.executable, "-m", "segscope", "--help"], capture_output=True,
                         text=True)
    assert out.returncode == 0
    assert "evaluate" in out.stdout
