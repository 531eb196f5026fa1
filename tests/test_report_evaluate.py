"""`segscope evaluate --html` and `segscope report`: the numbers of the Report, the same
bytes from the run and from its JSON, bootstrap intervals checked by hand, and the page in
headless Chromium (no console error, no request, crafted names shown as text)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from _browser import open_report
from segscope.bootstrap import _margins, bootstrap_intervals, with_margins
from segscope.cli import app
from segscope.files import evaluate_paths
from segscope.metrics import score_counts, score_each
from segscope.options import ScoreOptions
from segscope.report.evaluation import report_from_dict, worst_images
from segscope.report.page import format_number

runner = CliRunner()
CRAFTED = "<img src=x onerror=alert(1)>"
CLASS_NAMES = ["background", "<script>window.__pwned = 1</script>", "sky & sea"]


def _data(tmp_path, n=6):
    rng = np.random.default_rng(3)
    pdir, tdir, photos = tmp_path / "pred", tmp_path / "gt", tmp_path / "photos"
    for folder in (pdir, tdir, photos):
        folder.mkdir()
    names = [f"img{i}" for i in range(n - 1)] + [CRAFTED]
    for i, name in enumerate(names):
        t = np.zeros((24, 30), np.uint8)
        t[3:15, 4 + i:20] = 1
        t[17:22, 2:28] = 2
        p = t.copy()
        p[rng.random(t.shape) < 0.04 * (i + 1)] = 1
        Image.fromarray(t).save(tdir / f"{name}.png")
        Image.fromarray(p).save(pdir / f"{name}.png")
        Image.fromarray((t * 100 + 20).astype(np.uint8)).convert("RGB").save(
            photos / f"{name}.jpg")
    names_file = tmp_path / "names.txt"
    names_file.write_text("\n".join(CLASS_NAMES) + "\n", encoding="utf-8")
    return pdir, tdir, names_file


def _evaluate(tmp_path, *extra):
    pdir, tdir, names = _data(tmp_path)
    html, js = tmp_path / "report.html", tmp_path / "results.json"
    result = runner.invoke(app, ["evaluate", str(pdir), str(tdir), "-c", "3", "--html",
                                 str(html), "--json", str(js), "--class-names", str(names),
                                 "--images", str(tmp_path / "photos"),
                                 "--bootstrap", "200", "-q", *extra])
    assert result.exit_code == 0, result.output
    return html, js


@pytest.fixture
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_report_rebuilt_from_json_is_the_same_file(tmp_path, fixed_date):
    html, js = _evaluate(tmp_path)
    again = tmp_path / "again.html"
    result = runner.invoke(app, ["report", str(js), "--out", str(again), "-q"])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == html.read_bytes()
    twice = tmp_path / "twice"
    twice.mkdir()
    html2, _ = _evaluate(twice)
    # another folder, another run: the same bytes once the paths are the same text
    assert html2.read_bytes().replace(str(twice).encode(), str(tmp_path).encode()) \
        == html.read_bytes()
    data = json.loads(js.read_text())
    assert data["meta"]["created"] == "2023-11-14T22:13:20Z"
    assert data["meta"]["class_names"] == CLASS_NAMES


def test_json_holds_what_the_report_needs(tmp_path, fixed_date):
    _, js = _evaluate(tmp_path)
    meta = json.loads(js.read_text())["meta"]
    assert np.asarray(meta["confusion"]).shape == (3, 3)
    assert len(meta["inputs"]) == 6 and all(len(i["pred_sha256"]) == 64 for i in meta["inputs"])
    assert all(i["image"].endswith(".jpg") and len(i["image_sha256"]) == 64
               for i in meta["inputs"])
    assert set(meta["image_values"]) == {"accuracy", "iou", "dice", "precision", "recall"}
    assert meta["bootstrap"]["resamples"] == 200 and "iou" in meta["bootstrap"]["metrics"]
    assert meta["options"]["num_classes"] == 3 and meta["segscope_version"]


def test_page_numbers_are_the_reports(tmp_path, fixed_date):
    html, js = _evaluate(tmp_path)
    text = html.read_text(encoding="utf-8")
    report = report_from_dict(json.loads(js.read_text()))
    for score in report.scores:
        assert f'data-metric="{score.metric}">{format_number(score.value)}<' in text
    assert CRAFTED not in text and CLASS_NAMES[1] not in text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in text
    assert text.count("<script") == 1


def test_library_details_match_scores(tmp_path):
    pdir, tdir, _ = _data(tmp_path)
    r = evaluate_paths(pdir, tdir, num_classes=3, details=True, bootstrap=50)
    cm = np.asarray(r.meta["confusion"])
    assert score_counts(cm).summary() == pytest.approx(r.summary(), nan_ok=True)
    assert r.meta["image_values"]["iou"][0] == pytest.approx(
        np.nanmean(np.asarray(r["iou"].per_image)[0]))


def test_score_each_is_score_counts_of_each_entry():
    rng = np.random.default_rng(1)
    cm = rng.integers(0, 20, (5, 4, 4))
    cm[2, 3] = 0
    cm[2, :, 3] = 0
    for average in ("macro", "micro", "weighted"):
        options = ScoreOptions(metrics="all", average=average)
        each = score_each(cm, options)
        for i in range(len(cm)):
            for s in score_counts(cm[i], options).scores:
                np.testing.assert_allclose(each[s.metric][i], s.value, equal_nan=True)


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_bootstrap_against_a_plain_loop(classes):
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 30, (12, classes, classes))
    options = ScoreOptions(metrics=("iou", "accuracy", "mcc", "kappa"))
    got = bootstrap_intervals(counts, options, resamples=300, seed=11)
    draws = np.random.default_rng(11).integers(0, 12, size=(300, 12))
    for metric in ("iou", "accuracy", "mcc", "kappa"):
        pooled = [score_counts(counts[d].sum(0), options)[metric].value for d in draws]
        own = score_each(counts, options)[metric]
        per_image = [np.nanmean(own[d]) for d in draws]
        np.testing.assert_allclose(got[metric]["pooled"], np.percentile(pooled, [2.5, 97.5]))
        np.testing.assert_allclose(got[metric]["per_image"],
                                   np.percentile(per_image, [2.5, 97.5]))
    assert bootstrap_intervals(counts, options, resamples=300, seed=11) == got


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", "none"])
def test_matrices_with_the_same_margins_score_the_same(average):
    rng = np.random.default_rng(8)
    counts = rng.integers(0, 40, (30, 6, 6))
    counts[4, 2] = 0          # a class never in the target
    counts[5, :, 3] = 0       # a class never predicted
    stand_in = with_margins(_margins(counts))
    assert (stand_in < 0).any()  # not a confusion matrix, yet scored the same
    options = ScoreOptions(metrics="all", average=average)
    for metric, values in score_each(counts, options).items():
        np.testing.assert_allclose(score_each(stand_in, options)[metric], values,
                                   rtol=1e-12, equal_nan=True)


def test_bootstrap_of_identical_images_is_a_point():
    counts = np.repeat(np.array([[[5, 1], [2, 8]]]), 7, axis=0)
    ci = bootstrap_intervals(counts, ScoreOptions(metrics="dice"), resamples=50)["dice"]
    value = score_counts(counts[0], ScoreOptions(metrics="dice"))["dice"].value
    assert ci["pooled"] == pytest.approx((value, value))
    assert ci["per_image"] == pytest.approx((value, value))


def test_worst_images_order():
    values = np.array([0.5, np.nan, 0.1, 0.1, 0.9])
    names = ["a", "b", "d", "c", "e"]
    assert worst_images(values, names, "iou", 3) == [3, 2, 0]
    assert worst_images(values, names, "hd95", 2) == [4, 0]


def test_changed_file_is_named_not_shown(tmp_path, fixed_date):
    _, js = _evaluate(tmp_path)
    Image.fromarray(np.zeros((24, 30), np.uint8)).save(tmp_path / "pred" / "img0.png")
    again = tmp_path / "again.html"
    assert runner.invoke(app, ["report", str(js), "-o", str(again), "-q"]).exit_code == 0
    assert "img0.png changed since the evaluation" in again.read_text()


def test_report_refuses_other_json(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    result = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "not the JSON of 'segscope evaluate'" in result.output
    assert not (tmp_path / "r.html").exists()


def test_html_is_refused_with_instances(tmp_path):
    pdir, tdir, _ = _data(tmp_path)
    result = runner.invoke(app, ["evaluate", str(pdir), str(tdir), "--instances", "--html",
                                 str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "--html" in result.output


# --------------------------------------------------------------------------- browser
def test_evaluation_report_in_chromium(tmp_path, fixed_date):
    html, js = _evaluate(tmp_path, "--boundary", "hd95")
    report = report_from_dict(json.loads(js.read_text()))
    with open_report(html, tmp_path / "profile") as visit:
        page = visit.page
        headings = page.locator("h2").all_inner_texts()
        assert headings == ["Summary", "Per class", "Confusion", "Per image", "Worst images",
                            "Boundary", "Provenance"]
        for score in report.scores:
            shown = page.locator(f'[data-metric="{score.metric}"]').inner_text()
            assert shown == format_number(score.value)
        names = page.locator("#class-table tbody td:nth-child(2)").all_inner_texts()
        assert names == CLASS_NAMES
        iou = report["iou"].per_class
        page.locator("#class-table thead th", has_text="IoU").click()
        cells = page.locator("#class-table tbody td:nth-child(5)").all_inner_texts()
        assert cells == [format_number(v) for v in sorted(iou)]
        page.locator("#class-table thead th", has_text="IoU").click()
        cells = page.locator("#class-table tbody td:nth-child(5)").all_inner_texts()
        assert cells == [format_number(v) for v in sorted(iou, reverse=True)]
        first = page.locator("#worst-images .gallery-row .caption b").first.inner_text()
        assert first == CRAFTED  # its prediction is the worst
        assert page.locator("#worst-images img").count() == 4 * 6  # image, target, ...
        assert page.locator("#worst-images figcaption").all_inner_texts()[:4] == [
            "image", "target", "prediction", "errors"]
        assert page.evaluate("Array.from(document.images).every(i => i.complete && "
                             "i.naturalWidth > 0)")
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("(() => { const ids = Array.from(document.querySelectorAll("
                             "'[id]'), e => e.id); return ids.length === new Set(ids).size; "
                             "})()")
        hd95 = page.locator("#boundary-table thead").inner_text()
        assert re.search(r"HD95 \(px\)", hd95)
        visit.screenshot("evaluation-report.png")
        page.emulate_media(media="print")
        assert page.locator("nav.toc").is_hidden()
        pdf = page.pdf(format="A4")  # printable: Chromium's print path lays it out
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert visit.dialogs == [] and visit.page_errors == []
    assert visit.console_errors == [] and visit.requests == []


def test_report_writes_summary_json_and_image_csv(tmp_path, fixed_date):
    _, js = _evaluate(tmp_path)
    out, rows, table = tmp_path / "r.html", tmp_path / "s.json", tmp_path / "i.csv"
    result = runner.invoke(app, ["report", str(js), "-o", str(out), "--json", str(rows),
                                 "--csv", str(table), "-q"])
    assert result.exit_code == 0, result.output
    summary = json.loads(rows.read_text())
    iou = next(r for r in summary if r["metric"] == "iou")
    assert iou["pooled_low"] <= iou["value"] <= iou["pooled_high"]
    lines = table.read_text().splitlines()
    assert lines[0].startswith("image,accuracy,iou") and len(lines) == 7


def test_demo_writes_a_report_the_same_every_time(tmp_path, fixed_date):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for path in (first, second):
        result = runner.invoke(app, ["demo", "--html", str(path), "-q"])
        assert result.exit_code == 0, result.output
    html = first.read_text(encoding="utf-8")
    assert first.read_bytes() == second.read_bytes()
    assert html.count("<tr><td>tile_r") >= 16 and "Worst images" in html
    assert str(tmp_path) not in html and "/tmp" not in html


def test_html_on_standard_output(tmp_path, fixed_date):
    _evaluate(tmp_path)
    pdir, tdir = tmp_path / "pred", tmp_path / "gt"
    result = runner.invoke(app, ["evaluate", str(pdir), str(tdir), "-c", "3", "--html", "-",
                                 "--class-names", str(tmp_path / "names.txt"), "--images",
                                 str(tmp_path / "photos"), "--bootstrap", "200"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and "Worst images" in result.stdout
    shown = runner.invoke(app, ["evaluate", str(pdir), str(tdir), "-c", "3", "--html", "-",
                                "--json", "-"])
    assert shown.exit_code == 2 and "standard output" in shown.stderr
