"""Showing a :class:`~segscope.results.Report` in the terminal and writing it as CSV."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "accuracy_trap_note",
    "class_table",
    "excluded_line",
    "format_value",
    "image_table",
    "rows_to_csv",
    "split_metrics",
    "summary_caption",
]

_TITLES = {"iou": "IoU", "dice": "Dice", "f1": "F1", "mcc": "MCC", "npv": "NPV",
           "hd": "HD", "hd95": "HD95", "assd": "ASSD", "masd": "MASD", "nsd": "NSD",
           "biou": "bIoU", "balanced_accuracy": "balanced acc.",
           "volume_similarity": "volume sim."}


def metric_title(metric: str, report=None) -> str:
    """Column title of a metric (``"iou"`` → ``"IoU"``), with the unit of a distance.

    Examples
    --------
    >>> metric_title("iou"), metric_title("hd95")
    ('IoU', 'HD95')
    """
    title = _TITLES.get(metric, metric)
    if report is not None and metric in report:
        units = report[metric].extra.get("units")
        if units:
            title += f" ({'px' if units == 'px' else 'spacing units'})"
    return title


def format_value(value: Any) -> str:
    """A number for the terminal: 4 decimals, ``n/a`` for NaN, ``inf`` for infinity.

    Examples
    --------
    >>> format_value(0.123456), format_value(float("nan")), format_value(3)
    ('0.1235', 'n/a', '3')
    """
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    v = float(value)
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.4g}"


def summary_caption(report) -> str:
    """What the summary row holds: pixel accuracy is global, the rest are averages."""
    parts = []
    averages = sorted({s.average for s in report.scores if s.average != "global"})
    glob = [s for s in report.scores if s.average == "global"]
    if glob:
        titles = ", ".join(metric_title(s.metric) for s in glob)
        if all(s.aggregate == "dataset" for s in glob):
            parts.append(f"{titles}: over all pixels")
        else:
            parts.append(f"{titles}: each image's value over its pixels, averaged over images")
    if averages:
        parts.append(f"other metrics: {'/'.join(averages)} average over classes")
    return "summary row: " + "; ".join(parts) if parts else ""


def split_metrics(metrics: Sequence[str], width: int, fixed: int) -> list[list[str]]:
    """Split metric columns into groups whose table fits in ``width`` characters.

    Examples
    --------
    >>> split_metrics(["iou", "dice", "hd95"], width=30, fixed=10)
    [['iou'], ['dice'], ['hd95']]
    >>> split_metrics(["iou", "dice", "hd95"], width=80, fixed=10)
    [['iou', 'dice', 'hd95']]
    """
    groups: list[list[str]] = [[]]
    used = fixed
    for m in metrics:
        need = max(len(metric_title(m)), 8) + 3
        if groups[-1] and used + need > width:
            groups.append([])
            used = fixed
        groups[-1].append(m)
        used += need
    return groups


def class_table(report, *, metrics: Sequence[str] | None = None, title: str | None = None,
                caption: str | None = None):
    """A Rich table: one row per class, one column per metric, then a summary row."""
    from rich.table import Table

    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left",
                  show_edge=False, header_style="bold")
    table.add_column("class", justify="right", no_wrap=True)
    table.add_column("support", justify="right", no_wrap=True)
    metrics = list(report.metrics if metrics is None else metrics)
    for m in metrics:
        table.add_column(metric_title(m, report), justify="right", no_wrap=True)
    rows = report.class_rows()
    if caption is None and any(m not in row for row in rows for m in metrics):
        caption = "–: not scored for this class (boundary metrics leave out class 0)"
    table.caption = caption
    for i, row in enumerate(rows):
        # "–": the metric does not score this class (boundary metrics leave out class 0)
        table.add_row(str(row["class"]), format_value(row.get("support")),
                      *(format_value(row[m]) if m in row else "–" for m in metrics),
                      end_section=i == len(rows) - 1)
    total = sum(int(r.get("support") or 0) for r in rows)
    summary = report.summary()
    table.add_row("summary", str(total), *(format_value(summary[m]) for m in metrics),
                  style="bold")
    return table


def image_table(report, *, metrics: Sequence[str] | None = None, title: str | None = None):
    """A Rich table with one row per (image, class) of the per-image values."""
    from rich.table import Table

    rows = report.image_rows()
    metrics = [m for m in (report.metrics if metrics is None else metrics)
               if any(m in r for r in rows)]
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    table.add_column("image", overflow="fold")
    table.add_column("class", justify="right", no_wrap=True)
    for m in metrics:
        table.add_column(metric_title(m, report), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(str(row["image"]), str(row["class"]),
                      *(format_value(row.get(m)) for m in metrics))
    return table


def excluded_line(report) -> str | None:
    """One line naming the undefined (0/0) entries left out of each metric's mean."""
    parts = []
    for s in report.scores:
        if not s.excluded:
            continue
        undefined = [str(c) for c, v in zip(s.classes, s.per_class, strict=True)
                     if isinstance(v, float) and math.isnan(v)]
        listed = undefined and s.aggregate == "dataset"
        where = f" (class {', '.join(undefined)})" if listed else ""
        parts.append(f"{s.metric} {s.excluded}{where}")
    if not parts:
        return None
    return (f"excluded from the mean as undefined (0/0): {'; '.join(parts)}. "
            "Use --empty zero or --empty one to count them instead.")


def accuracy_trap_note(report) -> str | None:
    """A note when pixel accuracy says more than a class's overlap: the imbalanced-mask trap.

    Shown whenever some scored foreground class has an IoU (or Dice) below the pixel
    accuracy, with what predicting the largest class everywhere would score, so the
    reader can see how much of the accuracy is the background. No cut-off is involved.
    """
    if "accuracy" not in report:
        return None
    acc = float(report["accuracy"].value)
    overlap = next((report[m] for m in ("iou", "dice") if m in report), None)
    if overlap is None or math.isnan(acc):
        return None
    fg = [(c, v) for c, v in zip(overlap.classes, overlap.per_class, strict=True)
          if c != 0 and not math.isnan(v)]
    if not fg:
        return None
    cls, worst = min(fg, key=lambda cv: cv[1])
    if not worst < acc:
        return None
    name = metric_title(overlap.metric)
    note = f"note: pixel accuracy is {acc:.3f} but class {cls} has {name} {worst:.3f}."
    support = report["accuracy"].support
    num_classes = report.meta.get("num_classes")
    if support and len(support) == num_classes and sum(support) > 0:
        biggest = max(range(len(support)), key=lambda k: support[k])
        share = support[biggest] / sum(support)
        note += (f" Predicting class {report['accuracy'].classes[biggest]} everywhere would "
                 f"already give accuracy {share:.3f} (its share of the pixels).")
    return note + " Judge the segmentation by IoU/Dice."


def rows_to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV text of dict rows (:func:`segscope.io.csv_text`: quoted, formulas neutralised)."""
    from ..io import csv_text

    return csv_text(rows)
