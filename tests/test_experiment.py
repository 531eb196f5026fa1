"""The loss experiment: loaders, bad input caught before training, reproducible reports."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from PIL import Image
from typer.testing import CliRunner

from segscope import experiment as ex
from segscope.cli import app
from segscope.errors import (
    FileFormatError,
    LabelError,
    PairingError,
    ParameterError,
)

TINY = ex.TrainConfig(steps=3, batch_size=2, width=2, depth=1, evals=2)


def _write_pairs(images, masks, n, *, size=16, values=(0, 1), image_suffix=".png",
                 rgb=False, seed=0):
    rng = np.random.default_rng(seed)
    images.mkdir(parents=True, exist_ok=True)
    masks.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        mask = np.full((size, size), values[0], np.uint8)
        mask[2:8, 3:9] = values[1]
        if len(values) > 2:
            mask[8:10, 3:9] = values[2]
        pixels = rng.integers(0, 255, (size, size, 3) if rgb else (size, size), dtype=np.uint8)
        Image.fromarray(pixels).save(images / f"{i}{image_suffix}")
        Image.fromarray(mask).save(masks / f"{i}.png")


# -- the end-to-end command ---------------------------------------------------------------
def _run_quick(folder):
    folder.mkdir()
    args = ["experiment", "losses", "--quick", "--losses", "ce,dice", "--seeds", "2",
            "--steps", "8", "--json", str(folder / "r.json"), "--markdown",
            str(folder / "t.md"), "-o", str(folder / "bars.png"), "--curves",
            str(folder / "curves.png"), "--csv", str(folder / "runs.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def test_quick_command_writes_every_report_and_is_reproducible(tmp_path):
    first = _run_quick(tmp_path / "a")
    _run_quick(tmp_path / "b")
    a, b = (json.loads((tmp_path / d / "r.json").read_text()) for d in "ab")
    for report in (a, b):  # timings (and the output paths) differ; nothing else may
        report.pop("wall_seconds")
        assert report.pop("command").startswith("segscope experiment losses --losses ce,dice")
        for run in report["runs"]:
            run.pop("seconds")
    assert a == b
    assert (tmp_path / "a" / "t.md").read_text() == (tmp_path / "b" / "t.md").read_text()
    assert a["losses"] == ["ce", "dice"] and a["seeds"] == [0, 1] and len(a["runs"]) == 4
    assert a["threads"] == 1 and a["device"] == "cpu"
    assert a["environment"]["torch"] and a["config"]["steps"] == 8
    assert set(a["summary"]["ce"]) >= {"accuracy", "mean_dice", "mean_iou", "dice[object]",
                                       "iou[background]"}
    assert len(a["runs"][0]["curve"]) == 3 and a["runs"][0]["curve"][-1]["step"] == 8
    for name in ("bars.png", "curves.png"):
        assert (tmp_path / "a" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (tmp_path / "a" / "t.md").read_text()
    assert table.startswith("| loss | accuracy | mean F1/Dice | mean IoU |")
    assert "ranked by accuracy" in table
    assert (tmp_path / "a" / "runs.csv").read_text().count("\n") == 5
    assert "ranked by mean IoU" in first.output


def test_summary_is_mean_and_sample_std_over_seeds():
    data = ex.generate(size=16, n_train=4, n_test=2, foreground=0.2)
    result = ex.run_loss_experiment(data, losses="jaccard", seeds=(3, 5), config=TINY)
    runs = result.runs_of("jaccard")
    assert [r.seed for r in runs] == [3, 5]
    cell = result.summary()["jaccard"]["mean_iou"]
    values = [r.mean_iou for r in runs]
    assert cell.mean == pytest.approx(np.mean(values))
    assert cell.std == pytest.approx(np.std(values, ddof=1))
    for r in runs:  # the run's mean is the mean of its classes
        assert r.mean_iou == pytest.approx(np.mean(r.iou))
        assert 0 <= r.accuracy <= 1


def test_runs_restore_torch_settings():
    import torch

    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    data = ex.generate(size=16, n_train=2, n_test=1)
    ex.run_loss_experiment(data, losses="ce", seeds=1, config=TINY, threads=1)
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == before


def test_one_seed_gives_every_loss_the_same_batches():
    from segscope.experiment.training import batch_plan

    config = ex.TrainConfig(steps=5, batch_size=3, crop=8)
    a, b = (batch_plan(1, n_train=7, side=16, config=config) for _ in range(2))
    other = batch_plan(2, n_train=7, side=16, config=config)
    same = all(np.array_equal(x.images, y.images) and np.array_equal(x.top, y.top)
               and np.array_equal(x.flips, y.flips) for x, y in zip(a, b))
    assert same
    assert not all(np.array_equal(x.images, y.images) for x, y in zip(a, other))
    # every image is seen once per epoch before any is seen again
    seen = np.concatenate([x.images for x in a])[:7]
    assert sorted(seen.tolist()) == list(range(7))


# -- datasets -------------------------------------------------------------------------------
def test_generated_sets_have_the_asked_foreground_share():
    data = ex.generate(foreground=0.1, size=32, n_train=3, n_test=2, seed=4)
    assert data.class_fractions()[1] == pytest.approx(0.1, abs=0.002)
    assert data.train_images.dtype == np.float32 and data.train_images.min() >= 0
    again = ex.generate(foreground=0.1, size=32, n_train=3, n_test=2, seed=4)
    assert np.array_equal(data.train_images, again.train_images)
    trimap = ex.generate(kind="trimap", foreground=0.2, size=32, n_train=2, n_test=1)
    assert set(np.unique(trimap.train_masks)) == {0, 1, 2}
    assert trimap.class_names == ("background", "object", "border")


def test_folder_loader_pairs_resizes_and_splits(tmp_path):
    _write_pairs(tmp_path / "img", tmp_path / "lab", 5, size=24, values=(0, 1), rgb=True)
    data = ex.load_folder(tmp_path / "img", tmp_path / "lab", size=16, n_test=2)
    assert data.train_images.shape == (3, 3, 16, 16) and data.test_masks.shape == (2, 16, 16)
    assert data.num_classes == 2 and data.source["pairs"] == 5
    assert data.train_images.max() <= 1.0
    # labels in another order: value 1 is class 0
    swapped = ex.load_folder(tmp_path / "img", tmp_path / "lab", labels=(1, 0), size=None,
                             colour="grey", n_test=1)
    assert swapped.in_channels == 1
    assert np.array_equal(swapped.train_masks[0], 1 - data_at_full(tmp_path / "lab" / "0.png"))


def data_at_full(path):
    return np.asarray(Image.open(path)).astype(np.int64)


def test_membranes_layout(tmp_path):
    _write_pairs(tmp_path / "images", tmp_path / "labels", 6, values=(255, 0))
    data = ex.load_membranes(tmp_path, size=None, n_train=4, n_test=2)
    assert data.class_names == ("interior", "membrane")
    assert data.train_images.shape == (4, 1, 16, 16)
    first = np.asarray(Image.open(tmp_path / "labels" / "0.png"))
    assert np.array_equal(data.train_masks[0], (first == 0).astype(np.int64))
    assert data.source["split"] == "tail"


def test_pets_layout(tmp_path):
    root = tmp_path / "oxford-iiit-pet"
    _write_pairs(root / "images", root / "annotations" / "trimaps", 6, values=(2, 1, 3),
                 image_suffix=".jpg", rgb=True)
    # the Pets archive holds macOS "._" copies: hidden files are left out
    (root / "annotations" / "trimaps" / "._0.png").write_bytes(b"not a png")
    data = ex.load_pets(root, size=16, limit=None, n_test=2)
    assert data.class_names == ("background", "pet", "border")
    assert data.in_channels == 3
    mask = np.concatenate([data.train_masks, data.test_masks])
    assert set(np.unique(mask)) == {0, 1, 2}
    assert (mask[:, 2:8, 3:9] == 1).all() and (mask[:, 8:10, 3:9] == 2).all()


@pytest.mark.slow
def test_shared_membranes(shared_data):
    data = ex.load_membranes(shared_data("membranes"), size=64)
    assert data.train_images.shape == (25, 1, 64, 64) and data.test_images.shape[0] == 5
    assert 0.1 < data.class_fractions()[1] < 0.4  # membranes are the rarer class


# -- bad input: clear errors before any training --------------------------------------------
def test_unpaired_files_are_named(tmp_path):
    _write_pairs(tmp_path / "img", tmp_path / "lab", 3)
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(tmp_path / "img" / "lonely.png")
    with pytest.raises(PairingError, match=r"lonely\.png"):
        ex.load_folder(tmp_path / "img", tmp_path / "lab")


def test_unreadable_file(tmp_path):
    _write_pairs(tmp_path / "img", tmp_path / "lab", 3)
    data = (tmp_path / "lab" / "1.png").read_bytes()
    (tmp_path / "lab" / "1.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match=r"1\.png"):
        ex.load_folder(tmp_path / "img", tmp_path / "lab")


def test_unexpected_labels(tmp_path):
    _write_pairs(tmp_path / "img", tmp_path / "lab", 3, values=(0, 255))
    with pytest.raises(LabelError, match="labels="):
        ex.load_folder(tmp_path / "img", tmp_path / "lab")
    with pytest.raises(LabelError, match=r"0\.png: unexpected mask value\(s\) \[255\]"):
        ex.load_folder(tmp_path / "img", tmp_path / "lab", labels=(0, 1))


def test_dataset_too_small_for_the_split(tmp_path):
    _write_pairs(tmp_path / "images", tmp_path / "labels", 4, values=(255, 0))
    with pytest.raises(ParameterError, match=r"25 \+ 5 = 30 .* has 4"):
        ex.load_membranes(tmp_path)
    with pytest.raises(ParameterError, match="too small"):
        ex.Dataset.from_arrays(np.zeros((1, 1, 8, 8)), np.zeros((1, 8, 8), int),
                               class_names=("a", "b"))


def test_network_and_crop_must_fit():
    data = ex.generate(size=24, n_train=2, n_test=1)
    with pytest.raises(ParameterError, match="divisible by 16"):
        ex.run_loss_experiment(data, losses="ce", seeds=1, config=ex.TrainConfig(depth=4))
    with pytest.raises(ParameterError, match="unknown loss 'hinge'"):
        ex.run_loss_experiment(data, losses="ce,hinge", seeds=1, config=TINY)


def test_command_refuses_bad_input_before_training(tmp_path):
    _write_pairs(tmp_path / "img", tmp_path / "lab", 3, values=(0, 7))
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["experiment", "losses", "--data", "folder", "--images",
                                      str(tmp_path / "img"), "--masks", str(tmp_path / "lab"),
                                      "--labels", "0,1", "--json", str(out)])
    assert result.exit_code == 2
    assert "unexpected mask value" in result.output and not out.exists()
    result = CliRunner().invoke(app, ["experiment", "losses", "--data", "membranes"])
    assert result.exit_code == 2 and "--root" in result.output
    result = CliRunner().invoke(app, ["experiment", "losses", "--json",
                                      str(tmp_path / "img" / "0.png"), "--data", "folder",
                                      "--images", str(tmp_path / "img"), "--masks",
                                      str(tmp_path / "lab")])
    assert result.exit_code == 2 and "input" in result.output
