"""``segscope evaluate --instances``: object matching scores of instance mask files.

Kept apart from ``evaluate.py`` so that the overlap command stays readable; the command
itself (its options and help) is ``evaluate``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ._common import Output, console

__all__ = ["run_instances"]

_TITLES = {"precision": "precision", "recall": "recall", "f1": "F1", "dsb": "DSB",
           "pq": "PQ", "sq": "SQ", "rq": "RQ", "mean_true_iou": "true IoU", "aji": "AJI",
           "ap": "AP"}


def run_instances(pred: Path, target: Path, *, out: Output, thresholds: list[float] | None,
                  matching: str, rule: str, metrics: str | None, aggregate: str, empty: str,
                  void: int | None, match: str, allow_unpaired: bool, per_image: bool,
                  json_file: Path | None, csv_file: Path | None, objects_file: Path | None,
                  boundary: bool, max_pixels: int | None,
                  cluster: dict[str, Any] | None = None) -> None:
    """Score (on a Dask cluster with ``cluster``), write the requested files, show the
    tables."""
    if cluster is None:
        from ..files import evaluate_instance_paths
    else:
        import functools

        from ..dask import evaluate_instance_paths as on_cluster

        evaluate_instance_paths = functools.partial(on_cluster, **cluster)
    from ._report import rows_to_csv

    report = evaluate_instance_paths(
        pred, target, thresholds=thresholds, method=matching, rule=rule, metrics=metrics,
        aggregate=aggregate, empty=empty, void=void, objects=objects_file is not None,
        boundary=boundary, match=match, allow_unpaired=allow_unpaired,  # type: ignore[arg-type]
        max_pixels=max_pixels, progress=out.show_progress and not out.to_stdout,
    )
    meta = report.meta
    for key, side in (("unpaired_pred", "prediction"), ("unpaired_target", "target")):
        if meta.get(key):
            out.warn(f"skipped {len(meta[key])} {side} file(s) without a partner: "
                     f"{', '.join(meta[key][:10])}")
    if json_file is not None:
        out.write(json_file, report.to_json(indent=2))
    if csv_file is not None:
        out.write(csv_file, rows_to_csv(report.image_rows() if per_image
                                        else report.threshold_rows()))
    if objects_file is not None:
        out.write(objects_file, rows_to_csv(report.objects.rows()))
    if out.show_tables:
        show(report, per_image)


def _fmt(value: Any) -> str:
    from ._report import format_value

    return format_value(value)


def _groups(metrics: list[str], width: int, fixed: int) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    used = fixed
    for m in metrics:
        need = max(len(_TITLES.get(m, m)), 6) + 3
        if groups[-1] and used + need > width:
            groups.append([])
            used = fixed
        groups[-1].append(m)
        used += need
    return groups


def show(report, per_image: bool) -> None:
    """Threshold table (pooled), per-image table, summary both ways, the empty policy."""
    from rich.table import Table

    out = console()
    c = report.counts
    ratio = [m for m in report.metrics if m != "aji"]
    head = (f"{report.num_images} image pair(s) · {int(c.num_target.sum())} true / "
            f"{int(c.num_pred.sum())} predicted objects · matching={c.method}, IoU {c.rule} t")
    rows = report.threshold_rows()
    counts_width = 16 + 3 * (len(str(max([r["fn"] for r in rows] + [r["fp"] for r in rows]
                                         + [r["tp"] for r in rows]))) + 3)
    for g, group in enumerate(_groups(ratio, out.width, counts_width)):
        table = Table(title=head if g == 0 else None, title_justify="left", show_edge=False,
                      header_style="bold")
        table.add_column("IoU t", justify="right", no_wrap=True)
        names = ["TP", "FP", "FN"] if g == 0 else []
        for name in (*names, *(_TITLES.get(m, m) for m in group)):
            table.add_column(name, justify="right", no_wrap=True)
        for i, row in enumerate(rows):
            first = [str(row["tp"]), str(row["fp"]), str(row["fn"])] if g == 0 else []
            table.add_row(f"{row['threshold']:.2f}", *first, *(_fmt(row[m]) for m in group),
                          end_section=i == len(rows) - 1)
        for agg in ("dataset", "image"):
            label = "pooled" if agg == "dataset" else "per image"
            table.add_row(label, *([""] * len(names)),
                          *(_fmt(report.value(m, aggregate=agg)) for m in group),
                          style="bold" if agg == report.aggregate else None)
        if g:
            out.print()
        out.print(table)
    if per_image and report.num_images > 1:
        width = min(30, max(len(str(n)) for n in report.image_names) + 3)
        image_rows = report.image_rows()
        for g, group in enumerate(_groups(list(report.metrics), out.width, width + 16)):
            images = Table(title="per image (mean over thresholds)" if g == 0 else None,
                           title_justify="left", show_edge=False, header_style="bold")
            images.add_column("image", overflow="fold", min_width=min(width, 12))
            for name in ("true", "pred", *(_TITLES.get(m, m) for m in group)):
                images.add_column(name, justify="right", no_wrap=True)
            for row in image_rows:
                images.add_row(str(row["image"]), str(row["num_target"]), str(row["num_pred"]),
                               *(_fmt(row[m]) for m in group))
            out.print()
            out.print(images)
    lines = []
    if "aji" in report.metrics:
        lines.append(f"AJI (Kumar et al. 2017): {_fmt(report.value('aji', aggregate='dataset'))}"
                     f" pooled, {_fmt(report.value('aji', aggregate='image'))} per image")
    if "dsb" in report.metrics:
        lines.append("DSB = TP/(TP+FP+FN); its mean over thresholds per image is the 2018 Data "
                     "Science Bowl score" + (" (which uses IoU > t)" if c.rule == ">=" else ""))
    empty_images = int(((c.num_pred.sum(1) == 0) & (c.num_target.sum(1) == 0)).sum())
    if empty_images:
        lines.append(f"{empty_images} image(s) have no object on either side: with "
                     f"--empty {report.empty} they count as "
                     + ("undefined (left out of the per-image mean)" if report.empty == "nan"
                        else f"{report.empty} in the per-image mean")
                     + "; pooled scores are unchanged by them")
    excluded = {m: report.excluded(m, "image") for m in report.metrics}
    excluded = {m: n for m, n in excluded.items() if n and not math.isnan(n)}
    if excluded and report.empty == "nan":
        lines.append("left out of the per-image mean as 0/0: "
                     + ", ".join(f"{_TITLES.get(m, m)} {n}" for m, n in excluded.items()))
    for line in lines:
        out.print(line, highlight=False)
