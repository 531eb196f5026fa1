"""Figures of a loss experiment as PNG bytes (matplotlib, the ``all`` extra).

Drawn on a :class:`matplotlib.figure.Figure` with the Agg canvas directly: no ``pyplot``,
no global backend switched, nothing shown; the caller writes the bytes (the CLI through
one :class:`segscope.io.Outputs` transaction).
"""

from __future__ import annotations

import io
import math

import numpy as np

from ..errors import require
from .result import LossExperiment

__all__ = ["bar_chart_png", "curves_png"]


def _figure(width: float, height: float):
    require("matplotlib", "all", "the experiment's figures")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _bar_scores(result: LossExperiment) -> list[str]:
    names = ["accuracy", "mean_dice", "mean_iou"]
    for c in result.class_names[1:]:  # the classes other than the background
        names += [f"dice[{c}]", f"iou[{c}]"]
    return names


def bar_chart_png(result: LossExperiment, *, title: str | None = None) -> bytes:
    """Grouped bars: per loss, accuracy, mean F1/Dice, mean IoU and the non-background classes'
    F1/Dice and IoU, each the mean over seeds with the sample std as an error bar."""
    from .result import _header

    summary = result.summary()
    names = _bar_scores(result)
    fig = _figure(max(6.0, 1.1 * len(result.losses) * max(1.0, len(names) / 4)), 4.8)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(result.losses))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        means = [summary[loss][name].mean for loss in result.losses]
        stds = [0.0 if math.isnan(summary[loss][name].std) else summary[loss][name].std
                for loss in result.losses]
        ax.bar(x + (k - (len(names) - 1) / 2) * width, means, width, yerr=stds, capsize=2,
               label=_header(name))
    ax.set_xticks(x, list(result.losses))
    ax.set_ylim(0.0, 1.05)
    ax.set_ylabel("test score (mean ± std over seeds)")
    ax.set_title(title or f"{result.meta.get('dataset', {}).get('name', 'dataset')}: "
                 f"{len(result.seeds)} seed(s) per loss")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", ncol=min(len(names), 5 if len(result.losses) > 4 else 3),
              loc="upper center",
              bbox_to_anchor=(0.5, -0.08), frameon=False)
    fig.tight_layout()
    return _png(fig)


def curves_png(result: LossExperiment) -> bytes:
    """Training curves: the training loss and the test mean IoU against the step, per loss
    (mean over seeds)."""
    fig = _figure(10.0, 4.0)
    left = fig.add_subplot(1, 2, 1)
    right = fig.add_subplot(1, 2, 2)
    for loss in result.losses:
        runs = result.runs_of(loss)
        steps = [p["step"] for p in runs[0].curve]
        train = np.mean([[p["train_loss"] for p in r.curve] for r in runs], axis=0)
        miou = np.mean([[p["mean_iou"] for p in r.curve] for r in runs], axis=0)
        left.plot(steps, train, marker=".", label=loss)
        right.plot(steps, miou, marker=".", label=loss)
    left.set_xlabel("step")
    left.set_ylabel("training loss (own scale per loss)")
    left.set_yscale("log")
    right.set_xlabel("step")
    right.set_ylabel("test mean IoU")
    right.set_ylim(0.0, 1.0)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    right.legend(fontsize="small")
    fig.tight_layout()
    return _png(fig)
