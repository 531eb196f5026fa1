"""Segmentation metrics and losses for Keras 3, written with ``keras.ops`` only.

They run inside ``model.fit``/``evaluate`` on the JAX and PyTorch backends (jit
included; TensorFlow is untested here). Inputs are what Keras passes: ``(y_true, y_pred)``
channels-last. The metrics keep exact confusion counts (two int32 limbs, no overflow before
about 3.6·10¹⁶ pixels) and score them with segscope's ``average`` and ``empty`` rules;
:meth:`OverlapMetric.report` gives the :class:`segscope.results.Report` of
:func:`segscope.evaluate` on the same data. See ``docs/keras.md``.

Needs the ``keras`` extra: ``pip install 'segscope[keras]'`` and a backend (JAX or torch);
set ``KERAS_BACKEND`` before the first ``import keras``.
"""

from __future__ import annotations

from ..errors import DependencyError, require

try:
    require("keras", "keras", "segscope.keras")
except DependencyError as err:
    missing = getattr(err.__cause__, "name", None)
    if missing is None or missing == "keras":
        raise
    raise DependencyError(
        f"segscope.keras: keras is installed but its backend could not be imported (no module "
        f"{missing!r}); set KERAS_BACKEND to an installed backend ('jax' or 'torch') before "
        "keras is first imported, e.g. KERAS_BACKEND=jax python train.py"
    ) from err

from .callbacks import SegscopeReport
from .losses import (
    CrossEntropyLoss,
    DiceCELoss,
    DiceLoss,
    FocalLoss,
    FocalTverskyLoss,
    GeneralizedDiceLoss,
    JaccardLoss,
    LovaszHingeLoss,
    LovaszSoftmaxLoss,
    TverskyLoss,
    cross_entropy_loss,
    dice_ce_loss,
    focal_loss,
    focal_tversky_loss,
    generalized_dice_loss,
    lovasz_hinge_loss,
    lovasz_softmax_loss,
    soft_dice_loss,
    soft_jaccard_loss,
    tversky_loss,
)
from .metrics import (
    F1,
    Accuracy,
    Dice,
    IoU,
    OverlapMetric,
    Precision,
    Recall,
    Specificity,
)

__all__ = [
    "F1",
    "Accuracy",
    "CrossEntropyLoss",
    "Dice",
    "DiceCELoss",
    "DiceLoss",
    "FocalLoss",
    "FocalTverskyLoss",
    "GeneralizedDiceLoss",
    "IoU",
    "JaccardLoss",
    "LovaszHingeLoss",
    "LovaszSoftmaxLoss",
    "OverlapMetric",
    "Precision",
    "Recall",
    "SegscopeReport",
    "Specificity",
    "TverskyLoss",
    "cross_entropy_loss",
    "dice_ce_loss",
    "focal_loss",
    "focal_tversky_loss",
    "generalized_dice_loss",
    "lovasz_hinge_loss",
    "lovasz_softmax_loss",
    "soft_dice_loss",
    "soft_jaccard_loss",
    "tversky_loss",
]
