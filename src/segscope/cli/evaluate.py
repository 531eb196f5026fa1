"""``segscope evaluate PRED TARGET``: overlap metrics of one pair of files or two folders."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer

from ._app import app
from ._common import console, err_console, handle_errors

_METRICS_HELP = ("Comma-separated overlap metrics: accuracy, precision, recall, specificity, "
                 "npv, dice, f1, fbeta, iou, tversky, balanced_accuracy, mcc, kappa, "
                 "volume_similarity, or 'all'.")


@app.command()
@handle_errors
def evaluate(
    pred: Path = typer.Argument(..., help="Prediction mask file, or folder of masks."),
    target: Path = typer.Argument(..., help="Target (ground-truth) mask file, or folder."),
    num_classes: int | None = typer.Option(
        None, "--num-classes", "-c",
        help="Number of classes, background included (required unless --binarize)."),
    ignore_index: int | None = typer.Option(
        None, "--ignore-index", help="Target label to leave out (e.g. 255 in Pascal VOC)."),
    metrics: str = typer.Option("accuracy,iou,dice,precision,recall", "--metrics", "-m",
                                help=_METRICS_HELP),
    average: str = typer.Option("macro", help="micro | macro | weighted | none."),
    aggregate: str = typer.Option(
        "dataset", help="dataset (sum counts over images, then score) | image (score each "
        "image, then average)."),
    empty: str | None = typer.Option(
        None, help="Value of a 0/0 score: nan (excluded and counted) | zero | one. Default: "
        "nan (zero for mcc)."),
    labels: str | None = typer.Option(None, help="Comma-separated classes to score, e.g. 1,2."),
    no_background: bool = typer.Option(False, "--no-background",
                                       help="Do not score class 0."),
    binarize: bool = typer.Option(
        False, "--binarize", help="Score instance masks as foreground (any id > 0) vs "
        "background, on both sides."),
    colormap: Path | None = typer.Option(
        None, "--colormap", help="Colour → class map for RGB masks: JSON {\"#ff0000\": 1} "
        "or CSV r,g,b,class."),
    match: str = typer.Option("path", help="Folder pairing: path (same relative path, any "
                              "suffix) | stem (same file name anywhere)."),
    per_image: bool = typer.Option(False, "--per-image", help="Also show per-image rows."),
    json_file: Path | None = typer.Option(None, "--json",
                                          help="Write the report as JSON ('-' for stdout)."),
    csv_file: Path | None = typer.Option(
        None, "--csv", help="Write per-class rows (per-image rows with --per-image) as CSV."),
    allow_unpaired: bool = typer.Option(
        False, "--allow-unpaired", help="Skip files without a partner (default: error)."),
    boundary: str | None = typer.Option(
        None, "--boundary", help="Boundary metrics too: comma list of hd, hd95, assd, masd, "
        "nsd, biou, or 'all'."),
    percentile: float = typer.Option(95.0, help="Percentile of the Hausdorff distance."),
    tolerance: float = typer.Option(
        1.0, help="Tolerance of the normalised surface Dice, in physical units."),
    spacing: str | None = typer.Option(
        None, help="Pixel/voxel size, comma floats in array axis order (overrides files)."),
    max_pixels: int | None = typer.Option(
        None, "--max-pixels", help="Refuse images with more pixels than this (default 2^30, "
        "a guard against decompression bombs); 0 lifts the limit."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table, no progress bar."),
) -> None:
    """Score predicted masks against target masks (two files, or two folders).

    Examples:

      segscope evaluate pred.png gt.png -c 3

      segscope evaluate preds/ labels/ -c 21 --ignore-index 255 --json report.json

      segscope evaluate pred.tif gt.tif --binarize --per-image
    """
    from ..io import DEFAULT_MAX_PIXELS, evaluate_paths

    if max_pixels is None:
        max_pixels = DEFAULT_MAX_PIXELS
    json_to_stdout = json_file is not None and str(json_file) == "-"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = evaluate_paths(
            pred, target, num_classes=num_classes, metrics=metrics, ignore_index=ignore_index,
            average=average, aggregate=aggregate, empty=empty,
            labels=_ints("labels", labels), include_background=not no_background,
            binarize_labels=binarize, colormap=colormap, match=match,
            allow_unpaired=allow_unpaired, per_image=per_image, boundary=boundary or (),
            percentile=percentile, tolerance=tolerance, spacing=_floats("spacing", spacing),
            max_pixels=max_pixels or None, progress=not quiet and not json_to_stdout,
        )
    _print_warnings([str(w.message) for w in caught])
    _write_outputs(report, json_file, csv_file, per_image)
    if quiet or json_to_stdout:
        return
    _show(report, per_image)


def _print_warnings(messages: list[str], limit: int = 5) -> None:
    unique = list(dict.fromkeys(messages))
    for message in unique[:limit]:
        err_console().print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)
    if len(unique) > limit:
        err_console().print(f"[yellow]warning:[/] ... and {len(unique) - limit} more",
                            highlight=False)


def _show(report, per_image: bool) -> None:
    from ._report import (
        accuracy_trap_note,
        class_table,
        excluded_line,
        image_table,
        split_metrics,
        summary_caption,
    )

    meta = report.meta
    for key, side in (("unpaired_pred", "prediction"), ("unpaired_target", "target")):
        if meta.get(key):
            err_console().print(f"[yellow]skipped {len(meta[key])} {side} file(s) without a "
                                f"partner:[/] {', '.join(meta[key][:10])}", highlight=False)
    out = console()
    head = (f"{report.num_images} image pair(s) · {meta.get('num_classes')} classes"
            + (" · binarized" if meta.get("binarize") else "")
            + (f" · ignore_index={meta['ignore_index']}" if meta.get("ignore_index") is not None
               else "")
            + f" · aggregate={report.scores[0].aggregate}")
    if per_image and report.image_names:
        width = max(len(n) for n in report.image_names) + 10
        for group in split_metrics(report.metrics, out.width, min(width, 30)):
            out.print(image_table(report, metrics=group, title="per image"))
            out.print()
    support = sum(report.scores[0].support) if report.scores[0].support else 0
    groups = split_metrics(report.metrics, out.width, 10 + len(str(support)) + 3)
    for i, group in enumerate(groups):
        if i:
            out.print()
        out.print(class_table(report, metrics=group, title=head if i == 0 else None))
    for line in (summary_caption(report), excluded_line(report), accuracy_trap_note(report)):
        if line:
            out.print(line, style="yellow" if line.startswith("note") else None,
                      highlight=False)


def _write_outputs(report, json_file: Path | None, csv_file: Path | None,
                   per_image: bool) -> None:
    from ..io import write_text
    from ._report import write_csv

    if json_file is not None:
        text = report.to_json(indent=2)
        if str(json_file) == "-":
            typer.echo(text)
        else:
            write_text(json_file, text + "\n")
    if csv_file is not None:
        if per_image:
            rows = report.image_rows()
        else:  # class, support, then the metrics
            rows = [{"class": r["class"], "support": r.get("support"), **r}
                    for r in report.class_rows()]
        write_csv(csv_file, rows)


def _ints(name: str, text: str | None) -> list[int] | None:
    from ..errors import ParameterError

    if text is None:
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(
            f"--{name} must be comma-separated integers, e.g. 1,2; got {text!r}") from None


def _floats(name: str, text: str | None) -> list[float] | None:
    from ..errors import ParameterError

    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(
            f"--{name} must be comma-separated numbers, e.g. 1.0,0.5,0.5; got {text!r}"
        ) from None
