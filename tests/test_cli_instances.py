"""`segscope evaluate --instances` on TIFF, PNG and NIfTI files and folders, as the library."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
import tifffile
from PIL import Image
from typer.testing import CliRunner

from _instance_data import nuclei, perturbations
from segscope.cli import app
from segscope.instances import evaluate_instances

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["evaluate", *map(str, args)])


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("inst")
    (root / "p").mkdir()
    (root / "t").mkdir()
    target = nuclei()
    p = perturbations(target)
    names = ["dropped", "merged", "spurious"]
    for n in names:
        tifffile.imwrite(root / "p" / f"{n}.tif", p[n].astype(np.uint16))
        Image.fromarray(target.astype(np.uint16)).save(root / "t" / f"{n}.png")
    return root, [p[n] for n in names], [target] * 3


def test_folder_json_equals_library(folders):
    root, preds, targets = folders
    res = run(root / "p", root / "t", "--instances", "--json", "-", "--thresholds", "0.5,0.75")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    ref = evaluate_instances(preds, targets, thresholds=(0.5, 0.75))
    assert got["num_images"] == 3 and got["image_names"] == ["dropped", "merged", "spurious"]
    for m in ref.metrics:
        assert got["dataset"][m] == pytest.approx(ref.value(m, aggregate="dataset"), abs=1e-12)
        assert got["image"][m] == pytest.approx(ref.value(m, aggregate="image"), abs=1e-12)
    assert [r["tp"] for r in got["thresholds_table"]] == ref.counts.tp.sum(axis=(0, 1)).tolist()


def test_table_csv_and_objects(folders, tmp_path):
    root, preds, targets = folders
    obj = tmp_path / "objects.csv"
    rows = tmp_path / "rows.csv"
    res = run(root / "p", root / "t", "--instances", "--per-image", "--objects", obj,
              "--csv", rows, "--rule", ">", "--matching", "greedy_iou", "--aggregate", "image")
    assert res.exit_code == 0, res.output
    assert "IoU > t" in res.output and "per image" in res.output
    per_image = list(csv.DictReader(io.StringIO(rows.read_text())))
    assert [r["image"] for r in per_image] == ["dropped", "merged", "spurious"]
    objects = list(csv.DictReader(io.StringIO(obj.read_text())))
    ref = evaluate_instances(preds, targets, rule=">", method="greedy_iou")
    missed = [r for r in objects if r["status"] == "missed"]
    assert len(missed) == int(ref.counts.fn[:, 0, 0].sum())
    assert {r["image"] for r in objects if r["status"] == "spurious"} >= {"spurious"}


def test_nifti_volume(tmp_path):
    nib = pytest.importorskip("nibabel")
    t = np.zeros((20, 20, 8), np.int32)
    t[2:8, 2:8, 1:5] = 4
    t[10:18, 10:18, 2:7] = 9
    p = np.zeros_like(t)
    p[2:8, 2:8, 1:5] = 1
    nib.save(nib.Nifti1Image(t, np.eye(4)), tmp_path / "t.nii.gz")
    nib.save(nib.Nifti1Image(p, np.eye(4)), tmp_path / "p.nii.gz")
    res = run(tmp_path / "p.nii.gz", tmp_path / "t.nii.gz", "--instances", "--csv", "-",
              "--thresholds", "0.5")
    assert res.exit_code == 0, res.output
    row = next(csv.DictReader(io.StringIO(res.output)))
    assert (row["tp"], row["fp"], row["fn"]) == ("1", "0", "1")
    assert float(row["recall"]) == 0.5


def test_empty_images_are_reported(tmp_path):
    z = np.zeros((8, 8), np.uint16)
    tifffile.imwrite(tmp_path / "p.tif", z)
    tifffile.imwrite(tmp_path / "t.tif", z)
    res = run(tmp_path / "p.tif", tmp_path / "t.tif", "--instances")
    assert res.exit_code == 0, res.output
    assert "no object on either side" in res.output and "--empty nan" in res.output


def test_bad_options_exit_2(folders, tmp_path):
    root, _, _ = folders
    res = run(root / "p", root / "t", "--instances", "--num-classes", "3")
    assert res.exit_code == 2 and "--num-classes" in res.output
    res = run(root / "p", root / "t", "--thresholds", "0.5")
    assert res.exit_code == 2 and "--instances" in res.output
    f = tmp_path / "f.tif"
    tifffile.imwrite(f, np.zeros((4, 4), np.float32) + 0.5)
    res = run(f, f, "--instances")
    assert res.exit_code == 2 and "integers" in res.output
    semantic = tmp_path / "s.tif"
    tifffile.imwrite(semantic, (nuclei() > 0).astype(np.uint8))
    res = run(semantic, semantic, "--instances")
    assert res.exit_code == 2 and "semantic mask" in res.output
