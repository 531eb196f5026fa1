"""``segscope leakage TRAIN VAL [TEST ...]``: near-twins that cross splits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import app
from ._cluster import Scheduler, Workers, cluster_kwargs, source
from ._common import Output, Quiet, handle_errors
from .dedup import (
    AuditCsv,
    AuditHtml,
    AuditJson,
    Flips,
    Index,
    MaxCrop,
    MaxPixels,
    MinMatch,
    MinNcc,
    MinNccLow,
    MinSsim,
    MinSsimLow,
    Radius,
    Rotations,
    Sheet,
    Threads,
)


@app.command()
@handle_errors
def leakage(
    splits: Annotated[list[str], typer.Argument(
        metavar="SPLITS...", help="Split folders, training first: TRAIN VAL [TEST ...]; with "
        "--scheduler or --workers also fsspec URLs.")],
    radius: Radius = 10,
    flips: Flips = False,
    rotations: Rotations = False,
    index: Index = None,
    json_file: AuditJson = None,
    csv_file: AuditCsv = None,
    out: Sheet = None,
    html: AuditHtml = None,
    resplit: Annotated[Path | None, typer.Option(
        "--resplit", metavar="PATH", help="Write a group-aware re-split (CSV name,split: each "
        "group of near-twins whole in the split that holds most of it).")] = None,
    drops: Annotated[Path | None, typer.Option(
        "--drops", metavar="PATH", help="Write the images one could drop instead (the group "
        "members outside that split), one per line. Nothing is deleted.")] = None,
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
    """Find images of later splits with a near-twin in an earlier split (leakage).

    Prints, per split pair, how many images of the later split have a twin in the
    earlier one. No file is deleted, moved or changed.

    Examples:

      segscope leakage data/train data/val data/test --csv leaks.csv -o leaks.png

      segscope leakage train/ val/ --resplit resplit.csv

      segscope leakage train/ val/ --scheduler tcp://head:8786 --json leaks.json
    """
    from ..audit import Thresholds
    from ..errors import ParameterError
    from ._audit import (
        auditor,
        claim_outputs,
        max_pixels_value,
        note_empty,
        render,
        split_names,
        write_outputs,
    )

    splits = [source(s) for s in splits]  # type: ignore[misc]
    find_leakage = auditor("find_leakage", cluster_kwargs(scheduler, workers, *splits),
                           index=index, threads=threads)

    if len(splits) < 2:
        raise ParameterError(f"leakage needs at least two split folders (TRAIN VAL); got "
                             f"{len(splits)}. For one folder use segscope dedup")
    output = Output(quiet=quiet, json=json_file, csv=csv_file, html=html)
    rules = Thresholds(min_ssim=min_ssim, min_ncc=min_ncc, min_match=min_match,
                       max_crop=max_crop, min_ncc_low=min_ncc_low, min_ssim_low=min_ssim_low)
    names = split_names(splits)
    files, claimed = claim_outputs(splits, json=json_file, csv=csv_file, out=out,
                                   html=html, resplit=resplit, drops=drops, index=index)
    with files:
        result = find_leakage(dict(zip(names, splits, strict=True)), radius=radius,
                              thresholds=rules, flips=flips, rotations=rotations,
                              max_pixels=max_pixels_value(max_pixels),
                              progress=output.show_progress)
        write_outputs(result, files, claimed,
                      {f"{n}/": f for n, f in zip(names, splits, strict=True)}, output)
    render(result, output)
    note_empty(result, {f"{n}/": f for n, f in zip(names, splits, strict=True)}, output)
