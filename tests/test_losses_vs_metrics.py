"""On hard 0/1 predictions every overlap loss is 1 − the segscope metric (smooth = 0)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import segscope  # noqa: E402
from segscope import losses as L  # noqa: E402

pytestmark = pytest.mark.torch

def _hard(seed, n=3, c=4, size=(6, 7)):
    g = torch.Generator().manual_seed(seed)
    target = torch.randint(0, c, (n, *size), generator=g)
    target[0][target[0] == c - 1] = 0  # class c-1 absent from image 0
    pred = torch.where(torch.rand(n, *size, generator=g) < 0.6, target,
                       torch.randint(0, c, (n, *size), generator=g))
    one_hot = torch.nn.functional.one_hot(pred, c).permute(0, 3, 1, 2).double()
    return pred, one_hot, target


CASES = [
    (L.soft_dice_loss, {"smooth": 0}, "dice", {}),
    (L.soft_jaccard_loss, {"smooth": 0}, "iou", {}),
    # one vocabulary: the loss takes the metric's own option names
    (L.tversky_loss, {"smooth": 0, "tversky_alpha": 0.3, "tversky_beta": 0.7}, "tversky",
     {"tversky_alpha": 0.3, "tversky_beta": 0.7}),
    (L.lovasz_softmax_loss, {"classes": "all"}, "iou", {}),
]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("aggregate", ["dataset", "image"])
@pytest.mark.parametrize(("loss", "loss_options", "metric", "metric_options"), CASES)
def test_overlap_loss_is_one_minus_metric(seed, aggregate, loss, loss_options, metric,
                                          metric_options):
    pred, one_hot, target = _hard(seed)
    target[1, 0, :3] = 255
    value = loss(one_hot, target, task="multiclass", from_logits=False, aggregate=aggregate,
                 ignore_index=255, **loss_options)
    # a class absent from prediction and target scores 0/0: the losses count it as
    # perfect, which is the metric's empty="one"
    score = segscope.evaluate(pred.numpy(), target.numpy(), num_classes=4, metrics=metric,
                              ignore_index=255, aggregate=aggregate,
                              empty="one", **metric_options)[metric]
    assert value.item() == pytest.approx(1 - score.value, abs=1e-12)


@pytest.mark.parametrize("gamma", [0.75, 2.0])
def test_focal_tversky_is_a_power_of_one_minus_tversky(gamma):
    pred, one_hot, target = _hard(4)
    value = L.focal_tversky_loss(one_hot, target, task="multiclass", from_logits=False,
                                 smooth=0, gamma=gamma, aggregate="dataset")
    per_class = segscope.evaluate(pred.numpy(), target.numpy(), num_classes=4,
                                  metrics="tversky", tversky_alpha=0.3, tversky_beta=0.7,
                                  average="none", empty="one")["tversky"].per_class
    assert value.item() == pytest.approx(np.mean((1 - np.array(per_class)) ** gamma), abs=1e-12)


def test_multilabel_dice_is_one_minus_multilabel_dice():
    g = torch.Generator().manual_seed(5)
    pred = torch.rand(2, 3, 5, 5, generator=g) > 0.5
    target = torch.rand(2, 3, 5, 5, generator=g) > 0.4
    value = L.soft_dice_loss(pred.double(), target.double(), task="multilabel",
                             from_logits=False, smooth=0, aggregate="image")
    score = segscope.evaluate(pred.numpy(), target.numpy(), task="multilabel", metrics="dice",
                              aggregate="image", empty="one")["dice"]
    assert value.item() == pytest.approx(1 - score.value, abs=1e-12)
