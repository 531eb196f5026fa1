"""Folder evaluation on a 2-process LocalCluster gives the one-machine reports, bit for bit.

Overlap, boundary and instance metrics; any shard size; an unreadable file reported once;
a worker killed mid-run; fsspec ``file://`` (across processes) and ``memory://`` (a
threads-based client: the memory filesystem lives in one process) as the file source.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings

import numpy as np
import pytest
from PIL import Image

from segscope.errors import FileFormatError, LabelError, ParameterError
from segscope.files import (
    BoundaryOptions,
    PairScorer,
    ScoreOptions,
    evaluate_instance_paths,
    evaluate_paths,
    plan_evaluation,
)
from segscope.io import GeometryWarning

distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")
from segscope import dask as sd  # noqa: E402
from segscope.dask.files import _run  # noqa: E402

N = 9
SIZE = 20


def _same(a, b) -> None:
    """Bit-identical reports: the JSON texts (every float written in full) are equal, but
    for the inputs' names in ``meta``."""
    texts = []
    for report in (a, b):
        data = json.loads(report.to_json())
        for key in ("pred", "target"):
            data["meta"].pop(key)
        texts.append(json.dumps(data))
    assert texts[0] == texts[1]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """9 pairs of 3-class 20×20 PNG masks, some class absent in some images."""
    root = tmp_path_factory.mktemp("dask_files")
    rng = np.random.default_rng(13)
    for side in ("pred", "target"):
        (root / side).mkdir()
    for i in range(N):
        target = np.zeros((SIZE, SIZE), np.uint8)
        target[rng.integers(0, 8):rng.integers(10, 20), rng.integers(0, 8):rng.integers(10, 20)] = 1
        if i % 3:
            target[2:6, 12:18] = 2
        pred = target.copy()
        pred[rng.random((SIZE, SIZE)) < 0.08] = rng.integers(0, 3)
        Image.fromarray(pred).save(root / "pred" / f"img{i}.png")
        Image.fromarray(target).save(root / "target" / f"img{i}.png")
    return root


@pytest.fixture(scope="module")
def instance_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask_instances")
    rng = np.random.default_rng(5)
    for side in ("pred", "target"):
        (root / side).mkdir()
    for i in range(6):
        target = np.zeros((SIZE, SIZE), np.uint16)
        for k in range(1, 5):
            y, x = rng.integers(0, SIZE - 5, 2)
            target[y:y + 4, x:x + 5] = k * 7
        pred = np.roll(target, int(rng.integers(-1, 2)), axis=int(rng.integers(0, 2)))
        np.save(root / "pred" / f"cell{i}.npy", pred)
        np.save(root / "target" / f"cell{i}.npy", target)
    return root


SETTINGS = dict(num_classes=3, options=ScoreOptions(metrics="iou,dice,accuracy",
                                                    aggregate="image"),
                boundary=BoundaryOptions(metrics="hd,hd95,assd,nsd"), per_image=True)


@pytest.mark.parametrize("shard_size", [None, 1, 4, N])
def test_overlap_and_boundary_equal_the_local_run(dask_client, folders, shard_size):
    local = evaluate_paths(folders / "pred", folders / "target", **SETTINGS)
    got = sd.evaluate_paths(folders / "pred", folders / "target", client=dask_client,
                            shard_size=shard_size, **SETTINGS)
    _same(got, local)
    assert got.image_names == local.image_names and len(got.image_names) == N


def test_dataset_aggregate_and_binarize(dask_client, folders):
    for kwargs in (dict(num_classes=3), dict(binarize_labels=True)):
        local = evaluate_paths(folders / "pred", folders / "target", **kwargs)
        _same(sd.evaluate_paths(folders / "pred", folders / "target", client=dask_client,
                                shard_size=2, **kwargs), local)


def test_instances_equal_the_local_run(dask_client, instance_folders):
    kwargs = dict(thresholds=(0.5, 0.75), objects=True, boundary=True)
    local = evaluate_instance_paths(instance_folders / "pred", instance_folders / "target",
                                    **kwargs)
    got = sd.evaluate_instance_paths(instance_folders / "pred", instance_folders / "target",
                                     client=dask_client, shard_size=2, **kwargs)
    _same(got, local)
    assert got.objects.rows() == local.objects.rows()


def test_an_unreadable_file_is_reported_once_as_on_one_machine(dask_client, folders,
                                                               tmp_path):
    for side in ("pred", "target"):
        (tmp_path / side).mkdir()
        for i in range(N):
            (tmp_path / side / f"img{i}.png").write_bytes(
                (folders / side / f"img{i}.png").read_bytes())
    (tmp_path / "pred" / "img4.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    (tmp_path / "target" / "img7.png").write_bytes(b"not a png")
    with pytest.raises(FileFormatError) as local:
        evaluate_paths(tmp_path / "pred", tmp_path / "target", num_classes=3)
    with pytest.raises(FileFormatError) as got:
        sd.evaluate_paths(tmp_path / "pred", tmp_path / "target", num_classes=3,
                          client=dask_client, shard_size=1)
    assert str(got.value) == str(local.value) and "img4.png" in str(got.value)
    # a label outside the classes: the first bad pair, its files named, as locally
    with pytest.raises(LabelError) as local:
        evaluate_paths(folders / "pred", folders / "target", num_classes=2)
    with pytest.raises(LabelError) as got:
        sd.evaluate_paths(folders / "pred", folders / "target", num_classes=2,
                          client=dask_client, shard_size=2)
    assert str(got.value) == str(local.value)


def test_missing_num_classes_is_the_local_error(dask_client, folders):
    with pytest.raises(Exception) as local:
        evaluate_paths(folders / "pred", folders / "target")
    with pytest.raises(type(local.value)) as got:
        sd.evaluate_paths(folders / "pred", folders / "target", client=dask_client)
    assert str(got.value) == str(local.value)


@dataclasses.dataclass(frozen=True)
class _KillsItsWorkerOnce(PairScorer):
    """Scores like PairScorer, but the worker scoring pair ``img5`` first dies (once)."""

    marker: str = ""

    def score(self, pairs, *, progress=False):
        if any(p.name == "img5" for p in pairs) and not os.path.exists(self.marker):
            with open(self.marker, "w"):
                pass
            os._exit(1)
        return super().score(pairs, progress=progress)


def test_a_worker_killed_mid_run_changes_nothing(dask_client, folders, tmp_path):
    plan = plan_evaluation(folders / "pred", folders / "target", **SETTINGS)
    killer = _KillsItsWorkerOnce(**{f.name: getattr(plan.scorer, f.name)
                                    for f in dataclasses.fields(PairScorer)},
                                 marker=str(tmp_path / "killed"))
    stats = _run(dataclasses.replace(plan, scorer=killer), dask_client, None, None, 2, False,
                 "evaluating")
    assert os.path.exists(tmp_path / "killed")
    _same(plan.report(stats), evaluate_paths(folders / "pred", folders / "target", **SETTINGS))
    dask_client.wait_for_workers(2)


def test_file_urls_and_file_lists_across_processes(dask_client, folders):
    local = evaluate_paths(folders / "pred", folders / "target", **SETTINGS)
    got = sd.evaluate_paths(f"file://{folders / 'pred'}", f"file://{folders / 'target'}",
                            client=dask_client, shard_size=3, **SETTINGS)
    _same(got, local)
    names = [f"img{i}.png" for i in range(N)]
    listed = sd.evaluate_paths([str(folders / "pred" / n) for n in names],
                               [folders / "target" / n for n in names],
                               client=dask_client, shard_size=4, **SETTINGS)
    assert listed.image_names == local.image_names  # the stems, in list order
    np.testing.assert_array_equal(listed["iou"].per_image, local["iou"].per_image)
    assert listed.meta["pred"] == f"{N} files"


def test_memory_filesystem_on_a_threads_client(folders):
    memory = fsspec.filesystem("memory")
    root = "/segscope-dask-test"
    for side in ("pred", "target"):
        for i in range(N):
            memory.pipe(f"{root}/{side}/img{i}.png",
                        (folders / side / f"img{i}.png").read_bytes())
    memory.pipe(f"{root}/target/.hidden.png", b"ignored")
    try:
        local = evaluate_paths(folders / "pred", folders / "target", **SETTINGS)
        with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                                dashboard_address=":0") as client:
            got = sd.evaluate_paths(f"memory://{root}/pred", f"memory://{root}/target",
                                    client=client, shard_size=4, **SETTINGS)
            _same(got, local)
            with pytest.raises(ParameterError, match="num_classes is required") as missing:
                sd.evaluate_paths(f"memory://{root}/pred", f"memory://{root}/target",
                                  client=client)
            assert "(img0.png, img0.png)" in str(missing.value)  # the first pair, read here
            memory.pipe(f"{root}/pred/img2.png", b"broken")
            with pytest.raises(FileFormatError, match=f"memory://{root}/pred/img2.png"):
                sd.evaluate_paths(f"memory://{root}/pred", f"memory://{root}/target",
                                  client=client, num_classes=3)
    finally:
        memory.rm(root, recursive=True)


def test_worker_warnings_come_back_once(dask_client, tmp_path):
    for side, spacing in (("pred", [1.0, 1.0]), ("target", [2.0, 1.0])):
        (tmp_path / side).mkdir()
        for i in range(3):
            np.savez(tmp_path / side / f"v{i}.npz", labels=np.eye(4, dtype=np.uint8),
                     spacing=np.array(spacing))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sd.evaluate_paths(tmp_path / "pred", tmp_path / "target", num_classes=2,
                          client=dask_client, shard_size=2)
    geometry = [w for w in caught if issubclass(w.category, GeometryWarning)]
    assert len(geometry) == 3 and "v0.npz" in str(geometry[0].message)


def test_cli_scheduler_gives_the_local_json(dask_client, folders, instance_folders,
                                            tmp_path):
    from typer.testing import CliRunner

    from segscope.cli import app

    args = ["evaluate", str(folders / "pred"), str(folders / "target"), "-c", "3",
            "--boundary", "hd95,assd", "--per-image", "-q"]
    local = CliRunner().invoke(app, [*args, "--json", str(tmp_path / "local.json")])
    assert local.exit_code == 0, local.output
    remote = CliRunner().invoke(app, [*args, "--json", str(tmp_path / "remote.json"),
                                      "--scheduler", dask_client.scheduler.address])
    assert remote.exit_code == 0, remote.output
    assert (tmp_path / "remote.json").read_text() == (tmp_path / "local.json").read_text()
    inst = ["evaluate", str(instance_folders / "pred"), str(instance_folders / "target"),
            "--instances", "-q", "--thresholds", "0.5,0.9"]
    local = CliRunner().invoke(app, [*inst, "--json", "-"])
    remote = CliRunner().invoke(app, [*inst, "--json", "-", "--scheduler",
                                      dask_client.scheduler.address])
    assert remote.exit_code == 0, remote.output
    assert local.exit_code == 0, local.output
    assert remote.stdout == local.stdout


def test_cli_refuses_a_url_without_a_cluster_and_both_options(dask_client):
    from typer.testing import CliRunner

    from segscope.cli import app

    r = CliRunner().invoke(app, ["evaluate", "memory://p", "memory://t", "-c", "2"])
    assert r.exit_code == 2 and "--workers N" in r.output
    r = CliRunner().invoke(app, ["evaluate", "a", "b", "-c", "2", "--workers", "2",
                                 "--scheduler", dask_client.scheduler.address])
    assert r.exit_code == 2 and "give one" in r.output


def test_cli_workers_starts_and_stops_a_local_cluster(folders):
    from typer.testing import CliRunner

    from segscope.cli import app

    args = ["evaluate", str(folders / "pred" / "img1.png"), str(folders / "target" / "img1.png"),
            "-c", "3", "--json", "-", "-q"]
    local = CliRunner().invoke(app, args)
    remote = CliRunner().invoke(app, [*args, "--workers", "1"])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
