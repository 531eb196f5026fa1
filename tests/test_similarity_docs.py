"""The Python examples in docs/similarity.md run and print what the text says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "similarity.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_doc_example_runs(index):
    code = _blocks()[index]
    if "import torch" in code:
        pytest.importorskip("torch")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"docs/similarity.md[{index}]", "exec"), {})
    for line in code.splitlines():  # "# 129.0 129.9" style comments are the expected output
        if "print(" in line and re.search(r"#\s+[\d.]+( [\d.]+)*\s*$", line):
            expected = line.split("#")[-1].split()
            assert all(e in out.getvalue() for e in expected), (line, out.getvalue())
