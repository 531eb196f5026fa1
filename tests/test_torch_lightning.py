"""OverlapMetric and a segscope loss inside a PyTorch Lightning training run (CPU)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pl = pytest.importorskip("pytorch_lightning")

import segscope  # noqa: E402
from segscope.losses import DiceCELoss  # noqa: E402
from segscope.streaming import OverlapMetric  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.slow]


def _batches(seed, count=3):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(count):
        images = torch.rand(2, 1, 8, 8, generator=g)
        target = (images[:, 0] > 0.3).long() + (images[:, 0] > 0.7).long()
        out.append((images, target))
    return out


def _loader(seed):
    batches = _batches(seed)
    images = torch.cat([x for x, _ in batches])
    target = torch.cat([t for _, t in batches])
    dataset = torch.utils.data.TensorDataset(images, target)
    return torch.utils.data.DataLoader(dataset, batch_size=2, shuffle=False)


class _Segmenter(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Conv2d(1, 3, kernel_size=1)
        self.loss = DiceCELoss(task="multiclass", from_logits=True)
        self.val_metric = OverlapMetric(num_classes=3, decision="argmax",
                                        metrics=("iou", "dice"))
        self.reports = []

    def training_step(self, batch, batch_idx):
        images, target = batch
        return self.loss(self.net(images), target)

    def validation_step(self, batch, batch_idx):
        images, target = batch
        self.val_metric.update(self.net(images), target)

    def on_validation_epoch_end(self):
        report = self.val_metric.compute()
        self.log_dict({f"val_{k}": v for k, v in report.summary().items()})
        self.reports.append(report)
        self.val_metric.reset()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_metric_and_loss_inside_lightning(tmp_path):
    model = _Segmenter()
    trainer = pl.Trainer(max_epochs=2, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, num_sanity_val_steps=0,
                         default_root_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(model, train_dataloaders=_loader(0), val_dataloaders=_loader(1))
    assert len(model.reports) == 2
    # the last report equals a one-shot evaluation of the final model on the same data
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model.net(x).argmax(1) for x, _ in _batches(1)])
    target = torch.cat([t for _, t in _batches(1)])
    expected = segscope.evaluate(pred.numpy(), target.numpy(), num_classes=3,
                                 metrics=("iou", "dice"))
    assert model.reports[-1].summary() == expected.summary()
    assert np.isclose(float(trainer.callback_metrics["val_iou"]), expected["iou"].value)
    assert model.val_metric.counts is None  # reset at the end of the epoch
