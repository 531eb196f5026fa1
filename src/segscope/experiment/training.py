"""One training run: a U-Net, one loss, one seed; the same data, order and schedule for all.

What a seed fixes, so that two losses trained with the same seed differ only by the loss:

- the network's initial weights (``torch.manual_seed(seed)`` just before it is built);
- the **batch plan**: which training images form each batch, where each is cropped and
  how it is flipped or turned (a NumPy generator seeded by ``seed``, drawn once per seed
  and shared by every loss);
- the schedule: Adam, learning rate ``lr`` with a cosine decay to 0 over ``steps``.

Runs are deterministic on one machine: :func:`deterministic` fixes the number of torch
threads (a parallel sum in another order gives other rounding) and switches on
``torch.use_deterministic_algorithms`` (and cuDNN's deterministic mode on CUDA).

Examples
--------
>>> cfg = TrainConfig(steps=2, batch_size=2, width=2, depth=1, evals=1)
>>> plan = batch_plan(0, n_train=3, side=8, config=cfg)
>>> len(plan), plan[0].images.tolist()
(2, [1, 0])
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from .data import Dataset

__all__ = ["Batch", "RunResult", "TrainConfig", "batch_plan", "deterministic", "train_run"]

#: The overlap metrics every run reports on the test set.
RUN_METRICS = ("accuracy", "dice", "iou")


@dataclass(frozen=True)
class TrainConfig:
    """How every network of an experiment is built and trained.

    Parameters
    ----------
    steps : int
        Optimiser steps per run.
    batch_size : int
        Training images (crops) per step.
    crop : int or None
        Side of the random square crops trained on; ``None`` trains on whole images.
    width, depth : int
        The U-Net's channels at full resolution and number of poolings
        (see :class:`~segscope.experiment.UNet`).
    lr : float
        Adam's initial learning rate (cosine decay to 0 over ``steps``).
    augment : bool
        Random horizontal and vertical flips and transposes (the 8 turns and mirrors of a
        square) of each crop.
    evals : int
        Points of the training curve: the test set is scored ``evals`` times, evenly
        spaced, the last one after the final step (the reported numbers).

    Examples
    --------
    >>> TrainConfig(steps=0)
    Traceback (most recent call last):
    ...
    segscope.errors.ParameterError: steps must be a whole number >= 1; got 0
    """

    steps: int = 300
    batch_size: int = 8
    crop: int | None = None
    width: int = 8
    depth: int = 3
    lr: float = 2e-3
    augment: bool = True
    evals: int = 10

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "width", "depth", "evals"):
            _whole(name, getattr(self, name), 1)
        if self.crop is not None:
            _whole("crop", self.crop, 2)
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ParameterError(f"lr must be a finite number > 0; got {self.lr!r}")
        if self.depth > 6:
            raise ParameterError(f"depth must lie in [1, 6]; got {self.depth}")

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain values."""
        return asdict(self)

    def check_fits(self, data: Dataset) -> None:
        """Raise :class:`ParameterError` unless the images and crops fit the network."""
        step = 2 ** self.depth
        height, width = data.train_images.shape[2:]
        test_hw = data.test_images.shape[2:]
        side = self.crop
        if side is not None and side > min(height, width):
            raise ParameterError(f"crop={side} is larger than the training images "
                                 f"({height}×{width}); pass a smaller crop (--crop)")
        for what, sides in (("crop", (side,) if side is not None else ()),
                            ("image side", (height, width, *test_hw))):
            bad = [s for s in sides if s % step]
            if bad:
                raise ParameterError(
                    f"the U-Net of depth {self.depth} needs every {what} divisible by {step}; "
                    f"got {bad[0]}. Change --size/--crop, or --depth")
        if side is None and self.augment and height != width:
            raise ParameterError("augment turns square crops; these training images are "
                                 f"{height}×{width}: pass a square crop (--crop) or "
                                 "augment=False")


def _whole(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be a whole number >= {low}; got {value!r}")


@dataclass(frozen=True)
class Batch:
    """One step of the batch plan: images, crop corners and flips (one entry per item)."""

    images: np.ndarray
    top: np.ndarray
    left: np.ndarray
    flips: np.ndarray  # (B, 3) booleans: vertical flip, horizontal flip, transpose


def batch_plan(seed: int, *, n_train: int, side: int | tuple[int, int],
               config: TrainConfig) -> list[Batch]:
    """The batches of one seed: epochs of shuffled images, crop corners, flips.

    ``side`` is the training images' side (or ``(height, width)``). The plan depends only
    on the seed, the number of images, their size and ``config``: every loss trained with
    that seed gets the same one.
    """
    height, width = (side, side) if isinstance(side, int) else side
    crop = config.crop
    rng = np.random.default_rng([int(seed), 2015])
    order: list[int] = []
    plan = []
    for _ in range(config.steps):
        while len(order) < config.batch_size:
            order.extend(rng.permutation(n_train).tolist())
        picked = np.array(order[:config.batch_size])
        del order[:config.batch_size]
        b = len(picked)
        if crop is None:
            top = left = np.zeros(b, np.int64)
        else:
            top = rng.integers(0, height - crop + 1, size=b)
            left = rng.integers(0, width - crop + 1, size=b)
        flips = (rng.integers(0, 2, size=(b, 3)).astype(bool) if config.augment
                 else np.zeros((b, 3), bool))
        plan.append(Batch(picked, top, left, flips))
    return plan


def make_batch(images: np.ndarray, masks: np.ndarray, batch: Batch,
               crop: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of one planned batch (images ``(B, C, s, s)``, masks ``(B, s, s)``)."""
    xs, ys = [], []
    for i, top, left, (fv, fh, tr) in zip(batch.images, batch.top, batch.left, batch.flips):
        if crop is None:
            x, y = images[i], masks[i]
        else:
            x = images[i, :, top:top + crop, left:left + crop]
            y = masks[i, top:top + crop, left:left + crop]
        if fv:
            x, y = x[:, ::-1], y[::-1]
        if fh:
            x, y = x[:, :, ::-1], y[:, ::-1]
        if tr:
            x, y = x.transpose(0, 2, 1), y.T
        xs.append(x)
        ys.append(y)
    return np.ascontiguousarray(np.stack(xs)), np.ascontiguousarray(np.stack(ys))


@dataclass(frozen=True)
class RunResult:
    """The test-set scores of one (loss, seed) run, and its training curve.

    Attributes
    ----------
    loss : str
        The loss's name.
    seed : int
    accuracy : float
        Pixel accuracy on the test set.
    dice, iou : tuple of float
        Per-class F1/Dice and IoU on the test set (counts summed over the test images).
    mean_dice, mean_iou : float
        Their mean over classes (background included).
    curve : tuple of dict
        ``{"step", "train_loss", "accuracy", "mean_dice", "mean_iou"}`` at each evaluation;
        ``train_loss`` is the mean loss of the steps since the previous point.
    seconds : float
        Wall time of the run (not part of the deterministic numbers).
    """

    loss: str
    seed: int
    accuracy: float
    dice: tuple[float, ...]
    iou: tuple[float, ...]
    mean_dice: float
    mean_iou: float
    curve: tuple[dict[str, float], ...]
    seconds: float = 0.0

    def scores(self) -> dict[str, Any]:
        """The deterministic numbers (no timing)."""
        return {"loss": self.loss, "seed": self.seed, "accuracy": self.accuracy,
                "dice": list(self.dice), "iou": list(self.iou), "mean_dice": self.mean_dice,
                "mean_iou": self.mean_iou, "curve": [dict(p) for p in self.curve]}


@contextlib.contextmanager
def deterministic(threads: int, device: Any) -> Iterator[None]:
    """Fix torch's thread count and deterministic algorithms for a block; restore them after."""
    import torch

    _whole("threads", threads, 1)
    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(),
              torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic)
    cuda = torch.device(device).type == "cuda"
    if cuda:  # cuBLAS needs a fixed workspace to be deterministic
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_num_threads(int(threads))
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    try:
        yield
    finally:
        torch.set_num_threads(before[0])
        torch.use_deterministic_algorithms(before[1])
        torch.backends.cudnn.benchmark = before[2]
        torch.backends.cudnn.deterministic = before[3]


def train_run(data: Dataset, loss: str, seed: int, config: TrainConfig, *,
              plan: list[Batch], device: Any = "cpu",
              on_step: Callable[[float], None] | None = None) -> RunResult:
    """Train one U-Net with ``loss`` and ``seed`` on ``data.train_*``; score it on ``data.test_*``.

    ``plan`` is :func:`batch_plan` of the seed; ``on_step`` gets each step's loss (for a
    progress bar). Call it inside :func:`deterministic` for reproducible numbers.
    """
    import torch

    from .recipes import make_loss
    from .unet import UNet

    start = time.perf_counter()
    mean = data.train_images.mean(axis=(0, 2, 3), dtype=np.float64).astype(np.float32)
    std = data.train_images.std(axis=(0, 2, 3), dtype=np.float64).astype(np.float32)
    std = np.where(std > 1e-6, std, np.float32(1.0))
    norm = (mean[None, :, None, None], std[None, :, None, None])
    train_x = (data.train_images - norm[0]) / norm[1]
    test_x = torch.from_numpy(np.ascontiguousarray((data.test_images - norm[0]) / norm[1]))
    test_y = torch.from_numpy(data.test_masks)

    torch.manual_seed(int(seed))
    net = UNet(data.in_channels, data.num_classes, width=config.width,
               depth=config.depth).to(device)
    criterion = make_loss(loss)
    optimiser = torch.optim.Adam(net.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda t: 0.5 * (1.0 + math.cos(math.pi * t / config.steps)))
    evals = sorted({int(np.round(v)) for v in np.linspace(0, config.steps, config.evals + 1)[1:]})
    curve: list[dict[str, float]] = []
    since: list[float] = []
    scores: dict[str, Any] = {}
    for t, batch in enumerate(plan, start=1):
        x, y = make_batch(train_x, data.train_masks, batch, config.crop)
        net.train()
        optimiser.zero_grad(set_to_none=True)
        value = criterion(net(torch.from_numpy(x).to(device)), torch.from_numpy(y).to(device))
        value.backward()
        optimiser.step()
        schedule.step()
        since.append(float(value.detach()))
        if on_step is not None:
            on_step(since[-1])
        if t in evals:
            scores = evaluate_net(net, test_x, test_y, data.num_classes, device)
            curve.append({"step": t, "train_loss": float(np.mean(since)),
                          "accuracy": scores["accuracy"], "mean_dice": scores["mean_dice"],
                          "mean_iou": scores["mean_iou"]})
            since = []
    return RunResult(loss=loss, seed=int(seed), accuracy=scores["accuracy"],
                     dice=scores["dice"], iou=scores["iou"], mean_dice=scores["mean_dice"],
                     mean_iou=scores["mean_iou"], curve=tuple(curve),
                     seconds=time.perf_counter() - start)


def evaluate_net(net: Any, images: Any, masks: Any, num_classes: int, device: Any, *,
                 chunk: int = 8) -> dict[str, Any]:
    """Pixel accuracy, per-class and mean Dice and IoU of ``net``'s argmax on a test set."""
    import torch

    from ..streaming import OverlapMetric

    metric = OverlapMetric(num_classes=num_classes, metrics=RUN_METRICS)
    net.eval()
    with torch.no_grad():
        for i in range(0, images.shape[0], chunk):
            labels = net(images[i:i + chunk].to(device)).argmax(dim=1)
            metric.update(labels.cpu().numpy(), masks[i:i + chunk].numpy())
    report = metric.compute()
    return {"accuracy": float(report["accuracy"].value),
            "dice": tuple(float(v) for v in report["dice"].per_class),
            "iou": tuple(float(v) for v in report["iou"].per_class),
            "mean_dice": float(report["dice"].value), "mean_iou": float(report["iou"].value)}
