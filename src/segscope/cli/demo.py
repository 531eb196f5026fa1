"""``segscope demo``: the bundled nuclei data, four predictors, one table."""

from __future__ import annotations

from ._app import app
from ._common import console, handle_errors


@app.command()
@handle_errors
def demo() -> None:
    """Segment the bundled nuclei image four ways and score each: why accuracy misleads.

    The image and its hand-made mask are from the 2018 Data Science Bowl (CC0). Runs
    offline in a few seconds.
    """
    import numpy as np
    from rich.table import Table

    from ..demo import load_nuclei, run_demo
    from ._report import format_value

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
    for name, report in reports.items():
        s = report.summary()
        table.add_row(name, *(format_value(s[m]) for m in
                              ("accuracy", "iou", "dice", "precision", "recall")),
                      style="bold red" if name == "all background" else None)
    out = console()
    out.print(table)
    trivial = reports["all background"]
    out.print(
        f"\n'all background' finds no nucleus, yet its pixel accuracy is "
        f"{trivial['accuracy'].value:.2f}: {1 - share:.0%} of the pixels are background, "
        "so accuracy "
        "rewards predicting nothing. IoU and Dice of the nuclei are 0 and expose it. "
        "(precision n/a: nothing was predicted, 0/0.)",
        highlight=False,
    )
    out.print("Score your own masks: segscope evaluate PRED TARGET --num-classes N "
              "(or --binarize for instance masks).", highlight=False)
