"""One self-contained HTML page: sections, inline CSS (screen and print) and a small script.

A :class:`Page` makes no network request: images are ``data:`` URIs, the style and the
script are inline, no font is loaded, and a Content-Security-Policy forbids anything else
(no connection, no image that is not inline, no script but the page's own, no inline
event handler). The same sections give the same bytes: nothing here reads the clock.

Examples
--------
>>> page = Page("Demo <report>")
>>> page.add("Scores", table(["class", "IoU"], [["cat", 0.5], ["dog", 0.25]]))
>>> text = page.render()
>>> text.startswith("<!DOCTYPE html>"), "Demo &lt;report&gt;" in text, "0.5000" in text
(True, True, True)
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .markup import Markup, join, tag

__all__ = ["Column", "Page", "format_number", "key_values", "note", "table"]

_CSS = """
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d0d4d9; --band: #f4f6f8;
  --accent: #2f5f8f; --bar: #4a7fb0; --fp: #e0457b; --fn: #1f9ed1; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1180px;
  padding: 1.2rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.subtitle { color: var(--muted); margin: 0 0 1rem; }
p.note { color: var(--muted); font-size: .9rem; margin: .3rem 0 .8rem; }
nav.toc { font-size: .9rem; margin: .6rem 0 1rem; }
nav.toc a { margin-right: .9rem; color: var(--accent); text-decoration: none; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll.tall { max-height: 32rem; overflow-y: auto; }
table { border-collapse: collapse; font-size: .88rem; margin: .3rem 0 1rem; }
th, td { padding: .25rem .55rem; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
table.nowrap td { white-space: nowrap; }
td[data-value], th.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: var(--band); position: sticky; top: 0; }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.sortable thead th[aria-sort="descending"]::after { content: " \\25BC"; }
td, .name { overflow-wrap: break-word; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  font-size: .9rem; margin: .3rem 0 1rem; }
dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: .4rem 0 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem;
  min-width: 11rem; }
.card .label { color: var(--muted); font-size: .85rem; }
.card .value { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
.card .ci { color: var(--muted); font-size: .8rem; font-variant-numeric: tabular-nums; }
figure { margin: .4rem 0 1.2rem; break-inside: avoid; }
figure > svg, figure > img { display: block; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .2rem; }
img.pixelated { image-rendering: pixelated; }
img { max-width: 100%; height: auto; }
.grid { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.gallery { display: flex; flex-wrap: wrap; gap: .4rem 1.6rem; }
.gallery-row { border-top: 1px solid var(--line); padding: .5rem 0; break-inside: avoid; }
.gallery-row .tiles { display: flex; flex-wrap: wrap; gap: .5rem; }
.tile { margin: 0; text-align: center; }
.tile img { display: block; border: 1px solid var(--line); }
.tile figcaption { margin: 0; }
.swatch { display: inline-block; width: .8em; height: .8em; vertical-align: baseline;
  border: 1px solid #0003; margin-right: .25em; }
table.heat td { text-align: center; min-width: 2.4rem; border: 1px solid #fff; }
table.heat th { font-weight: normal; }
svg { max-width: 100%; height: auto; font-family: inherit; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc { display: none; }
  .scroll, .scroll.tall { overflow: visible; max-height: none; }
  h2 { break-after: avoid; } table { break-inside: auto; } tr { break-inside: avoid; }
  thead { display: table-header-group; } thead th { position: static; }
  a { color: inherit; text-decoration: none; }
}
"""

# Click a header of a table.sortable to sort by that column (numbers by data-value).
_SCRIPT = """
(function () {
  function key(cell) {
    var v = cell.getAttribute("data-value");
    if (v === null) { return {num: false, text: cell.textContent.trim().toLowerCase()}; }
    if (v === "") { return {num: true, value: NaN}; }
    return {num: true, value: parseFloat(v)};
  }
  function compare(a, b) {
    if (a.num && b.num) {
      var an = isNaN(a.value), bn = isNaN(b.value);
      if (an || bn) { return an === bn ? 0 : (an ? 1 : -1); }
      return a.value - b.value;
    }
    return a.text < b.text ? -1 : (a.text > b.text ? 1 : 0);
  }
  function sort(table, index, th) {
    var body = table.tBodies[0];
    var descending = th.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return {row: row, key: key(row.cells[index]), i: i};
    });
    rows.sort(function (a, b) {
      var c = compare(a.key, b.key);
      if (descending && !(a.key.num && (isNaN(a.key.value) || isNaN(b.key.value)))) { c = -c; }
      return c || a.i - b.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var head = table.tHead;
    if (!head) { return; }
    Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
      th.addEventListener("click", function () { sort(table, index, th); });
    });
  });
}());
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode()
    return ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


def format_number(value: Any, digits: int = 4) -> str:
    """A number as the page shows it: ``digits`` decimals, ``n/a`` for NaN or None.

    Examples
    --------
    >>> format_number(0.123456), format_number(float("nan")), format_number(12), \
format_number(float("inf"))
    ('0.1235', 'n/a', '12', 'inf')
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if float(v).is_integer() and abs(v) >= 1e4:
        return f"{v:.0f}"
    return f"{v:.{digits}f}" if abs(v) < 1e5 else f"{v:.{digits}g}"


def sort_value(value: Any) -> str | None:
    """The ``data-value`` a sortable table sorts a cell by (``""`` for NaN, None for text)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(int(value))
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        v = float(value)
        if math.isnan(v):
            return ""
        if not math.isfinite(v):
            return "1e999" if v > 0 else "-1e999"
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.9g}"
    return None


@dataclass(frozen=True)
class Column:
    """A table column: its title, whether it holds numbers, and their decimals."""

    title: str
    numeric: bool = False
    digits: int = 4


def table(columns: Sequence[Column | str], rows: Iterable[Sequence[Any]], *,
          sortable: bool = True, caption: str | None = None, id: str | None = None,
          tall: bool = False, nowrap: bool = False) -> Markup:
    """A table; numbers (int, float, NumPy scalars) are formatted and sort as numbers.

    A cell may be :class:`Markup` (e.g. a swatch and a name); a ``str`` column title
    makes a text column unless every value in it is a number. ``tall``: scroll after
    about 30 rows; ``nowrap``: keep each cell on one line (short tables of numbers).

    Examples
    --------
    >>> html = table(["image", Column("IoU", numeric=True)], [["a.png", 0.5]])
    >>> '<td data-value="0.5">0.5000</td>' in html
    True
    """
    rows = [list(r) for r in rows]
    cols = [c if isinstance(c, Column) else Column(c, numeric=_all_numbers(rows, i))
            for i, c in enumerate(columns)]
    head = tag("thead", tag("tr", [tag("th", c.title, scope="col",
                                       class_="num" if c.numeric else None) for c in cols]))
    body_rows = []
    for row in rows:
        cells = []
        for col, value in zip(cols, row):
            if col.numeric:  # right-aligned by its data-value (the CSS), sorted by it
                cells.append(tag("td", format_number(value, col.digits),
                                 data_value=sort_value(value) or ""))
            else:
                cells.append(tag("td", value))
        body_rows.append(tag("tr", cells))
    inner = tag("table", tag("caption", caption) if caption else None, head,
                tag("tbody", body_rows),
                class_=" ".join(c for c in ("sortable" if sortable else "",
                                            "nowrap" if nowrap else "") if c) or None, id=id)
    return tag("div", inner, class_="scroll tall" if tall else "scroll")


def _all_numbers(rows: list[list[Any]], i: int) -> bool:
    values = [r[i] for r in rows if i < len(r) and r[i] is not None]
    return bool(values) and all(sort_value(v) is not None for v in values)


def key_values(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Markup:
    """A definition list of ``key: value`` (values as text; Markup kept).

    Examples
    --------
    >>> key_values({"aggregate": "dataset"})
    '<dl class="kv"><dt>aggregate</dt><dd>dataset</dd></dl>'
    """
    pairs = items.items() if isinstance(items, Mapping) else items
    return tag("dl", [(tag("dt", k), tag("dd", v)) for k, v in pairs], class_="kv")


def note(text: Any) -> Markup:
    """A short muted paragraph under a figure or a table."""
    return tag("p", text, class_="note")


@dataclass
class Page:
    """A report page: a title, an optional subtitle and sections, rendered as one file.

    Parameters
    ----------
    title : str
        The page's title (the ``<title>`` and the heading).
    subtitle : str
        A line under the heading (e.g. what was compared).
    """

    title: str
    subtitle: str = ""
    sections: list[tuple[str, str, Markup]] = field(default_factory=list)

    def add(self, heading: str, *content: Any, id: str | None = None) -> None:
        """Add a section: a heading (listed in the page's contents) and its blocks.

        ``id`` names the section's anchor (default: from the heading).
        """
        anchor = id or _anchor(heading)
        taken = {a for a, _, _ in self.sections}
        base, n = anchor, 2
        while anchor in taken:
            anchor, n = f"{base}-{n}", n + 1
        self.sections.append((anchor, heading, join(content)))

    def render(self) -> str:
        """The whole HTML document as text."""
        toc = tag("nav", [tag("a", h, href=f"#{a}") for a, h, _ in self.sections],
                  class_="toc", aria_label="contents") if len(self.sections) > 1 else None
        body = join([
            tag("h1", self.title),
            tag("p", self.subtitle, class_="subtitle") if self.subtitle else None,
            toc,
            [tag("section", tag("h2", h), content, id=a) for a, h, content in self.sections],
            tag("script", Markup(_SCRIPT)),
        ])
        head = join([
            tag("meta", charset="utf-8"),
            tag("meta", http_equiv="Content-Security-Policy", content=_csp()),
            tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("meta", name="generator", content="segscope"),
            tag("title", self.title),
            tag("style", Markup(_CSS)),
        ])
        return "<!DOCTYPE html>\n" + tag("html", tag("head", head), tag("body", body),
                                         lang="en") + "\n"

    def to_bytes(self) -> bytes:
        """The document as UTF-8 bytes (what is written to the file)."""
        return self.render().encode("utf-8")


def _anchor(heading: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
    return slug or "section"
