"""Static figures: the labelled similarity heat map, the contact sheets, the LIME colour bar.

What is checked is what a reader relies on: the picture is still there pixel for pixel, the
figure grew by its labels and colour bar, the colour bar is the colour map of the picture
(monotone, ends at the scale's ends), a group's frame has the group's colour and the same
number as the CSV, the legend maps index to name, and the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from segscope._figures import (
    LINE,
    PALETTE,
    colour_bar,
    diverging,
    fit,
    group_colour,
    signed,
    text_width,
    ticks,
    viridis,
)
from segscope.audit.result import AuditResult, DuplicatePair
from segscope.audit.sheet import contact_sheet as audit_sheet
from segscope.cli import app
from segscope.explain import Explanation, heatmap, heatmap_figure
from segscope.similarity.render import axis_labels, contact_sheet, legend_rows
from segscope.similarity.render import heatmap as matrix_heatmap

HOSTILE = "<img src=x onerror=alert(1)>.png"
runner = CliRunner()


def _find(big: np.ndarray, small: np.ndarray) -> tuple[int, int]:
    """The (x, y) where ``small`` lies in ``big`` pixel for pixel (exactly one place)."""
    from numpy.lib.stride_tricks import sliding_window_view

    h, w = small.shape[:2]
    rows = sliding_window_view(big, (1, w, 3)).reshape(big.shape[0], -1, w, 3)
    hits = [(x, y) for y, x in zip(*np.nonzero((rows == small[0]).all(axis=(2, 3))),
                                   strict=True)
            if y + h <= big.shape[0] and np.array_equal(big[y:y + h, x:x + w], small)]
    assert len(hits) == 1, hits
    return hits[0]


def _luma(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.float64)
    return 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]


# ---------------------------------------------------------------- shared pieces

def test_colour_bar_is_the_colour_map_top_high_bottom_low():
    bar = np.asarray(colour_bar(viridis, 0.2, 0.9, height=120, label="ssim"))
    column = bar[LINE:LINE + 120, 5]
    assert np.array_equal(column, viridis(1 - np.arange(120) / 119))
    assert column[0].tolist() == viridis(np.array([1.0]))[0].tolist()   # yellow at the top
    assert column[-1].tolist() == viridis(np.array([0.0]))[0].tolist()  # dark at the bottom
    assert np.all(np.diff(_luma(column)) < 0)  # viridis gets lighter with the value
    assert np.all(bar[LINE:LINE + 120, 1:15] == column[:, None])  # all 14 columns alike


def test_diverging_bar_is_blue_white_red_and_signed_agrees():
    bar = np.asarray(colour_bar(diverging, -2.0, 2.0, height=101))
    column = bar[LINE:LINE + 101, 5]
    assert column[0].tolist() == [255, 0, 0] and column[-1].tolist() == [0, 0, 255]
    assert column[50].tolist() == [255, 255, 255]
    assert np.all(np.diff(column[:51, 1].astype(int)) >= 0)  # red fades into white ...
    assert np.all(np.diff(column[50:, 0].astype(int)) <= 0)  # ... white into blue
    v = np.linspace(-1, 1, 41)
    assert np.array_equal(diverging((v + 1) / 2), signed(v))


def test_nan_swatch_and_ticks():
    plain = colour_bar(viridis, 0, 1, height=60)
    with_nan = colour_bar(viridis, 0, 1, height=60, nan=True)
    assert with_nan.height == plain.height + LINE + 4
    assert np.asarray(with_nan)[LINE + 60 + 6, 5].tolist() == [128, 128, 128]
    for low, high in [(0, 1), (0.13, 0.97), (-3e-4, 3e-4), (12.5, 48.0)]:
        t = ticks(low, high)
        assert t[0] == low and t[-1] == high and t == sorted(t) and len(t) >= 3


def test_fit_keeps_both_ends_and_the_width():
    name = "very_long_folder/sub/IMG_20240101_000123.png"
    for width in (40, 80, 160):
        short = fit(name, width)
        assert text_width(short) <= width
        assert short[0] == "v" and short.endswith("g") and "…" in short
    assert fit(name, 10_000) == name


def test_group_colours_repeat_after_the_palette():
    assert [group_colour(k) for k in range(len(PALETTE) + 2)] == [*PALETTE, *PALETTE[:2]]


# ---------------------------------------------------------------- similarity heat map

def _matrix(n, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.uniform(0.1, 0.9, (n, n))
    m = (m + m.T) / 2
    np.fill_diagonal(m, 1.0)
    return m


def test_heatmap_keeps_the_grid_and_adds_axes_and_a_colour_bar():
    m = _matrix(5)
    names = [f"cam{k}.png" for k in range(4)] + [HOSTILE]
    bare = np.asarray(matrix_heatmap(m, cell=20, labels=False))
    fig = matrix_heatmap(m, names=names, cell=20, label="ssim")
    arr = np.asarray(fig)
    x, y = _find(arr, bare)
    assert x >= max(text_width(n) for n in names)  # room for the row names
    assert y >= LINE + max(text_width(n) for n in names)  # title + column names
    assert fig.width >= x + 100 + 12 + 14 + text_width("0.9")  # ... and the colour bar
    # the bar: right of the grid, as tall as it, viridis from high (top) to low (bottom)
    bar = arr[y:y + 100, x + 100 + 13]
    assert np.array_equal(bar, viridis(1 - np.arange(100) / 99))
    # the darkest cell is the lowest value off the diagonal
    off = np.where(np.eye(5, dtype=bool), np.inf, m)
    i, j = np.unravel_index(np.argmin(off), m.shape)
    assert bare[i * 20 + 10, j * 20 + 10].tolist() == viridis(np.array([0.0]))[0].tolist()


def test_heatmap_switches_to_indices_and_a_legend_when_names_do_not_fit():
    names = [f"folder/a_rather_long_name_from_the_camera_{k:04d}_final_v2.png"
             for k in range(30)]
    labels, step, named = axis_labels(names, 30, 20)
    assert not named and labels == [str(k) for k in range(30)] and step == 1
    labels, step, named = axis_labels([f"{k}.png" for k in range(30)], 30, 4)
    assert not named and step == 5  # 4-pixel cells: every fifth index is labelled
    assert axis_labels(["a.png", "b.png"], 2, 20) == (["a.png", "b.png"], 1, True)
    with_legend = matrix_heatmap(_matrix(30), names=names, cell=20)
    without = matrix_heatmap(_matrix(30), cell=20)
    assert with_legend.width > without.width + 200  # the legend's column of names
    assert legend_rows(names)[7] == {"index": 7, "name": names[7]}


def test_heatmap_checks_its_names():
    from segscope.errors import ParameterError, ShapeError

    with pytest.raises(ParameterError, match="names"):
        matrix_heatmap(_matrix(3), names=["a", "b"])
    with pytest.raises(ShapeError):
        matrix_heatmap(np.zeros((0, 0)))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("figs")
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (48, 48), dtype=np.uint8)
    for k, name in enumerate(["b.png", "a.png", HOSTILE, "c d.png"]):
        noisy = np.clip(base + rng.normal(0, 10 * k, base.shape), 0, 255).astype(np.uint8)
        Image.fromarray(noisy if k < 3 else rng.integers(0, 256, (48, 48), np.uint8)
                        ).save(root / name)
    return root


def test_cli_matrix_heatmap_legend_and_same_bytes(folder, tmp_path):
    outs = []
    for run in range(2):
        heat, legend, table = (tmp_path / f"h{run}.png", tmp_path / f"l{run}.csv",
                               tmp_path / f"m{run}.csv")
        res = runner.invoke(app, ["matrix", str(folder), "--heatmap", str(heat), "--legend",
                                  str(legend), "--csv", str(table), "-q"])
        assert res.exit_code == 0, res.output
        outs.append((heat.read_bytes(), legend.read_text(encoding="utf-8")))
    assert outs[0] == outs[1]  # byte-identical for the same inputs
    rows = list(csv.reader(io.StringIO(outs[0][1])))
    header = next(csv.reader(io.StringIO((tmp_path / "m0.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["index", "name"]
    assert [r[1] for r in rows[1:]] == header[1:]  # index k is the k-th row of the matrix
    assert [int(r[0]) for r in rows[1:]] == list(range(4)) and HOSTILE in header
    with Image.open(tmp_path / "h0.png") as im:
        assert im.width > 4 * 150 and im.height > 4 * 150  # grid (600 px) plus labels


# ---------------------------------------------------------------- contact sheets

def _pair(a, b, sa, sb, s):
    return DuplicatePair(a, b, sa, sb, 3, 0.99, s, 0.98, 0.0, 0.97, 0.96)


@pytest.fixture
def audit():
    names = ("a.png", "b.png", "c.png", HOSTILE, "e.png", "f.png")
    pairs = (_pair("a.png", "b.png", "train", "train", 0.95),
             _pair("a.png", "c.png", "train", "val", 0.9),
             _pair("b.png", "c.png", "train", "val", 0.9),
             _pair(HOSTILE, "e.png", "val", "val", 0.8))
    return AuditResult(names=names, split_of=(0, 0, 1, 1, 1, 1), splits=("train", "val"),
                       pixels=(4, 9, 4, 4, 4, 4), pairs=pairs, skipped=(), candidates=4,
                       settings={})


def _thumbs(names):
    rng = np.random.default_rng(0)
    return {n: rng.integers(0, 256, (40, 50), dtype=np.uint8) for n in names}


def _runs(column: np.ndarray) -> list[tuple[int, int, int]]:
    """The non-white, non-grey colours down a column, each run once."""
    out: list[tuple[int, int, int]] = []
    for px in map(tuple, column.tolist()):
        if len(set(px)) > 1 and (not out or out[-1] != px):
            out.append(px)
    return out


def test_audit_sheet_frames_groups_in_their_colour_and_number(audit):
    png = audit_sheet(audit, _thumbs(audit.names))
    sheet = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    number = {n: r["group"] for r in audit.rows() for n in (r["name_a"], r["name_b"])}
    order = [number[g[0]] for g in sorted(audit.groups, key=lambda g: (-len(g), g))]
    assert order == [0, 1]
    # down the left edge: each group's header band and frame, in the group's colour
    assert _runs(sheet[:, 1]) == [group_colour(k) for k in order]
    assert png == audit_sheet(audit, _thumbs(audit.names))  # same bytes for the same input


def test_audit_sheet_has_a_line_per_pair_and_grey_tiles_for_missing_images(audit):
    from segscope.audit.sheet import _block

    three_pairs = _block(audit, 0, {}, 8)   # a, b, c: three verified pairs
    one_pair = _block(audit, 1, {}, 8)      # HOSTILE, e: one
    assert three_pairs.height - one_pair.height == 2 * LINE
    assert np.asarray(three_pairs)[LINE + 4 + 64, 64].tolist() == [200, 200, 200]
    capped = _block(audit, 0, {}, 2)  # two tiles shown: one pair drawn, two counted
    assert capped.width == 2 * 128 and capped.height == one_pair.height + LINE


def test_audit_sheet_lays_many_pairs_out_in_columns():
    from itertools import combinations

    from segscope.audit.sheet import _block

    names = tuple(f"{k}.png" for k in range(6))
    pairs = tuple(_pair(a, b, "images", "images", 0.9) for a, b in combinations(names, 2))
    full = AuditResult(names=names, split_of=(0,) * 6, splits=("images",), pixels=(1,) * 6,
                       pairs=pairs, skipped=(), candidates=15, settings={})
    one = AuditResult(names=names[:2], split_of=(0, 0), splits=("images",), pixels=(1, 1),
                      pairs=pairs[:1], skipped=(), candidates=1, settings={})
    # 15 pairs in two columns of at most eight lines, nothing left out
    assert _block(full, 0, {}, 8).height - _block(one, 0, {}, 8).height == 7 * LINE


def test_audit_sheet_without_groups_says_so():
    empty = AuditResult(names=("a",), split_of=(0,), splits=("images",), pixels=(1,),
                        pairs=(), skipped=(), candidates=0, settings={})
    sheet = np.asarray(Image.open(io.BytesIO(audit_sheet(empty, {}))).convert("L"))
    assert sheet.min() < 128  # the text is there


def test_order_sheet_frames_groups_and_grows_for_scores():
    ims = [np.full((20, 30), v, np.uint8) for v in (0, 100, 200, 250)]
    plain = contact_sheet(ims, thumb=32, columns=4, names=list("abcd"))
    marked = contact_sheet(ims, thumb=32, columns=4, names=list("abcd"), groups=[2, 2, 0, 5],
                           scores=[None, 0.9, 0.5, 0.1], label="ssim")
    assert marked.size == (plain.width, plain.height + LINE)
    arr = np.asarray(marked)
    assert [arr[1, 32 * k + 1].tolist() for k in range(4)] == \
        [list(group_colour(g)) for g in (2, 2, 0, 5)]
    with pytest.raises(ValueError, match="groups"):
        contact_sheet(ims, groups=[0])


# ---------------------------------------------------------------- LIME heat map

def _explanation(weights, segments):
    k = len(weights)
    return Explanation(np.asarray(weights, float), 0.0, 0.75, 1, 0.5, np.asarray(segments),
                       np.ones((1, k), bool), np.ones(1), np.zeros(1), np.ones(1))


def test_lime_figure_is_the_heat_map_with_its_colour_bar():
    seg = np.repeat(np.repeat(np.arange(4).reshape(2, 2), 40, 0), 40, 1)
    e = _explanation([0.5, -0.25, 0.0, 0.1], seg)
    picture = heatmap(e)
    fig = np.asarray(heatmap_figure(e))
    assert np.array_equal(fig[2 * LINE:2 * LINE + 80, :80], picture)
    bar = fig[2 * LINE:2 * LINE + 80, 80 + 10 + 5]
    assert np.array_equal(bar, diverging(1 - np.arange(80) / 79))
    assert bar[0].tolist() == picture[0, 0].tolist() == [255, 0, 0]  # +peak: segment 0
    assert fig.shape[1] > 80 + 10 + 14 + text_width("-0.5")  # the bar and its labels


def test_cli_explain_out_has_the_colour_bar(tmp_path):
    from skimage import data

    img = tmp_path / "cam.png"
    Image.fromarray(data.camera()[::8, ::8]).save(img)
    model = tmp_path / "bright_model.py"
    model.write_text("import numpy as np\n\ndef predict(batch):\n"
                     "    b = np.asarray(batch, float)\n"
                     "    return b.reshape(len(b), -1).mean(axis=1, keepdims=True) / 255\n")
    heat = tmp_path / "heat.png"
    res = runner.invoke(app, ["explain", str(img), "--model", f"{model}:predict",
                              "--n-segments", "9", "--num-samples", "40", "--out", str(heat),
                              "-q"])
    assert res.exit_code == 0, res.output
    with Image.open(heat) as im:
        assert im.width > 64 + 24 and im.height >= 64 + 2 * LINE
