"""A contact sheet of the groups: one row per group, the images side by side with scores.

Each tile shows an image's thumbnail (re-read from its file when there is one, else the
64×64 audit thumbnail), its name, and the scores of its pair with the group's first
member. The sheet is returned as PNG bytes; writing it is the caller's (through
:func:`segscope.io.write_bytes`).

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

from .result import AuditResult

__all__ = ["contact_sheet"]

_TILE = 128
_LABEL = 30
_MAX_GROUPS = 40
_MAX_MEMBERS = 8


def contact_sheet(result: AuditResult, thumbnails: Mapping[str, np.ndarray] | Callable, *,
                  max_groups: int = _MAX_GROUPS, max_members: int = _MAX_MEMBERS) -> bytes:
    """PNG bytes of the first ``max_groups`` groups (largest first).

    Parameters
    ----------
    result : AuditResult
        What to draw.
    thumbnails : mapping or callable
        ``name -> (H, W) uint8`` image for each name (a callable is called with the name);
        a name it lacks is drawn as a grey tile.
    """
    from PIL import Image, ImageDraw

    groups = sorted(result.groups, key=lambda g: (-len(g), g))[:max_groups]
    scores = {}
    for p in result.pairs:
        scores[(p.name_a, p.name_b)] = scores[(p.name_b, p.name_a)] = p
    cols = max([min(len(g), max_members) for g in groups] + [1])
    rows = max(len(groups), 1)
    sheet = Image.new("L", (cols * _TILE, rows * (_TILE + _LABEL)), 255)
    draw = ImageDraw.Draw(sheet)
    if not groups:
        draw.text((4, 4), "no near-duplicates", fill=0)
    for r, group in enumerate(groups):
        for c, name in enumerate(group[:max_members]):
            x, y = c * _TILE, r * (_TILE + _LABEL)
            try:
                pixels = thumbnails(name) if callable(thumbnails) else thumbnails.get(name)
            except Exception:  # an image that cannot be re-read is drawn grey
                pixels = None
            if pixels is not None:
                tile = Image.fromarray(np.asarray(pixels, np.uint8))
                tile.thumbnail((_TILE - 4, _TILE - 4))
                sheet.paste(tile, (x + 2, y + 2))
            else:
                draw.rectangle([x + 2, y + 2, x + _TILE - 3, y + _TILE - 3], fill=200)
            label = name if len(name) <= 20 else "…" + name[-19:]
            draw.text((x + 2, y + _TILE), label, fill=0)
            pair = scores.get((group[0], name))
            if pair is not None:
                draw.text((x + 2, y + _TILE + 14),
                          f"ssim {pair.ssim:.2f} ncc {pair.ncc:.2f}", fill=0)
            elif c == 0:
                draw.text((x + 2, y + _TILE + 14), f"group of {len(group)}", fill=0)
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return buf.getvalue()
