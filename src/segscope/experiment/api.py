"""``run_loss_experiment``: one U-Net per (loss, seed), scored on the test set.

Examples
--------
>>> from segscope.experiment import generate, run_loss_experiment, TrainConfig
>>> data = generate(size=16, n_train=4, n_test=2, foreground=0.1)
>>> result = run_loss_experiment(data, losses=("ce", "dice"), seeds=1,
...                              config=TrainConfig(steps=2, batch_size=2, width=2, depth=1,
...                                                 evals=1))
>>> [r.loss for r in result.runs], sorted(result.summary()["dice"])[:2]
(['ce', 'dice'], ['accuracy', 'dice[background]'])
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .._progress import progress_bar
from ..errors import ParameterError
from .data import Dataset, load_folder, load_membranes, load_pets
from .recipes import DEFAULT_LOSSES, loss_names
from .result import LossExperiment
from .synthetic import generate
from .training import TrainConfig, batch_plan, deterministic, train_run

__all__ = [
    "DATASETS",
    "PRESETS",
    "DatasetName",
    "Preset",
    "load_dataset",
    "preset",
    "run_loss_experiment",
]

#: The datasets the command line names.
DatasetName = Literal["generated", "trimap", "membranes", "pets", "folder"]
DATASETS: tuple[str, ...] = ("generated", "trimap", "membranes", "pets", "folder")


#: The training settings of --quick: a tiny network and schedule that run in seconds.
_QUICK = TrainConfig(steps=40, batch_size=4, width=4, depth=2, lr=0.01, evals=3)


@dataclass(frozen=True)
class Preset:
    """The default loader options and training settings of one dataset (full and quick)."""

    load: dict[str, Any]
    config: TrainConfig
    quick_load: dict[str, Any] = field(default_factory=dict)
    quick_config: TrainConfig = field(default_factory=lambda: _QUICK)
    seeds: int = 3
    quick_seeds: int = 2


_QUICK_GENERATED = {"size": 32, "n_train": 16, "n_test": 8}
#: The defaults, sized to finish within about 8 minutes on one core of a quiet 2-core CPU
#: for the 7 default losses × 3 seeds (see docs/experiment.md for the measured times).
PRESETS: dict[str, Preset] = {
    "generated": Preset(load={"kind": "binary", "foreground": 0.05, "size": 64, "n_train": 48,
                              "n_test": 24},
                        config=TrainConfig(steps=300, batch_size=8),
                        quick_load=_QUICK_GENERATED),
    "trimap": Preset(load={"kind": "trimap", "foreground": 0.2, "size": 64, "n_train": 48,
                           "n_test": 24},
                     config=TrainConfig(steps=300, batch_size=8),
                     quick_load=_QUICK_GENERATED),
    "membranes": Preset(load={"size": 256, "n_train": 25, "n_test": 5},
                        config=TrainConfig(steps=300, batch_size=8, crop=64),
                        quick_load={"size": 64},
                        quick_config=TrainConfig(steps=40, batch_size=4, crop=32, width=4,
                                                 depth=2, lr=0.01, evals=3)),
    "pets": Preset(load={"size": 96, "limit": 400},
                   config=TrainConfig(steps=300, batch_size=8, crop=64),
                   quick_load={"size": 32, "limit": 20},
                   quick_config=TrainConfig(steps=40, batch_size=4, crop=16, width=4, depth=2,
                                            lr=0.01, evals=3)),
    "folder": Preset(load={"size": 128},
                     config=TrainConfig(steps=300, batch_size=8, crop=64),
                     quick_load={"size": 32, "limit": 20},
                     quick_config=TrainConfig(steps=40, batch_size=4, crop=16, width=4,
                                              depth=2, lr=0.01, evals=3)),
}


def preset(name: DatasetName, *, quick: bool = False) -> tuple[dict[str, Any], TrainConfig, int]:
    """The loader options, training settings and number of seeds of dataset ``name``.

    Examples
    --------
    >>> load, config, seeds = preset("membranes")
    >>> load, config.crop, seeds
    ({'size': 256, 'n_train': 25, 'n_test': 5}, 64, 3)
    """
    if name not in PRESETS:
        raise ParameterError(f"dataset {name!r} is not known; choose one of "
                             f"{', '.join(DATASETS)}")
    p = PRESETS[name]
    if quick:
        return {**p.load, **p.quick_load}, p.quick_config, p.quick_seeds
    return dict(p.load), p.config, p.seeds


def load_dataset(name: DatasetName, *, root: str | os.PathLike | None = None,
                 images: str | os.PathLike | None = None,
                 masks: str | os.PathLike | None = None, quick: bool = False,
                 **options: Any) -> Dataset:
    """Load dataset ``name`` with its preset options, ``options`` (not None) overriding them.

    ``root`` is the folder of ``"membranes"`` (ISBI-2012 ``images/`` and ``labels/``) and of
    ``"pets"`` (Oxford-IIIT Pets ``images/`` and ``annotations/trimaps/``); ``images`` and
    ``masks`` are the two folders of ``"folder"``. ``options`` are the keyword arguments of
    :func:`generate`, :func:`load_membranes`, :func:`load_pets` or :func:`load_folder`.

    Examples
    --------
    >>> load_dataset("membranes")
    Traceback (most recent call last):
    ...
    segscope.errors.ParameterError: the membranes dataset needs root=PATH (--root): the \
folder holding images/ and labels/ of the ISBI 2012 challenge
    """
    load, _, _ = preset(name, quick=quick)
    load.update({k: v for k, v in options.items() if v is not None})
    if name in ("generated", "trimap"):
        _refuse_paths(name, root=root, images=images, masks=masks)
        return generate(**load)
    if name == "folder":
        _refuse_paths(name, root=root)
        if images is None or masks is None:
            raise ParameterError("the folder dataset needs images=PATH and masks=PATH (--images,"
                                 " --masks): a folder of images and a folder of masks of the "
                                 "same file names")
        return load_folder(images, masks, **load)
    _refuse_paths(name, images=images, masks=masks)
    if root is None:
        where = ("images/ and labels/ of the ISBI 2012 challenge" if name == "membranes"
                 else "images/*.jpg and annotations/trimaps/*.png of Oxford-IIIT Pets")
        raise ParameterError(f"the {name} dataset needs root=PATH (--root): the folder holding "
                             f"{where}")
    loader = load_membranes if name == "membranes" else load_pets
    return loader(Path(root), **load)


def _refuse_paths(name: str, **given: Any) -> None:
    used = [k for k, v in given.items() if v is not None]
    if used:
        raise ParameterError(f"{', '.join(used)} do(es) not apply to the {name} dataset; leave "
                             "it out (root: membranes, pets; images/masks: folder)")


def resolve_device(device: str) -> str:
    """``"auto"`` → ``"cuda"`` when a CUDA device is present, else ``"cpu"``; others checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        raise ParameterError(f"device={device!r} is not a torch device; pass auto, cpu, cuda "
                             "or cuda:N") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise ParameterError(f"device={device!r}: no CUDA device is available here; pass "
                             "device='cpu' (or auto)")
    return device


def run_loss_experiment(data: Dataset, *, losses: str | Sequence[str] = DEFAULT_LOSSES,
                        seeds: int | Sequence[int] = 3, config: TrainConfig | None = None,
                        device: str = "auto", threads: int = 1, progress: bool = False,
                        command: str | None = None) -> LossExperiment:
    """Train one U-Net per (loss, seed) on ``data`` and score each on its test set.

    Parameters
    ----------
    data : Dataset
        From :func:`generate`, :func:`load_membranes`, :func:`load_pets`,
        :func:`load_folder` or :func:`load_dataset`.
    losses : str or sequence of str
        Names of :data:`~segscope.experiment.LOSSES` (a string may be a comma list).
    seeds : int or sequence of int
        A number ``n`` (seeds ``0 .. n-1``) or the seeds themselves. For one seed, every
        loss starts from the same weights and sees the same batches, crops and flips.
    config : TrainConfig, optional
        Network and schedule (default :class:`TrainConfig`).
    device : str
        ``"auto"`` (CUDA when present, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``.
    threads : int
        torch threads during the runs (restored afterwards). Default 1: the numbers then do
        not depend on the machine's core count, and on a shared or small machine one thread
        per experiment is also the fastest (see docs/experiment.md).
    progress : bool
        A progress bar per run on stderr, with the current loss.
    command : str, optional
        The command line recorded in the result (the CLI passes its own).

    Returns
    -------
    LossExperiment
    """
    config = TrainConfig() if config is None else config
    names = loss_names(losses)
    seed_list = _seeds(seeds)
    config.check_fits(data)
    device = resolve_device(device)
    start = time.perf_counter()
    side = tuple(data.train_images.shape[2:])
    runs = []
    total = len(names) * len(seed_list)
    with deterministic(threads, device):
        for s_index, seed in enumerate(seed_list):
            plan = batch_plan(seed, n_train=data.train_images.shape[0], side=side,
                              config=config)
            for l_index, loss in enumerate(names):
                number = s_index * len(names) + l_index + 1
                with progress_bar(total=config.steps, enabled=progress, status=True,
                                  description=f"[{number}/{total}] {loss} seed {seed}") as step:
                    run = train_run(data, loss, seed, config, plan=plan, device=device,
                                    on_step=lambda v, step=step: step(1, status=f"loss {v:.4f}"))
                runs.append(run)
    order = {loss: k for k, loss in enumerate(names)}
    runs.sort(key=lambda r: (order[r.loss], seed_list.index(r.seed)))
    meta = {
        "dataset": data.describe(),
        "config": config.as_dict(),
        "device": device,
        "threads": int(threads),
        "environment": _environment(),
        "command": command,
        "wall_seconds": round(time.perf_counter() - start, 1),
    }
    return LossExperiment(losses=names, seeds=tuple(seed_list), class_names=data.class_names,
                          runs=tuple(runs), meta=meta)


def _seeds(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, bool):
        raise ParameterError(f"seeds must be a number of seeds or a list of seeds; got {seeds!r}")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ParameterError(f"seeds must be >= 1 (the number of seeds); got {seeds}")
        return list(range(seeds))
    out = [int(s) for s in seeds]
    if not out or len(set(out)) != len(out) or min(out) < 0:
        raise ParameterError(f"seeds must be distinct whole numbers >= 0; got {list(seeds)}")
    return out


def _environment() -> dict[str, str]:
    import numpy
    import torch

    from .. import __version__

    return {"segscope": __version__, "torch": torch.__version__, "numpy": numpy.__version__,
            "python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.machine()}


def with_config(config: TrainConfig, **changes: Any) -> TrainConfig:
    """``config`` with the given settings changed (``None`` values leave a setting alone)."""
    return replace(config, **{k: v for k, v in changes.items() if v is not None})
