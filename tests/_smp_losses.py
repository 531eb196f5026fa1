"""Load ``segmentation_models_pytorch.losses`` without the package root.

The root ``__init__`` imports the encoders (timm, torchvision, huggingface_hub), which
the test environment does not have; the losses subpackage only needs torch and numpy.
A bare stand-in for the root package lets the subpackage import on its own.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


def load_smp_losses():
    """Return the ``segmentation_models_pytorch.losses`` module, or ``None`` if absent."""
    name = "segmentation_models_pytorch"
    loaded = sys.modules.get(f"{name}.losses")
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    if name not in sys.modules:
        stand_in = types.ModuleType(name)
        stand_in.__path__ = list(spec.submodule_search_locations)
        # the real spec, so that importlib.util.find_spec (tests/references.py) still works
        stand_in.__spec__ = spec
        sys.modules[name] = stand_in
    try:
        return importlib.import_module(f"{name}.losses")
    except ImportError:
        return None
