"""``segscope demo``: the bundled nuclei data, four predictors, one table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from ._app import app
from ._common import Output, Quiet, csv_option, handle_errors, json_option
from ._html import html_option

_COLUMNS = ("accuracy", "iou", "dice", "precision", "recall")


@app.command()
@handle_errors
def demo(
    json_file: Annotated[Path | None, json_option("each method's report")] = None,
    csv_file: Annotated[Path | None, csv_option("the table (one row per method)")] = None,
    html_file: Annotated[Path | None, html_option(
        "the watershed prediction, cut into 16 tiles scored as 16 images")] = None,
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

    output = Output(quiet=quiet, json=json_file, csv=csv_file, html=html_file)
    if html_file is not None:
        output.write(html_file, demo_html().decode("utf-8"))
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


def demo_html(method: str = "watershed", tile: int = 128) -> bytes:
    """The evaluation report of one demo method, its 512×512 masks cut into tiles.

    The tiles (image, mask, prediction) are written to a temporary folder, scored with
    ``evaluate_paths(..., details=True)`` as one image each, and the page built there
    with paths relative to it, so the page is the same every time (its date is
    ``$SOURCE_DATE_EPOCH`` when set, else none).
    """
    import contextlib
    import json
    import os
    import tempfile
    from dataclasses import replace

    from PIL import Image

    from .. import __version__
    from ..demo import bundled_predictions, load_nuclei
    from ..files import ScoreOptions, binarize, evaluate_paths
    from ..report.evaluation import attach_images
    from .report import evaluation_html

    image, mask = load_nuclei()
    target = binarize(mask)
    pred = bundled_predictions()[method]
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        for folder in ("pred", "target", "image"):
            os.mkdir(folder)
        for r in range(0, target.shape[0], tile):
            for c in range(0, target.shape[1], tile):
                name = f"tile_r{r // tile}_c{c // tile}.png"
                part = (slice(r, r + tile), slice(c, c + tile))
                Image.fromarray(pred[part].astype("uint8")).save(f"pred/{name}")
                Image.fromarray(target[part].astype("uint8")).save(f"target/{name}")
                Image.fromarray(image[part]).save(f"image/{name}")
        report = evaluate_paths("pred", "target", num_classes=2, details=True,
                                bootstrap=1000, options=ScoreOptions())
        report = attach_images(report, "image")
        meta = dict(report.meta, segscope_version=__version__,
                    command=f"segscope demo --html (the {method} prediction of the "
                    f"bundled nuclei image, {tile}×{tile} tiles)",
                    class_names=["background", "nucleus"])
        from ._html import provenance

        meta.update({k: v for k, v in provenance(dated=False).items() if k == "created"})
        report = replace(report, meta=meta)
        return evaluation_html(json.loads(report.to_json()), worst=8)
