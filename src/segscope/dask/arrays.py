"""Scale-out on Dask: confusion counts per block (map), summed (reduce).

Overlap metrics are functions of summed counts, so a dataset too large for one machine
is evaluated by counting each block where it lives and adding the small ``C × C``
results. The scores are then computed from the sum with
:func:`segscope.scores_from_confusion`, exactly as on one machine.

Examples
--------
>>> import numpy as np, dask.array as da
>>> pred = da.from_array(np.array([[0, 1], [1, 1]]), chunks=1)
>>> target = da.from_array(np.array([[0, 1], [0, 1]]), chunks=1)
>>> confusion_matrix(pred, target, num_classes=2).tolist()
[[1, 1], [0, 2]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import confusion as _confusion
from .._checks import check_same_shape
from ..errors import require

__all__ = ["confusion_matrix"]


def confusion_matrix(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int,
    ignore_index: int | None = None,
    per_image: bool = False,
    compute: bool = True,
) -> Any:
    """Confusion counts of two Dask arrays, counted block by block.

    Parameters
    ----------
    pred, target : dask.array.Array or array_like
        Label arrays of the same shape; ``target`` is rechunked to ``pred``'s chunks.
    num_classes, ignore_index, per_image
        As in :func:`segscope.confusion_matrix`. With ``per_image`` the leading axis
        indexes images and the result is ``(N, C, C)``.
    compute : bool
        Return NumPy counts (default) or a ``dask.delayed`` object to compute later
        (e.g. together with other results).

    Returns
    -------
    ndarray of int64 or dask.delayed.Delayed

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> x = da.from_array(np.arange(6).reshape(2, 3) % 2, chunks=(1, 2))
    >>> confusion_matrix(x, x, num_classes=2, per_image=True).shape
    (2, 2, 2)
    """
    da = require("dask.array", "dask", "Dask scale-out")
    dask = require("dask", "dask", "Dask scale-out")
    pred = da.asarray(pred)
    target = da.asarray(target)
    check_same_shape(pred, target)
    target = target.rechunk(pred.chunks)
    count = dask.delayed(_confusion.confusion_matrix, pure=True)
    p_blocks = pred.to_delayed()
    t_blocks = target.to_delayed()
    kwargs = dict(num_classes=num_classes, ignore_index=ignore_index, per_image=per_image)
    if not per_image:
        parts = [count(p, t, **kwargs) for p, t in zip(p_blocks.ravel(), t_blocks.ravel())]
        total = dask.delayed(_tree_sum)(parts)
    else:
        rows = []
        for p_row, t_row in zip(p_blocks, t_blocks):  # blocks along the image axis
            parts = [count(p, t, **kwargs) for p, t in zip(np.ravel(p_row), np.ravel(t_row))]
            rows.append(dask.delayed(_tree_sum)(parts))
        total = dask.delayed(np.concatenate)(rows, axis=0)
    return total.compute() if compute else total


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    out = parts[0].copy()
    for p in parts[1:]:
        out += p
    return out
