"""`segscope COMMAND --help` answers from a new process without the heavy libraries.

The commands import their numerical code inside their bodies, so asking for help (or
mistyping an option) costs only Typer and Rich. Each check runs in a fresh interpreter
and looks at ``sys.modules`` after the help was printed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from segscope.cli import app

#: Never imported by ``--help``: the compiled kernels, the frameworks, the image stack.
HEAVY = ("numpy", "numba", "scipy", "torch", "skimage", "PIL", "tifffile", "dask", "distributed",
         "nibabel", "sklearn", "pandas")



def _every_command() -> list[list[str]]:
    """``[]`` (the app), then every group and command, found by walking the app."""
    found: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _every_command()


def _help_in_a_new_process(argv: list[str]) -> tuple[int, str, list[str]]:
    probe = (
        "import json, sys\n"
        f"sys.argv = ['segscope', *{argv!r}, '--help']\n"
        "from segscope.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    code = stop.code or 0\n"
        "else:\n"
        "    code = 0\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(json.dumps([code, heavy]), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    code, heavy = json.loads(out.stderr.strip().splitlines()[-1])
    return code, out.stdout, heavy


def test_every_command_is_checked():
    assert {"evaluate", "compare", "matrix", "order", "demo", "explain",
            "superpixels sweep"} <= {" ".join(a) for a in COMMANDS}


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "segscope")
def test_help_imports_no_heavy_library(argv):
    code, text, heavy = _help_in_a_new_process(argv)
    assert code == 0 and "Usage" in text
    assert heavy == [], f"segscope {' '.join(argv)} --help imported {heavy}"
