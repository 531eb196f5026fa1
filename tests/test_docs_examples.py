"""Every Python block of README.md and docs/*.md runs, as a reader would run the page.

The blocks of one page run in order in one namespace (a later block may use names an
earlier one defined), in a temporary working folder (examples that write files write
there). A block whose first line is ``# Not run here`` is only shown (it needs something
the test environment does not have; say what, and which test runs the same pattern).
A page that imports an optional dependency (torch, dask, pandas, ...) is skipped when that
dependency is missing. A ``print(...)`` line ending in a comment of plain numbers
(``print(a, b)  # 129.0 129.9``) must print numbers that round to them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPTIONAL = ("torch", "dask", "distributed", "pandas", "nibabel", "sklearn", "matplotlib",
            "lightning", "pytorch_lightning")
SHOWN_ONLY = "# Not run here"
EXPECTED = re.compile(r"print\(.*#\s+([\d.]+(?: [\d.]+)*)\s*$")


def blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


def _needs(code: str) -> set[str]:
    found = set(re.findall(r"^\s*(?:import|from)\s+([\w]+)", code, flags=re.M))
    return {name for name in found if name in OPTIONAL}


def _printed(expected: str, output: str) -> bool:
    """True when some number in ``output`` rounds to ``expected`` at its decimals."""
    decimals = len(expected.partition(".")[2])
    return any(round(float(n), decimals) == float(expected)
               for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", output))


PAGES_WITH_CODE = [p for p in PAGES if blocks(p)]


def test_the_pages_have_examples():
    names = {p.name for p in PAGES_WITH_CODE}
    assert {"README.md", "overlap.md", "boundary.md", "similarity.md", "torch.md"} <= names


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: p.name)
def test_page_examples_run(page, tmp_path, monkeypatch):
    runnable = [b for b in blocks(page) if not b.startswith(SHOWN_ONLY)]
    for name in sorted(set().union(*map(_needs, runnable))):
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"{page.name} needs {name}")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"doc_{page.stem}"}
    for index, code in enumerate(runnable):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{page.name}[{index}]", "exec"), namespace)
        for line in code.splitlines():
            match = EXPECTED.search(line)
            if match:
                missing = [v for v in match.group(1).split() if not _printed(v, out.getvalue())]
                assert not missing, (f"{page.name}[{index}]: {line.strip()!r} printed "
                                     f"{out.getvalue()!r}")
