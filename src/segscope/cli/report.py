"""``segscope report RESULTS.json --out report.html``: the HTML report of saved results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ._app import app
from ._common import Output, Quiet, csv_option, handle_errors, json_option


def evaluation_html(data: dict[str, Any], *, worst: int = 12, sort_by: str | None = None
                    ) -> bytes:
    return evaluation_page_of(data, worst=worst, sort_by=sort_by).to_bytes()


def evaluation_page_of(data: dict[str, Any], *, worst: int = 12, sort_by: str | None = None
                       ) -> Any:
    """The :class:`~segscope.report.Page` of ``segscope evaluate`` results given as their
    parsed JSON (``json.loads`` of what ``--json`` writes).

    ``evaluate --html`` and ``report`` both build the page from the JSON form, so the
    page of a run and the page rebuilt later from its ``--json`` file are the same bytes.
    """
    from ..errors import ParameterError
    from ..report.evaluation import evaluation_page, report_from_dict

    report = report_from_dict(data)
    if sort_by is not None and sort_by not in report:
        raise ParameterError(f"--sort-by {sort_by!r} is not among the results' metrics "
                             f"({', '.join(report.metrics)}); pass one of those")
    if worst < 0:
        raise ParameterError(f"--worst {worst}: expected a number of images >= 0")
    return evaluation_page(report, worst=worst, sort_by=sort_by)


@app.command()
@handle_errors
def report(
    results: Annotated[Path, typer.Argument(
        help="Results JSON written by 'segscope evaluate ... --json FILE'.")],
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", metavar="PATH", help="The HTML report to write ('-': standard "
        "output).")],
    worst: Annotated[int, typer.Option(
        "--worst", metavar="K", help="Show the K worst images (target, prediction, "
        "errors), read from the files the results list.")] = 12,
    sort_by: Annotated[str | None, typer.Option(
        "--sort-by", metavar="METRIC", help="The metric that ranks the worst images "
        "(default iou, else the first metric).")] = None,
    json_file: Annotated[Path | None, json_option(
        "the summary rows (each metric with its 95 % intervals)")] = None,
    csv_file: Annotated[Path | None, csv_option("each image's value of each metric")] = None,
    quiet: Quiet = False,
) -> None:
    """Write the self-contained HTML report of saved evaluation results.

    The same JSON gives the same file, byte for byte. The worst images are read again
    from the mask files the JSON lists; a file that is gone or changed (its SHA-256
    differs) is named instead of shown.

    Examples:

      segscope evaluate preds/ labels/ -c 21 --json results.json

      segscope report results.json --out report.html
    """
    from ..errors import FileFormatError

    out = Output(quiet=quiet, inputs=[results], out=out_file, json=json_file, csv=csv_file)
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FileFormatError(f"{results}: not a results JSON file ({err}); write one with "
                              "'segscope evaluate ... --json FILE'") from None
    if not isinstance(data, dict) or "scores" not in data:
        raise FileFormatError(f"{results}: not the JSON of 'segscope evaluate' (no 'scores');"
                              " write one with 'segscope evaluate ... --json FILE'")
    out.write(out_file, evaluation_html(data, worst=worst, sort_by=sort_by).decode("utf-8"))
    if json_file is not None or csv_file is not None:
        from ..report.evaluation import image_rows, report_from_dict, summary_rows
        from ..results import json_safe

        parsed = report_from_dict(data)
        out.write(json_file, json.dumps(json_safe(summary_rows(parsed)), indent=2))
        if csv_file is not None:
            from ._report import rows_to_csv

            out.write(csv_file, rows_to_csv(image_rows(parsed)))
