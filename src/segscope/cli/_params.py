"""Parsing ``name=value`` options of the superpixel and explain commands."""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError

__all__ = ["parse_assignments", "parse_value"]


def parse_value(text: str) -> Any:
    """``"10"`` -> 10, ``"0.5"`` -> 0.5, ``"true"`` -> True, ``"none"`` -> None, else the text.

    Examples
    --------
    >>> [parse_value(t) for t in ("10", "0.5", "True", "none", "abc")]
    [10, 0.5, True, None, 'abc']
    """
    t = text.strip()
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def parse_assignments(items: list[str] | None, *, multiple: bool) -> dict[str, Any]:
    """Parse ``["scale=1,10", "sigma=0.5"]`` into ``{"scale": [1, 10], "sigma": [0.5]}``.

    With ``multiple=False`` each value is a single value (``{"sigma": 0.5}``).

    Examples
    --------
    >>> parse_assignments(["scale=1,10"], multiple=True)
    {'scale': [1, 10]}
    """
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name or not value.strip():
            raise ParameterError(
                f"--param {item!r} must look like name=value"
                + (" or name=v1,v2,v3" if multiple else "")
            )
        if name in out:
            raise ParameterError(f"--param {name} is given twice")
        if multiple:
            out[name] = [parse_value(v) for v in value.split(",") if v.strip()]
        else:
            out[name] = parse_value(value)
    return out
