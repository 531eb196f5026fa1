"""Differentiable segmentation losses (PyTorch).

Every loss is a function and a thin ``nn.Module`` with the same options:
``task`` (``"binary"``, ``"multiclass"``, ``"multilabel"``), ``from_logits`` (required:
no silent double activation), ``aggregate`` (``"dataset"``: pool the batch, or ``"image"``),
``ignore_index``, ``class_weights``. Overlap losses are written on soft counts
``I = Σ p·t``, ``P = Σ p``, ``T = Σ t`` and equal ``1 - metric`` on hard inputs
without smoothing. See ``docs/losses.md``.

Needs the ``torch`` extra: ``pip install 'segscope[torch]'``.

Examples
--------
>>> import torch
>>> from segscope.losses import DiceLoss
>>> loss = DiceLoss(task="multiclass", from_logits=True)
>>> logits = torch.randn(2, 3, 8, 8, requires_grad=True)
>>> target = torch.randint(0, 3, (2, 8, 8))
>>> loss(logits, target).backward()
"""

from __future__ import annotations

from ..errors import require

require("torch", "torch", "segscope.losses")

from .combine import CombinedLoss, combine  # noqa: E402
from .cross_entropy import CrossEntropyLoss, cross_entropy_loss  # noqa: E402
from .dice import DiceLoss, soft_dice_loss  # noqa: E402
from .dice_ce import DiceCELoss, dice_ce_loss  # noqa: E402
from .focal import FocalLoss, focal_loss  # noqa: E402
from .generalized_dice import GeneralizedDiceLoss, generalized_dice_loss  # noqa: E402
from .jaccard import JaccardLoss, soft_jaccard_loss  # noqa: E402
from .lovasz import (  # noqa: E402
    LovaszHingeLoss,
    LovaszSoftmaxLoss,
    lovasz_hinge_loss,
    lovasz_softmax_loss,
)
from .ssim import SSIMLoss, ssim_loss  # noqa: E402
from .tversky import (  # noqa: E402
    FocalTverskyLoss,
    TverskyLoss,
    focal_tversky_loss,
    tversky_loss,
)

__all__ = [
    "CombinedLoss",
    "CrossEntropyLoss",
    "DiceCELoss",
    "DiceLoss",
    "FocalLoss",
    "FocalTverskyLoss",
    "GeneralizedDiceLoss",
    "JaccardLoss",
    "LovaszHingeLoss",
    "LovaszSoftmaxLoss",
    "SSIMLoss",
    "TverskyLoss",
    "combine",
    "cross_entropy_loss",
    "dice_ce_loss",
    "focal_loss",
    "focal_tversky_loss",
    "generalized_dice_loss",
    "lovasz_hinge_loss",
    "lovasz_softmax_loss",
    "soft_dice_loss",
    "soft_jaccard_loss",
    "ssim_loss",
    "tversky_loss",
]
