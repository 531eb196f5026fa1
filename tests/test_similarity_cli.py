"""segscope compare / matrix / order."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segscope.cli import app
from segscope.similarity import similarity_matrix, ssim

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from skimage import data

    root = tmp_path_factory.mktemp("sim")
    cam = data.camera()[::4, ::4]
    rng = np.random.default_rng(0)
    for k, s in enumerate((0, 6, 25)):
        noisy = np.clip(cam + rng.normal(0, s, cam.shape), 0, 255).astype(np.uint8)
        Image.fromarray(noisy).save(root / f"cam{k}.png")
    Image.fromarray(data.coins()[:128, :128]).save(root / "coins.png")
    (root / "broken.png").write_bytes(b"\x89PNG truncated")
    return root


def _size(path):
    with Image.open(path) as im:
        return im.size


def _pixels(path):
    with Image.open(path) as im:
        return np.asarray(im)


def _images(folder):
    names = sorted(p.name for p in folder.glob("*.png") if p.name != "broken.png")
    return names, [_pixels(folder / n) for n in names]


def test_compare_json_matches_library(folder):
    res = runner.invoke(app, ["compare", str(folder / "cam0.png"), str(folder / "cam1.png"),
                              "--metrics", "ssim,mse", "--json", "-"])
    assert res.exit_code == 0, res.output
    values = json.loads(res.stdout)
    a = _pixels(folder / "cam0.png")
    b = _pixels(folder / "cam1.png")
    assert values["ssim"] == pytest.approx(ssim(a, b), abs=1e-12)
    assert values["mse"] == pytest.approx(np.mean((a.astype(float) - b) ** 2))


def test_compare_all_metrics_table_and_exif_orientation(tmp_path):
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 256, (40, 60), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "plain.png")
    rotated = Image.fromarray(np.rot90(arr, k=1).copy())  # stored rotated 90° CCW
    exif = Image.Exif()
    exif[0x0112] = 6  # viewer rotates 90° CW
    rotated.save(tmp_path / "tagged.jpg", exif=exif, quality=100, subsampling=0)
    res = runner.invoke(app, ["compare", str(tmp_path / "plain.png"),
                              str(tmp_path / "tagged.jpg"), "--json", "-", "-m", "ssim"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["ssim"] > 0.95  # equal once orientation is applied
    table = runner.invoke(app, ["compare", str(tmp_path / "plain.png"),
                                str(tmp_path / "plain.png")])
    assert table.exit_code == 0
    assert "euclidean" in table.stdout and "psnr" in table.stdout


def test_compare_mixed_sizes_and_colour_need_options(folder, tmp_path):
    rgb = np.zeros((32, 32, 3), np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    res = runner.invoke(app, ["compare", str(folder / "cam0.png"), str(tmp_path / "rgb.png")])
    assert res.exit_code == 2 and "--colour grey" in res.output
    res = runner.invoke(app, ["compare", str(folder / "cam0.png"), str(tmp_path / "rgb.png"),
                              "--colour", "grey"])
    assert res.exit_code == 2 and "--size" in res.output
    res = runner.invoke(app, ["compare", str(folder / "cam0.png"), str(tmp_path / "rgb.png"),
                              "--colour", "grey", "--size", "64x64", "-m", "mse", "--json", "-"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["mse"] > 0


def test_matrix_csv_heatmap_and_skipped_file(folder, tmp_path):
    out, png = tmp_path / "m.csv", tmp_path / "m.png"
    res = runner.invoke(app, ["matrix", str(folder), "--csv", str(out), "--heatmap", str(png)])
    assert res.exit_code == 0, res.output
    assert "skipped" in res.stderr and "broken.png" in res.stderr
    rows = list(csv.reader(out.read_text().splitlines()))
    names, ims = _images(folder)
    assert rows[0][1:] == names
    got = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    assert np.allclose(got, similarity_matrix(ims), atol=0)
    assert _size(png)[0] >= len(names)


def test_order_contact_sheet_groups_and_csv(folder, tmp_path):
    sheet, out = tmp_path / "sheet.png", tmp_path / "order.csv"
    res = runner.invoke(app, ["order", str(folder), "--contact-sheet", str(sheet),
                              "--threshold", "0.5", "--csv", str(out), "--method", "two_opt"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[0] == ["position", "image", "ssim_to_previous", "group"]
    order = [r[1] for r in rows[1:]]
    assert sorted(order) == ["cam0.png", "cam1.png", "cam2.png", "coins.png"]
    groups = {r[1]: r[3] for r in rows[1:]}
    assert groups["cam0.png"] == groups["cam1.png"] != groups["coins.png"]
    assert _size(sheet)[0] > 0


def test_folder_errors(tmp_path):
    res = runner.invoke(app, ["matrix", str(tmp_path / "nope"), "--csv", str(tmp_path / "x")])
    assert res.exit_code == 2 and "no such folder" in res.output
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "one.png")
    res = runner.invoke(app, ["order", str(tmp_path)])
    assert res.exit_code == 2 and "at least 2" in res.output
    res = runner.invoke(app, ["matrix", str(tmp_path), "--csv", "x.csv", "--metrics", "sim"])
    assert res.exit_code == 2 and "--metrics 'sim'" in res.output


def test_compare_colour_images_uses_channels(tmp_path):
    from skimage import data

    rgb = data.astronaut()[:96, :96]
    other = np.clip(rgb + np.random.default_rng(2).normal(0, 20, rgb.shape), 0, 255)
    other = other.astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "a.png")
    Image.fromarray(other).save(tmp_path / "b.png")
    res = runner.invoke(app, ["compare", str(tmp_path / "a.png"), str(tmp_path / "b.png"),
                              "-m", "ssim", "--json", "-", "--preset", "skimage"])
    assert res.exit_code == 0, res.output
    expected = ssim(rgb, other, channel_axis=-1, preset="skimage")
    assert json.loads(res.stdout)["ssim"] == pytest.approx(expected, abs=1e-12)
    grey = runner.invoke(app, ["compare", str(tmp_path / "a.png"), str(tmp_path / "b.png"),
                               "-m", "ssim", "--json", "-", "--colour", "grey"])
    assert json.loads(grey.stdout)["ssim"] != pytest.approx(expected, abs=1e-6)


def test_help_lists_similarity_commands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for name in ("compare", "matrix", "order"):
        assert name in res.stdout
