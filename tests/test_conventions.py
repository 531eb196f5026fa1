"""Which segscope settings reproduce which library (the table in docs/conventions.md).

Each test computes the reference library's number and the segscope setting that the
docs say reproduces it, on random inputs with absent classes and empty images.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from segscope import confusion_matrix, evaluate, scores_from_confusion

torch = pytest.importorskip("torch")
C = 4


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(3)
    target = rng.integers(0, C, (5, 16, 16))
    pred = rng.integers(0, C, (5, 16, 16))
    target[0][target[0] == 3] = 0          # class 3 absent from image 0 ...
    pred[0][pred[0] == 3] = 0              # ... in both maps
    target[1][target[1] == 2] = 1          # class 2 absent from the target of image 1 only
    target[2][target[2] == 1] = 0          # class 1: a false negative-free empty target ...
    pred[2][pred[2] == 1] = 0              # ... and empty prediction
    return pred, target


def _one_hot(x):
    return torch.nn.functional.one_hot(torch.from_numpy(x), C).permute(0, 3, 1, 2)


def test_torchmetrics_multiclass_jaccard_is_dataset_macro(case):
    from torchmetrics.classification import MulticlassJaccardIndex

    pred, target = case
    for average in ("macro", "micro", "weighted"):
        ref = MulticlassJaccardIndex(C, average=average)(torch.from_numpy(pred),
                                                         torch.from_numpy(target))
        ours = evaluate(pred, target, num_classes=C, metrics="iou", average=average)["iou"]
        assert ours.value == pytest.approx(float(ref), abs=1e-6), average


def test_torchmetrics_segmentation_meaniou(case):
    from torchmetrics.segmentation import MeanIoU

    pred, target = case
    p, t = torch.from_numpy(pred), torch.from_numpy(target)
    per_class = MeanIoU(num_classes=C, input_format="index", per_class=True)(p, t)
    overall = MeanIoU(num_classes=C, input_format="index", per_class=False)(p, t)
    ours = evaluate(pred, target, num_classes=C, metrics="iou", aggregate="image_class")["iou"]
    assert ours.value == pytest.approx(float(overall), abs=1e-6)
    np.testing.assert_allclose(ours.per_class, per_class.numpy(), atol=1e-6)


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", "none"])
def test_torchmetrics_dicescore_is_image_aggregate(average, case):
    from torchmetrics.segmentation import DiceScore

    pred, target = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DiceScore(num_classes=C, input_format="index", average=average)(
            torch.from_numpy(pred), torch.from_numpy(target)).numpy()
    ours = evaluate(pred, target, num_classes=C, metrics="dice", aggregate="image",
                    average=average)["dice"]
    if average == "none":
        np.testing.assert_allclose(ours.per_class, ref, atol=1e-6)
    else:
        assert ours.value == pytest.approx(float(ref), abs=1e-6)


@pytest.mark.parametrize("include_background", [True, False])
def test_monai_dicemetric_and_meaniou_defaults(include_background, case):
    from monai.metrics import DiceMetric
    from monai.metrics import MeanIoU as MonaiMeanIoU

    pred, target = case
    p, t = _one_hot(pred), _one_hot(target)
    # MONAI's "mean" reduction: per image, the mean over its defined classes; then the
    # mean over images
    kw = dict(num_classes=C, aggregate="image", empty="nan_target",
              include_background=include_background)
    dm = DiceMetric(include_background=include_background, reduction="mean")
    dm(p, t)
    assert evaluate(pred, target, metrics="dice", **kw)["dice"].value == pytest.approx(
        dm.aggregate().item(), abs=1e-6)
    mi = MonaiMeanIoU(include_background=include_background, reduction="mean")
    mi(p, t)
    assert evaluate(pred, target, metrics="iou", **kw)["iou"].value == pytest.approx(
        mi.aggregate().item(), abs=1e-6)
    # ignore_empty=False: both empty -> 1, target empty but predicted -> 0: empty="one"
    dm = DiceMetric(include_background=include_background, reduction="mean",
                    ignore_empty=False)
    dm(p, t)
    kw.update(empty="one")
    assert evaluate(pred, target, metrics="dice", **kw)["dice"].value == pytest.approx(
        dm.aggregate().item(), abs=1e-6)


@pytest.mark.parametrize(("reduction", "average", "aggregate"), [
    ("micro", "micro", "dataset"),
    ("macro", "macro", "dataset"),
    ("weighted", "weighted", "dataset"),
    ("micro-imagewise", "micro", "image"),
    ("macro-imagewise", "macro", "image"),
])
def test_smp_reductions(reduction, average, aggregate, case):
    from references import require_smp

    functional = require_smp("metrics")
    pred, target = case
    tp, fp, fn, tn = functional.get_stats(torch.from_numpy(pred), torch.from_numpy(target),
                                          mode="multiclass", num_classes=C)
    # smp's "weighted" needs explicit class weights: the target pixel share reproduces ours
    support = np.bincount(target.ravel(), minlength=C)
    weights = list(support / support.sum()) if "weighted" in reduction else None
    for name, fn_ in (("iou", functional.iou_score), ("f1", functional.f1_score)):
        ref = fn_(tp, fp, fn, tn, reduction=reduction, zero_division=1.0,
                  class_weights=weights)
        ours = evaluate(pred, target, num_classes=C, metrics=name, average=average,
                        aggregate=aggregate, empty="one")[name]
        assert ours.value == pytest.approx(float(ref), abs=1e-6), (name, reduction)


def test_hf_evaluate_mmseg_dataset_miou(case):
    """HF evaluate ``mean_iou`` / mmsegmentation: sum intersections and unions over the
    dataset per class, then ``nanmean`` over classes (absent classes are NaN)."""
    pred, target = case
    inter = np.array([((pred == k) & (target == k)).sum() for k in range(C)], float)
    union = np.array([((pred == k) | (target == k)).sum() for k in range(C)], float)
    with np.errstate(invalid="ignore"):
        ref = np.nanmean(inter / union)
    assert evaluate(pred, target, num_classes=C, metrics="iou")["iou"].value == pytest.approx(
        ref, abs=1e-12)
    # pixel accuracy as they report it ("overall accuracy")
    acc = evaluate(pred, target, num_classes=C, metrics="accuracy")["accuracy"].value
    assert acc == pytest.approx((pred == target).mean())


def test_dataset_aggregate_equals_sum_of_image_counts(case):
    pred, target = case
    per = confusion_matrix(pred, target, num_classes=C, per_image=True)
    a = scores_from_confusion(per.sum(0), "iou")["iou"].value
    b = evaluate(pred, target, num_classes=C, metrics="iou")["iou"].value
    assert a == b


def test_torchmetrics_scores_on_tensors_are_decision_argmax_and_threshold(case):
    # torchmetrics turns float scores into labels implicitly (argmax over the class axis;
    # 0.5 for binary probabilities); segscope does it only with decision=..., on tensors
    from torchmetrics.classification import BinaryJaccardIndex, MulticlassJaccardIndex

    _, target = case
    g = torch.Generator().manual_seed(5)
    t = torch.from_numpy(target)
    logits = torch.randn(5, C, 16, 16, generator=g)
    ref = MulticlassJaccardIndex(C, average="macro")(logits, t)
    ours = evaluate(logits, t, decision="argmax", metrics="iou")["iou"]
    assert ours.value == pytest.approx(float(ref), abs=1e-6)
    probs = torch.rand(5, 16, 16, generator=g)
    binary = (t > 1).long()
    ref = BinaryJaccardIndex(threshold=0.5)(probs, binary)
    ours = evaluate(probs, binary, task="binary", decision="threshold", metrics="iou",
                    labels=[1])["iou"]
    assert ours.value == pytest.approx(float(ref), abs=1e-6)
