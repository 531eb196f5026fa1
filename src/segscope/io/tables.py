"""CSV text for every table segscope writes: one quoting rule, formulas neutralised.

- Fields are quoted as RFC 4180 says (a file named ``a,b.png`` stays one field; quotes and
  line breaks, CR included, inside a name survive).
- A **text** cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``, the mark spreadsheets
  read as "this is text" (OWASP's advice on CSV injection). Numbers are written as numbers
  (``repr`` of a float, so nothing is rounded away): ``-0.5`` stays ``-0.5``.
- NaN is written as ``nan`` (or what ``missing`` says).

Examples
--------
>>> print(csv_text([{"image": "=HYPERLINK(1)", "iou": -0.5}, {"image": "a,b.png", "iou": 1.0}]),
...       end="")
image,iou
'=HYPERLINK(1),-0.5
"a,b.png",1.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["FORMULA_PREFIXES", "csv_cell", "csv_text"]

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any, *, missing: str = "nan") -> str:
    """One value as CSV cell text (before quoting): numbers as numbers, text neutralised.

    Examples
    --------
    >>> csv_cell("@SUM(A1)"), csv_cell(float("nan")), csv_cell(3), csv_cell(None)
    ("'@SUM(A1)", 'nan', '3', '')
    """
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return missing if math.isnan(v) else repr(v)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_text(rows: Iterable[Mapping[str, Any] | Sequence[Any]],
             columns: Sequence[str] | None = None, *, missing: str = "nan") -> str:
    """CSV text (with a header line) of dict rows or of sequence rows with ``columns``.

    For dict rows the columns are ``columns`` or, by default, the keys in first-seen
    order; a key missing from a row gives an empty cell. Header cells are neutralised too.
    """
    rows = list(rows)
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            if not isinstance(row, Mapping):
                raise TypeError("csv_text needs columns= for rows that are not mappings")
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    lines = [_line([csv_cell(c) for c in columns])]
    for row in rows:
        values = ([row.get(c) for c in columns] if isinstance(row, Mapping) else list(row))
        lines.append(_line([csv_cell(v, missing=missing) for v in values]))
    return "".join(lines)


def _line(cells: Sequence[str]) -> str:
    """One CSV record (RFC 4180): a cell with a comma, quote, CR or LF is quoted."""
    out = []
    for cell in cells:
        if any(ch in cell for ch in ',"\r\n') or (cell == "" and len(cells) == 1):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out) + "\n"
