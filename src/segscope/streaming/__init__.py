"""Streaming metrics: accumulate sufficient statistics batch by batch, score them at the end.

One class per idea, whatever the array backend: ``update`` takes NumPy arrays or torch
tensors (the state lives where the first batch lives), ``merge`` adds two accumulators,
``state_dict``/``load_state_dict`` use plain containers, and ``compute`` returns a
:class:`segscope.Report` (summing over ``torch.distributed`` processes first when the state
is a tensor and a process group is initialised).

- :class:`OverlapMetric` (and :class:`MeanIoU`): confusion counts → overlap scores.
- :class:`BoundaryMetric`: per-image surface distances → boundary scores.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "OverlapMetric": ".overlap",
    "MeanIoU": ".overlap",
    "BoundaryMetric": ".boundary",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'segscope.streaming' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
