"""Colour → class maps for masks saved as RGB images.

A colormap file is either JSON or CSV:

JSON
    ``{"#000000": 0, "#ff0000": 1, "#00ff00": 2}``; keys may also be ``"r,g,b"``.
CSV
    One ``r,g,b,class`` line per colour; a first line that is not numeric is taken as
    a header (e.g. ``r,g,b,class``). ``#`` starts a comment line.

Examples
--------
>>> import numpy as np
>>> rgb = np.array([[[0, 0, 0], [255, 0, 0]]], dtype=np.uint8)
>>> apply_colormap(rgb, {(0, 0, 0): 0, (255, 0, 0): 1}).tolist()
[[0, 1]]
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping

import numpy as np

from ..errors import FileFormatError, LabelError, ParameterError
from ._files import existing_file, full_suffix

__all__ = ["Colormap", "apply_colormap", "parse_colour", "read_colormap"]

Colormap = Mapping[tuple[int, int, int], int]


def parse_colour(text: str) -> tuple[int, int, int]:
    """Parse ``"#rrggbb"`` or ``"r,g,b"`` into an ``(r, g, b)`` tuple of 0..255 ints.

    Examples
    --------
    >>> parse_colour("#FF8000"), parse_colour("0, 128, 255")
    ((255, 128, 0), (0, 128, 255))
    """
    s = text.strip()
    try:
        if s.startswith("#") and len(s) == 7:
            rgb = tuple(int(s[i:i + 2], 16) for i in (1, 3, 5))
        else:
            rgb = tuple(int(v) for v in s.split(","))
    except ValueError:
        rgb = ()
    if len(rgb) != 3 or not all(0 <= v <= 255 for v in rgb):
        raise ParameterError(
            f"colour {text!r} is not understood; write it as '#rrggbb' or 'r,g,b' with "
            "values 0..255"
        )
    return rgb  # type: ignore[return-value]


def read_colormap(path: str | os.PathLike) -> dict[tuple[int, int, int], int]:
    """Read a colour → class map from a JSON or CSV file.

    Parameters
    ----------
    path : str or path-like
        ``.json`` file with an object ``{"#rrggbb": class, ...}``, or a ``.csv``/``.txt``
        file of ``r,g,b,class`` lines.

    Returns
    -------
    dict
        ``{(r, g, b): class}``.

    Raises
    ------
    FileFormatError
        If the file cannot be parsed, a class is not a non-negative integer, or one
        colour is given two classes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "map.csv"
    >>> _ = path.write_text("r,g,b,class\\n0,0,0,0\\n255,0,0,1\\n")
    >>> read_colormap(path)
    {(0, 0, 0): 0, (255, 0, 0): 1}
    """
    p = existing_file(path)
    text = p.read_text(encoding="utf-8-sig")
    try:
        if full_suffix(p) == ".json":
            entries = _json_entries(text)
        else:
            entries = _csv_entries(text)
        out: dict[tuple[int, int, int], int] = {}
        for colour, label in entries:
            rgb = parse_colour(colour) if isinstance(colour, str) else colour
            cls = _class_value(label)
            if rgb in out and out[rgb] != cls:
                raise FileFormatError(
                    f"colour {_hex(rgb)} is mapped to two classes, {out[rgb]} and {cls}"
                )
            out[rgb] = cls
    except (ParameterError, FileFormatError, ValueError) as err:
        raise FileFormatError(f"{p}: not a valid colormap file: {err}") from err
    if not out:
        raise FileFormatError(f"{p}: the colormap file has no entries")
    return out


def apply_colormap(rgb: np.ndarray, colormap: Colormap, name: str = "mask") -> np.ndarray:
    """Map an ``(..., 3)`` (or ``(..., 4)``, alpha ignored) colour array to class labels.

    Raises
    ------
    LabelError
        If a colour in the image is not in ``colormap``; the message names the
        colours and how many pixels have each.
    """
    arr = np.asarray(rgb)
    if arr.ndim < 3 or arr.shape[-1] not in (3, 4):
        raise ParameterError(f"{name}: expected a colour array (..., 3); got shape {arr.shape}")
    if arr.dtype != np.uint8:
        raise LabelError(
            f"{name}: colour masks must be 8 bits per channel to be mapped by a colormap; "
            f"got dtype {arr.dtype}"
        )
    c = arr[..., :3].astype(np.uint32)
    codes = (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]
    present, inverse, counts = np.unique(codes.ravel(), return_inverse=True, return_counts=True)
    table = {(r << 16) | (g << 8) | b: int(v) for (r, g, b), v in colormap.items()}
    unknown = [(int(code), int(n)) for code, n in zip(present, counts, strict=True)
               if int(code) not in table]
    if unknown:
        listed = ", ".join(f"{_hex(_rgb(code))} ({n} pixels)" for code, n in unknown[:8])
        more = f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""
        raise LabelError(
            f"{name} has {len(unknown)} colour(s) that are not in the colormap: {listed}{more}; "
            "add them to the colormap file (a colour of a lossy-compressed mask, e.g. JPEG, "
            "is a sign the mask was damaged)"
        )
    values = np.array([table[int(code)] for code in present], dtype=np.int64)
    dtype = np.uint8 if values.size == 0 or values.max() < 256 else np.int64
    return values.astype(dtype)[inverse].reshape(codes.shape)


def _json_entries(text: str):
    data = json.loads(text)
    if not isinstance(data, dict):
        raise FileFormatError('expected a JSON object such as {"#ff0000": 1}')
    return list(data.items())


def _csv_entries(text: str):
    rows = [r for r in csv.reader(io.StringIO(text))
            if r and any(v.strip() for v in r) and not r[0].lstrip().startswith("#")]
    if rows and not rows[0][0].strip().lstrip("-").isdigit():
        rows = rows[1:]  # header
    entries = []
    for i, row in enumerate(rows, start=1):
        if len(row) != 4:
            raise FileFormatError(f"row {i} {row} does not have 4 values r,g,b,class")
        entries.append((",".join(row[:3]), row[3]))
    return entries


def _class_value(label) -> int:
    try:
        value = int(str(label).strip())
    except ValueError:
        value = -1
    if value < 0 or isinstance(label, bool):
        raise FileFormatError(f"class {label!r} is not a non-negative integer")
    return value


def _rgb(code: int) -> tuple[int, int, int]:
    return (code >> 16) & 255, (code >> 8) & 255, code & 255


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
