"""`segscope evaluate --boundary/--spacing`: boundary scores next to the overlap scores."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
import tifffile
from PIL import Image
from typer.testing import CliRunner

from segscope.boundary import hausdorff
from segscope.cli import app
from segscope.streaming import BoundaryMetric

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["evaluate", *map(str, args)])


def _pairs(n=2, shape=(40, 36)):
    rng = np.random.default_rng(3)
    targets, preds = [], []
    for _ in range(n):
        t = np.zeros(shape, np.uint8)
        r0, c0 = rng.integers(2, 10, 2)
        t[r0:r0 + 15, c0:c0 + 12] = 1
        t[r0 + 18:r0 + 26, c0 + 5:c0 + 20] = 2
        targets.append(t)
        preds.append(np.roll(t, tuple(rng.integers(-2, 3, 2)), axis=(0, 1)))
    return preds, targets


def _folders(tmp_path, preds, targets):
    pdir, tdir = tmp_path / "pred", tmp_path / "gt"
    pdir.mkdir()
    tdir.mkdir()
    for i, (p, t) in enumerate(zip(preds, targets, strict=True)):
        Image.fromarray(p).save(pdir / f"img{i}.png")
        tifffile.imwrite(tdir / f"img{i}.tif", t)
    return pdir, tdir


def test_boundary_scores_in_json_and_csv_equal_the_library(tmp_path):
    preds, targets = _pairs()
    pdir, tdir = _folders(tmp_path, preds, targets)
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    res = run(pdir, tdir, "-c", 3, "--boundary", "hd,hd95,assd,nsd,biou", "--spacing", "2,0.5",
              "--tolerance", 1.5, "--percentile", 90, "--json", out_json, "--csv", out_csv,
              "--per-image", "-q")
    assert res.exit_code == 0, res.output
    data = json.loads(out_json.read_text())
    # boundary metrics leave out class 0 (the background) even though overlap metrics score it
    acc = BoundaryMetric(3, metrics=["hd", "hd95", "assd", "nsd", "biou"], tolerance=1.5,
                         percentile=90)
    for i, (p, t) in enumerate(zip(preds, targets, strict=True)):
        acc.update(p[None], t[None], spacing=(2.0, 0.5), names=[f"img{i}"])
    by_name = {s["metric"]: s for s in data["scores"]}
    assert "iou" in by_name and "0" in by_name["iou"]["per_class"]  # overlap scores stay
    assert "0" not in by_name["hd"]["per_class"]
    for want in acc.compute():
        got = by_name[want.metric]
        assert [got["per_class"][str(c)] for c in want.classes] == pytest.approx(want.per_class)
        np.testing.assert_allclose(np.array(got["per_image"], float), want.per_image)
    assert "hd90" in by_name and by_name["hd90"]["extra"]["percentile"] == 90
    with out_csv.open() as fh:
        header = next(csv.reader(fh))
    assert {"hd", "hd90", "assd", "nsd", "biou", "iou"} <= set(header)


def test_table_shows_boundary_columns(tmp_path):
    preds, targets = _pairs(1)
    pdir, tdir = _folders(tmp_path, preds, targets)
    res = run(pdir, tdir, "-c", 3, "--boundary", "hd95,nsd")
    assert res.exit_code == 0, res.output
    assert "hd95" in res.output.lower() and "nsd" in res.output.lower()


def test_spacing_from_nifti_headers_and_override(tmp_path):
    nib = pytest.importorskip("nibabel")
    t = np.zeros((12, 14, 10), np.uint8)
    t[3:8, 4:10, 2:7] = 1
    p = np.roll(t, 1, axis=2)
    for name, arr in (("p.nii.gz", p), ("t.nii.gz", t)):
        img = nib.Nifti1Image(arr, np.diag([2.0, 1.0, 3.0, 1.0]))
        img.header.set_zooms((2.0, 1.0, 3.0))
        nib.save(img, tmp_path / name)
    res = run(tmp_path / "p.nii.gz", tmp_path / "t.nii.gz", "-c", 2, "--boundary", "hd",
              "--json", "-")
    assert res.exit_code == 0, res.output
    hd = {s["metric"]: s for s in json.loads(res.stdout)["scores"]}["hd"]
    assert hd["value"] == pytest.approx(hausdorff(p, t, spacing=(2.0, 1.0, 3.0))) == 3.0
    res = run(tmp_path / "p.nii.gz", tmp_path / "t.nii.gz", "-c", 2, "--boundary", "hd",
              "--spacing", "1,1,1", "--json", "-")
    assert res.exit_code == 0, res.output
    hd = {s["metric"]: s for s in json.loads(res.stdout)["scores"]}["hd"]
    assert hd["value"] == 1.0


def test_a_missed_structure_is_inf_not_dropped(tmp_path):
    preds, targets = _pairs(2)
    preds[1] = np.where(preds[1] == 2, 0, preds[1]).astype(np.uint8)  # class 2 missed
    pdir, tdir = _folders(tmp_path, preds, targets)
    res = run(pdir, tdir, "-c", 3, "--boundary", "hd95,nsd", "--json", "-", "-q")
    assert res.exit_code == 0, res.output
    scores = {s["metric"]: s for s in json.loads(res.stdout)["scores"]}
    assert scores["hd95"]["per_class"]["2"] == "inf"
    assert scores["hd95"]["excluded"] == 0
    assert math.isfinite(scores["nsd"]["per_class"]["2"])


def test_bad_spacing_exits_2(tmp_path):
    preds, targets = _pairs(1)
    pdir, tdir = _folders(tmp_path, preds, targets)
    res = run(pdir, tdir, "-c", 3, "--boundary", "hd", "--spacing", "1,1,1")
    assert res.exit_code == 2
    assert "spacing" in res.output
    res = run(pdir, tdir, "-c", 3, "--boundary", "hd", "--spacing", "1,-1")
    assert res.exit_code == 2
    assert "positive" in res.output


def test_terminal_table_marks_the_unscored_background(tmp_path):
    preds, targets = _pairs(n=1)
    pdir, tdir = _folders(tmp_path, preds, targets)
    res = runner.invoke(app, ["evaluate", str(pdir), str(tdir), "-c", "3", "--metrics", "iou",
                              "--boundary", "hd95"], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    background = next(line for line in res.output.splitlines()
                      if line.strip().startswith("0 "))
    assert background.rstrip().endswith("–")  # HD95 column: class 0 is not scored
    assert "not scored for this class" in res.output


def test_one_slice_nifti_is_scored_as_the_2d_image_it_holds(tmp_path):
    nib = pytest.importorskip("nibabel")
    preds, targets = _pairs(n=1)
    for name, arr in (("p", preds[0]), ("t", targets[0])):
        img = nib.Nifti1Image(arr[:, :, None].astype(np.uint8), np.diag([0.5, 2.0, 3.0, 1]))
        nib.save(img, tmp_path / f"{name}.nii.gz")
    out = tmp_path / "r.json"
    res = run(tmp_path / "p.nii.gz", tmp_path / "t.nii.gz", "-c", 3, "--boundary", "hd,assd",
              "--json", out, "-q")
    assert res.exit_code == 0, res.output
    got = {s["metric"]: s["per_class"] for s in json.loads(out.read_text())["scores"]}
    acc = BoundaryMetric(3, metrics=["hd", "assd"])
    acc.update(preds[0][None], targets[0][None], spacing=(0.5, 2.0))  # the header's in-plane
    for score in acc.compute():
        values = [got[score.metric][str(c)] for c in score.classes]
        assert values == pytest.approx(score.per_class, rel=1e-12)


def test_one_empty_sets_the_distance_of_a_missed_structure(tmp_path):
    t = np.zeros((20, 20), np.uint8)
    t[4:10, 4:10] = 1
    np.save(tmp_path / "t.npy", t)
    np.save(tmp_path / "p.npy", np.zeros_like(t))  # the structure is missed
    res = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--boundary", "hd,hd95",
              "--json", "-")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"] == {**json.loads(res.stdout)["summary"],
                                                 "hd": "inf", "hd95": "inf"}
    res = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--boundary", "hd",
              "--one-empty", "50", "--json", "-")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["hd"] == 50.0
    worst = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--boundary", "hd",
                "--one-empty", "worst", "--json", "-")
    assert json.loads(worst.stdout)["summary"]["hd"] == pytest.approx(math.hypot(20, 20),
                                                                      rel=0.05)
    for bad in ("nan", "far"):
        res = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--boundary", "hd",
                  "--one-empty", bad)
        assert res.exit_code == 2 and "one" in res.stderr and "empty" in res.stderr
