"""A Keras callback that runs segscope's report on a validation set at the end of an epoch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ..errors import ParameterError
from ..options import DEFAULT_METRICS
from ..results import Report

__all__ = ["SegscopeReport"]


class SegscopeReport(keras.callbacks.Callback):
    """Score ``model.predict(x)`` against ``y`` with segscope after every ``every`` epochs.

    The overlap metrics come from :func:`segscope.evaluate`, the boundary metrics (``hd95``,
    ``assd``, … on the label maps) from :class:`segscope.streaming.BoundaryMetric`. Each
    summary value is put into ``logs`` as ``f"{prefix}{name}"`` (so ``History`` and other
    callbacks see it); the last reports are ``self.report`` / ``self.boundary_report``.

    Parameters
    ----------
    x, y
        Validation images ``(N, *spatial, channels)`` and sparse labels ``(N, *spatial)``.
    num_classes : int
    metrics : sequence of str
        Overlap metrics (names of :data:`segscope.options.METRICS`).
    boundary_metrics : sequence of str
        Boundary metrics (``()``: none; they cost a distance transform per image).
    ignore_index : int, optional
    every : int
        Run on epochs ``every - 1``, ``2 every - 1``, … (and never on the others).
    json_path : path, optional
        Write the last overlap report there as JSON (whole or not at all, through
        :func:`segscope.io.write_text`).
    batch_size : int
        For ``model.predict``.
    prefix : str
        Prefix of the keys put into ``logs``.
    """

    def __init__(self, x: Any, y: Any, *, num_classes: int,
                 metrics: Sequence[str] = DEFAULT_METRICS,
                 boundary_metrics: Sequence[str] = ("hd95", "assd"),
                 ignore_index: int | None = None, every: int = 1,
                 json_path: str | Path | None = None, batch_size: int = 8,
                 prefix: str = "val_segscope_") -> None:
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ParameterError(f"every must be an int >= 1; got {every!r}")
        self.x, self.y = x, np.asarray(y)
        self.num_classes = num_classes
        self.metrics = tuple(metrics)
        self.boundary_metrics = tuple(boundary_metrics)
        self.ignore_index = ignore_index
        self.every = every
        self.json_path = json_path
        self.batch_size = batch_size
        self.prefix = prefix
        self.report: Report | None = None
        self.boundary_report: Report | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every:
            return
        from ..metrics import evaluate

        scores = keras.ops.convert_to_numpy(
            self.model.predict(self.x, batch_size=self.batch_size, verbose=0))
        labels = scores.argmax(-1)
        self.report = evaluate(labels, self.y, num_classes=self.num_classes,
                               metrics=self.metrics, ignore_index=self.ignore_index)
        summary = dict(self.report.summary())
        if self.boundary_metrics:
            from ..streaming import BoundaryMetric

            metric = BoundaryMetric(self.num_classes, metrics=self.boundary_metrics,
                                    ignore_index=self.ignore_index)
            metric.update(labels, self.y)
            self.boundary_report = metric.compute()
            summary.update(self.boundary_report.summary())
        if logs is not None:
            logs.update({f"{self.prefix}{k}": float(v) for k, v in summary.items()})
        if self.json_path is not None:
            from ..io import write_text

            write_text(self.json_path, self.report.to_json(indent=2))
