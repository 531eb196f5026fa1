"""``segscope dedup FOLDER``: near-duplicate pairs and groups within one set of images."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import app
from ._cluster import Scheduler, Workers, cluster_kwargs, source
from ._common import Output, Quiet, csv_option, handle_errors, json_option
from ._html import html_option

Radius = Annotated[int, typer.Option(
    "--radius", help="Largest Hamming distance (of 64 bits) between the hashes of a "
    "candidate pair.")]
Flips = Annotated[bool, typer.Option("--flips", help="Also find mirrored copies.")]
Rotations = Annotated[bool, typer.Option("--rotations",
                                         help="Also find copies turned by 90° steps.")]
Index = Annotated[Path | None, typer.Option(
    "--index", metavar="FILE", help="On-disk index (SQLite) of thumbnails: later runs read "
    "only new or changed files; an interrupted run resumes.")]
AuditJson = Annotated[Path | None, json_option("pairs, groups, drops and skipped files")]
AuditCsv = Annotated[Path | None, csv_option("the verified pairs with every score")]
Sheet = Annotated[Path | None, typer.Option(
    "--out", "-o", metavar="PATH", help="Write a contact sheet (PNG) of the groups with "
    "their scores.")]
AuditHtml = Annotated[Path | None, html_option(
    "the groups side by side with thumbnails and scores, the summary, every pair (sortable) "
    "and the drop suggestions")]
Threads = Annotated[int | None, typer.Option(
    "--threads", help="Worker threads (default: CPU count, at most 8); results do not "
    "depend on it.")]
MinSsim = Annotated[float, typer.Option(
    "--min-ssim", help="Lowest SSIM of the aligned thumbnails of a near-duplicate.")]
MinNcc = Annotated[float, typer.Option(
    "--min-ncc", help="Lowest correlation of the aligned thumbnails (or --min-match).")]
MinMatch = Annotated[float, typer.Option(
    "--min-match", help="Lowest share of the image whose local SSIM is >= 0.5 (or "
    "--min-ncc); catches captions and logos.")]
MinNccLow = Annotated[float, typer.Option(
    "--min-ncc-low", help="Lowest correlation of the aligned thumbnails halved to 32x32 "
    "(with --min-ssim-low: the rule for noisy copies of low-contrast images).")]
MinSsimLow = Annotated[float, typer.Option(
    "--min-ssim-low", help="Lowest SSIM of the aligned thumbnails halved to 32x32 (with "
    "--min-ncc-low).")]
MaxCrop = Annotated[float, typer.Option(
    "--max-crop", help="Largest fraction of a side that a crop may remove (search range).")]
MaxPixels = Annotated[int | None, typer.Option(
    "--max-pixels", help="Skip images with more pixels than this (default 2^30, a guard "
    "against decompression bombs); 0 lifts the limit.")]


@app.command()
@handle_errors
def dedup(
    folder: Annotated[str, typer.Argument(
        metavar="FOLDER", help="Folder of images (searched recursively); with --scheduler or "
        "--workers also an fsspec URL.")],
    radius: Radius = 10,
    flips: Flips = False,
    rotations: Rotations = False,
    index: Index = None,
    json_file: AuditJson = None,
    csv_file: AuditCsv = None,
    out: Sheet = None,
    html: AuditHtml = None,
    drops: Annotated[Path | None, typer.Option(
        "--drops", metavar="PATH", help="Write the images one could drop (all but the "
        "largest of each group), one per line. Nothing is deleted.")] = None,
    min_ssim: MinSsim = 0.5,
    min_ncc: MinNcc = 0.85,
    min_match: MinMatch = 0.7,
    max_crop: MaxCrop = 0.12,
    min_ncc_low: MinNccLow = 0.87,
    min_ssim_low: MinSsimLow = 0.62,
    threads: Threads = None,
    max_pixels: MaxPixels = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    quiet: Quiet = False,
) -> None:
    """Find near-duplicate images within one folder (copies that were edited, not only exact).

    Resized, re-encoded, re-toned, noisy, blurred, slightly cropped or captioned copies are
    found; mirrored or turned ones with --flips, --rotations.

    No file is deleted, moved or changed; --drops writes a suggestion.

    Examples:

      segscope dedup photos/ --csv pairs.csv -o groups.png --html audit.html

      segscope dedup photos/ --index photos.audit.sqlite --json -

      segscope dedup photos/ --workers 4 --csv pairs.csv
    """
    from ..audit import Thresholds
    from ._audit import (
        auditor,
        claim_outputs,
        max_pixels_value,
        note_empty,
        render,
        write_outputs,
    )

    folder = source(folder)  # type: ignore[assignment]
    find_duplicates = auditor("find_duplicates", cluster_kwargs(scheduler, workers, folder),
                              index=index, threads=threads)

    rules = Thresholds(min_ssim=min_ssim, min_ncc=min_ncc, min_match=min_match,
                       max_crop=max_crop, min_ncc_low=min_ncc_low, min_ssim_low=min_ssim_low)
    output = Output(quiet=quiet, json=json_file, csv=csv_file, html=html)
    files, claimed = claim_outputs([folder], json=json_file, csv=csv_file, out=out,
                                   html=html, drops=drops, index=index)
    with files:
        result = find_duplicates(folder, radius=radius, thresholds=rules, flips=flips,
                                 rotations=rotations, max_pixels=max_pixels_value(max_pixels),
                                 progress=output.show_progress)
        write_outputs(result, files, claimed, {"": folder}, output)
    render(result, output)
    note_empty(result, {"": folder}, output)
