"""CSV output (issue 10): names stay one field, formula cells are neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from segscope.io import csv_text


@pytest.mark.parametrize("name", ["=1+2", "+cmd", "-2+3", "@SUM(A1:A2)", "\t=x", "\r=x"])
def test_cells_a_spreadsheet_would_run_are_neutralised(name):
    text = csv_text([{"image": name, "iou": 0.5}])
    cell = next(csv.DictReader(io.StringIO(text, newline="")))["image"]
    assert cell == "'" + name


def test_names_with_commas_quotes_and_newlines_stay_one_field():
    names = ["a,b.png", 'say "hi".png', "two\nlines.png"]
    text = csv_text([{"image": n, "dice": 1.0} for n in names])
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["image"] for r in rows] == names
    assert all(len(r) == 2 for r in rows)


def test_numbers_stay_numbers():
    text = csv_text([{"a": -0.5, "b": float("nan"), "c": 3, "d": 1 / 3}])
    assert text.splitlines()[1] == f"-0.5,nan,3,{1 / 3!r}"
    assert csv_text([[float("nan")]], ["x"], missing="").splitlines()[1] == '""'


def test_the_cli_table_writer_uses_it():
    from segscope.cli._report import rows_to_csv

    assert rows_to_csv([{"image": "=cmd", "iou": 1.0}]).splitlines()[1] == "'=cmd,1.0"
