"""The report machinery: escaping in one place, self-contained and deterministic pages,
and the same page in a real browser (headless Chromium)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from _browser import open_report
from segscope.report import (
    Column,
    Markup,
    Page,
    bars,
    escape,
    gallery,
    heat_map,
    histogram,
    image,
    key_values,
    table,
    tag,
)
from segscope.report.pictures import FN_COLOUR, FP_COLOUR, error_overlay, shrink, to_rgb

CRAFTED = "<img src=x onerror=alert(1)>.png"
SCRIPTED = "<script>window.__pwned = 1</script>"


def crafted_page() -> Page:
    page = Page(f"report of {CRAFTED}", subtitle=SCRIPTED)
    rows = [[CRAFTED, 0.25, 3], [SCRIPTED, 0.75, 1], ["plain.png", float("nan"), 2]]
    page.add("Table", table(["image", "IoU", Column("n", numeric=True, digits=0)], rows,
                            id="scores"))
    page.add("Bars", bars([CRAFTED, SCRIPTED], [0.25, 0.75], title=SCRIPTED,
                          low=[0.1, 0.6], high=[0.4, 0.9]))
    page.add("Histogram", histogram([0.1, 0.2, 0.25, 0.9], bins=5, value_range=(0, 1),
                                    title="IoU per image"))
    page.add("Heat", heat_map(np.array([[0.9, 0.1], [0.2, 0.8]]), [CRAFTED, SCRIPTED],
                              [CRAFTED, SCRIPTED], title="recall", counts=[[9, 1], [2, 8]]))
    tile = np.zeros((4, 6, 3), np.uint8)
    page.add("Gallery", gallery([(CRAFTED, [(SCRIPTED, tile)])]))
    page.add("About", key_values({CRAFTED: SCRIPTED}))
    return page


def test_escape_is_the_one_door():
    assert escape(CRAFTED) == "&lt;img src=x onerror=alert(1)&gt;.png"
    assert escape(Markup("<br>")) == "<br>"
    assert tag("a", CRAFTED, title='"q"') == \
        '<a title="&quot;q&quot;">&lt;img src=x onerror=alert(1)&gt;.png</a>'
    with pytest.raises(ValueError):
        tag("a onclick=x")
    with pytest.raises(ValueError):
        tag("a", **{"on click": 1})


def test_crafted_names_never_reach_the_markup_raw():
    html = crafted_page().render()
    assert CRAFTED not in html and SCRIPTED not in html
    assert "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert html.count("<script") == 1  # the page's own sorting script


def test_page_is_self_contained():
    html = crafted_page().render()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert urls and all(u.startswith(("data:", "#")) for u in urls)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "@import" not in html and "url(http" not in html
    assert "Content-Security-Policy" in html


def test_same_inputs_same_bytes():
    assert crafted_page().to_bytes() == crafted_page().to_bytes()


def test_table_sort_values_and_formats():
    html = table(["name", "v"], [["a", 1.0], ["b", float("nan")], ["c", float("inf")]])
    assert 'data-value="1"' in html and 'data-value=""' in html
    assert 'data-value="1e999"' in html and ">n/a<" in html and ">inf<" in html


def test_error_overlay_colours_fp_and_fn():
    target = np.array([[0, 1, 1, 2]])
    pred = np.array([[1, 1, 0, 1]])
    out = error_overlay(pred, target)
    assert tuple(out[0, 0]) == FP_COLOUR   # predicted where the target is background
    assert tuple(out[0, 2]) == FN_COLOUR   # missed
    assert tuple(out[0, 3]) == FN_COLOUR   # mislabelled object
    assert tuple(out[0, 1]) not in (FP_COLOUR, FN_COLOUR)
    ignored = error_overlay(pred, np.array([[255, 1, 1, 2]]), ignore_index=255)
    assert tuple(ignored[0, 0]) not in (FP_COLOUR, FN_COLOUR)


def test_shrink_keeps_labels_and_limits_size():
    labels = np.arange(100 * 50).reshape(100, 50) % 7
    small = shrink(labels, 20, labels=True)
    assert small.shape == (20, 10) and set(np.unique(small)) <= set(range(7))
    assert shrink(labels, 500, labels=True) is labels
    rgb = to_rgb(labels, 7)
    assert shrink(rgb, 25).shape == (25, 12, 3)


def test_image_is_an_inline_png():
    html = image(np.full((3, 5, 3), 200, np.uint8), "grey")
    assert html.startswith('<img src="data:image/png;base64,') and 'width="5"' in html


# --------------------------------------------------------------------------- browser
def test_page_in_chromium(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(crafted_page().to_bytes())
    with open_report(path, tmp_path / "profile") as visit:
        page = visit.page
        assert page.evaluate("window.__pwned") is None
        assert page.locator("h1").inner_text() == f"report of {CRAFTED}"
        cells = page.locator("#scores tbody tr td:first-child")
        assert cells.all_inner_texts() == [CRAFTED, SCRIPTED, "plain.png"]
        page.locator("#scores thead th", has_text="IoU").click()
        assert cells.all_inner_texts() == [CRAFTED, SCRIPTED, "plain.png"]  # NaN last
        page.locator("#scores thead th", has_text="IoU").click()
        assert cells.all_inner_texts() == [SCRIPTED, CRAFTED, "plain.png"]
        page.locator("#scores thead th", has_text="image").click()
        assert cells.all_inner_texts()[-1] == "plain.png"
        page.locator("#scores thead th", has_text="n").first.click()
        assert cells.all_inner_texts() == [SCRIPTED, "plain.png", CRAFTED]
        assert visit.screenshot("report-page.png").stat().st_size > 0
        assert page.locator("img").count() == 1
        assert page.evaluate("document.images[0].complete && document.images[0].naturalWidth")
    assert visit.dialogs == [] and visit.page_errors == []
    assert visit.console_errors == [] and visit.requests == []
