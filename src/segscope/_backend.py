"""Which array backend an input belongs to, decided without importing any framework.

Public functions dispatch on the input's type: NumPy arrays (and anything array-like) take
the NumPy path; torch tensors take the private torch backend, imported only then. Looking at
the type's module keeps ``import segscope`` free of torch.

Examples
--------
>>> import numpy as np
>>> is_tensor(np.zeros(3)), is_tensor([1, 2])
(False, False)
"""

from __future__ import annotations

from typing import Any

__all__ = ["any_tensor", "is_tensor"]


def is_tensor(x: Any) -> bool:
    """True when ``x`` is a ``torch.Tensor`` (checked without importing torch)."""
    for cls in type(x).__mro__:
        if cls.__module__ == "torch" and cls.__name__ == "Tensor":
            return True
    return False


def any_tensor(*values: Any) -> bool:
    """True when any of ``values`` (or any item of a list/tuple among them) is a tensor."""
    for value in values:
        if is_tensor(value):
            return True
        if isinstance(value, (list, tuple)) and any(is_tensor(v) for v in value):
            return True
    return False
