"""segscope.losses: hand-computed values, gradients, empty targets, soft labels, errors."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from segscope import losses as L  # noqa: E402
from segscope.errors import DTypeError, LabelError, ParameterError, ShapeError  # noqa: E402

pytestmark = pytest.mark.torch

OVERLAP = {
    "dice": L.soft_dice_loss,
    "jaccard": L.soft_jaccard_loss,
    "tversky": L.tversky_loss,
    "focal_tversky": L.focal_tversky_loss,
    "generalized_dice": L.generalized_dice_loss,
}
ALL = {
    **OVERLAP,
    "focal": L.focal_loss,
    "cross_entropy": L.cross_entropy_loss,
    "lovasz_softmax": L.lovasz_softmax_loss,
    "dice_ce": L.dice_ce_loss,
}
MODULES = {
    L.DiceLoss: L.soft_dice_loss,
    L.JaccardLoss: L.soft_jaccard_loss,
    L.TverskyLoss: L.tversky_loss,
    L.FocalTverskyLoss: L.focal_tversky_loss,
    L.GeneralizedDiceLoss: L.generalized_dice_loss,
    L.FocalLoss: L.focal_loss,
    L.CrossEntropyLoss: L.cross_entropy_loss,
    L.LovaszSoftmaxLoss: L.lovasz_softmax_loss,
    L.LovaszHingeLoss: L.lovasz_hinge_loss,
    L.DiceCELoss: L.dice_ce_loss,
}


def _binary(probs, target):
    return (torch.tensor([[probs]], dtype=torch.float64),
            torch.tensor([[target]], dtype=torch.float64))


# ---------------------------------------------------------------- hand-computed values
# p = [0.9, 0.2, 0.7, 0.4], t = [1, 0, 1, 1]: I = 2.0, P = 2.2, T = 3, FP = 0.2, FN = 1.0
P4, T4 = [0.9, 0.2, 0.7, 0.4], [1.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("function", "options", "expected"),
    [
        (L.soft_dice_loss, {"smooth": 0}, 1 - 4.0 / 5.2),
        (L.soft_dice_loss, {"smooth": 1}, 1 - 5.0 / 6.2),
        (L.soft_jaccard_loss, {"smooth": 0}, 1 - 2.0 / 3.2),
        (L.tversky_loss, {"smooth": 0, "tversky_alpha": 0.3, "tversky_beta": 0.7}, 1 - 2.0 / 2.76),
        (L.focal_tversky_loss, {"smooth": 0, "tversky_alpha": 0.3, "tversky_beta": 0.7,
                                "gamma": 0.75},
         (1 - 2.0 / 2.76) ** 0.75),
        # one channel: Sudre weights cancel, so generalized Dice equals Dice
        (L.generalized_dice_loss, {"smooth": 0}, 1 - 4.0 / 5.2),
        # errors 0.1, 0.2, 0.3, 0.6 sorted: 0.6(t=1) 0.3(t=1) 0.2(t=0) 0.1(t=1);
        # Jaccard loss of the prefixes: 1/3, 2/3, 3/4, 1 -> increments 1/3, 1/3, 1/12, 1/4
        (L.lovasz_softmax_loss, {}, 0.6 / 3 + 0.3 / 3 + 0.2 / 12 + 0.1 / 4),
        # -[t log p + (1 - t) log (1 - p)] averaged
        (L.cross_entropy_loss, {},
         -(math.log(0.9) + math.log(0.8) + math.log(0.7) + math.log(0.4)) / 4),
        # alpha 0.25 on positives, 0.75 on negatives, gamma 2
        (L.focal_loss, {"gamma": 2.0, "alpha": 0.25},
         -(0.25 * 0.1**2 * math.log(0.9) + 0.75 * 0.2**2 * math.log(0.8)
           + 0.25 * 0.3**2 * math.log(0.7) + 0.25 * 0.6**2 * math.log(0.4)) / 4),
    ],
)
def test_hand_computed_binary(function, options, expected):
    pred, target = _binary(P4, T4)
    value = function(pred, target, task="binary", from_logits=False, **options)
    assert value.item() == pytest.approx(expected, abs=1e-12)


def test_lovasz_hinge_hand_computed():
    # logits [2, -1, 0.5, 0.5], t [1, 0, 1, 0]: hinge errors [-1, 0, 0.5, 1.5];
    # sorted 1.5(t=0) 0.5(t=1) 0(t=0) -1(t=1): Jaccard 1/3, 2/3, 3/4, 1
    pred, target = _binary([2.0, -1.0, 0.5, 0.5], [1.0, 0.0, 1.0, 0.0])
    value = L.lovasz_hinge_loss(pred, target, task="binary", from_logits=True)
    assert value.item() == pytest.approx(1.5 / 3 + 0.5 / 3, abs=1e-12)


def test_multiclass_hand_computed_dice_and_generalized_dice():
    # 1 image, 2 classes, 4 pixels; class 0 has 1 pixel, class 1 has 3
    probs = torch.tensor([[[0.8, 0.4, 0.0, 0.2], [0.2, 0.6, 1.0, 0.8]]], dtype=torch.float64)
    target = torch.tensor([[0, 1, 1, 1]])
    # class 0: I=0.8 P=1.4 T=1; class 1: I=2.4 P=2.6 T=3
    dice = L.soft_dice_loss(probs, target, task="multiclass", from_logits=False, smooth=0)
    expected = 1 - (1.6 / 2.4 + 4.8 / 5.6) / 2
    assert dice.item() == pytest.approx(expected, abs=1e-12)
    # Sudre: w = 1/1, 1/9
    gd = L.generalized_dice_loss(probs, target, task="multiclass", from_logits=False, smooth=0)
    num = 2 * (1 * 0.8 + 2.4 / 9)
    den = 1 * 2.4 + 5.6 / 9
    assert gd.item() == pytest.approx(1 - num / den, abs=1e-12)


def test_multiclass_focal_hand_computed():
    probs = torch.tensor([[[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]]], dtype=torch.float64)
    target = torch.tensor([[0, 2]])
    value = L.focal_loss(probs, target, task="multiclass", from_logits=False, gamma=2.0,
                         class_weights=[1.0, 1.0, 2.0])
    expected = -(0.3**2 * math.log(0.7) + 2 * 0.4**2 * math.log(0.6)) / 2
    assert value.item() == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- gradients
def _inputs(task, seed=0, n=2, c=3, size=(3, 4)):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, *size, generator=g, dtype=torch.float64)
    if task == "multiclass":
        target = torch.randint(0, c, (n, *size), generator=g)
    else:
        target = (torch.rand(n, c, *size, generator=g) > 0.5).double()
    return logits, target


GRAD_CASES = [
    (name, task, aggregate)
    for name in ALL
    for task in ("multiclass", "multilabel")
    for aggregate in ("dataset", "image")
] + [("lovasz_hinge", task, agg) for task in ("binary", "multilabel")
      for agg in ("dataset", "image")]


@pytest.mark.parametrize(("name", "task", "aggregate"), GRAD_CASES)
def test_gradcheck_float64(name, task, aggregate):
    function = L.lovasz_hinge_loss if name == "lovasz_hinge" else ALL[name]
    c = 1 if task == "binary" else 3
    logits, target = _inputs(task, c=c, size=(2, 3))
    if task == "multiclass":
        target[0, 0, :2] = 9  # some ignored pixels
    else:
        target[0, 0, 0, :2] = 9
    options = {"ignore_index": 9, "class_weights": [1.0, 2.0, 0.5][:c], "validate": False}
    logits.requires_grad_(True)

    def loss(x):
        return function(x, target, task=task, from_logits=True, aggregate=aggregate, **options)

    assert torch.autograd.gradcheck(loss, (logits,), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", [*OVERLAP, "focal"])
def test_gradcheck_from_probabilities_and_soft_labels(name):
    g = torch.Generator().manual_seed(3)
    probs = torch.rand(2, 3, 2, 3, generator=g, dtype=torch.float64) * 0.9 + 0.05
    soft = torch.softmax(torch.randn(2, 3, 2, 3, generator=g, dtype=torch.float64), dim=1)
    probs.requires_grad_(True)

    def loss(x):
        return ALL[name](x, soft, task="multiclass", from_logits=False, aggregate="image")

    assert torch.autograd.gradcheck(loss, (probs,), eps=1e-6, atol=1e-5)


# ---------------------------------------------------------------- empty targets
@pytest.mark.parametrize("name", [*OVERLAP, "lovasz_softmax", "lovasz_hinge", "focal"])
@pytest.mark.parametrize("smooth", [0.1, 1.0])
def test_empty_target_false_positives_are_penalised_per_image(name, smooth):
    function = L.lovasz_hinge_loss if name == "lovasz_hinge" else ALL[name]
    options = {"smooth": smooth} if name in OVERLAP else {}
    target = torch.zeros(2, 1, 8, 8, dtype=torch.float64)
    target[1, 0, 2:5, 2:5] = 1  # image 0 is empty
    good = torch.where(target > 0, 6.0, -6.0).double()
    bad = good.clone()
    bad[0, 0, :3, :3] = 6.0  # false positives on the empty image
    values = []
    for logits in (good, bad):
        logits = logits.clone().requires_grad_(True)
        loss = function(logits, target, task="binary", from_logits=True, aggregate="image",
                        **options)
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()
        values.append(loss.item())
    assert values[1] > values[0] + 0.05


def test_without_smoothing_an_empty_target_saturates_at_one():
    # documented: with smooth=0 any soft prediction on an empty target scores 0/P = 0,
    # so the loss is 1 (finite, no gradient); smoothing is what makes it trainable
    target = torch.zeros(1, 1, 4, 4, dtype=torch.float64)
    logits = torch.full((1, 1, 4, 4), -8.0, dtype=torch.float64, requires_grad=True)
    loss = L.soft_dice_loss(logits, target, task="binary", from_logits=True, smooth=0,
                            aggregate="image")
    loss.backward()
    assert loss.item() == 1.0 and torch.isfinite(logits.grad).all()
    smoothed = L.soft_dice_loss(logits, target, task="binary", from_logits=True, smooth=1,
                                aggregate="image")
    assert smoothed.item() < 0.01


@pytest.mark.parametrize("name", [*OVERLAP, "lovasz_softmax", "focal", "cross_entropy"])
@pytest.mark.parametrize("aggregate", ["dataset", "image"])
@pytest.mark.parametrize("smooth", [0.0, 1.0])
def test_all_empty_is_finite_and_perfect_prediction_is_near_zero(name, aggregate, smooth):
    options = {"smooth": smooth} if name in OVERLAP else {}
    target = torch.zeros(2, 2, 5, 5, dtype=torch.float64)
    probs = torch.zeros(2, 2, 5, 5, dtype=torch.float64, requires_grad=True)
    loss = ALL[name](probs, target, task="multilabel", from_logits=False, aggregate=aggregate,
                     **options)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(probs.grad).all()
    assert loss.item() == pytest.approx(0.0, abs=1e-9)


def test_dataset_aggregate_dilutes_false_positives_on_an_empty_image():
    # documented trade-off: the same false positives cost less under "dataset"
    target = torch.zeros(2, 1, 8, 8, dtype=torch.float64)
    target[1, 0, :, :4] = 1
    probs = target.clone()
    probs[0, 0, :2, :2] = 1.0
    image = L.soft_dice_loss(probs, target, task="binary", from_logits=False, aggregate="image")
    batch = L.soft_dice_loss(probs, target, task="binary", from_logits=False, aggregate="dataset")
    assert 0 < batch.item() < image.item()


# ---------------------------------------------------------------- soft labels, ignore, weights
@pytest.mark.parametrize("name", [*OVERLAP, "focal", "cross_entropy", "lovasz_softmax"])
@pytest.mark.parametrize("aggregate", ["dataset", "image"])
def test_one_hot_soft_labels_equal_index_targets(name, aggregate):
    logits, index = _inputs("multiclass", seed=1)
    one_hot = torch.nn.functional.one_hot(index, 3).permute(0, 3, 1, 2).double()
    a = ALL[name](logits, index, task="multiclass", from_logits=True, aggregate=aggregate)
    b = ALL[name](logits, one_hot, task="multiclass", from_logits=True, aggregate=aggregate)
    assert a.item() == pytest.approx(b.item(), rel=1e-12, abs=1e-12)


def test_soft_labels_enter_the_soft_counts():
    probs = torch.tensor([[[0.5, 1.0]]], dtype=torch.float64)
    target = torch.tensor([[[0.5, 0.25]]], dtype=torch.float64)
    # I = 0.25 + 0.25, P = 1.5, T = 0.75
    value = L.soft_dice_loss(probs, target, task="binary", from_logits=False, smooth=0)
    assert value.item() == pytest.approx(1 - 1.0 / 2.25)


@pytest.mark.parametrize("name", ["focal", "cross_entropy"])
def test_focal_is_linear_in_soft_targets(name):
    logits = torch.randn(1, 1, 6, dtype=torch.float64)
    ones, zeros = torch.ones_like(logits), torch.zeros_like(logits)
    f = ALL[name]
    mixed = f(logits, 0.25 * ones, task="binary", from_logits=True)
    parts = 0.25 * f(logits, ones, task="binary", from_logits=True) + 0.75 * f(
        logits, zeros, task="binary", from_logits=True)
    assert mixed.item() == pytest.approx(parts.item(), rel=1e-12)


def test_lovasz_refuses_soft_targets():
    with pytest.raises(ParameterError, match="hard 0/1"):
        L.lovasz_softmax_loss(torch.rand(1, 1, 4), torch.full((1, 1, 4), 0.5), task="binary",
                              from_logits=False)


@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("aggregate", ["dataset", "image"])
def test_ignore_index_equals_dropping_the_pixels(name, aggregate):
    logits, target = _inputs("multiclass", seed=2, n=2, size=(4, 4))
    ignored = target.clone()
    ignored[:, 0, :] = 255
    value = ALL[name](logits, ignored, task="multiclass", from_logits=True, aggregate=aggregate,
                      ignore_index=255)
    kept_logits, kept_target = logits[:, :, 1:, :], target[:, 1:, :]
    if aggregate == "dataset":  # one long image of the kept pixels of the whole batch
        kept_logits = kept_logits.permute(1, 0, 2, 3).reshape(1, 3, -1)
        kept_target = kept_target.reshape(1, -1)
    expected = ALL[name](kept_logits, kept_target, task="multiclass", from_logits=True,
                         aggregate=aggregate)
    assert value.item() == pytest.approx(expected.item(), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("name", ["dice", "jaccard", "tversky", "lovasz_softmax"])
def test_class_weights_select_classes(name):
    logits, target = _inputs("multiclass", seed=4)
    f = ALL[name]
    only_one = f(logits, target, task="multiclass", from_logits=True,
                 class_weights=[0.0, 1.0, 0.0])
    probs = torch.softmax(logits, dim=1)[:, 1:2]
    binary = f(probs, (target == 1).double().unsqueeze(1), task="binary", from_logits=False)
    assert only_one.item() == pytest.approx(binary.item(), rel=1e-12)


# ---------------------------------------------------------------- hard predictions
@pytest.mark.parametrize("name", ["dice", "jaccard", "lovasz_softmax"])
def test_hard_predictions_give_one_minus_the_score(name):
    target = torch.tensor([[[1, 1, 0, 0, 1, 0]]], dtype=torch.float64)
    pred = torch.tensor([[[1, 0, 0, 1, 1, 1]]], dtype=torch.float64)
    tp, fp, fn = 2, 2, 1
    score = 2 * tp / (2 * tp + fp + fn) if name == "dice" else tp / (tp + fp + fn)
    options = {"smooth": 0} if name != "lovasz_softmax" else {}
    value = ALL[name](pred, target, task="binary", from_logits=False, **options)
    assert value.item() == pytest.approx(1 - score, abs=1e-12)


# ---------------------------------------------------------------- modules and combine
@pytest.mark.parametrize(("module", "function"), list(MODULES.items()))
def test_module_matches_function(module, function):
    logits, target = _inputs("multilabel", seed=5)
    mod = module(task="multilabel", from_logits=True, aggregate="image",
                 class_weights=[1.0, 0.5, 2.0])
    expected = function(logits, target, task="multilabel", from_logits=True, aggregate="image",
                        class_weights=[1.0, 0.5, 2.0])
    assert mod(logits, target).item() == pytest.approx(expected.item(), rel=1e-6)
    assert "class_weights" not in mod.state_dict()
    assert mod.class_weights.dtype == torch.get_default_dtype()


def test_combined_loss_is_the_weighted_sum():
    logits, target = _inputs("multiclass", seed=6)
    ce = L.CrossEntropyLoss(task="multiclass", from_logits=True)
    dice = L.DiceLoss(task="multiclass", from_logits=True)
    combined = L.combine(ce=(ce, 1.0), dice=(dice, 0.5))
    value = combined(logits, target)
    assert value.item() == pytest.approx(ce(logits, target).item() + 0.5 * dice(logits,
                                                                                  target).item())
    assert set(combined.last) == {"ce", "dice"}
    expected = torch.nn.functional.cross_entropy(logits, target)
    assert combined.last["ce"].item() == pytest.approx(expected.item(), rel=1e-12)
    with pytest.raises(ParameterError):
        L.combine(ce=ce)
    with pytest.raises(ParameterError):
        L.combine()


@pytest.mark.parametrize("aggregate", ["dataset", "image"])
@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_fused_dice_ce_equals_the_sum_of_its_terms(aggregate, task):
    logits, target = _inputs(task, seed=8)
    if task == "multiclass":
        target[0, 1] = 7
    else:
        target[0, 0, 1] = 7
    options = {"task": task, "from_logits": True, "aggregate": aggregate, "ignore_index": 7,
               "class_weights": [1.0, 0.3, 2.0]}
    fused = L.dice_ce_loss(logits, target, ce_weight=0.7, dice_weight=1.3, smooth=0.5,
                           **options)
    parts = (0.7 * L.cross_entropy_loss(logits, target, **options)
             + 1.3 * L.soft_dice_loss(logits, target, smooth=0.5, **options))
    assert fused.item() == pytest.approx(parts.item(), rel=1e-12)


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_binary_focal_gradient_with_soft_targets(alpha, gamma):
    g = torch.Generator().manual_seed(9)
    logits = torch.randn(2, 1, 3, 3, generator=g, dtype=torch.float64, requires_grad=True)
    soft = torch.rand(2, 1, 3, 3, generator=g, dtype=torch.float64)

    def loss(x):
        return L.focal_loss(x, soft, task="binary", from_logits=True, gamma=gamma,
                            alpha=alpha, validate=False)

    assert torch.autograd.gradcheck(loss, (logits,), eps=1e-6, atol=1e-6)
    probs = torch.sigmoid(logits.detach())
    from_probs = L.focal_loss(probs, soft, task="binary", from_logits=False, gamma=gamma,
                              alpha=alpha)
    assert loss(logits).item() == pytest.approx(from_probs.item(), rel=1e-9)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", ["dice", "dice_ce", "focal"])
def test_half_precision_logits_are_computed_in_float32(dtype, name):
    g = torch.Generator().manual_seed(10)
    logits = torch.randn(1, 2, 260, 260, generator=g)   # class sums above 65504
    target = torch.randint(0, 2, (1, 260, 260), generator=g)
    half = logits.to(dtype).requires_grad_(True)
    value = ALL[name](half, target, task="multiclass", from_logits=True)
    value.backward()
    expected = ALL[name](half.detach().float(), target, task="multiclass", from_logits=True)
    assert value.dtype == torch.float32 and half.grad.dtype == dtype
    assert torch.isfinite(half.grad.float()).all()
    assert value.item() == pytest.approx(expected.item(), rel=1e-6)


def test_cross_entropy_matches_torch():
    logits, target = _inputs("multilabel", seed=7)
    ours = L.cross_entropy_loss(logits, target, task="multilabel", from_logits=True)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)


# ---------------------------------------------------------------- errors
def test_from_logits_is_required():
    logits, target = _inputs("multiclass")
    with pytest.raises(TypeError):
        L.soft_dice_loss(logits, target, task="multiclass")
    with pytest.raises(TypeError):
        L.DiceLoss(task="multiclass")
    with pytest.raises(ParameterError, match="from_logits"):
        L.soft_dice_loss(logits, target, task="multiclass", from_logits="yes")


def test_probabilities_expected_but_logits_given():
    logits, target = _inputs("multiclass")
    with pytest.raises(ParameterError, match="from_logits=True"):
        L.soft_dice_loss(logits, target, task="multiclass", from_logits=False)


@pytest.mark.parametrize(
    ("pred", "target", "task", "error"),
    [
        (torch.zeros(2, 3, 4), torch.full((2, 4), 3), "multiclass", LabelError),
        (torch.zeros(2, 3, 4), torch.full((2, 4), -1), "multiclass", LabelError),
        (torch.zeros(2, 3, 4), torch.zeros(2, 5), "multiclass", ShapeError),
        (torch.zeros(2, 3, 4), torch.zeros(2, 2, 4), "multilabel", ShapeError),
        (torch.zeros(2, 1, 4), torch.zeros(2, 3, 4), "binary", ShapeError),
        (torch.zeros(2, 3, 4, dtype=torch.long), torch.zeros(2, 4), "multiclass", DTypeError),
        (torch.zeros(2, 3, 4), torch.zeros(2, 4), "multiclass", DTypeError),
        (torch.zeros(2, 1, 4), torch.full((2, 1, 4), 2.0), "binary", ParameterError),
        (torch.full((2, 1, 4), float("nan")), torch.zeros(2, 1, 4), "binary", ParameterError),
        (torch.zeros(2, 1, 4), torch.zeros(2, 1, 4), "several", ParameterError),
    ],
)
def test_bad_inputs_raise_clear_errors(pred, target, task, error):
    with pytest.raises(error):
        L.soft_dice_loss(pred, target, task=task, from_logits=True)


def test_bad_options_raise():
    logits, target = _inputs("multiclass")
    with pytest.raises(ParameterError, match="aggregate"):
        L.soft_dice_loss(logits, target, task="multiclass", from_logits=True, aggregate="mean")
    with pytest.raises(ParameterError, match="class_weights"):
        L.soft_dice_loss(logits, target, task="multiclass", from_logits=True,
                         class_weights=[1.0, 2.0])
    with pytest.raises(ParameterError, match="smooth"):
        L.soft_dice_loss(logits, target, task="multiclass", from_logits=True, smooth=-1)
    with pytest.raises(ParameterError, match="alpha"):
        L.focal_loss(logits, target, task="multiclass", from_logits=True, alpha=0.25)
    with pytest.raises(ParameterError, match="logits"):
        L.lovasz_hinge_loss(torch.rand(1, 1, 4), torch.ones(1, 1, 4), task="binary",
                            from_logits=False)
    with pytest.raises(ParameterError, match="task"):
        L.lovasz_hinge_loss(logits, target, task="multiclass", from_logits=True)


def test_binary_accepts_with_or_without_channel_axis():
    logits, target = _inputs("multilabel", c=1)
    a = L.soft_dice_loss(logits, target, task="binary", from_logits=True)
    b = L.soft_dice_loss(logits[:, 0], target[:, 0], task="binary", from_logits=True)
    c = L.soft_dice_loss(logits, target[:, 0], task="binary", from_logits=True)
    assert a.item() == b.item() == c.item()


# ---------------------------------------------------------------- training
@pytest.mark.parametrize("name", [*ALL, "lovasz_hinge"])
def test_losses_decrease_when_training_a_tiny_model(name):
    torch.manual_seed(0)
    function = L.lovasz_hinge_loss if name == "lovasz_hinge" else ALL[name]
    image = torch.rand(4, 1, 16, 16)
    task = "binary" if name == "lovasz_hinge" else "multiclass"
    if task == "multiclass":
        target = (image[:, 0] > 0.33).long() + (image[:, 0] > 0.66).long()
    else:
        target = (image > 0.5).float()
    model = torch.nn.Conv2d(1, 1 if task == "binary" else 3, kernel_size=1)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.1)
    history = []
    for _ in range(25):
        optimiser.zero_grad()
        loss = function(model(image), target, task=task, from_logits=True)
        loss.backward()
        optimiser.step()
        history.append(loss.item())
    assert history[-1] < 0.9 * history[0]


def test_fused_kernels_refuse_second_derivatives():
    # their backward is written out once; double backward must fail loudly, not silently
    logits, target = _inputs("multiclass", seed=11)
    logits.requires_grad_(True)
    loss = L.soft_dice_loss(logits, target, task="multiclass", from_logits=True)
    (grad,) = torch.autograd.grad(loss, logits, create_graph=True)
    with pytest.raises(RuntimeError):
        grad.sum().backward()
