"""segscope.losses against segmentation_models_pytorch 0.6 and MONAI at matching settings.

Each case names the settings that make the two definitions coincide (see
docs/losses.md); the references are test-only dependencies.
"""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

from references import require_smp  # noqa: E402
from segscope import losses as L  # noqa: E402

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def smp():
    return require_smp("losses")


@pytest.fixture(scope="module")
def monai():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("monai.losses")


def _data(seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, 3, 6, 7, generator=g, dtype=dtype)
    index = torch.randint(0, 3, (2, 6, 7), generator=g)
    labels = (torch.rand(2, 3, 6, 7, generator=g) > 0.5).to(dtype)
    return logits, index, labels


def _close(a, b, tol=1e-10):
    assert a.item() == pytest.approx(b.item(), rel=tol, abs=tol)


@pytest.mark.parametrize("seed", [0, 1])
def test_smp_dice_jaccard_tversky(smp, seed):
    x, t, m = _data(seed)
    # smp's smooth a enters Dice as (2I + 2a) / (P + T + 2a): our smooth = 2a
    _close(smp.DiceLoss("multiclass", smooth=0.5)(x, t),
           L.soft_dice_loss(x, t, task="multiclass", from_logits=True, smooth=1.0))
    _close(smp.DiceLoss("multilabel", smooth=0.5)(x, m),
           L.soft_dice_loss(x, m, task="multilabel", from_logits=True, smooth=1.0))
    _close(smp.DiceLoss("binary", smooth=0.0)(x[:, :1], m[:, :1]),
           L.soft_dice_loss(x[:, :1], m[:, :1], task="binary", from_logits=True, smooth=0.0))
    _close(smp.JaccardLoss("multiclass", smooth=1.0)(x, t),
           L.soft_jaccard_loss(x, t, task="multiclass", from_logits=True, smooth=1.0))
    _close(smp.TverskyLoss("multiclass", alpha=0.3, beta=0.7, smooth=1.0)(x, t),
           L.tversky_loss(x, t, task="multiclass", from_logits=True, tversky_alpha=0.3,
                          tversky_beta=0.7))
    # smp raises the class mean to gamma; with one channel that is our focal Tversky
    _close(smp.TverskyLoss("binary", alpha=0.3, beta=0.7, gamma=0.75, smooth=1.0)(
        x[:, :1], m[:, :1]),
        L.focal_tversky_loss(x[:, :1], m[:, :1], task="binary", from_logits=True))


def test_smp_ignore_index(smp):
    x, t, _ = _data(2)
    t[0, :2] = 255
    _close(smp.DiceLoss("multiclass", smooth=1.0, ignore_index=255)(x, t),
           L.soft_dice_loss(x, t, task="multiclass", from_logits=True, smooth=2.0,
                            ignore_index=255))


def test_smp_dice_differs_on_classes_absent_from_the_batch(smp):
    # documented difference: smp zeroes the loss of a class absent from the batch, so
    # its false positives cost nothing; segscope's smoothing charges P / (P + s)
    x, t, _ = _data(3)
    t[t == 2] = 0
    theirs = smp.DiceLoss("multiclass", smooth=0.5)(x, t)
    ours = L.soft_dice_loss(x, t, task="multiclass", from_logits=True, smooth=1.0)
    assert ours.item() > theirs.item()


@pytest.mark.parametrize("seed", [0, 1])
def test_smp_focal(smp, seed):
    x, t, m = _data(seed)
    _close(smp.FocalLoss("binary", alpha=0.25, gamma=2.0)(x[:, :1], m[:, :1]),
           L.focal_loss(x[:, :1], m[:, :1], task="binary", from_logits=True, alpha=0.25))
    _close(smp.FocalLoss("multilabel", gamma=2.0)(x, m),
           L.focal_loss(x, m, task="multilabel", from_logits=True, gamma=2.0))
    # smp's multiclass focal is a sigmoid focal loss of each one-hot channel
    one_hot = torch.nn.functional.one_hot(t, 3).permute(0, 3, 1, 2).double()
    _close(smp.FocalLoss("multiclass", gamma=2.0)(x, t),
           L.focal_loss(x, one_hot, task="multilabel", from_logits=True, gamma=2.0))


@pytest.mark.parametrize(("per_image", "aggregate"), [(False, "dataset"), (True, "image")])
def test_smp_lovasz(smp, per_image, aggregate):
    x, t, m = _data(4, dtype=torch.float32)  # smp's Lovász needs float32
    _close(smp.LovaszLoss("multiclass", per_image=per_image)(x, t),
           L.lovasz_softmax_loss(x, t, task="multiclass", from_logits=True, classes="present",
                                 aggregate=aggregate), tol=1e-6)
    _close(smp.LovaszLoss("binary", per_image=per_image)(x[:, :1], m[:, :1]),
           L.lovasz_hinge_loss(x[:, :1], m[:, :1], task="binary", from_logits=True,
                               aggregate=aggregate), tol=1e-6)


@pytest.mark.parametrize(("batch", "aggregate"), [(True, "dataset"), (False, "image")])
def test_monai_dice_jaccard_tversky_generalized(monai, batch, aggregate):
    x, t, m = _data(5)
    tu = t.unsqueeze(1)
    common = {"softmax": True, "to_onehot_y": True, "batch": batch}
    _close(monai.DiceLoss(smooth_nr=1.0, smooth_dr=1.0, **common)(x, tu),
           L.soft_dice_loss(x, t, task="multiclass", from_logits=True, aggregate=aggregate))
    _close(monai.DiceLoss(sigmoid=True, batch=batch)(x, m),
           L.soft_dice_loss(x, m, task="multilabel", from_logits=True, smooth=1e-5,
                            aggregate=aggregate))
    # MONAI's jaccard=True is (2I + s) / (2(P + T - I) + s): our smooth = s / 2
    _close(monai.DiceLoss(jaccard=True, smooth_nr=1.0, smooth_dr=1.0, **common)(x, tu),
           L.soft_jaccard_loss(x, t, task="multiclass", from_logits=True, smooth=0.5,
                               aggregate=aggregate))
    _close(monai.TverskyLoss(alpha=0.3, beta=0.7, smooth_nr=1.0, smooth_dr=1.0, **common)(x, tu),
           L.tversky_loss(x, t, task="multiclass", from_logits=True, tversky_alpha=0.3,
                          tversky_beta=0.7, aggregate=aggregate))
    _close(monai.GeneralizedDiceLoss(smooth_nr=0.0, smooth_dr=0.0, **common)(x, tu),
           L.generalized_dice_loss(x, t, task="multiclass", from_logits=True, smooth=0.0,
                                   aggregate=aggregate), tol=1e-8)


def test_monai_generalized_dice_with_an_absent_class(monai):
    x, _, _ = _data(6)
    t = torch.zeros(2, 6, 7, dtype=torch.long)
    t[1, :2, :2] = 1  # class 2 absent everywhere, class 1 absent from image 0
    _close(monai.GeneralizedDiceLoss(softmax=True, to_onehot_y=True, batch=False, smooth_nr=0,
                                     smooth_dr=0)(x, t.unsqueeze(1)),
           L.generalized_dice_loss(x, t, task="multiclass", from_logits=True, smooth=0,
                                   aggregate="image"), tol=1e-8)


def test_monai_focal_and_dice_ce(monai):
    x, t, m = _data(7)
    tu = t.unsqueeze(1)
    # MONAI averages over the class axis too: a factor 1/C
    _close(monai.FocalLoss(use_softmax=True, to_onehot_y=True, gamma=2.0)(x, tu),
           L.focal_loss(x, t, task="multiclass", from_logits=True, gamma=2.0) / 3, tol=1e-6)
    _close(monai.FocalLoss(gamma=2.0, alpha=0.25)(x, m),
           L.focal_loss(x, m, task="multilabel", from_logits=True, gamma=2.0, alpha=0.25),
           tol=1e-6)
    combined = L.combine(ce=(L.CrossEntropyLoss(task="multiclass", from_logits=True), 1.0),
                         dice=(L.DiceLoss(task="multiclass", from_logits=True), 1.0))
    _close(monai.DiceCELoss(softmax=True, to_onehot_y=True, batch=True, smooth_nr=1.0,
                            smooth_dr=1.0)(x, tu), combined(x, t))
    _close(monai.DiceCELoss(softmax=True, to_onehot_y=True, batch=False, smooth_nr=1.0,
                            smooth_dr=1.0, lambda_ce=0.5)(x, tu),
           L.dice_ce_loss(x, t, task="multiclass", from_logits=True, aggregate="image",
                          ce_weight=0.5))
