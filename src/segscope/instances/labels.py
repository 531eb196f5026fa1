"""Checks of instance label maps: integer ids, background 0, same shape, a hint for semantic masks.

An instance label map gives each object its own positive integer id (any ids: they need
not be consecutive and may be large); 0 is background. A semantic mask (one value per
class) passed where instances are expected is the most common mistake: every object of a
class then becomes one object. A map with a single object id made of several separate
parts is refused with a hint to label its connected components first.

Examples
--------
>>> import numpy as np
>>> check_instance_map(np.array([[0, 7], [7, 0]], np.uint16), "target").dtype
dtype('uint16')
>>> check_instance_map(np.array([[0.0, 1.5]]), "pred")
Traceback (most recent call last):
...
segscope.errors.DTypeError: pred has dtype float64; instance ids must be integers ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._backend import is_tensor
from .._checks import check_same_shape
from ..errors import DTypeError, LabelError, ParameterError

__all__ = ["check_instance_map", "check_instance_pair", "label_components"]


def check_instance_map(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as an integer NumPy label map, or raise a clear error.

    Parameters
    ----------
    x : array_like of int, 2-D or 3-D (any rank)
        Instance ids, 0 for background. A CPU tensor is read in place; a tensor on
        another device is refused (matching runs on the CPU: move it with ``.cpu()``).
    name : str
        The argument's name, used in messages.

    Raises
    ------
    DTypeError
        For float, boolean or non-numeric arrays (a boolean mask is semantic: label its
        components with :func:`label_components`).
    LabelError
        For negative ids.
    """
    if is_tensor(x):
        if x.device.type != "cpu":
            raise ParameterError(
                f"{name} is a tensor on {x.device}; instance matching runs on the CPU, so "
                f"move the label map there explicitly: {name}.cpu()"
            )
        x = x.detach().numpy()
    arr = np.asarray(x)
    if arr.dtype == bool:
        raise DTypeError(
            f"{name} is a boolean mask, which holds classes, not objects; give each object "
            f"its own id, e.g. {name} = segscope.instances.label_components({name})"
        )
    if arr.dtype.kind == "f":
        raise DTypeError(
            f"{name} has dtype {arr.dtype}; instance ids must be integers (ids stored as "
            f"floats lose precision above 2**24 in float32). Convert whole-number ids with "
            f"{name}.astype(np.int64), or label a probability map first"
        )
    if arr.dtype.kind not in "iu":
        raise DTypeError(f"{name} has dtype {arr.dtype}; expected an integer instance label map")
    if arr.dtype.kind == "i" and arr.size and int(arr.min()) < 0:
        raise LabelError(
            f"{name} has negative ids (min {int(arr.min())}); instance ids must be >= 0 with 0 "
            "for background. Map an ignore value to its own id and pass it as void=..."
        )
    return arr


def check_instance_pair(pred: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check both maps (:func:`check_instance_map`) and that their shapes agree."""
    p = check_instance_map(pred, "pred")
    t = check_instance_map(target, "target")
    check_same_shape(p, t)
    return p, t


def semantic_hint(ids: np.ndarray, sizes: np.ndarray, x: np.ndarray, name: str,
                  background: bool) -> None:
    """Refuse a map whose only object is several separate parts (a semantic mask)."""
    objects = ids[sizes > 0]
    if background:
        objects = objects[objects != 0]
    if objects.size != 1:
        return
    from scipy import ndimage

    _, parts = ndimage.label(x == objects[0])
    if parts > 1:
        raise LabelError(
            f"{name} has a single object id ({int(objects[0])}) made of {parts} separate "
            "parts; it looks like a semantic mask. Give each object its own id first, e.g. "
            f"{name} = segscope.instances.label_components({name}), or pass "
            "check_semantic=False if it really is one object"
        )


def label_components(mask: Any, *, connectivity: int | None = None) -> np.ndarray:
    """Give each connected component of a mask its own id (``int32``, background 0).

    Parameters
    ----------
    mask : array_like
        Non-zero pixels are foreground (classes are not kept apart; label each class's
        mask on its own if they touch).
    connectivity : int, optional
        1 for face neighbours only (4-connected in 2-D, 6 in 3-D), ``mask.ndim`` for every
        neighbour (8 / 26); default ``mask.ndim``, as scikit-image's ``label``.

    Examples
    --------
    >>> label_components(np.array([[1, 1, 0, 1]])).tolist()
    [[1, 1, 0, 2]]
    """
    from scipy import ndimage

    m = np.asarray(mask) != 0
    rank = max(1, m.ndim)
    structure = ndimage.generate_binary_structure(rank, connectivity or rank)
    out, _ = ndimage.label(m, structure=structure)
    return out.astype(np.int32, copy=False)
