"""Benchmark: segscope.losses vs segmentation_models_pytorch and MONAI, forward + backward.

Every loss is timed side by side in one process at settings where the definitions
coincide (checked: the values must agree), on the CPU and, when available, on CUDA.
Ratios are peer time / segscope time (> 1: segscope is faster).

    python -m benchmarks.losses [--batch 8 --classes 21 --size 256 --repeats 5]
"""

from __future__ import annotations

import warnings

import torch

from segscope import losses as L

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


def _peers():
    from tests.references import smp_submodule

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import monai.losses as monai
        except ImportError:
            monai = None
    return smp_submodule("losses"), monai


def cases(smp, monai, classes: int):
    """(name, ours, smp, monai, value scale of MONAI) with inputs (logits, index, one-hot)."""
    mc = {"task": "multiclass", "from_logits": True}
    oh = {"softmax": True, "to_onehot_y": True, "batch": True}
    out = [
        ("soft Dice (multiclass)",
         lambda x, t: L.soft_dice_loss(x, t, smooth=1.0, **mc),
         smp and (lambda x, t: smp.DiceLoss("multiclass", smooth=0.5)(x, t)),
         monai and (lambda x, t: monai.DiceLoss(smooth_nr=1.0, smooth_dr=1.0, **oh)(
             x, t.unsqueeze(1)))),
        ("soft Jaccard (multiclass)",
         lambda x, t: L.soft_jaccard_loss(x, t, smooth=1.0, **mc),
         smp and (lambda x, t: smp.JaccardLoss("multiclass", smooth=1.0)(x, t)),
         monai and (lambda x, t: monai.DiceLoss(jaccard=True, smooth_nr=2.0, smooth_dr=2.0,
                                                **oh)(x, t.unsqueeze(1)))),
        ("Tversky 0.3/0.7 (multiclass)",
         lambda x, t: L.tversky_loss(x, t, tversky_alpha=0.3, tversky_beta=0.7, **mc),
         smp and (lambda x, t: smp.TverskyLoss("multiclass", alpha=0.3, beta=0.7,
                                               smooth=1.0)(x, t)),
         monai and (lambda x, t: monai.TverskyLoss(alpha=0.3, beta=0.7, smooth_nr=1.0,
                                                   smooth_dr=1.0, **oh)(x, t.unsqueeze(1)))),
        ("generalized Dice (multiclass)",
         lambda x, t: L.generalized_dice_loss(x, t, smooth=0.0, **mc),
         None,
         monai and (lambda x, t: monai.GeneralizedDiceLoss(smooth_nr=0.0, smooth_dr=0.0, **oh)(
             x, t.unsqueeze(1)))),
        ("focal γ=2 (softmax; MONAI ×C)",
         lambda x, t: L.focal_loss(x, t, gamma=2.0, **mc),
         None,
         monai and (lambda x, t: classes * monai.FocalLoss(use_softmax=True, to_onehot_y=True,
                                                           gamma=2.0)(x, t.unsqueeze(1)))),
        ("Lovász-Softmax (present classes)",
         lambda x, t: L.lovasz_softmax_loss(x, t, classes="present", **mc),
         smp and (lambda x, t: smp.LovaszLoss("multiclass", per_image=False)(x, t)),
         None),
        ("cross-entropy + Dice (dice_ce_loss / DiceCELoss)",
         lambda x, t: L.dice_ce_loss(x, t, **mc),
         None,
         monai and (lambda x, t: monai.DiceCELoss(smooth_nr=1.0, smooth_dr=1.0, **oh)(
             x, t.unsqueeze(1)))),
    ]
    return out


def binary_cases(smp, monai):
    b = {"task": "binary", "from_logits": True}
    return [
        ("focal α=0.25 γ=2 (binary)",
         lambda x, t: L.focal_loss(x, t, gamma=2.0, alpha=0.25, **b),
         smp and (lambda x, t: smp.FocalLoss("binary", alpha=0.25, gamma=2.0)(x, t)),
         monai and (lambda x, t: monai.FocalLoss(gamma=2.0, alpha=0.25)(x, t))),
        ("Lovász hinge (binary, per image)",
         lambda x, t: L.lovasz_hinge_loss(x, t, aggregate="image", **b),
         smp and (lambda x, t: smp.LovaszLoss("binary", per_image=True)(x, t)),
         None),
    ]


def forward_backward(function, logits, target):
    def run():
        x = logits.detach().requires_grad_(True)
        loss = function(x, target)
        loss.backward()
        return loss

    return run


def run(device: torch.device, args) -> list[str]:
    smp, monai = _peers()
    g = torch.Generator().manual_seed(0)
    shape = (args.batch, args.classes, args.size, args.size)
    logits = torch.randn(shape, generator=g).to(device)
    index = torch.randint(0, args.classes, (args.batch, args.size, args.size),
                          generator=g).to(device)
    binary_logits = torch.randn(args.batch, 1, args.size, args.size, generator=g).to(device)
    binary_target = (torch.rand(args.batch, 1, args.size, args.size, generator=g) > 0.7).float()
    binary_target = binary_target.to(device)
    rows = []
    table = cases(smp, monai, args.classes) + binary_cases(smp, monai)
    for i, (name, ours, theirs_smp, theirs_monai) in enumerate(table):
        x, t = (logits, index) if i < len(table) - 2 else (binary_logits, binary_target)
        expected = ours(x, t).item()
        contenders = {}
        for label, function in (("segscope", ours), ("smp", theirs_smp),
                                ("MONAI", theirs_monai)):
            if not function:
                continue
            value = function(x, t).item()
            if abs(value - expected) > 1e-4 * max(1.0, abs(expected)):
                raise SystemExit(f"{name}: {label} gives {value}, segscope {expected}")
            contenders[label] = forward_backward(function, x, t)
        times = {"smp": None, "MONAI": None}
        times.update(median_times(contenders, device, args.repeats))
        fastest = min(v for k, v in times.items() if k != "segscope" and v is not None)
        rows.append(
            f"| {name} | {ms(times['segscope'])} | {ms(times['smp'])} | {ms(times['MONAI'])} "
            f"| {ratio(times['smp'], times['segscope'])} | "
            f"{ratio(times['MONAI'], times['segscope'])} | "
            f"{'yes' if times['segscope'] <= fastest else 'no'} |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    args = parse_arguments(__doc__.splitlines()[0], "losses", repeats=5)
    lines = [
        "# Losses: segscope vs segmentation_models_pytorch 0.6 and MONAI (forward + backward)",
        "",
        command_line("losses.py"),
        f"Input: logits {args.batch}×{args.classes}×{args.size}×{args.size} (float32) with "
        f"index targets; binary rows {args.batch}×1×{args.size}×{args.size}. Median of "
        f"≥ {args.repeats} round-robin runs (more for cheap cases, up to 51) of forward + "
        "backward, in ms; ratio = peer / segscope "
        "(> 1: segscope faster). Settings match so that the values agree (checked to 1e-4).",
        "",
    ]
    for device in devices(args.device):
        lines += [f"## {environment(device)}", "",
                  "| loss | segscope | smp | MONAI | smp / segscope | MONAI / segscope "
                  "| ≥ fastest peer |", "|---|---|---|---|---|---|---|"]
        print(lines[-4])
        lines += run(device, args)
        lines.append("")
    finish(lines, "losses", args.write)


if __name__ == "__main__":
    main()
