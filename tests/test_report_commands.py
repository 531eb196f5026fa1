"""``--html`` of dedup, leakage, superpixels (segment, sweep) and explain: one machinery.

Each page is made by ``segscope.report`` (the same ``Page``, tables and escaping as every
other ``--html``); the checks read the numbers back from the page and compare them with
the command's own JSON/CSV, and the audit page is opened in headless Chromium with a file
named ``<img src=x onerror=alert(1)>.png``.
"""

from __future__ import annotations

import html as html_lib
import json
import re

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from _browser import open_report
from segscope.cli import app

CRAFTED = "<img src=x onerror=alert(1)>.png"
runner = CliRunner()


def _run(*args: str) -> None:
    res = runner.invoke(app, [*args, "-q"])
    assert res.exit_code == 0, res.output


def _cells(page: str, table_id: str, column: int) -> list[str]:
    """The text of one column of a table of the page (HTML entities decoded)."""
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "",
                                     re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[column]))
            for r in rows]


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    from skimage import data

    root = tmp_path_factory.mktemp("photos")
    camera = data.camera()[::2, ::2]
    Image.fromarray(camera).save(root / CRAFTED)
    Image.fromarray(camera).save(root / "copy.jpg", quality=60)
    Image.fromarray(np.clip(camera.astype(int) + 25, 0, 255).astype(np.uint8)).save(
        root / "brighter.png")
    Image.fromarray(data.coins()).save(root / "coins.png")
    Image.fromarray(data.moon()[::2, ::2]).save(root / "moon.png")
    return root


@pytest.fixture(scope="module")
def dedup_run(photos, tmp_path_factory):
    out = tmp_path_factory.mktemp("dedup")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the page's date: 2026-01-01
        _run("dedup", str(photos), "--html", str(out / "audit.html"), "--json",
             str(out / "audit.json"))
        _run("dedup", str(photos), "--html", str(out / "again.html"))
    return out


def test_dedup_page_holds_the_groups_pairs_and_drops(dedup_run):
    page = (dedup_run / "audit.html").read_text(encoding="utf-8")
    doc = json.loads((dedup_run / "audit.json").read_text(encoding="utf-8"))
    assert CRAFTED not in page and html_lib.escape(CRAFTED) in page
    assert len(doc["groups"]) == 1 and len(doc["groups"][0]) == 3
    assert _cells(page, "pairs", 1) == [p["name_a"] for p in doc["pairs"]]
    assert [float(v) for v in _cells(page, "pairs", 6)] == \
        pytest.approx([p["ssim"] for p in doc["pairs"]], abs=5e-4)
    assert _cells(page, "drops", 0) == doc["suggested_drops"]
    # the group: its thumbnails side by side, numbered, with the scores of each pair
    assert page.count('class="tile"') == 3 and "group 0: 3 images" in page
    assert page.count("data:image/png;base64,") == 3  # thumbnails only, nothing else
    assert (dedup_run / "audit.html").read_bytes() == (dedup_run / "again.html").read_bytes()
    assert "2026-01-01T00:00:00Z" in page  # the provenance: the date of the run


def test_dedup_page_in_chromium(dedup_run, tmp_path):
    with open_report(dedup_run / "audit.html", tmp_path / "profile") as visit:
        page = visit.page
        captions = page.locator(".tile figcaption").all_inner_texts()
        assert sorted(c.split(". ", 1)[0] for c in captions) == ["1", "2", "3"]
        assert any(CRAFTED in c for c in captions)  # shown as text, not as an element
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("img").count() == 3
        first = page.locator("#pairs tbody tr td:nth-child(7)")
        page.locator("#pairs thead th", has_text="ssim").first.click()
        values = [float(v) for v in first.all_inner_texts()]
        assert values == sorted(values)
        page.locator("#pairs thead th", has_text="ssim").first.click()
        assert [float(v) for v in first.all_inner_texts()] == sorted(values, reverse=True)
        sections = page.locator("section h2").all_inner_texts()
        assert sections == ["Summary", "Groups", "Pairs", "Suggested drops", "Settings",
                            "Provenance"]
        assert visit.screenshot("report-dedup.png").stat().st_size > 0
    assert visit.dialogs == [] and visit.page_errors == []
    assert visit.console_errors == [] and visit.requests == []


def test_leakage_page_has_the_summary_per_split_pair(photos, tmp_path):
    from skimage import data

    train, val, test = (tmp_path / n for n in ("train", "val", "test"))
    for folder in (train, val, test):
        folder.mkdir()
    camera = data.camera()[::2, ::2]
    Image.fromarray(camera).save(train / "camera.png")
    Image.fromarray(data.coins()).save(train / "coins.png")
    Image.fromarray(camera).save(val / CRAFTED, quality=70)
    Image.fromarray(data.moon()[::2, ::2]).save(val / "moon.png")
    Image.fromarray(data.astronaut()[::2, ::2, 0]).save(test / "astronaut.png")
    out = tmp_path / "leak.html"
    _run("leakage", str(train), str(val), str(test), "--html", str(out), "--json",
         str(tmp_path / "leak.json"))
    page = out.read_text(encoding="utf-8")
    assert CRAFTED not in page
    assert _cells(page, "leakage", 0) == ["train", "train", "val"]
    assert _cells(page, "leakage", 1) == ["val", "test", "test"]
    assert _cells(page, "leakage", 2) == ["1", "0", "0"]  # one val image has a twin
    assert _cells(page, "leakage", 3) == ["2", "1", "1"]
    assert _cells(page, "leakage", 4) == ["50.0", "0.0", "0.0"]
    assert "val/" + html_lib.escape(CRAFTED) in page and "drop?" in page


def test_sweep_page_has_the_quality_table_and_an_overlay_per_setting(tmp_path):
    from skimage import data

    img = tmp_path / "coins.png"
    Image.fromarray(data.coins()[:96, :128]).save(img)
    page_file, csv_file = tmp_path / "sweep.html", tmp_path / "sweep.csv"
    _run("superpixels", "sweep", str(img), "--method", "slic", "-p", "n_segments=10,40",
         "-p", "compactness=1,10", "--html", str(page_file), "--csv", str(csv_file))
    page = page_file.read_text(encoding="utf-8")
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    k = header.index("num_segments")
    assert _cells(page, "quality", k) == [line.split(",")[k] for line in lines[1:]]
    assert page.count('class="tile"') == 4 and page.count("data:image/png;base64,") == 4
    assert "n_segments=40 compactness=10 K=" in page


def test_segment_and_explain_pages(tmp_path):
    from skimage import data

    img = tmp_path / "cam.png"
    Image.fromarray(data.camera()[::8, ::8]).save(img)
    seg = tmp_path / "seg.html"
    _run("superpixels", str(img), "--method", "slic", "-n", "16", "--html", str(seg))
    assert "<h2>Overlay</h2>" in seg.read_text(encoding="utf-8")
    model = tmp_path / "quarter_model.py"
    model.write_text("import numpy as np\n\ndef predict(batch):\n"
                     "    b = np.asarray(batch, float)[:, :32, :32]\n"
                     "    return b.reshape(len(b), -1).mean(axis=1, keepdims=True) / 255\n")
    page_file, js = tmp_path / "explain.html", tmp_path / "explain.json"
    _run("explain", str(img), "--model", f"{model}:predict", "--n-segments", "9",
         "--num-samples", "60", "--html", str(page_file), "--json", str(js))
    page = page_file.read_text(encoding="utf-8")
    doc = json.loads(js.read_text(encoding="utf-8"))
    ranked = np.argsort(-np.asarray(doc["weights"]), kind="stable")
    assert [int(v) for v in _cells(page, "weights", 1)] == ranked.tolist()
    assert "Heat map" in page and "colour bar" in page
    assert page.count("data:image/png;base64,") == 2  # the heat map figure and the overlay


def test_html_that_is_an_input_is_refused_before_any_work(photos):
    before = {p.name: p.read_bytes() for p in photos.iterdir()}
    target = photos / "coins.png"
    res = runner.invoke(app, ["dedup", str(photos), "--html", str(target)])
    assert res.exit_code == 2 and "--html" in res.output
    res = runner.invoke(app, ["superpixels", str(target), "--html", str(target)])
    assert res.exit_code == 2 and "--html" in res.output
    assert {p.name: p.read_bytes() for p in photos.iterdir()} == before


def test_html_to_standard_output_is_the_page_alone(photos):
    res = runner.invoke(app, ["dedup", str(photos), "--html", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("<!DOCTYPE html>") and res.stdout.rstrip().endswith("</html>")
    res = runner.invoke(app, ["dedup", str(photos), "--html", "-", "--json", "-"])
    assert res.exit_code == 2 and "standard output" in res.output
