"""Helpers to load test-only reference libraries that cannot be imported whole here.

segmentation_models_pytorch imports its encoders (timm, torchvision) from its package
root; the metric and loss modules themselves need only torch, so they are loaded from
their files directly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


def smp_module(relative: str) -> ModuleType:
    """Load ``segmentation_models_pytorch/<relative>.py`` without the package root.

    Skips the calling test when segmentation_models_pytorch is not installed.
    """
    spec = importlib.util.find_spec("segmentation_models_pytorch")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("segmentation_models_pytorch is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / f"{relative}.py"
    name = "_smp_" + relative.replace("/", "_")
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module
