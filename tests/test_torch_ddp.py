"""Streaming metrics under torch.distributed: two CPU processes (gloo) give one-process counts."""

from __future__ import annotations

import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import segscope  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _data():
    g = torch.Generator().manual_seed(0)
    target = torch.randint(0, 4, (6, 10, 10), generator=g)
    target[:, 0, :] = 255
    pred = torch.randint(0, 4, (6, 10, 10), generator=g)
    return pred, target


def _worker(rank: int, world: int, port: int, out_dir: str) -> None:
    import torch.distributed as dist

    from segscope.streaming import BoundaryMetric, OverlapMetric

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    try:
        pred, target = _data()
        shard = slice(0, 2) if rank == 0 else slice(2, 6)  # uneven shards
        results = {}
        for aggregate in ("dataset", "image"):
            metric = OverlapMetric(num_classes=4, ignore_index=255, aggregate=aggregate,
                                   metrics=("iou", "dice"))
            metric.update(pred[shard], target[shard])
            report = metric.compute()
            results[aggregate] = {
                "iou": report["iou"].per_class, "dice": report["dice"].value,
                "images": report.num_images, "local": metric.counts.numpy().tolist(),
            }
        # a NumPy state is this process's own: compute does not sum over processes
        on_arrays = OverlapMetric(num_classes=4, ignore_index=255, metrics="iou")
        on_arrays.update(pred[shard].numpy(), target[shard].numpy())
        results["numpy_images"] = on_arrays.compute().num_images
        boundary = BoundaryMetric(num_classes=4, ignore_index=255, metrics=("hd95", "nsd"))
        boundary.update(pred[shard], target[shard])
        report = boundary.compute()
        results["boundary"] = {"rows": report["hd95"].per_image, "nsd": report["nsd"].value,
                               "images": report.num_images, "local": boundary.num_images}
        torch.save(results, f"{out_dir}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def _run_two_processes(out_dir: str) -> None:
    """torch.multiprocessing with 2 processes; "fork" where available (no re-import of
    torch in the children: ~4 s instead of ~15 s on a busy 2-core machine)."""
    import multiprocessing
    import time

    import torch.multiprocessing as mp

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = mp.start_processes(_worker, args=(2, _free_port(), out_dir), nprocs=2,
                                 join=False, start_method=method)
    deadline = time.monotonic() + 120
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail("the two DDP processes did not finish within 120 s")


def test_two_process_counts_equal_single_process_counts(tmp_path):
    _run_two_processes(str(tmp_path))
    pred, target = _data()
    for aggregate in ("dataset", "image"):
        expected = segscope.evaluate(pred.numpy(), target.numpy(), num_classes=4,
                                     ignore_index=255, aggregate=aggregate,
                                     metrics=("iou", "dice"))
        locals_ = []
        for rank in (0, 1):
            got = torch.load(tmp_path / f"rank{rank}.pt")[aggregate]
            np.testing.assert_array_equal(got["iou"], expected["iou"].per_class)
            assert got["dice"] == expected["dice"].value
            assert got["images"] == 6  # images are summed over processes too
            locals_.append(np.array(got["local"]))
        # each process kept its own counts; together they are the whole data set
        whole = segscope.confusion_matrix(pred.numpy(), target.numpy(), num_classes=4,
                                          ignore_index=255)
        np.testing.assert_array_equal(locals_[0] + locals_[1], whole)
        assert not np.array_equal(locals_[0], whole)
    assert [torch.load(tmp_path / f"rank{r}.pt")["numpy_images"] for r in (0, 1)] == [2, 4]
    # boundary metrics: the rows of both processes, in rank order, as in one process
    from segscope.streaming import BoundaryMetric

    one_process = BoundaryMetric(num_classes=4, ignore_index=255, metrics=("hd95", "nsd"))
    one_process.update(pred, target)
    expected = one_process.compute()
    for rank, local in ((0, 2), (1, 4)):
        got = torch.load(tmp_path / f"rank{rank}.pt")["boundary"]
        assert got["rows"] == expected["hd95"].per_image
        assert got["nsd"] == expected["nsd"].value
        assert (got["images"], got["local"]) == (6, local)
