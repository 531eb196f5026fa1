"""The HTML page of a near-duplicate or leakage audit (``segscope dedup/leakage --html``).

One page from an :class:`~segscope.audit.AuditResult`: the summary per split pair, the
groups side by side (thumbnails framed in the group's colour, numbered as in the CSV) with
the scores of each verified pair, every pair in a sortable table, the suggested drops, the
skipped files and the settings. Built from the shared pieces of :mod:`segscope.report`
only (every name passes through :func:`~segscope.report.tag`).

Examples
--------
>>> import numpy as np
>>> from segscope.audit import find_duplicates
>>> a = (np.add.outer(np.arange(64), np.arange(64)) * 2).astype(np.uint8)
>>> page = audit_page(find_duplicates([a, a // 2 + 20]), {})
>>> html = page.render()
>>> "group 0" in html and "Suggested drops" in html
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._figures import group_colour
from ..audit.result import AuditResult
from .charts import hex_colour
from .markup import Markup, tag
from .page import Column, Page, key_values, note, table
from .pictures import gallery, shrink
from .runs import run_items

__all__ = ["audit_page"]

_THUMB = 128
_MAX_GROUPS = 100
_MAX_MEMBERS = 12
_MAX_PAIRS = 5000
_SCORES = ("ssim", "ncc", "match", "crop", "ncc_low", "ssim_low")


def audit_page(result: AuditResult, thumbnails: Mapping[str, np.ndarray] | Callable, *,
               title: str | None = None, subtitle: str = "",
               max_groups: int = _MAX_GROUPS,
               provenance: Mapping[str, Any] | None = None) -> Page:
    """The report :class:`~segscope.report.Page` of an audit.

    Parameters
    ----------
    result : AuditResult
        What to show.
    thumbnails : mapping or callable
        ``name -> (H, W) uint8`` picture (a callable is called with the name); a name it
        lacks, or that cannot be read, gets no picture (its name and scores stay).
    title, subtitle : str, optional
        The page's heading (default: ``Leakage audit`` or ``Near-duplicate audit``) and
        the line under it.
    max_groups : int
        Groups drawn with thumbnails (largest first); the pair table lists every pair.
    provenance : mapping, optional
        ``segscope_version``, ``command`` and ``created`` of the run (the last section).
    """
    leakage = len(result.splits) > 1
    page = Page(title or ("Leakage audit" if leakage else "Near-duplicate audit"),
                subtitle=subtitle or "; ".join(result.summary()))
    page.add("Summary", *_summary(result))
    page.add("Groups", *_groups(result, thumbnails, max_groups))
    page.add("Pairs", *_pairs(result))
    page.add("Suggested drops", *_drops(result))
    if result.skipped:
        page.add("Skipped files", table(["file", "reason"], list(result.skipped), tall=True))
    page.add("Settings", key_values(_settings(result)))
    page.add("Provenance", key_values(run_items(provenance)))
    return page


def _summary(result: AuditResult) -> list[Markup]:
    blocks = [tag("p", line) for line in result.summary()]
    blocks += [key_values([("images compared", len(result.names)),
                          ("candidate pairs verified", result.candidates),
                          ("near-duplicate pairs", len(result.pairs)),
                          ("groups", len(result.groups)),
                          ("skipped files", len(result.skipped))])]
    if len(result.splits) > 1:
        rows = [[a, b, n, total, 100 * n / total if total else float("nan")]
                for (a, b), (n, total) in result.leaked().items()]
        blocks.append(table(["earlier split", "later split",
                             Column("images of the later with a twin in the earlier",
                                    numeric=True, digits=0),
                             Column("images of the later", numeric=True, digits=0),
                             Column("share %", numeric=True, digits=1)], rows,
                            id="leakage"))
        blocks.append(note("A later split's image with a near-twin in an earlier one is a "
                           "leak: a model sees it (or nearly) in training."))
    return blocks


def _swatch(colour: tuple[int, int, int]) -> Markup:
    return tag("span", class_="swatch", style=f"background:{hex_colour(colour)}")


def _picture(name: str, thumbnails) -> np.ndarray | None:
    try:
        pixels = thumbnails(name) if callable(thumbnails) else thumbnails.get(name)
    except Exception:  # an image that cannot be re-read is shown without a picture
        return None
    return None if pixels is None else shrink(np.asarray(pixels, np.uint8), _THUMB)


def _groups(result: AuditResult, thumbnails, max_groups: int) -> list[Markup]:
    if not result.groups:
        return [note("No near-duplicates were found.")]
    order = sorted(range(len(result.groups)),
                   key=lambda k: (-len(result.groups[k]), result.groups[k]))
    split = dict(zip(result.names, result.split_of, strict=True))
    drops = set(result.suggested_drops())
    blocks = []
    for number in order[:max_groups]:
        group = result.groups[number]
        members = group[:_MAX_MEMBERS]
        colour = group_colour(number)
        splits = sorted({result.splits[split[n]] for n in group}, key=result.splits.index)
        caption = tag("h3", _swatch(colour), f"group {number}: {len(group)} images",
                      f" in {', '.join(splits)}" if len(result.splits) > 1 else "",
                      f" (first {len(members)} shown)" if len(members) < len(group) else "",
                      id=f"group-{number}")
        tiles = []
        for k, name in enumerate(members, start=1):
            label = f"{k}. {name}"
            if len(result.splits) > 1:
                label += f" ({result.splits[split[name]]})"
            if name in drops:
                label += " · drop?"
            pixels = _picture(name, thumbnails)
            if pixels is None:
                pixels = np.full((32, 32), 200, np.uint8)
            tiles.append((label, pixels))
        tile_no = {n: k for k, n in enumerate(members, start=1)}
        rows = []
        for p in result.pairs:
            if p.name_a in tile_no and p.name_b in tile_no:
                i, j = sorted((tile_no[p.name_a], tile_no[p.name_b]))
                rows.append([f"{i}-{j}", p.name_a, p.name_b,
                             *(getattr(p, s) for s in _SCORES)])
        rows.sort(key=lambda r: tuple(int(v) for v in r[0].split("-")))
        pairs = table(["tiles", "image a", "image b", *_SCORES], rows)
        blocks.append(tag("div", gallery([(caption, tiles)], size=_THUMB), pairs,
                          class_="audit-group",
                          style=f"border-left:6px solid {hex_colour(colour)};"
                                "padding-left:.6rem;margin-bottom:1rem"))
    if len(order) > max_groups:
        blocks.append(note(f"... and {len(order) - max_groups} more groups: the table of "
                           "pairs below lists every pair."))
    return blocks


def _pairs(result: AuditResult) -> list[Markup]:
    if not result.pairs:
        return [note("No verified pairs.")]
    rows = [[r["group"], r["name_a"], r["split_a"], r["name_b"], r["split_b"],
             r["distance"], *(r[s] for s in _SCORES)] for r in result.rows()[:_MAX_PAIRS]]
    blocks = [table([Column("group", numeric=True, digits=0), "image a", "split a",
                     "image b", "split b", Column("bits", numeric=True, digits=0),
                     *(Column(s, numeric=True, digits=3) for s in _SCORES)], rows,
                    id="pairs", tall=True),
              note("Click a heading to sort. ssim, ncc: of the aligned thumbnails; match: "
                   "share of the image with local SSIM >= 0.5; crop: fraction cut from a "
                   "side; bits: Hamming distance of the hashes.")]
    if len(result.pairs) > _MAX_PAIRS:
        blocks.append(note(f"The first {_MAX_PAIRS} of {len(result.pairs)} pairs; the "
                           "JSON and CSV outputs hold them all."))
    return blocks


def _drops(result: AuditResult) -> list[Markup]:
    drops = result.suggested_drops()
    if not drops:
        return [note("Nothing to drop.")]
    number = {n: k for k, g in enumerate(result.groups) for n in g}
    split = dict(zip(result.names, result.split_of, strict=True))
    rows = [[name, result.splits[split[name]], number[name]] for name in drops]
    return [table(["image", "split", Column("group", numeric=True, digits=0)], rows,
                  id="drops", tall=True),
            note("A suggestion: nothing was deleted. Within one split every member of a "
                 "group but the largest image; across splits the members outside the split "
                 "that holds most of the group.")]


def _settings(result: AuditResult) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = [("splits", ", ".join(result.splits))]
    for key, value in result.settings.items():
        items.append((str(key), _plain(value)))
    return items


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)
