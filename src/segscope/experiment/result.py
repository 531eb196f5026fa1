"""The outcome of a loss experiment: every run, the mean ± std over seeds, and its views.

:class:`LossExperiment` holds the runs; :meth:`~LossExperiment.summary` gives, per loss,
the mean and the sample standard deviation over seeds of each score;
:meth:`~LossExperiment.to_markdown`, :meth:`~LossExperiment.to_json` and
:meth:`~LossExperiment.to_csv` are views of the same numbers, and
:mod:`segscope.experiment.plots` draws them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..results import json_safe
from .training import RunResult

__all__ = ["LossExperiment", "MeanStd"]


@dataclass(frozen=True)
class MeanStd:
    """The mean and the sample standard deviation (``ddof=1``; NaN for one seed) of a score."""

    mean: float
    std: float

    @classmethod
    def of(cls, values: Sequence[float]) -> MeanStd:
        arr = np.asarray(values, dtype=np.float64)
        std = float(arr.std(ddof=1)) if arr.size > 1 else math.nan
        return cls(float(arr.mean()), std)

    def text(self, digits: int = 3) -> str:
        """``"0.912 ± 0.004"`` (``"0.912"`` for one seed)."""
        if math.isnan(self.std):
            return f"{self.mean:.{digits}f}"
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"


@dataclass(frozen=True)
class LossExperiment:
    """Every run of a loss experiment and what they were run on.

    Attributes
    ----------
    losses : tuple of str
        The losses, in the order given.
    seeds : tuple of int
    class_names : tuple of str
    runs : tuple of RunResult
        One per (loss, seed), losses outer.
    meta : dict
        The dataset, the training settings, device, threads, versions and the command.
    """

    losses: tuple[str, ...]
    seeds: tuple[int, ...]
    class_names: tuple[str, ...]
    runs: tuple[RunResult, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def runs_of(self, loss: str) -> list[RunResult]:
        """The runs of one loss, in seed order."""
        return [r for r in self.runs if r.loss == loss]

    def score_names(self) -> list[str]:
        """The summarised scores: accuracy, mean_dice, mean_iou, then dice/iou per class."""
        names = ["accuracy", "mean_dice", "mean_iou"]
        names += [f"dice[{c}]" for c in self.class_names]
        names += [f"iou[{c}]" for c in self.class_names]
        return names

    def summary(self) -> dict[str, dict[str, MeanStd]]:
        """Per loss, per score (:meth:`score_names`): mean ± std over the seeds."""
        out: dict[str, dict[str, MeanStd]] = {}
        for loss in self.losses:
            runs = self.runs_of(loss)
            row = {"accuracy": MeanStd.of([r.accuracy for r in runs]),
                   "mean_dice": MeanStd.of([r.mean_dice for r in runs]),
                   "mean_iou": MeanStd.of([r.mean_iou for r in runs])}
            for k, c in enumerate(self.class_names):
                row[f"dice[{c}]"] = MeanStd.of([r.dice[k] for r in runs])
            for k, c in enumerate(self.class_names):
                row[f"iou[{c}]"] = MeanStd.of([r.iou[k] for r in runs])
            out[loss] = row
        return out

    def rankings(self) -> dict[str, list[str]]:
        """The losses from best to worst by the mean of each score (ties keep the given order).

        Examples
        --------
        The point of the experiment: does accuracy order the losses as IoU does?
        ``rankings()["accuracy"] == rankings()["mean_iou"]`` says.
        """
        summary = self.summary()
        keys = ["accuracy", "mean_dice", "mean_iou"]
        if len(self.class_names) > 1:
            keys += [f"iou[{c}]" for c in self.class_names[1:]]
        return {key: sorted(self.losses, key=lambda loss: -_orderable(summary[loss][key].mean))
                for key in keys}

    def scores(self) -> dict[str, Any]:
        """The deterministic numbers: the summary, the rankings and every run (no timings)."""
        return json_safe({
            "summary": {loss: {k: {"mean": v.mean, "std": v.std} for k, v in row.items()}
                        for loss, row in self.summary().items()},
            "rankings": self.rankings(),
            "runs": [r.scores() for r in self.runs],
        })

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-safe: the meta data, the scores, and each run's wall time."""
        out = {"experiment": "losses", **json_safe(self.meta), "losses": list(self.losses),
               "seeds": list(self.seeds), "classes": list(self.class_names), **self.scores()}
        for row, run in zip(out["runs"], self.runs):
            row["seconds"] = round(run.seconds, 3)
        return out

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text (``json.dumps`` keyword arguments allowed)."""
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), **kwargs)

    def table_rows(self) -> list[dict[str, str]]:
        """One row per loss: the loss, then ``mean ± std`` of each score."""
        names = self.score_names()
        rows = []
        for loss, row in self.summary().items():
            rows.append({"loss": loss, **{n: row[n].text() for n in names}})
        return rows

    def to_markdown(self) -> str:
        """A Markdown table (one row per loss) and the rankings in one line each."""
        names = self.score_names()
        headers = ["loss", *(_header(n) for n in names)]
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join("---" for _ in headers) + "|"]
        for row in self.table_rows():
            lines.append("| " + " | ".join([row["loss"], *(row[n] for n in names)]) + " |")
        n_seeds = len(self.seeds)
        lines.append("")
        lines.append(f"Mean ± sample std over {n_seeds} seed(s) ({', '.join(map(str, self.seeds))})"
                     "; scores on the test set, counts summed over its images; means over "
                     "classes include the background.")
        lines.append("")
        for key, order in self.rankings().items():
            lines.append(f"- ranked by {_header(key)}: {' > '.join(order)}")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        """One row per run: loss, seed, every score, seconds."""
        from ..io import csv_text

        rows = []
        for r in self.runs:
            row: dict[str, Any] = {"loss": r.loss, "seed": r.seed, "accuracy": r.accuracy,
                                   "mean_dice": r.mean_dice, "mean_iou": r.mean_iou}
            row.update({f"dice[{c}]": v for c, v in zip(self.class_names, r.dice)})
            row.update({f"iou[{c}]": v for c, v in zip(self.class_names, r.iou)})
            row["seconds"] = round(r.seconds, 3)
            rows.append(row)
        return csv_text(rows)


def _orderable(value: float) -> float:
    return -math.inf if math.isnan(value) else value


def _header(name: str) -> str:
    """``"dice[object]"`` → ``"F1/Dice object"``; ``"mean_iou"`` → ``"mean IoU"``."""
    plain = {"accuracy": "accuracy", "mean_dice": "mean F1/Dice", "mean_iou": "mean IoU"}
    if name in plain:
        return plain[name]
    metric, _, cls = name.partition("[")
    return f"{'F1/Dice' if metric == 'dice' else 'IoU'} {cls.rstrip(']')}"
