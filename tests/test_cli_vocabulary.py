"""One vocabulary in every command: --json PATH, --csv PATH, -q, --metrics/-m, --colour.

The table of ``docs/architecture.md`` says what each CLI option means; these tests walk
every command of the app so that a new command cannot drift from it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import get_args

import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from segscope.cli import app

runner = CliRunner()


def _commands() -> dict:
    found: dict = {}

    def walk(cmd, path: str) -> None:
        if hasattr(cmd, "commands"):  # a group
            for name, sub in cmd.commands.items():
                walk(sub, f"{path} {name}".strip())
        else:
            found[path] = cmd

    walk(typer.main.get_command(app), "")
    return found


COMMANDS = _commands()


def _options(cmd) -> dict:
    return {opt: p for p in cmd.params if p.param_type_name == "option"
            for opt in (*p.opts, *p.secondary_opts)}


def test_the_commands_are_found():
    assert {"evaluate", "compare", "matrix", "order", "demo", "explain",
            "superpixels segment", "superpixels sweep"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_speaks_the_vocabulary(name):
    opts = _options(COMMANDS[name])
    # -q/--quiet everywhere, one flag
    assert "-q" in opts and opts["-q"] is opts["--quiet"] and opts["-q"].is_flag
    # --json PATH and --csv PATH take a path (never a flag)
    for output in ("--json", "--csv"):
        assert output in opts, f"{name} has no {output}"
        assert not opts[output].is_flag and opts[output].metavar == "PATH"
    # the retired spellings are gone
    for old in ("--metric", "--mode"):
        assert old not in opts, f"{name} still has {old}"
    # -m is --metrics, and only that
    if "-m" in opts:
        assert opts["-m"] is opts.get("--metrics")
    # -o is --out, and only that
    if "-o" in opts:
        assert opts["-o"] is opts.get("--out")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_help_text(name):
    assert (COMMANDS[name].help or "").strip(), f"{name} has no docstring help"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_summary_of_every_command_is_one_line(name):
    """``segscope --help`` lists a command by its help's first paragraph and keeps that
    paragraph's line breaks, so a summary wrapped in the source prints broken mid-sentence."""
    first = (COMMANDS[name].help or "").strip().split("\n\n")[0]
    assert "\n" not in first, f"{name}: the first paragraph of its docstring spans lines"


def test_typed_choices_match_the_library():
    from segscope.cli._common import ColourMode
    from segscope.cli.evaluate import Match
    from segscope.cli.explain import Distance
    from segscope.cli.similarity import METRICS, Preset
    from segscope.cli.superpixels import Method
    from segscope.explain.distances import DISTANCES
    from segscope.io.pairing import MATCH_MODES, MatchMode
    from segscope.options import COLOURS, Colour
    from segscope.similarity import PRESETS
    from segscope.similarity.matrices import MATRIX_METRICS
    from segscope.superpixels.methods import METHODS

    assert get_args(ColourMode) == get_args(Colour) == COLOURS
    assert get_args(Match) == get_args(MatchMode) == MATCH_MODES
    assert get_args(Distance) == DISTANCES
    assert set(get_args(Preset)) == set(PRESETS)
    assert set(get_args(Method)) == set(METHODS)
    assert set(METRICS) == set(MATRIX_METRICS)


def test_a_choice_outside_the_list_exits_2(tmp_path):
    res = runner.invoke(app, ["compare", "a.png", "b.png", "--colour", "gray"])
    assert res.exit_code == 2 and "gray" in res.output
    res = runner.invoke(app, ["evaluate", "a.png", "b.png", "--average", "mean"])
    assert res.exit_code == 2 and "mean" in res.output


# --- outputs: '-' is standard output, and then stdout holds only that file ------------------

@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("vocab")
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (24, 24), dtype=np.uint8)
    for k, noise in enumerate((0, 10, 60)):
        im = np.clip(base + rng.normal(0, noise, base.shape), 0, 255).astype(np.uint8)
        Image.fromarray(im).save(root / f"im{k}.png")
    masks = root / "masks"
    masks.mkdir()
    target = (base > 128).astype(np.uint8)
    Image.fromarray(target).save(masks / "t.png")
    Image.fromarray(np.roll(target, 1, axis=0)).save(masks / "p.png")
    return root


def _argv(name: str, root) -> list[str]:
    a, b = str(root / "im0.png"), str(root / "im1.png")
    return {
        "compare": ["compare", a, b, "-m", "ssim,mse"],
        "matrix": ["matrix", str(root), "-m", "mse"],
        "order": ["order", str(root), "-m", "mse"],
        "evaluate": ["evaluate", str(root / "masks" / "p.png"), str(root / "masks" / "t.png"),
                     "-c", "2"],
        "superpixels": ["superpixels", a, "--method", "slic", "-n", "9"],
    }[name]


OUTPUT_COMMANDS = ("compare", "matrix", "order", "evaluate", "superpixels")


@pytest.mark.parametrize("name", OUTPUT_COMMANDS)
def test_json_dash_prints_only_json(images, name):
    res = runner.invoke(app, [*_argv(name, images), "--json", "-"])
    assert res.exit_code == 0, res.output
    json.loads(res.stdout)  # nothing else on stdout


@pytest.mark.parametrize("name", OUTPUT_COMMANDS)
def test_csv_dash_prints_only_csv(images, name):
    res = runner.invoke(app, [*_argv(name, images), "--csv", "-"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert len(rows) >= 2 and len({len(r) for r in rows}) == 1


@pytest.mark.parametrize("name", OUTPUT_COMMANDS)
def test_json_file_equals_json_on_stdout_and_quiet_prints_nothing(images, tmp_path, name):
    shown = runner.invoke(app, [*_argv(name, images), "--json", "-"])
    res = runner.invoke(app, [*_argv(name, images), "--json", str(tmp_path / "r.json"), "-q"])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert _untimed(json.loads((tmp_path / "r.json").read_text())) == _untimed(
        json.loads(shown.stdout))


def _untimed(doc):
    """The document without run times (superpixel reports record them)."""
    if isinstance(doc, dict):
        return {k: _untimed(v) for k, v in doc.items()
                if "runtime" not in k and doc.get("metric") != "runtime_s"}
    if isinstance(doc, list):
        return [_untimed(v) for v in doc if not (isinstance(v, dict)
                                                 and v.get("metric") == "runtime_s")]
    return doc


@pytest.mark.parametrize("name", OUTPUT_COMMANDS)
def test_two_outputs_on_stdout_are_refused(images, name):
    res = runner.invoke(app, [*_argv(name, images), "--json", "-", "--csv", "-"])
    assert res.exit_code == 2
    assert "standard output" in res.stderr and res.stdout == ""


def test_table_goes_to_stdout_and_notes_to_stderr(images, tmp_path):
    res = runner.invoke(app, [*_argv("matrix", images), "--csv", str(tmp_path / "m.csv")])
    assert res.exit_code == 0, res.output
    assert "most similar pairs" in res.stdout and "wrote" not in res.stdout
    assert "wrote" in res.stderr
    quiet = runner.invoke(app, [*_argv("matrix", images), "--csv", str(tmp_path / "m.csv"),
                                "-q"])
    assert quiet.stdout == "" and "wrote" not in quiet.stderr


def test_compare_values_are_the_same_in_json_and_csv(images):
    as_json = json.loads(runner.invoke(app, [*_argv("compare", images), "--json", "-"]).stdout)
    rows = list(csv.DictReader(io.StringIO(
        runner.invoke(app, [*_argv("compare", images), "--csv", "-"]).stdout)))
    assert {r["metric"]: float(r["value"]) for r in rows} == as_json


def test_matrix_and_order_json_hold_the_matrix_and_the_order(images):
    from segscope.similarity import similarity_matrix

    doc = json.loads(runner.invoke(app, [*_argv("matrix", images), "--json", "-"]).stdout)
    ims = [np.asarray(Image.open(images / n)) for n in doc["names"]]
    assert doc["metric"] == "mse"
    assert np.allclose(doc["matrix"], similarity_matrix(ims, metric="mse"), atol=0)
    order = json.loads(runner.invoke(app, [*_argv("order", images), "--json", "-"]).stdout)
    assert sorted(r["image"] for r in order["order"]) == sorted(doc["names"])
    assert order["order"][0]["mse_to_previous"] is None


def test_matrix_and_order_take_one_metric(images):
    res = runner.invoke(app, ["matrix", str(images), "-m", "ssim,mse"])
    assert res.exit_code == 2 and "one metric" in res.stderr
