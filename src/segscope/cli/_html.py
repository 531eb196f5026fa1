"""What every command's ``--html PATH`` shares: the option, the provenance it records."""

from __future__ import annotations

import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["HtmlPath", "html_option", "provenance"]


def html_option(what: str) -> Any:
    """The ``--html PATH`` option: ``what`` says what the report shows."""
    return typer.Option("--html", metavar="PATH",
                        help=f"Write a self-contained HTML report of {what} to PATH (one "
                        "file: pictures inline, no network; open it in any browser; '-': "
                        "standard output).")


HtmlPath = Annotated[Path | None, html_option("the results")]


def provenance(*, dated: bool = True) -> dict[str, Any]:
    """Version, command line and date of this run, for a report's provenance.

    The date is ``$SOURCE_DATE_EPOCH`` when set (reproducible builds), else now (UTC, to
    the second) when ``dated`` (a run that writes a page), else left out, so that the
    JSON of two runs on the same data is the same. A report built again from the results'
    JSON shows the recorded date: the same JSON always gives the same page.
    """
    from .. import __version__

    out: dict[str, Any] = {"segscope_version": __version__,
                           "command": shlex.join(["segscope", *sys.argv[1:]])}
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        when = datetime.fromtimestamp(int(epoch), timezone.utc)
    elif dated:
        when = datetime.now(timezone.utc).replace(microsecond=0)
    else:
        return out
    out["created"] = when.isoformat().replace("+00:00", "Z")
    return out

