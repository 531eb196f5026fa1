"""``segscope evaluate PRED TARGET``: overlap (with ``--instances``: object) metrics of files."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import ParameterError
from ..options import DEFAULT_METRICS, Aggregate, Average, Empty, Rule
from ._app import app
from ._cluster import Scheduler, Workers, cluster_kwargs, source
from ._common import (
    Output,
    Quiet,
    console,
    csv_option,
    handle_errors,
    json_option,
    parse_floats,
    parse_ints,
)
from ._html import HtmlPath

_DEFAULT = ",".join(DEFAULT_METRICS)
_METRICS_HELP = ("Comma-separated overlap metrics: accuracy, precision, recall, specificity, "
                 "npv, dice, f1, fbeta, iou, tversky, balanced_accuracy, mcc, kappa, "
                 "volume_similarity, or 'all'.")


#: ``segscope.io.MatchMode`` (not imported: the io package loads NumPy, and --help must not).
Match = Literal["path", "stem"]
#: ``segscope.options.MatchMethod`` without the method that needs scores (files have none).
MatchMethod = Literal["optimal", "greedy_iou", "max_iou"]


@app.command()
@handle_errors
def evaluate(
    pred: Annotated[str, typer.Argument(
        metavar="PRED", help="Prediction mask file, or folder of masks (with --scheduler or "
        "--workers: also an fsspec URL).")],
    target: Annotated[str, typer.Argument(
        metavar="TARGET", help="Target (ground-truth) mask file, or folder (or URL).")],
    num_classes: Annotated[int | None, typer.Option(
        "--num-classes", "-c",
        help="Number of classes, background included (required unless --binarize).")] = None,
    ignore_index: Annotated[int | None, typer.Option(
        "--ignore-index", help="Target label to leave out (e.g. 255 in Pascal VOC).")] = None,
    metrics: Annotated[str, typer.Option("--metrics", "-m", help=_METRICS_HELP)] = _DEFAULT,
    average: Annotated[Average, typer.Option(help="Averaging over classes.")] = "macro",
    aggregate: Annotated[Aggregate, typer.Option(
        help="dataset (sum counts over images, then score) | image (score each image, then "
        "average) | image_class (mean over the (image, class) pairs).")] = "dataset",
    empty: Annotated[Empty | None, typer.Option(
        help="Value of a 0/0 score: nan (excluded and counted) | zero | one | nan_target. "
        "Default: nan (zero for mcc).")] = None,
    labels: Annotated[str | None, typer.Option(
        help="Comma-separated classes to score, e.g. 1,2.")] = None,
    no_background: Annotated[bool, typer.Option(
        "--no-background", help="Do not score class 0.")] = False,
    binarize: Annotated[bool, typer.Option(
        "--binarize", help="Score instance masks as foreground (any id > 0) vs background, "
        "on both sides.")] = False,
    colormap: Annotated[Path | None, typer.Option(
        "--colormap", help="Colour → class map for RGB masks: JSON {\"#ff0000\": 1} or CSV "
        "r,g,b,class.")] = None,
    match: Annotated[Match, typer.Option(
        help="Folder pairing: path (same relative path, any suffix) | stem (same file name "
        "anywhere).")] = "path",
    per_image: Annotated[bool, typer.Option(
        "--per-image", help="Also show per-image rows (and write them with --csv).")] = False,
    json_file: Annotated[Path | None, json_option("the report")] = None,
    csv_file: Annotated[Path | None, csv_option(
        "the per-class rows (per-image rows with --per-image)")] = None,
    html_file: HtmlPath = None,
    bootstrap: Annotated[int, typer.Option(
        "--bootstrap", metavar="N", help="With --html or --json: bootstrap draws of the "
        "images for 95 % intervals, pooled and per image (seed 0); 0: none.")] = 1000,
    worst: Annotated[int, typer.Option(
        "--worst", metavar="K", help="With --html: show the K worst images (target, "
        "prediction, errors).")] = 12,
    sort_by: Annotated[str | None, typer.Option(
        "--sort-by", metavar="METRIC", help="With --html: the metric that ranks the worst "
        "images (default iou, else the first metric).")] = None,
    images: Annotated[Path | None, typer.Option(
        "--images", metavar="DIR", help="With --html or --json: the images the masks were "
        "made from, found by the masks' names (same relative path, any image suffix); the "
        "report's gallery shows them.")] = None,
    class_names: Annotated[Path | None, typer.Option(
        "--class-names", metavar="FILE", help="Class names for the report and JSON: a text "
        "file with one name per line, class 0 first.")] = None,
    allow_unpaired: Annotated[bool, typer.Option(
        "--allow-unpaired", help="Skip files without a partner (default: error).")] = False,
    boundary: Annotated[str | None, typer.Option(
        "--boundary", help="Boundary metrics too: comma list of hd, hd95, assd, masd, nsd, "
        "biou, or 'all'.")] = None,
    percentile: Annotated[float, typer.Option(
        help="Percentile of the Hausdorff distance.")] = 95.0,
    one_empty: Annotated[str, typer.Option(
        "--one-empty", help="Boundary distance when exactly one mask has the class: inf | "
        "worst (the image diagonal) | a number.")] = "inf",
    tolerance: Annotated[float, typer.Option(
        help="Tolerance of the normalised surface Dice, in physical units.")] = 1.0,
    spacing: Annotated[str | None, typer.Option(
        help="Pixel/voxel size, comma floats in array axis order (overrides files).")] = None,
    max_pixels: Annotated[int | None, typer.Option(
        "--max-pixels", help="Refuse images with more pixels than this (default 2^30, a guard "
        "against decompression bombs); 0 lifts the limit.")] = None,
    instances: Annotated[bool, typer.Option(
        "--instances", help="Score objects, not pixels: match predicted and true instances "
        "(ids > 0, any values) one to one and report TP/FP/FN, precision, recall, F1, DSB, "
        "PQ/SQ/RQ and AJI per IoU threshold, pooled and per image.")] = False,
    thresholds: Annotated[str | None, typer.Option(
        help="With --instances: IoU thresholds, comma floats (default 0.5,0.55,...,0.95).")
    ] = None,
    matching: Annotated[MatchMethod, typer.Option(
        help="With --instances: optimal (most matches, then the largest IoU sum; stardist, "
        "cellpose) | greedy_iou (pairs by decreasing IoU) | max_iou (largest total IoU over "
        "all pairs, then the threshold; MONAI below 0.5).")] = "optimal",
    rule: Annotated[Rule, typer.Option(
        help="With --instances: a pair matches when IoU >= t (stardist, cellpose, COCO) or "
        "IoU > t (MONAI, torchmetrics, the Data Science Bowl). Quote it in a shell.")] = ">=",
    void: Annotated[int | None, typer.Option(
        help="With --instances: a target id marking pixels not to score.")] = None,
    objects: Annotated[Path | None, typer.Option(
        "--objects", metavar="PATH", help="With --instances: write one CSV row per object "
        "(size, partner, IoU, status matched/missed/spurious) to PATH ('-': standard "
        "output); --boundary adds each matched pair's ASSD.")] = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    quiet: Quiet = False,
) -> None:
    """Score predicted masks against target masks (two files, or two folders).

    Examples:

      segscope evaluate pred.png gt.png -c 3

      segscope evaluate preds/ labels/ -c 21 --ignore-index 255 --json report.json

      segscope evaluate preds/ labels/ -c 21 --html report.html --class-names names.txt

      segscope evaluate pred.tif gt.tif --binarize --per-image

      segscope evaluate preds/ nuclei/ --instances --thresholds 0.5,0.75 --objects objects.csv

      segscope evaluate s3://bucket/preds s3://bucket/gt -c 21 --scheduler tcp://head:8786
    """
    from ..io import DEFAULT_MAX_PIXELS

    pred, target = source(pred), source(target)  # type: ignore[assignment]
    cluster = cluster_kwargs(scheduler, workers, pred, target)

    out = Output(quiet=quiet, inputs=[pred, target, colormap, class_names, images],
                 json=json_file, csv=csv_file, objects=objects, html=html_file)
    if max_pixels is None:
        max_pixels = DEFAULT_MAX_PIXELS
    if instances:
        from ._instances import run_instances

        _refuse_pixel_options(num_classes=num_classes, ignore_index=ignore_index,
                              binarize=binarize, colormap=colormap, labels=labels,
                              no_background=no_background, average=average != "macro",
                              spacing=spacing, html=html_file, class_names=class_names,
                              images=images)
        run_instances(pred, target, out=out, thresholds=parse_floats("--thresholds", thresholds),
                      matching=matching, rule=rule,
                      metrics=None if metrics == _DEFAULT else metrics, aggregate=aggregate,
                      empty=empty or "nan", void=void, match=match,
                      allow_unpaired=allow_unpaired, per_image=per_image, json_file=json_file,
                      csv_file=csv_file, objects_file=objects, boundary=boundary is not None,
                      max_pixels=max_pixels or None, cluster=cluster)
        return
    _refuse_instance_options(thresholds=thresholds, matching=matching != "optimal",
                             rule=rule != ">=", void=void, objects=objects)
    from ..files import BoundaryOptions, ScoreOptions, evaluate_paths
    if cluster is not None:
        from ..dask import evaluate_paths as on_cluster

        evaluate_paths = functools.partial(on_cluster, **cluster)  # type: ignore[assignment]
    options = ScoreOptions(metrics=metrics, average=average, aggregate=aggregate, empty=empty,
                           labels=parse_ints("--labels", labels),
                           include_background=not no_background)
    distances = BoundaryOptions(metrics=boundary or (), percentile=percentile,
                                tolerance=tolerance, spacing=parse_floats("--spacing", spacing),
                                one_empty=_one_empty(one_empty))
    details = json_file is not None or html_file is not None
    if bootstrap < 0:
        raise ParameterError(f"--bootstrap {bootstrap}: expected a number of draws >= 0")
    names = _read_class_names(class_names)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = evaluate_paths(
            pred, target, num_classes=num_classes, ignore_index=ignore_index, options=options,
            boundary=distances, binarize_labels=binarize, colormap=colormap, match=match,
            allow_unpaired=allow_unpaired, per_image=per_image,
            max_pixels=max_pixels or None, progress=out.show_progress and not out.to_stdout,
            details=details, bootstrap=bootstrap if details else 0,
        )
    _print_warnings(out, [str(w.message) for w in caught])
    _report_unpaired(out, report)
    if details:
        from dataclasses import replace

        from ._html import provenance

        if images is not None:
            from ..report.evaluation import attach_images

            report = attach_images(report, images)
        meta = dict(report.meta, **provenance(dated=html_file is not None))
        if names is not None:
            meta["class_names"] = names
        report = replace(report, meta=meta)
    if json_file is not None:
        out.write(json_file, report.to_json(indent=2))
    if html_file is not None:
        import json

        from .report import evaluation_html

        # from the JSON text, as `segscope report` reads it: the same page, byte for byte
        page = evaluation_html(json.loads(report.to_json()), worst=worst, sort_by=sort_by)
        out.write(html_file, page.decode("utf-8"))  # '-': standard output
    if csv_file is not None:
        out.write(csv_file, _csv_rows(report, per_image))
    if out.show_tables:
        _show(report, per_image)


def _read_class_names(path: Path | None) -> list[str] | None:
    """One class name per line (class 0 first); blank lines at the end dropped."""
    if path is None:
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ParameterError(f"--class-names {path}: the file is empty; write one class "
                             "name per line, class 0 first")
    return [line.strip() for line in lines]


def _refuse_pixel_options(**given: object) -> None:
    used = [name for name, value in given.items() if value not in (None, False)]
    if used:
        flags = ", ".join("--" + n.replace("_", "-") for n in used)
        raise ParameterError(f"{flags} do(es) not apply with --instances (objects are matched "
                             "by id, not scored by class); leave them out")


def _refuse_instance_options(**given: object) -> None:
    used = [name for name, value in given.items() if value not in (None, False)]
    if used:
        flags = ", ".join("--" + n for n in used)
        raise ParameterError(f"{flags} only apply with --instances; add --instances to score "
                             "objects")


def _csv_rows(report, per_image: bool) -> str:
    from ._report import rows_to_csv

    if per_image:
        return rows_to_csv(report.image_rows())
    # class, support, then the metrics
    return rows_to_csv([{"class": r["class"], "support": r.get("support"), **r}
                        for r in report.class_rows()])


def _report_unpaired(out: Output, report) -> None:
    meta = report.meta
    for key, side in (("unpaired_pred", "prediction"), ("unpaired_target", "target")):
        if meta.get(key):
            out.warn(f"skipped {len(meta[key])} {side} file(s) without a partner: "
                     f"{', '.join(meta[key][:10])}")


def _print_warnings(out: Output, messages: list[str], limit: int = 5) -> None:
    unique = list(dict.fromkeys(messages))
    for message in unique[:limit]:
        out.warn(message)
    if len(unique) > limit:
        out.warn(f"... and {len(unique) - limit} more")


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


def _one_empty(text: str) -> str | float:
    from ..errors import ParameterError
    from ..options import ONE_EMPTY_VALUES

    value = text.strip().lower()
    if value in (*ONE_EMPTY_VALUES, "nan"):  # the library explains why nan is refused
        return value
    try:
        return float(value)
    except ValueError:
        raise ParameterError(f"--one-empty {text!r}: expected inf, worst or a number "
                             "(a distance in physical units)") from None
