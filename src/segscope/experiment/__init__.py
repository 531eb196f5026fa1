"""The loss experiment: a small U-Net trained per loss, judged by accuracy, F1/Dice and IoU.

The question of the seed article, rerun on any data: train the same network with
cross-entropy, soft Dice, soft Jaccard, Tversky, Lovász, focal and CE + Dice (identical
initial weights, batches, crops, flips and schedule for every loss, several seeds), then
score each on a held-out test set. On imbalanced masks accuracy and IoU can rank the
losses differently; the report shows both (``docs/experiment.md``).

- Data: :func:`generate` (imbalanced blobs with a chosen foreground share, or a 3-class
  trimap), :func:`load_membranes` (ISBI 2012), :func:`load_pets` (a local Oxford-IIIT Pets
  folder), :func:`load_folder` (any images/ + masks/ folders), or :func:`load_dataset` by
  name with the presets of the command line.
- Training: :class:`TrainConfig`, :class:`UNet`, :func:`run_loss_experiment`.
- Reports: :class:`LossExperiment` (``to_markdown``, ``to_json``, ``to_csv``,
  ``summary``, ``rankings``); :func:`bar_chart_png`, :func:`curves_png`.

Needs the ``torch`` extra (and matplotlib, of the ``all`` extra, for the figures). The
command line is ``segscope experiment losses``.

Examples
--------
>>> from segscope import experiment
>>> data = experiment.generate(size=16, n_train=4, n_test=2)
>>> result = experiment.run_loss_experiment(
...     data, losses="ce,jaccard", seeds=1,
...     config=experiment.TrainConfig(steps=2, batch_size=2, width=2, depth=1, evals=1))
>>> result.to_markdown().splitlines()[0]
'| loss | accuracy | mean F1/Dice | mean IoU | F1/Dice background | F1/Dice object | \
IoU background | IoU object |'
"""

from __future__ import annotations

from ..errors import require

require("torch", "torch", "segscope.experiment")

from .api import (  # noqa: E402
    DATASETS,
    PRESETS,
    DatasetName,
    Preset,
    load_dataset,
    preset,
    run_loss_experiment,
)
from .data import SPLITS, Dataset, load_folder, load_membranes, load_pets  # noqa: E402
from .plots import bar_chart_png, curves_png  # noqa: E402
from .recipes import DEFAULT_LOSSES, LOSS_ALIASES, LOSSES, loss_names  # noqa: E402
from .result import LossExperiment, MeanStd  # noqa: E402
from .synthetic import KINDS, generate  # noqa: E402
from .training import RunResult, TrainConfig  # noqa: E402
from .unet import UNet  # noqa: E402

__all__ = [
    "DATASETS",
    "DEFAULT_LOSSES",
    "KINDS",
    "LOSSES",
    "LOSS_ALIASES",
    "PRESETS",
    "SPLITS",
    "Dataset",
    "DatasetName",
    "LossExperiment",
    "MeanStd",
    "Preset",
    "RunResult",
    "TrainConfig",
    "UNet",
    "bar_chart_png",
    "curves_png",
    "generate",
    "load_dataset",
    "load_folder",
    "load_membranes",
    "load_pets",
    "loss_names",
    "preset",
    "run_loss_experiment",
]
