"""The losses the experiment compares, by name, each built from :mod:`segscope.losses`.

Every loss sees multiclass logits ``(N, K, H, W)`` (two channels for a binary mask, so that
every loss trains the same network head) and class-index targets, with the settings of
:mod:`segscope.losses` unless named here: the overlap losses average over every class,
background included, and pool the soft counts of the batch (``aggregate="dataset"``).

Examples
--------
>>> sorted(LOSSES)[:3]
['ce', 'ce+dice', 'dice']
>>> loss_names("CE, dice_ce, iou")
('ce', 'ce+dice', 'jaccard')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ParameterError

__all__ = ["DEFAULT_LOSSES", "LOSSES", "LOSS_ALIASES", "loss_names", "make_loss"]

#: name -> what it is (the settings used in the experiment).
LOSSES: dict[str, str] = {
    "ce": "cross-entropy",
    "dice": "soft Dice (smooth 1)",
    "jaccard": "soft Jaccard / IoU (smooth 1)",
    "tversky": "Tversky, alpha 0.3 (FP) / beta 0.7 (FN), Salehi et al. 2017",
    "focal_tversky": "focal Tversky, alpha 0.3 / beta 0.7, gamma 0.75",
    "lovasz": "Lovász-Softmax (all classes)",
    "focal": "focal, gamma 2",
    "ce+dice": "cross-entropy + soft Dice, weights 1 and 1",
    "generalized_dice": "generalized Dice (1/T² class weights)",
}
#: Other spellings accepted.
LOSS_ALIASES: dict[str, str] = {
    "cross_entropy": "ce", "crossentropy": "ce", "iou": "jaccard", "dice_ce": "ce+dice",
    "dice+ce": "ce+dice", "ce_dice": "ce+dice", "lovasz_softmax": "lovasz",
    "gdice": "generalized_dice",
}
#: The losses of the seed article and the issue: CE, Dice, Jaccard, Tversky, Lovász, focal,
#: CE + Dice.
DEFAULT_LOSSES: tuple[str, ...] = ("ce", "dice", "jaccard", "tversky", "lovasz", "focal",
                                   "ce+dice")


def loss_names(names: str | Sequence[str]) -> tuple[str, ...]:
    """Canonical loss names (aliases resolved, duplicates dropped); unknown names are refused."""
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    out = []
    for raw in names:
        name = str(raw).strip().lower()
        if not name:
            continue
        name = LOSS_ALIASES.get(name, name)
        if name not in LOSSES:
            raise ParameterError(f"unknown loss {str(raw).strip()!r}; choose from "
                                 f"{', '.join(LOSSES)} (aliases: {', '.join(LOSS_ALIASES)})")
        out.append(name)
    if not out:
        raise ParameterError(f"losses is empty; name at least one of {', '.join(LOSSES)}")
    return tuple(dict.fromkeys(out))


def make_loss(name: str) -> Any:
    """The ``nn.Module`` of loss ``name`` (multiclass logits, class-index targets)."""
    from .. import losses as L

    common: dict[str, Any] = {"task": "multiclass", "from_logits": True}
    builders = {
        "ce": lambda: L.CrossEntropyLoss(**common),
        "dice": lambda: L.DiceLoss(**common),
        "jaccard": lambda: L.JaccardLoss(**common),
        "tversky": lambda: L.TverskyLoss(tversky_alpha=0.3, tversky_beta=0.7, **common),
        "focal_tversky": lambda: L.FocalTverskyLoss(**common),
        "lovasz": lambda: L.LovaszSoftmaxLoss(**common),
        "focal": lambda: L.FocalLoss(gamma=2.0, **common),
        "ce+dice": lambda: L.DiceCELoss(**common),
        "generalized_dice": lambda: L.GeneralizedDiceLoss(**common),
    }
    return builders[loss_names([name])[0]]()
