"""Helpers to load test-only reference libraries that cannot be imported whole here.

segmentation_models_pytorch imports its encoders (timm, torchvision, huggingface_hub)
from its package root, which the test environment does not have; its ``metrics`` and
``losses`` subpackages need only torch and numpy. A bare stand-in for the root package
lets a subpackage import on its own.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from types import ModuleType

import pytest


def smp_submodule(name: str) -> ModuleType | None:
    """Import ``segmentation_models_pytorch.<name>`` without running the package root.

    Returns ``None`` when segmentation_models_pytorch is not installed (or that
    subpackage cannot be imported here).
    """
    root = "segmentation_models_pytorch"
    loaded = sys.modules.get(f"{root}.{name}")
    if loaded is not None:
        return loaded
    spec = sys.modules[root].__spec__ if root in sys.modules else importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        return None
    if root not in sys.modules:
        stand_in = types.ModuleType(root)
        stand_in.__path__ = list(spec.submodule_search_locations)
        stand_in.__spec__ = spec
        sys.modules[root] = stand_in
    try:
        return importlib.import_module(f"{root}.{name}")
    except ImportError:
        return None


def require_smp(name: str) -> ModuleType:
    """:func:`smp_submodule`, skipping the calling test when it is unavailable."""
    module = smp_submodule(name)
    if module is None:
        pytest.skip(f"segmentation_models_pytorch.{name} is not available")
    return module
