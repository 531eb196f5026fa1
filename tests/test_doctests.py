"""Every ``>>>`` example in the package's docstrings runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import segscope


def _modules() -> list[str]:
    names = ["segscope"]
    for info in pkgutil.walk_packages(segscope.__path__, prefix="segscope."):
        # segscope.keras: keras fixes its backend at its first import, so its examples run
        # once per backend in a subprocess (tests/_keras_checks.py, check_docstring_examples)
        if ".__main__" in info.name or info.name.startswith("segscope.keras"):
            continue
        names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    try:
        module = importlib.import_module(name)
    except ImportError as err:  # an optional dependency that is not installed
        pytest.skip(f"{name}: {err}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
