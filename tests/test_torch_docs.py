"""The Python examples of docs/torch.md and docs/losses.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("torch")

pytestmark = pytest.mark.torch

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _blocks(name: str) -> list[str]:
    text = (DOCS / name).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return [b for b in blocks if not b.startswith("# Not run here")]


@pytest.mark.parametrize("name", ["torch.md", "losses.md"])
def test_examples_run(name):
    blocks = _blocks(name)
    assert blocks, f"no runnable examples in {name}"
    for block in blocks:
        exec(compile(block, f"{name} example", "exec"), {})
