"""``segscope leakage TRAIN VAL [TEST ...]``: near-twins that cross splits."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app
from ._common import handle_errors
from .dedup import (
    CSV_HELP,
    INDEX_HELP,
    JSON_HELP,
    MAX_PIXELS_HELP,
    OUT_HELP,
    RADIUS_HELP,
    THREADS_HELP,
    _sources,
)


@app.command()
@handle_errors
def leakage(
    splits: list[Path] = typer.Argument(..., help="Split folders, training first: TRAIN VAL "
                                        "[TEST ...]."),
    radius: int = typer.Option(10, "--radius", help=RADIUS_HELP),
    flips: bool = typer.Option(False, "--flips", help="Also find mirrored copies."),
    rotations: bool = typer.Option(False, "--rotations", help="Also find 90°-rotated copies."),
    index: Path | None = typer.Option(None, "--index", help=INDEX_HELP),
    json_file: Path | None = typer.Option(None, "--json", help=JSON_HELP),
    csv_file: Path | None = typer.Option(None, "--csv", help=CSV_HELP),
    out: Path | None = typer.Option(None, "--out", "-o", help=OUT_HELP),
    resplit: Path | None = typer.Option(
        None, "--resplit", help="Write a group-aware re-split (CSV name,split: each group of "
        "near-twins whole in one split)."),
    drops: Path | None = typer.Option(
        None, "--drops", help="Write the images one could drop instead (the group members "
        "outside the group's split), one per line. Nothing is deleted."),
    threads: int | None = typer.Option(None, "--threads", help=THREADS_HELP),
    max_pixels: int | None = typer.Option(None, "--max-pixels", help=MAX_PIXELS_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table, no progress bar."),
) -> None:
    """Find images of later splits with a near-twin in an earlier split (leakage).

    Prints, per split pair, how many images of the later split have a twin in the earlier.
    No file is deleted, moved or changed.

    Examples:

      segscope leakage data/train data/val data/test --csv leaks.csv -o leaks.png

      segscope leakage train/ val/ --resplit resplit.csv
    """
    from ..audit import find_leakage
    from ..errors import ParameterError
    from ..io import DEFAULT_MAX_PIXELS
    from ._audit import check_outputs, render, write_outputs

    if len(splits) < 2:
        raise ParameterError(f"leakage needs at least two split folders (TRAIN VAL); got "
                             f"{len(splits)}. For one folder use segscope dedup")
    names = _split_names(splits)
    check_outputs([json_file, csv_file, out, resplit, drops, index], splits)
    to_stdout = any(p is not None and str(p) == "-" for p in (json_file, csv_file))
    result = find_leakage(dict(zip(names, splits, strict=True)), radius=radius, flips=flips,
                          rotations=rotations, index=index, threads=threads,
                          max_pixels=DEFAULT_MAX_PIXELS if max_pixels is None
                          else (max_pixels or None),
                          progress=not quiet and not to_stdout)
    sources: dict[str, Path] = {}
    for name, folder in zip(names, splits, strict=True):
        sources.update(_sources(folder, f"{name}/"))
    write_outputs(result, json_file=json_file, csv_file=csv_file, sheet=out, drops=drops,
                  resplit=resplit, sources=sources)
    render(result, quiet=quiet or to_stdout)


def _split_names(folders: list[Path]) -> list[str]:
    """Folder names, made unique (``val``, ``val-2``) when two folders share a name."""
    out: list[str] = []
    for folder in folders:
        base = folder.resolve().name or "split"
        name, k = base, 2
        while name in out:
            name, k = f"{base}-{k}", k + 1
        out.append(name)
    return out
