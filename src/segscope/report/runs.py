"""The provenance lines every command's page ends with: version, command line, date.

A command passes what :func:`segscope.cli._html.provenance` recorded (the keys
``segscope_version``, ``command``, ``created``, as in an evaluation's JSON); a page built
without it still names segscope's version.

Examples
--------
>>> run_items({"command": "segscope dedup photos/", "created": "2026-01-01T00:00:00Z"})[1:]
[('command', 'segscope dedup photos/'), ('date', '2026-01-01T00:00:00Z')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["run_items"]


def run_items(provenance: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """``(label, value)`` rows for :func:`~segscope.report.key_values`."""
    from .. import __version__

    p = provenance or {}
    return [("segscope version", p.get("segscope_version", __version__)),
            ("command", p.get("command", "(not recorded)")),
            ("date", p.get("created", "(not recorded)"))]
