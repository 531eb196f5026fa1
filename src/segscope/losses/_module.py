"""The thin ``nn.Module`` wrapper every loss shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

__all__ = ["LossModule"]


class LossModule(nn.Module):
    """Call a loss function with options fixed at construction.

    ``class_weights`` is kept as a buffer, so ``module.to(device)`` moves it.
    Subclasses set ``function``.
    """

    function: Callable[..., torch.Tensor]

    def __init__(self, **options: Any) -> None:
        super().__init__()
        weights = options.pop("class_weights", None)
        self._options = options
        if weights is not None:
            weights = torch.as_tensor(weights, dtype=torch.get_default_dtype())
        self.register_buffer("class_weights", weights, persistent=False)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        weights = self.class_weights
        if weights is not None:
            weights = weights.to(pred.dtype)
        return self.function(pred, target, class_weights=weights, **self._options)

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self._options.items())
