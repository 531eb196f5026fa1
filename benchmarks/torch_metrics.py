"""Benchmark: segscope on tensors vs torchmetrics (CPU, and CUDA if present).

Each case is timed side by side in one process (round-robin medians) and the values are
checked to agree at matching settings. Ratios are torchmetrics time / segscope time
(> 1: segscope is faster). The floor rows time reading the inputs once (``.sum()``), the
memory-bandwidth limit of any counting method; each floor is timed round-robin with the
segscope call it bounds.

    python -m benchmarks.torch_metrics [--batch 8 --classes 21 --size 256 --repeats 9]
"""

from __future__ import annotations

import warnings

import torch

import segscope
from segscope.streaming import OverlapMetric

from ._torch_timing import (
    command_line,
    devices,
    environment,
    finish,
    median_times,
    ms,
    parse_arguments,
    ratio,
)


def _agree(name: str, ours: float, theirs: float) -> None:
    if abs(ours - theirs) > 1e-5:
        raise SystemExit(f"{name}: segscope {ours} vs torchmetrics {theirs}")


def run(device: torch.device, args) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torchmetrics.classification import MulticlassJaccardIndex
        from torchmetrics.functional.classification import multiclass_jaccard_index
        from torchmetrics.segmentation import DiceScore, MeanIoU
    c = args.classes
    g = torch.Generator().manual_seed(0)
    shape = (args.batch, args.size, args.size)
    target = torch.randint(0, c, shape, generator=g)
    noise = torch.randint(0, c, shape, generator=g)
    pred = torch.where(torch.rand(shape, generator=g) < 0.7, target, noise)
    logits = torch.randn(args.batch, c, args.size, args.size, generator=g)
    logits.scatter_add_(1, pred.unsqueeze(1), torch.full((args.batch, 1, *shape[1:]), 3.0))
    target, pred, logits = target.to(device), pred.to(device), logits.to(device)

    rows = []

    def row(name, ours, theirs, ours_value, theirs_value, batches=1):
        _agree(name, ours_value(), theirs_value())
        times = median_times({"segscope": ours, "torchmetrics": theirs}, device, args.repeats)
        pixels = batches * pred.numel()
        rows.append(f"| {name} | {ms(times['segscope'])} | {ms(times['torchmetrics'])} | "
                    f"{ratio(times['torchmetrics'], times['segscope'])} | "
                    f"{pixels / times['segscope'] / 1e6:.0f} |")
        print(rows[-1], flush=True)

    # 1. dataset-level mIoU of label maps
    def ours_miou():
        return segscope.evaluate(pred, target, num_classes=c, metrics="iou")["iou"].value

    def tm_miou():
        return float(multiclass_jaccard_index(pred, target, num_classes=c, average="macro"))

    row("mIoU of label maps (MulticlassJaccardIndex, macro)", ours_miou, tm_miou, ours_miou,
        tm_miou)

    # 2. the same from logits (argmax inside)
    jaccard = MulticlassJaccardIndex(num_classes=c, average="macro").to(device)

    def ours_logits():
        return segscope.evaluate(logits, target, decision="argmax", metrics="iou")["iou"].value

    def tm_logits():
        return float(jaccard(logits, target))

    row("mIoU of logits, argmax inside (MulticlassJaccardIndex)", ours_logits, tm_logits,
        ours_logits, tm_logits)

    # 3. mean over (image, class) pairs: torchmetrics segmentation.MeanIoU
    mean_iou = MeanIoU(num_classes=c, input_format="index").to(device)

    def ours_pairs():
        return segscope.evaluate(pred, target, num_classes=c, metrics="iou",
                           aggregate="image_class")["iou"].value

    def tm_pairs():
        mean_iou.reset()
        return float(mean_iou(pred, target))

    row("IoU per (image, class) (segmentation.MeanIoU)", ours_pairs, tm_pairs, ours_pairs,
        tm_pairs)

    # 4. Dice per image, macro over classes: torchmetrics segmentation.DiceScore
    dice = DiceScore(num_classes=c, input_format="index", average="macro",
                     aggregation_level="samplewise").to(device)

    def ours_dice():
        return segscope.evaluate(pred, target, num_classes=c, metrics="dice",
                           aggregate="image")["dice"].value

    def tm_dice():
        dice.reset()
        return float(dice(pred, target))

    row("Dice per image, macro (segmentation.DiceScore)", ours_dice, tm_dice, ours_dice,
        tm_dice)

    # 5. streaming: 4 updates and one compute
    streaming = OverlapMetric(num_classes=c, metrics="iou")
    module = MulticlassJaccardIndex(num_classes=c, average="macro").to(device)

    def ours_stream():
        streaming.reset()
        for _ in range(4):
            streaming.update(pred, target)
        return streaming.compute()["iou"].value

    def tm_stream():
        module.reset()
        for _ in range(4):
            module.update(pred, target)
        return float(module.compute())

    row("streaming: 4 × update + compute (MulticlassJaccardIndex)", ours_stream, tm_stream,
        ours_stream, tm_stream, batches=4)

    label_floor = median_times({"floor": lambda: (pred.sum() + target.sum()).item(),
                                "segscope": ours_miou}, device, args.repeats)
    logit_floor = median_times({"floor": lambda: logits.sum().item(),
                                "segscope": ours_logits}, device, args.repeats)
    for what, times in (("both label maps", label_floor), ("the logits", logit_floor)):
        rows.append(f"| floor: read {what} once (`.sum()`), vs segscope in the same rounds "
                    f"| {ms(times['segscope'])} | floor {ms(times['floor'])} | "
                    f"{times['segscope'] / times['floor']:.1f}× the floor | "
                    f"{pred.numel() / times['floor'] / 1e6:.0f} (floor) |")

    # the same function on the tensor, and on a NumPy copy of it on the host (what
    # segscope.evaluate did with a tensor before it counted tensors on their device)
    def host_copy():
        return segscope.evaluate(pred.cpu().numpy(), target.cpu().numpy(), num_classes=c,
                                 metrics="iou")["iou"].value

    _agree("tensor vs host copy", ours_miou(), host_copy())
    times = median_times({"tensor": ours_miou, "host": host_copy}, device, args.repeats)
    rows.append(f"| same function: `segscope.evaluate(tensor)` vs "
                f"`segscope.evaluate(tensor.cpu().numpy())` | {ms(times['tensor'])} | "
                f"host copy {ms(times['host'])} | {ratio(times['host'], times['tensor'])} | "
                f"{pred.numel() / times['tensor'] / 1e6:.0f} |")
    print(rows[-1], flush=True)
    return rows


def main() -> None:
    args = parse_arguments(__doc__.splitlines()[0], "torch_metrics", repeats=9)
    lines = [
        "# Tensor metrics: segscope (tensor input) vs torchmetrics",
        "",
        command_line("torch_metrics.py"),
        f"Input: int64 label maps {args.batch}×{args.size}×{args.size}, {args.classes} classes "
        f"(70 % correct); logits {args.batch}×{args.classes}×{args.size}×{args.size} float32. "
        f"Median of ≥ {args.repeats} round-robin runs (more for cheap cases) in ms; "
        "ratio = torchmetrics / segscope "
        "(> 1: segscope faster); Mpx/s = segscope's throughput. Values agree to 1e-5.",
        "",
    ]
    for device in devices(args.device):
        lines += [f"## {environment(device)}", "",
                  "| case | segscope | torchmetrics | ratio | Mpx/s |", "|---|---|---|---|---|"]
        lines += run(device, args)
        lines.append("")
    finish(lines, "torch_metrics", args.write)


if __name__ == "__main__":
    main()
