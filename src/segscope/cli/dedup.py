"""``segscope dedup FOLDER``: near-duplicate pairs and groups within one set of images."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app
from ._common import handle_errors

RADIUS_HELP = "Largest Hamming distance (of 64 bits) between the hashes of a candidate pair."
INDEX_HELP = ("On-disk index (SQLite) of thumbnails: later runs read only new or changed "
              "files, an interrupted run resumes.")
JSON_HELP = "Write pairs, groups, drops and skipped files as JSON ('-' for stdout)."
CSV_HELP = "Write the verified pairs with every score as CSV ('-' for stdout)."
OUT_HELP = "Write a contact sheet (PNG) of the groups with their scores."
THREADS_HELP = "Worker threads (default: CPU count, at most 8); results do not depend on it."
MAX_PIXELS_HELP = ("Skip images with more pixels than this (default 2^30, a guard against "
                   "decompression bombs); 0 lifts the limit.")


@app.command()
@handle_errors
def dedup(
    folder: Path = typer.Argument(..., help="Folder of images (searched recursively)."),
    radius: int = typer.Option(10, "--radius", help=RADIUS_HELP),
    flips: bool = typer.Option(False, "--flips", help="Also find mirrored copies."),
    rotations: bool = typer.Option(False, "--rotations", help="Also find 90°-rotated copies."),
    index: Path | None = typer.Option(None, "--index", help=INDEX_HELP),
    json_file: Path | None = typer.Option(None, "--json", help=JSON_HELP),
    csv_file: Path | None = typer.Option(None, "--csv", help=CSV_HELP),
    out: Path | None = typer.Option(None, "--out", "-o", help=OUT_HELP),
    drops: Path | None = typer.Option(
        None, "--drops", help="Write the images one could drop (all but one per group), one "
        "per line. Nothing is deleted."),
    threads: int | None = typer.Option(None, "--threads", help=THREADS_HELP),
    max_pixels: int | None = typer.Option(None, "--max-pixels", help=MAX_PIXELS_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table, no progress bar."),
) -> None:
    """Find near-duplicate images within one folder (resized, re-encoded, re-toned, noisy,
    blurred, slightly cropped or captioned copies).

    No file is deleted, moved or changed; --drops writes a suggestion.

    Examples:

      segscope dedup photos/ --csv pairs.csv -o groups.png

      segscope dedup photos/ --index photos.audit.sqlite --json -
    """
    from ..audit import find_duplicates
    from ..io import DEFAULT_MAX_PIXELS
    from ._audit import check_outputs, render, write_outputs

    check_outputs([json_file, csv_file, out, drops, index], [folder])
    to_stdout = any(p is not None and str(p) == "-" for p in (json_file, csv_file))
    result = find_duplicates(folder, radius=radius, flips=flips, rotations=rotations,
                             index=index, threads=threads,
                             max_pixels=DEFAULT_MAX_PIXELS if max_pixels is None
                             else (max_pixels or None),
                             progress=not quiet and not to_stdout)
    sources = _sources(folder)
    write_outputs(result, json_file=json_file, csv_file=csv_file, sheet=out, drops=drops,
                  resplit=None, sources=sources)
    render(result, quiet=quiet or to_stdout)


def _sources(folder: Path, prefix: str = "") -> dict[str, Path]:
    from ..io import IMAGE_EXTENSIONS, list_files

    if not folder.is_dir():
        return {prefix + folder.name: folder}
    return {prefix + p.relative_to(folder).as_posix(): p
            for p in list_files(folder, IMAGE_EXTENSIONS)}
