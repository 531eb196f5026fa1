"""`segscope evaluate`: files and folders, outputs equal the library, bad input exits 2."""

from __future__ import annotations

import csv
import hashlib
import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image
from typer.testing import CliRunner

import segscope
from segscope.cli import app
from segscope.files import binarize

RNG = np.random.default_rng(7)
METRICS = ("accuracy", "iou", "dice", "precision", "recall")
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["evaluate", *map(str, args)])


def _masks(n=3, shape=(16, 12), classes=3):
    targets = [RNG.integers(0, classes, shape).astype(np.uint8) for _ in range(n)]
    preds = [np.where(RNG.random(shape) < 0.7, t, RNG.integers(0, classes, shape)).astype(np.uint8)
             for t in targets]
    return preds, targets


def _folders(tmp_path, preds, targets, pred_suffix=".png", target_suffix=".tif"):
    pdir, tdir = tmp_path / "pred", tmp_path / "gt"
    pdir.mkdir()
    tdir.mkdir()
    for i, (p, t) in enumerate(zip(preds, targets, strict=True)):
        Image.fromarray(p).save(pdir / f"img{i}{pred_suffix}")
        tifffile.imwrite(tdir / f"img{i}{target_suffix}", t)
    return pdir, tdir


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_report_equal(data: dict, report, per_image=False):
    assert data["summary"] == pytest.approx(
        {k: (None if np.isnan(v) else v) for k, v in report.summary().items()}, nan_ok=True)
    for got, want in zip(data["scores"], report.scores, strict=True):
        assert got["metric"] == want.metric
        assert [got["per_class"][str(c)] for c in want.classes] == pytest.approx(
            [None if np.isnan(v) else v for v in want.per_class])
        assert [got["support"][str(c)] for c in want.classes] == list(want.support)
        assert got["excluded"] == want.excluded
        if per_image:
            assert np.allclose(np.array(got["per_image"], dtype=float),
                               np.array(want.per_image), equal_nan=True)


def test_single_pair_json_equals_library(tmp_path):
    preds, targets = _masks(n=1)
    np.save(tmp_path / "p.npy", preds[0])
    np.save(tmp_path / "t.npy", targets[0])
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 3, "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert "IoU" in result.stdout and "summary" in result.stdout
    data = json.loads((tmp_path / "r.json").read_text())
    want = segscope.evaluate(preds[0], targets[0], num_classes=3, metrics=METRICS)
    _assert_report_equal(data, want)
    assert data["num_images"] == 1
    assert data["meta"]["num_classes"] == 3


def test_folders_dataset_and_image_aggregation(tmp_path):
    preds, targets = _masks(n=3)
    pdir, tdir = _folders(tmp_path, preds, targets)
    before = {**_digest(pdir), **{f"gt/{k}": v for k, v in _digest(tdir).items()}}
    out = tmp_path / "out"
    result = run(pdir, tdir, "-c", 3, "--json", out / "d.json", "--csv", out / "d.csv")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(np.stack(preds), np.stack(targets), num_classes=3, metrics=METRICS)
    _assert_report_equal(json.loads((out / "d.json").read_text()), want)

    result = run(pdir, tdir, "-c", 3, "--aggregate", "image", "--per-image",
                 "--json", out / "i.json", "--csv", out / "i.csv")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(np.stack(preds), np.stack(targets), num_classes=3, metrics=METRICS,
                             aggregate="image")
    data = json.loads((out / "i.json").read_text())
    _assert_report_equal(data, want, per_image=True)
    assert data["image_names"] == ["img0", "img1", "img2"]
    assert "img1" in result.stdout  # per-image rows shown

    after = {**_digest(pdir), **{f"gt/{k}": v for k, v in _digest(tdir).items()}}
    assert before == after  # inputs untouched
    assert sorted(p.name for p in out.iterdir()) == ["d.csv", "d.json", "i.csv", "i.json"]


def test_csv_columns(tmp_path):
    preds, targets = _masks(n=2)
    pdir, tdir = _folders(tmp_path, preds, targets)
    assert run(pdir, tdir, "-c", 3, "--csv", tmp_path / "c.csv").exit_code == 0
    rows = list(csv.DictReader((tmp_path / "c.csv").read_text().splitlines()))
    assert list(rows[0]) == ["class", "support", *METRICS]
    assert [r["class"] for r in rows] == ["0", "1", "2"]
    want = segscope.evaluate(np.stack(preds), np.stack(targets), num_classes=3, metrics=METRICS)
    assert [float(r["iou"]) for r in rows] == pytest.approx(list(want["iou"].per_class))

    assert run(pdir, tdir, "-c", 3, "--per-image", "--csv", tmp_path / "p.csv").exit_code == 0
    rows = list(csv.DictReader((tmp_path / "p.csv").read_text().splitlines()))
    assert list(rows[0])[:2] == ["image", "class"]
    assert len(rows) == 2 * 3
    assert {r["image"] for r in rows} == {"img0", "img1"}


def test_json_to_stdout(tmp_path):
    preds, targets = _masks(n=1)
    np.save(tmp_path / "p.npy", preds[0])
    np.save(tmp_path / "t.npy", targets[0])
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 3, "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["summary"]) == set(METRICS)


def test_quiet_prints_no_table(tmp_path):
    preds, targets = _masks(n=1)
    np.save(tmp_path / "p.npy", preds[0])
    np.save(tmp_path / "t.npy", targets[0])
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 3, "-q")
    assert result.exit_code == 0
    assert result.stdout.strip() == ""


def test_options_reach_the_library(tmp_path):
    preds, targets = _masks(n=1, classes=4)
    np.save(tmp_path / "p.npy", preds[0])
    np.save(tmp_path / "t.npy", targets[0])
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 4, "--metrics", "iou,mcc",
                 "--average", "weighted", "--labels", "1,2,3", "--no-background",
                 "--empty", "zero", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(preds[0], targets[0], num_classes=4, metrics=("iou", "mcc"),
                             average="weighted", labels=[1, 2, 3], include_background=False,
                             empty="zero")
    data = json.loads((tmp_path / "r.json").read_text())
    _assert_report_equal(data, want)
    assert data["scores"][0]["average"] == "weighted"
    assert list(data["scores"][0]["per_class"]) == ["1", "2", "3"]


def test_ignore_index_with_voc_palette(tmp_path):
    target = np.array([[0, 1, 255], [2, 1, 0]], dtype=np.uint8)
    pred = np.array([[0, 1, 2], [2, 0, 0]], dtype=np.uint8)
    for name, arr in (("p.png", pred), ("t.png", target)):
        im = Image.fromarray(arr, mode="P")
        im.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0] + [224, 224, 192] * 253)
        im.save(tmp_path / name)
    result = run(tmp_path / "p.png", tmp_path / "t.png", "-c", 3, "--ignore-index", 255,
                 "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(pred, target, num_classes=3, ignore_index=255, metrics=METRICS)
    _assert_report_equal(json.loads((tmp_path / "r.json").read_text()), want)
    assert want["accuracy"].value == pytest.approx(4 / 5)


def test_colormap_rgb_masks(tmp_path):
    lut = np.array([[0, 0, 0], [255, 0, 0], [0, 0, 255]], dtype=np.uint8)
    preds, targets = _masks(n=1)
    Image.fromarray(lut[preds[0]]).save(tmp_path / "p.png")
    Image.fromarray(lut[targets[0]]).save(tmp_path / "t.png")
    (tmp_path / "map.json").write_text('{"#000000": 0, "#ff0000": 1, "#0000ff": 2}')
    result = run(tmp_path / "p.png", tmp_path / "t.png", "-c", 3, "--json", tmp_path / "r.json")
    assert result.exit_code == 2
    assert "colormap" in result.stderr
    result = run(tmp_path / "p.png", tmp_path / "t.png", "-c", 3, "--colormap",
                 tmp_path / "map.json", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(preds[0], targets[0], num_classes=3, metrics=METRICS)
    _assert_report_equal(json.loads((tmp_path / "r.json").read_text()), want)


def test_binarize_real_nuclei_mask(tmp_path):
    mask_path = files("segscope") / "data" / "mask2d.tif"
    mask = tifffile.imread(str(mask_path))
    pred = np.roll(mask, 3, axis=1)  # a shifted instance mask, other ids
    tifffile.imwrite(tmp_path / "pred.tif", pred)
    result = run(tmp_path / "pred.tif", mask_path, "--binarize",
                 "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(binarize(pred), binarize(mask), num_classes=2, metrics=METRICS)
    got = json.loads((tmp_path / "r.json").read_text())
    _assert_report_equal(got, want)
    assert 0.5 < got["scores"][1]["per_class"]["1"] < 1.0  # shifted: imperfect overlap
    assert got["meta"]["binarize"] is True


def test_all_background_note(tmp_path):
    target = np.zeros((20, 20), dtype=np.uint8)
    target[:3] = 1
    np.save(tmp_path / "p.npy", np.zeros_like(target))
    np.save(tmp_path / "t.npy", target)
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "pixel accuracy is 0.850" in text and "IoU 0.000" in text
    assert "excluded from the mean" in text and "precision 1 (class 1)" in text


def test_membranes_binarized_folder(shared_data):
    labels = shared_data("membranes", "labels")
    result = run(labels, labels, "--binarize", "--match", "stem", "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["num_images"] == 30
    assert data["summary"]["iou"] == 1.0 and data["summary"]["accuracy"] == 1.0


# --- bad input: exit code 2 and a clear message --------------------------------------------

def test_unpaired_files_error_and_allow(tmp_path):
    preds, targets = _masks(n=2)
    pdir, tdir = _folders(tmp_path, preds, targets)
    Image.fromarray(preds[0]).save(pdir / "extra.png")
    result = run(pdir, tdir, "-c", 3)
    assert result.exit_code == 2
    assert "extra.png" in result.stderr and "--allow-unpaired" in result.stderr
    result = run(pdir, tdir, "-c", 3, "--allow-unpaired", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert "skipped 1 prediction file" in result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["num_images"] == 2
    assert data["meta"]["unpaired_pred"][0].endswith("extra.png")


def test_match_stem(tmp_path):
    preds, targets = _masks(n=2)
    pdir, tdir = _folders(tmp_path, preds, targets)
    (tdir / "sub").mkdir()
    for p in list(tdir.glob("*.tif")):
        p.rename(tdir / "sub" / p.name)
    assert run(pdir, tdir, "-c", 3).exit_code == 2
    result = run(pdir, tdir, "-c", 3, "--match", "stem", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r.json").read_text())["num_images"] == 2


def test_shape_mismatch_names_both_files(tmp_path):
    np.save(tmp_path / "p.npy", np.zeros((4, 5), np.uint8))
    np.save(tmp_path / "t.npy", np.zeros((5, 4), np.uint8))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2)
    assert result.exit_code == 2
    assert "p.npy" in result.stderr and "t.npy" in result.stderr
    assert "same shape" in result.stderr


def test_missing_num_classes_says_how(tmp_path):
    np.save(tmp_path / "p.npy", np.array([[0, 4]], np.uint8))
    np.save(tmp_path / "t.npy", np.array([[7, 0]], np.uint8))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "--num-classes 8" in message and "labels up to 7" in message


def test_missing_num_classes_on_0_255_masks_suggests_binarize(tmp_path):
    mask = np.zeros((6, 6), np.uint8)
    mask[2:4, 1:5] = 255
    np.save(tmp_path / "p.npy", mask)
    np.save(tmp_path / "t.npy", np.roll(mask, 1, axis=1))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "saved as 0/255" in message and "--binarize" in message
    ok = run(tmp_path / "p.npy", tmp_path / "t.npy", "--binarize", "--json", "-")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["scores"]


def test_label_out_of_range_names_files(tmp_path):
    np.save(tmp_path / "p.npy", np.array([[0, 1]], np.uint8))
    np.save(tmp_path / "t.npy", np.array([[5, 0]], np.uint8))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2)
    assert result.exit_code == 2
    assert "t.npy" in result.stderr and "5" in result.stderr
    assert "--binarize" in result.stderr


def test_probability_map_is_refused(tmp_path):
    np.save(tmp_path / "p.npy", RNG.random((4, 4)))
    np.save(tmp_path / "t.npy", np.zeros((4, 4), np.uint8))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2)
    assert result.exit_code == 2
    assert "fractional" in result.stderr


def test_truncated_file(tmp_path):
    Image.fromarray(RNG.integers(0, 2, (64, 64), dtype=np.uint8)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "p.png").write_bytes(data[: len(data) // 2])
    result = run(tmp_path / "p.png", tmp_path / "full.png", "-c", 2)
    assert result.exit_code == 2
    assert "p.png" in result.stderr and "truncated" in result.stderr


@pytest.mark.parametrize("args, words", [
    (("--average", "mean"), "average"),
    (("--aggregate", "batch"), "aggregate"),
    (("--empty", "none"), "empty"),
    (("--metrics", "iou,accurasy"), "accurasy"),
    (("--labels", "1,x"), "--labels"),
    (("--match", "name"), "match"),
    (("--boundary", "hd96"), "hd96"),
    (("--spacing", "1,a"), "--spacing"),
])
def test_bad_options(tmp_path, args, words):
    np.save(tmp_path / "p.npy", np.zeros((3, 3), np.uint8))
    np.save(tmp_path / "t.npy", np.zeros((3, 3), np.uint8))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, *args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr


def test_missing_input_and_file_vs_folder(tmp_path):
    np.save(tmp_path / "t.npy", np.zeros((3, 3), np.uint8))
    result = run(tmp_path / "nope.npy", tmp_path / "t.npy", "-c", 2)
    assert result.exit_code == 2 and "nope.npy" in result.stderr
    result = run(tmp_path, tmp_path / "t.npy", "-c", 2)
    assert result.exit_code == 2 and "both be files or both be folders" in result.stderr


def test_failed_run_writes_no_output(tmp_path):
    np.save(tmp_path / "p.npy", np.zeros((4, 5), np.uint8))
    np.save(tmp_path / "t.npy", np.zeros((5, 4), np.uint8))
    (tmp_path / "r.json").write_text("old")
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--json", tmp_path / "r.json")
    assert result.exit_code == 2
    assert (tmp_path / "r.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.npy", "r.json", "t.npy"]


def test_jpeg_mask_in_folder_is_an_error_not_skipped(tmp_path):
    preds, targets = _masks(n=2)
    pdir, tdir = _folders(tmp_path, preds, targets)
    (pdir / "img1.png").unlink()
    Image.fromarray(preds[1]).save(pdir / "img1.jpg")
    result = run(pdir, tdir, "-c", 3)
    assert result.exit_code == 2
    assert "img1.jpg" in result.stderr and "lossy" in result.stderr


def test_max_pixels(tmp_path):
    np.save(tmp_path / "p.npy", np.zeros((20, 20), np.uint8))
    np.save(tmp_path / "t.npy", np.zeros((20, 20), np.uint8))
    result = run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--max-pixels", 100)
    assert result.exit_code == 2 and "max_pixels" in result.stderr
    assert run(tmp_path / "p.npy", tmp_path / "t.npy", "-c", 2, "--max-pixels", 0).exit_code == 0


def test_nifti_geometry_mismatch_is_warned(tmp_path):
    nib = pytest.importorskip("nibabel")
    preds, targets = _masks(n=1, shape=(4, 5, 6), classes=2)
    nib.save(nib.Nifti1Image(preds[0], np.diag([-1.0, -1.0, 1.0, 1.0])), tmp_path / "p.nii.gz")
    nib.save(nib.Nifti1Image(targets[0], np.diag([1.0, 1.0, 2.0, 1.0])), tmp_path / "t.nii.gz")
    result = run(tmp_path / "p.nii.gz", tmp_path / "t.nii.gz", "-c", 2, "--json",
                 tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    message = " ".join(result.stderr.split())
    assert "different orientations (LPS vs RAS)" in message
    assert "different spacings" in message
    want = segscope.evaluate(preds[0], targets[0], num_classes=2, metrics=METRICS)
    _assert_report_equal(json.loads((tmp_path / "r.json").read_text()), want)


def test_boundary_metrics_when_available(tmp_path):
    from segscope.streaming import BoundaryMetric

    target = np.zeros((3, 24, 24), np.uint8)
    target[:, 4:12, 4:12] = 1
    target[:, 14:22, 14:20] = 2
    pred = np.roll(target, 2, axis=1)
    pdir, tdir = tmp_path / "p", tmp_path / "t"
    pdir.mkdir()
    tdir.mkdir()
    for i in range(3):
        np.save(pdir / f"{i}.npy", pred[i])
        np.save(tdir / f"{i}.npy", target[i])
    result = run(pdir, tdir, "-c", 3, "--boundary", "hd95,assd,nsd", "--spacing", "2,1",
                 "--tolerance", "2", "--no-background", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    acc = BoundaryMetric(num_classes=3, metrics=["hd95", "assd", "nsd"],
                         tolerance=2.0, include_background=False, one_empty="inf")
    for i in range(3):
        acc.update(pred[i][None], target[i][None], spacing=(2.0, 1.0), names=[str(i)])
    want = {s.metric: s for s in acc.compute()}
    data = json.loads((tmp_path / "r.json").read_text())
    got = {s["metric"]: s for s in data["scores"]}
    for metric in ("hd95", "assd", "nsd"):
        assert got[metric]["value"] == pytest.approx(want[metric].value)
        assert got[metric]["per_class"]["1"] == pytest.approx(want[metric].class_value(1))
    assert got["hd95"]["value"] == pytest.approx(4.0)  # shifted 2 rows of 2 units
    assert "HD95" in result.stdout


@pytest.mark.parametrize("aggregate", ["image", "image_class"])
def test_every_aggregate_runs_and_equals_the_library(tmp_path, aggregate):
    preds, targets = _masks(n=3)
    pdir, tdir = _folders(tmp_path, preds, targets)
    result = run(pdir, tdir, "-c", 3, "--aggregate", aggregate, "--json", "-")
    assert result.exit_code == 0, result.output
    want = segscope.evaluate(np.stack(preds), np.stack(targets), num_classes=3,
                             metrics=METRICS, aggregate=aggregate)
    data = json.loads(result.stdout)
    assert {s["aggregate"] for s in data["scores"]} == {aggregate}
    _assert_report_equal(data, want, per_image=True)
