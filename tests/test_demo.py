"""The bundled demo: real nuclei data, classical predictors, the accuracy trap made visible."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from segscope.cli import app
from segscope.demo import bundled_predictions, demo_predictions, load_nuclei, run_demo


@pytest.fixture(scope="module")
def reports():
    return run_demo()


def test_bundled_data():
    image, mask = load_nuclei()
    assert image.shape == mask.shape == (512, 512)
    assert image.dtype == np.uint16
    ids = np.unique(mask)
    assert ids[0] == 0 and len(ids) == 126  # background + 125 nuclei
    assert 0.15 < (mask > 0).mean() < 0.25


def test_predictions_are_binary_masks():
    image, _ = load_nuclei()
    preds = demo_predictions(image)
    assert list(preds) == ["otsu", "local threshold", "watershed", "all background"]
    for pred in preds.values():
        assert pred.shape == image.shape and pred.dtype == np.uint8
        assert set(np.unique(pred).tolist()) <= {0, 1}
    assert preds["all background"].sum() == 0
    # the watershed splits the Otsu mask: a subset of it, with lines between nuclei
    assert np.all(preds["watershed"] <= preds["otsu"])
    assert preds["watershed"].sum() < preds["otsu"].sum()


def test_the_stored_masks_are_what_demo_predictions_computes():
    """The masks `segscope demo` reads are today's demo_predictions of the bundled image.

    A few pixels may differ under another scikit-image release; a changed method differs
    in many. Regenerate with `PYTHONPATH=src python scripts/update_demo_predictions.py`.
    """
    image, _ = load_nuclei()
    stored, fresh = bundled_predictions(), demo_predictions(image)
    assert list(stored) == list(fresh)
    for name in fresh:
        assert stored[name].dtype == np.uint8 and stored[name].shape == fresh[name].shape
        assert np.mean(stored[name] != fresh[name]) <= 1e-3, name
    again = run_demo(recompute=True)
    for name, report in run_demo().items():
        assert again[name].summary() == pytest.approx(report.summary(), abs=1e-3, nan_ok=True)


def test_all_background_has_high_accuracy_and_zero_overlap(reports):
    trivial = reports["all background"]
    assert trivial["accuracy"].value > 0.8
    assert trivial["iou"].value == 0.0 and trivial["dice"].value == 0.0
    assert trivial["iou"].classes == (1,)  # the nuclei class


def test_classical_methods_beat_the_trivial_one(reports):
    for name in ("otsu", "local threshold", "watershed"):
        r = reports[name]
        assert r["iou"].value > 0.5, name
        assert r["dice"].value > r["iou"].value  # Dice >= IoU, strictly when 0 < IoU < 1
        assert r["dice"].value == pytest.approx(2 * r["iou"].value / (1 + r["iou"].value))
    # the accuracy gap between a good method and the trivial one is far smaller than the IoU gap
    acc_gap = reports["otsu"]["accuracy"].value - reports["all background"]["accuracy"].value
    assert acc_gap < 0.2 < reports["otsu"]["iou"].value


def test_cli_demo_prints_the_table():
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for word in ("otsu", "local threshold", "watershed", "all background", "accuracy", "IoU",
                 "Dice"):
        assert word in out
    row = next(line for line in out.splitlines() if line.strip().startswith("all background"))
    assert "0.8008" in row and "0.0000" in row
    assert "125 nuclei" in out


def test_cli_demo_json_and_csv_hold_the_table(reports, tmp_path):
    import csv
    import json

    result = CliRunner().invoke(app, ["demo", "--json", "-", "--csv", str(tmp_path / "d.csv"),
                                      "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == set(reports)
    rows = {r["method"]: r for r in csv.DictReader((tmp_path / "d.csv").read_text().splitlines())}
    for name, report in reports.items():
        assert doc[name]["summary"]["iou"] == pytest.approx(report["iou"].value)
        assert float(rows[name]["iou"]) == pytest.approx(report["iou"].value)
