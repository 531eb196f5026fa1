"""Reduction of per-pixel losses (focal, cross-entropy) over valid pixels."""

from __future__ import annotations

import torch

__all__ = ["log_probs", "mean_over_pixels"]

TINY = 1e-12


def log_probs(prep, sigmoid: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``log p`` and (for sigmoid tasks) ``log (1 - p)``, stable when from logits."""
    if prep.logits is not None:
        if sigmoid:
            return (torch.nn.functional.logsigmoid(prep.logits),
                    torch.nn.functional.logsigmoid(-prep.logits))
        return torch.log_softmax(prep.logits, dim=1), None
    log_p = prep.probs.clamp_min(TINY).log()
    if sigmoid:
        return log_p, (1.0 - prep.probs).clamp_min(TINY).log()
    return log_p, None


def mean_over_pixels(
    loss: torch.Tensor, valid: torch.Tensor | None, aggregate: str
) -> torch.Tensor:
    """Mean of ``loss`` ``(N, K, L)`` over valid entries: whole batch or per image.

    ``valid`` broadcasts to ``loss``; an image without valid pixels contributes 0.
    """
    if valid is None and aggregate == "dataset":
        return loss.mean()
    if valid is not None:
        valid = valid.expand_as(loss)
        loss = loss * valid
        count = valid.sum(dim=(1, 2))
    else:
        count = torch.full((loss.shape[0],), loss[0].numel(), dtype=loss.dtype,
                           device=loss.device)
    total = loss.sum(dim=(1, 2))
    if aggregate == "dataset":
        return total.sum() / count.sum().clamp_min(1)
    return (total / count.clamp_min(1)).mean()
