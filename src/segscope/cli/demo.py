"""``segscope demo``: the bundled nuclei data, four predictors, one table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from ._app import app
from ._common import Output, Quiet, csv_option, handle_errors, json_option

_COLUMNS = ("accuracy", "iou", "dice", "precision", "recall")


@app.command()
@handle_errors
def demo(
    json_file: Annotated[Path | None, json_option("each method's report")] = None,
    csv_file: Annotated[Path | None, csv_option("the table (one row per method)")] = None,
    quiet: Quiet = False,
) -> None:
    """Segment the bundled nuclei image four ways and score each: why accuracy misleads.

    The image and its hand-made mask are from the 2018 Data Science Bowl (CC0). The four
    segmentations are stored with the package (segscope.demo.demo_predictions recomputes
    them); runs offline in about a second.
    """
    import json

    import numpy as np
    from rich.table import Table

    from ..demo import load_nuclei, run_demo
    from ..results import json_safe
    from ._report import format_value, rows_to_csv

    output = Output(quiet=quiet, json=json_file, csv=csv_file)
    _, mask = load_nuclei()
    share = float((mask > 0).mean())
    count = len(np.unique(mask)) - 1
    reports = run_demo()
    height, width = mask.shape
    table = Table(title=f"segscope demo: {height}×{width} nuclei image, {count} nuclei "
                  f"({share:.0%} of pixels)",
                  caption="accuracy: all pixels; other columns: the nuclei class",
                  title_justify="left", caption_justify="left", show_edge=False,
                  header_style="bold")
    table.add_column("method", no_wrap=True)
    for title in ("accuracy", "IoU", "Dice", "precision", "recall"):
        table.add_column(title, justify="right", no_wrap=True)
    rows = []
    for name, report in reports.items():
        s = report.summary()
        rows.append({"method": name, **{m: float(s[m]) for m in _COLUMNS}})
        table.add_row(name, *(format_value(s[m]) for m in _COLUMNS),
                      style="bold red" if name == "all background" else None)
    if json_file is not None:
        doc = {name: report.to_dict() for name, report in reports.items()}
        output.write(json_file, json.dumps(json_safe(doc), indent=2))
    if csv_file is not None:
        output.write(csv_file, rows_to_csv(rows))
    trivial = reports["all background"]
    output.table(
        table,
        f"\n'all background' finds no nucleus, yet its pixel accuracy is "
        f"{trivial['accuracy'].value:.2f}: {1 - share:.0%} of the pixels are background, "
        "so accuracy "
        "rewards predicting nothing. IoU and Dice of the nuclei are 0 and expose it. "
        "(precision n/a: nothing was predicted, 0/0.)",
        "Score your own masks: segscope evaluate PRED TARGET --num-classes N "
        "(instance masks: --instances scores the objects, --binarize the pixels).",
    )
