"""A contact sheet of the groups: one block per group, its images side by side, its scores.

Each group gets a colour (:data:`segscope._figures.PALETTE`, repeating after seven): a
header band in it names the group by its number (the ``group`` column of
:meth:`~segscope.audit.AuditResult.rows`, so the sheet and the CSV agree), how many images
it holds and their splits; each tile is framed in it and numbered. A tile shows the
image's thumbnail (re-read from its file when there is one, else a grey tile), its name,
its split (when there are several) and ``drop?`` when it is a suggested drop. Under the
tiles, one line per verified pair of the group gives its tile numbers and its scores
(SSIM, NCC, match, crop), in columns of at most eight lines. The sheet is returned as PNG
bytes; writing it is the caller's (through :func:`segscope.io.write_bytes`).

Examples
--------
>>> import numpy as np
>>> from segscope.audit import find_duplicates
>>> a = (np.add.outer(np.arange(64), np.arange(64)) * 2).astype(np.uint8)
>>> result = find_duplicates([a, a // 2 + 20])
>>> contact_sheet(result, {})[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import numpy as np

from .._figures import LINE, draw_text, fit, group_colour, text_width
from .result import AuditResult

__all__ = ["contact_sheet"]

_TILE = 128
_FRAME = 3
_GAP = 10
_MAX_GROUPS = 40
_MAX_MEMBERS = 8
_MAX_PAIRS = 8


def contact_sheet(result: AuditResult, thumbnails: Mapping[str, np.ndarray] | Callable, *,
                  max_groups: int = _MAX_GROUPS, max_members: int = _MAX_MEMBERS) -> bytes:
    """PNG bytes of the first ``max_groups`` groups (largest first), ``max_members`` each.

    Parameters
    ----------
    result : AuditResult
        What to draw.
    thumbnails : mapping or callable
        ``name -> (H, W) uint8`` image for each name (a callable is called with the name);
        a name it lacks, or that cannot be read, is drawn as a grey tile.
    max_groups, max_members : int
        How much is drawn; a last line says how many groups were left out.
    """
    from PIL import Image, ImageDraw

    order = sorted(range(len(result.groups)), key=lambda k: (-len(result.groups[k]),
                                                             result.groups[k]))
    shown = order[:max_groups]
    blocks = [_block(result, k, thumbnails, max_members) for k in shown]
    width = max([b.width for b in blocks] + [2 * _TILE])
    lines = [] if shown else ["no near-duplicates"]
    if len(order) > len(shown):
        lines.append(f"... and {len(order) - len(shown)} more groups (the JSON and CSV "
                     "outputs list them all)")
    height = sum(b.height + _GAP for b in blocks) + LINE * len(lines) + 4
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    y = 0
    for block in blocks:
        sheet.paste(block, (0, y))
        y += block.height + _GAP
    draw = ImageDraw.Draw(sheet)
    for line in lines:
        draw_text(draw, (4, y + 2), line)
        y += LINE
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return buf.getvalue()


def _tile(pixels: np.ndarray | None):
    from PIL import Image

    inner = _TILE - 2 * _FRAME - 2
    if pixels is None:
        return Image.new("RGB", (inner, inner), (200, 200, 200))
    tile = Image.fromarray(np.asarray(pixels, np.uint8)).convert("RGB")
    tile.thumbnail((inner, inner))
    return tile


def _pixels(name: str, thumbnails: Mapping[str, np.ndarray] | Callable):
    try:
        return thumbnails(name) if callable(thumbnails) else thumbnails.get(name)
    except Exception:  # an image that cannot be re-read is drawn grey
        return None


def _block(result: AuditResult, number: int, thumbnails, max_members: int):
    """One group: a header band, the framed and numbered tiles, one line per pair (in
    columns of at most ``_MAX_PAIRS`` lines, as many columns as the width holds)."""
    from PIL import Image, ImageDraw

    group = result.groups[number]
    members = group[:max_members]
    colour = group_colour(number)
    split = dict(zip(result.names, result.split_of, strict=True))
    drops = set(result.suggested_drops())
    several = len(result.splits) > 1
    tile_no = {name: k + 1 for k, name in enumerate(members)}
    pairs = sorted((p for p in result.pairs if p.name_a in tile_no and p.name_b in tile_no),
                   key=lambda p: sorted((tile_no[p.name_a], tile_no[p.name_b])))
    width = max(len(members) * _TILE, 2 * _TILE)
    texts = [f"{i}-{j}: ssim {p.ssim:.3f}  ncc {p.ncc:.3f}  match {p.match:.3f}  "
             f"crop {p.crop:.2f}"
             for i, j, p in ((*sorted((tile_no[p.name_a], tile_no[p.name_b])), p)
                             for p in pairs)]
    column_w = max([text_width(t) for t in texts] + [1]) + 16
    columns = max(1, (width - 8) // column_w)
    shown = texts[: columns * _MAX_PAIRS]
    in_group = set(group)
    hidden = sum(1 for p in result.pairs if p.name_a in in_group) - len(shown)
    per_column = min(_MAX_PAIRS, len(shown))
    pair_rows = per_column + (1 if hidden else 0)
    names_h = LINE * (2 if several else 1) + (LINE if not several and drops else 0)
    height = (LINE + 4) + _TILE + names_h + 4 + LINE * pair_rows + 2
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, width - 1, LINE + 2], fill=colour)
    splits = sorted({result.splits[split[n]] for n in group}, key=result.splits.index)
    head = f"group {number}: {len(group)} images"
    if several:
        head += " in " + ", ".join(splits)
    if len(members) < len(group):
        head += f" (first {len(members)} shown)"
    draw_text(draw, (4, 1), fit(head, width - 8), fill=_ink(colour))
    y0 = LINE + 4
    for c, name in enumerate(members):
        x0 = c * _TILE
        draw.rectangle([x0, y0, x0 + _TILE - 1, y0 + _TILE - 1], outline=colour, width=_FRAME)
        tile = _tile(_pixels(name, thumbnails))
        img.paste(tile, (x0 + (_TILE - tile.width) // 2, y0 + (_TILE - tile.height) // 2))
        badge = str(c + 1)
        draw.rectangle([x0 + _FRAME, y0 + _FRAME, x0 + _FRAME + text_width(badge) + 5,
                        y0 + _FRAME + LINE], fill=colour)
        draw_text(draw, (x0 + _FRAME + 3, y0 + _FRAME + 1), badge, fill=_ink(colour))
        y = y0 + _TILE
        draw_text(draw, (x0 + 2, y), fit(name, _TILE - 4))
        mark = " drop?" if name in drops else ""
        if several:
            draw_text(draw, (x0 + 2, y + LINE),
                      fit(result.splits[split[name]] + mark, _TILE - 4))
        elif mark:
            draw_text(draw, (x0 + 2, y + LINE), mark.strip(), fill=(180, 0, 0))
    y = y0 + _TILE + names_h + 4
    for k, text in enumerate(shown):  # column by column, at most _MAX_PAIRS lines each
        c, r = divmod(k, per_column)
        draw_text(draw, (4 + c * column_w, y + r * LINE), fit(text, width - 8))
    if hidden:
        draw_text(draw, (4, y + per_column * LINE), f"... and {hidden} more pairs")
    return img


def _ink(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white text, whichever reads better on ``colour`` (Rec. 709 luma)."""
    r, g, b = colour
    return (0, 0, 0) if 0.2126 * r + 0.7152 * g + 0.0722 * b > 110 else (255, 255, 255)
