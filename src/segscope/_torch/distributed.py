"""Summing counts over the processes of ``torch.distributed`` (DDP), when initialised."""

from __future__ import annotations

import torch

__all__ = ["gather_objects", "is_distributed", "sum_over_processes"]


def is_distributed(group=None) -> bool:
    """Whether a process group with more than one process is initialised."""
    dist = torch.distributed
    return (dist.is_available() and dist.is_initialized()
            and dist.get_world_size(group) > 1)


def sum_over_processes(tensor: torch.Tensor, group=None) -> torch.Tensor:
    """A copy of ``tensor`` summed over every process (``all_reduce``), or the tensor.

    The copy keeps each process's own state local, so ``compute`` can be called any
    number of times without counting twice.
    """
    if not is_distributed(group):
        return tensor
    total = tensor.clone()
    torch.distributed.all_reduce(total, op=torch.distributed.ReduceOp.SUM, group=group)
    return total


def gather_objects(value, group=None) -> list:
    """``[value of process 0, value of process 1, ...]`` (``all_gather_object``)."""
    if not is_distributed(group):
        return [value]
    out = [None] * torch.distributed.get_world_size(group)
    torch.distributed.all_gather_object(out, value, group=group)
    return out
