"""CLI: `segscope superpixels IMAGE`, `segscope superpixels sweep IMAGE`, `segscope explain`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from _superpixel_data import astronaut_crop
from segscope.cli import app

runner = CliRunner()


@pytest.fixture()
def image_file(tmp_path):
    path = tmp_path / "astro.png"
    Image.fromarray(astronaut_crop()[:96, :96]).save(path)
    return path


def _size(path):
    with Image.open(path) as im:
        return im.size


def test_default_action_segments_one_image(image_file, tmp_path):
    out = tmp_path / "overlay.png"
    labels = tmp_path / "labels.npy"
    js = tmp_path / "m.json"
    result = runner.invoke(app, ["superpixels", str(image_file), "--method", "slic",
                                 "--n-segments", "30", "--out", str(out),
                                 "--labels-out", str(labels), "--json", str(js)])
    assert result.exit_code == 0, result.output
    assert "num_segments" in result.output
    assert _size(out) == (96, 96)
    lab = np.load(labels)
    assert np.array_equal(np.unique(lab), np.arange(lab.max() + 1))
    summary = json.loads(js.read_text())["summary"]
    assert summary["num_segments"] == lab.max() + 1


def test_options_before_the_image_also_reach_the_default_action(image_file):
    result = runner.invoke(app, ["superpixels", "--method", "watershed", "-n", "20",
                                 str(image_file)])
    assert result.exit_code == 0, result.output
    assert "watershed" in result.output and "num_segments" in result.output


def test_group_help_lists_both_actions():
    result = runner.invoke(app, ["superpixels", "--help"])
    assert result.exit_code == 0
    assert "segment" in result.output and "sweep" in result.output


def test_segment_subcommand_name_also_works_and_tunes_felzenszwalb(image_file):
    result = runner.invoke(app, ["superpixels", "segment", str(image_file), "--method",
                                 "felzenszwalb", "--n-segments", "40"])
    assert result.exit_code == 0, result.output
    assert "felzenszwalb gives K=" in result.output


def test_sweep_writes_gallery_and_csv(image_file, tmp_path):
    gt = np.repeat(np.arange(4), 24)[None, :].repeat(96, axis=0).astype(np.uint8) * 60
    gt_path = tmp_path / "gt.png"
    Image.fromarray(gt).save(gt_path)
    grid = tmp_path / "grid.png"
    table = tmp_path / "table.csv"
    result = runner.invoke(app, ["superpixels", "sweep", str(image_file), "--method",
                                 "felzenszwalb", "--param", "scale=1,10,100,1000", "--gt",
                                 str(gt_path), "--out", str(grid), "--csv", str(table)])
    assert result.exit_code == 0, result.output
    lines = table.read_text().splitlines()
    assert len(lines) == 5
    header = lines[0].split(",")
    assert header[0] == "scale" and "boundary_recall" in header
    assert "undersegmentation_error" in header
    w, h = _size(grid)
    assert w > 2 * 96 and h > 2 * 96


def test_cli_errors_are_clear(image_file):
    result = runner.invoke(app, ["superpixels", str(image_file), "--method", "slic",
                                 "--param", "max_iter=3"])
    assert result.exit_code == 2
    assert "max_num_iter" in result.output
    result = runner.invoke(app, ["superpixels", "sweep", str(image_file), "--method", "slic",
                                 "--param", "n_segments"])
    assert result.exit_code == 2
    assert "name=value" in result.output
    result = runner.invoke(app, ["superpixels", "missing.png"])
    assert result.exit_code == 2


def test_float_image_needs_data_range_and_integers_use_their_dtype(tmp_path):
    import tifffile

    path = tmp_path / "n.tif"
    tifffile.imwrite(path, (astronaut_crop()[:64, :64, 0].astype(np.float32) * 3))
    result = runner.invoke(app, ["superpixels", str(path)])
    assert result.exit_code == 2 and "--data-range" in result.output
    result = runner.invoke(app, ["superpixels", str(path), "--data-range", "image",
                                 "--param", "compactness=0.1"])
    assert result.exit_code == 0, result.output
    wide = tmp_path / "w.tif"  # uint16: the dtype's span 65535 (segscope's one rule)
    tifffile.imwrite(wide, astronaut_crop()[:64, :64, 0].astype(np.uint16) * 257)
    js = tmp_path / "w.json"
    result = runner.invoke(app, ["superpixels", str(wide), "--method", "felzenszwalb",
                                 "--json", str(js)])
    assert result.exit_code == 0, result.output
    same = runner.invoke(app, ["superpixels", str(wide), "--method", "felzenszwalb",
                               "--data-range", "65535", "--json", str(tmp_path / "x.json")])
    assert same.exit_code == 0, same.output
    def measures(p):
        return {k: v for k, v in json.loads(p.read_text())["summary"].items()
                if k != "runtime_s"}

    assert measures(js) == measures(tmp_path / "x.json")


MODEL = '''
import numpy as np

def predict(batch):
    """Score: mean brightness of the top-left quarter."""
    return batch[:, :48, :48].astype(float).mean(axis=(1, 2, 3)) / 255.0

def two_class(batch):
    s = predict(batch)
    return np.stack([1 - s, s], axis=1)
'''


def test_explain_with_a_model_file(image_file, tmp_path):
    model = tmp_path / "my_model.py"
    model.write_text(MODEL)
    heat = tmp_path / "heat.png"
    top = tmp_path / "top.png"
    js = tmp_path / "e.json"
    result = runner.invoke(app, ["explain", str(image_file), "--model", f"{model}:predict",
                                 "--n-segments", "16", "--num-samples", "80", "--fill", "0",
                                 "--out", str(heat), "--overlay", str(top), "--json", str(js)])
    assert result.exit_code == 0, result.output
    doc = json.loads(js.read_text())
    weights = np.array(doc["weights"])
    assert weights.size == doc["num_segments"]
    assert doc["r2"] > 0.9
    assert _size(top) == (96, 96)
    # the heat map: a title line, the bar's label, the 96×96 map and its colour bar beside it
    width, height = _size(heat)
    assert width > 96 + 24 and height >= 96 + 2 * 14


def test_explain_with_a_module_name(image_file, tmp_path, monkeypatch):
    (tmp_path / "pkg_model_x.py").write_text(MODEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    result = runner.invoke(app, ["explain", str(image_file), "--model", "pkg_model_x:two_class",
                                 "--n-segments", "16", "--num-samples", "40", "--target", "1"])
    assert result.exit_code == 0, result.output
    assert "target 1" in result.output


def test_explain_bad_model_spec(image_file):
    result = runner.invoke(app, ["explain", str(image_file), "--model", "no_colon"])
    assert result.exit_code == 2 and "module:function" in result.output
    result = runner.invoke(app, ["explain", str(image_file), "--model", "math:nothing_here"])
    assert result.exit_code == 2 and "no callable" in result.output


def test_explain_grey_float_with_data_range_image(tmp_path):
    import tifffile

    path = tmp_path / "grey.tif"
    tifffile.imwrite(path, astronaut_crop()[:96, :96, 0].astype(np.float32) * 40)
    model = tmp_path / "grey_model.py"
    model.write_text("def predict(batch):\n"
                     "    return batch[:, :48, :48].astype(float).mean(axis=(1, 2))\n")
    js = tmp_path / "e.json"
    args = ["explain", str(path), "--model", f"{model}:predict", "--n-segments", "16",
            "--num-samples", "60", "--distance", "l2", "--param", "compactness=0.1",
            "--json", str(js)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--data-range" in result.output
    result = runner.invoke(app, [*args, "--data-range", "image"])
    assert result.exit_code == 0, result.output
    assert json.loads(js.read_text())["settings"]["data_range"] == pytest.approx(
        float(astronaut_crop()[:96, :96, 0].max() - astronaut_crop()[:96, :96, 0].min()) * 40)


def test_explain_csv_holds_every_weight(image_file, tmp_path):
    import csv
    import io

    model = tmp_path / "my_model.py"
    model.write_text(MODEL)
    js = tmp_path / "e.json"
    result = runner.invoke(app, ["explain", str(image_file), "--model", f"{model}:predict",
                                 "--n-segments", "16", "--num-samples", "60", "--json", str(js),
                                 "--csv", "-"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    weights = json.loads(js.read_text())["weights"]
    assert [float(r["weight"]) for r in rows] == pytest.approx(weights)
    assert sum(int(r["pixels"]) for r in rows) == 96 * 96


def test_sweep_json_equals_csv(image_file, tmp_path):
    import csv

    args = ["superpixels", "sweep", str(image_file), "--method", "slic", "-p",
            "n_segments=10,30", "--csv", str(tmp_path / "s.csv")]
    result = runner.invoke(app, [*args, "--json", "-"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rows = list(csv.DictReader((tmp_path / "s.csv").read_text().splitlines()))
    assert len(doc) == len(rows) == 2
    assert [r["num_segments"] for r in doc] == [int(r["num_segments"]) for r in rows]
    quiet = runner.invoke(app, [*args, "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and "written" not in quiet.stderr
