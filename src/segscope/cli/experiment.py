"""``segscope experiment losses``: a U-Net per loss, compared by accuracy, F1/Dice and IoU."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from ._app import app
from ._common import Output, Quiet, console, csv_option, handle_errors, json_option, parse_ints

experiment_app = typer.Typer(
    name="experiment", no_args_is_help=True, add_completion=False,
    help="Reproducible training experiments (needs the torch extra).",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(experiment_app, name="experiment")

#: ``segscope.experiment.DatasetName`` (not imported: it loads torch, and --help must not).
DataName = Literal["generated", "trimap", "membranes", "pets", "folder"]
#: ``segscope.experiment.DEFAULT_LOSSES``, spelled out for --help.
_LOSSES = "ce,dice,jaccard,tversky,lovasz,focal,ce+dice"


@experiment_app.command("losses")
@handle_errors
def losses(
    ctx: typer.Context,
    data: Annotated[DataName, typer.Option(
        "--data", help="generated (imbalanced blobs, --foreground) | trimap (3 classes like "
        "the Pets trimaps) | membranes (ISBI 2012, --root) | pets (Oxford-IIIT Pets folder, "
        "--root) | folder (--images, --masks).")] = "generated",
    root: Annotated[Path | None, typer.Option(
        "--root", help="membranes: the folder with images/ and labels/; pets: the folder with "
        "images/ and annotations/trimaps/.")] = None,
    images: Annotated[Path | None, typer.Option(
        "--images", help="folder: the images (paired with --masks by file name).")] = None,
    masks: Annotated[Path | None, typer.Option("--masks", help="folder: the masks.")] = None,
    labels: Annotated[str | None, typer.Option(
        "--labels", help="folder: the mask values in class order, e.g. 255,0 (default: the "
        "masks hold 0..K-1).")] = None,
    foreground: Annotated[float | None, typer.Option(
        "--foreground", help="generated/trimap: the share of object pixels (default 0.05; "
        "trimap 0.2).")] = None,
    size: Annotated[int | None, typer.Option(
        "--size", help="Images are resized (or generated) to SIZE×SIZE.")] = None,
    train: Annotated[int | None, typer.Option("--train", help="Training images.")] = None,
    test: Annotated[int | None, typer.Option("--test", help="Test images.")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", help="pets/folder: use at most N pairs, evenly spaced over the names.")
    ] = None,
    loss_list: Annotated[str, typer.Option(
        "--losses", help="Comma list of ce, dice, jaccard, tversky, focal_tversky, lovasz, "
        "focal, ce+dice, generalized_dice.")] = _LOSSES,
    seeds: Annotated[int | None, typer.Option(
        "--seeds", help="Seeds per loss (0..N-1; default 3, --quick 2).")] = None,
    steps: Annotated[int | None, typer.Option("--steps", help="Optimiser steps per run.")] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", help="Crops per step.")
    ] = None,
    crop: Annotated[int | None, typer.Option(
        "--crop", help="Side of the random training crops (membranes, pets, folder: 64).")
    ] = None,
    width: Annotated[int | None, typer.Option(
        "--width", help="U-Net channels at full resolution (default 8).")] = None,
    depth: Annotated[int | None, typer.Option(
        "--depth", help="U-Net poolings (default 3).")] = None,
    lr: Annotated[float | None, typer.Option("--lr", help="Adam learning rate (default "
                                             "0.002, cosine decay).")] = None,
    quick: Annotated[bool, typer.Option(
        "--quick", help="A tiny version (small images, network and schedule, 2 seeds) that "
        "runs in seconds: for tests, not for conclusions.")] = False,
    device: Annotated[str, typer.Option(
        "--device", help="auto (CUDA when present) | cpu | cuda | cuda:N.")] = "auto",
    threads: Annotated[int, typer.Option(
        "--threads", help="torch threads (the numbers depend on it; 1 is reproducible on any "
        "machine and fastest on a shared one).")] = 1,
    markdown: Annotated[Path | None, typer.Option(
        "--markdown", metavar="PATH", help="Write the Markdown table to PATH ('-': standard "
        "output).")] = None,
    json_file: Annotated[Path | None, json_option(
        "every run, the summary, the settings, versions and the command")] = None,
    csv_file: Annotated[Path | None, csv_option("one row per run")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="PATH", help="Write the bar chart (PNG, mean ± std over "
        "seeds).")] = None,
    curves: Annotated[Path | None, typer.Option(
        "--curves", metavar="PATH", help="Write the training curves (PNG).")] = None,
    quiet: Quiet = False,
) -> None:
    """Train one small U-Net per loss, then compare them by accuracy, F1/Dice and IoU.

    Every loss gets the same seeds, batches, crops, flips and schedule; the scores on the
    test set are given as mean ± std over the seeds.

    Examples:

      segscope experiment losses --quick -o bars.png

      segscope experiment losses --data generated --foreground 0.05 --markdown table.md

      segscope experiment losses --data membranes --root data/membranes --json runs.json

      segscope experiment losses --data folder --images imgs/ --masks masks/ --labels 0,255
    """
    output = Output(quiet=quiet, inputs=[root, images, masks], json=json_file, csv=csv_file,
                    markdown=markdown, out=out, curves=curves)
    from ..experiment import load_dataset, loss_names, preset, run_loss_experiment
    from ..experiment.api import with_config

    names = loss_names(loss_list)  # refused before any file is read
    _, config, default_seeds = preset(data, quick=quick)
    config = with_config(config, steps=steps, batch_size=batch_size, crop=crop, width=width,
                         depth=depth, lr=lr)
    _refuse_options(data, foreground=foreground, limit=limit, labels=labels)
    options: dict[str, object] = {"size": size, "n_train": train, "n_test": test}
    if data in ("generated", "trimap"):
        options["foreground"] = foreground
    if data in ("pets", "folder"):
        options["limit"] = limit
    if data == "folder":
        values = parse_ints("--labels", labels)
        options["labels"] = None if values is None else tuple(values)
    dataset = load_dataset(data, root=root, images=images, masks=masks, quick=quick, **options)
    config.check_fits(dataset)
    output.note(f"{dataset.name}: {dataset.train_images.shape[0]} training and "
                f"{dataset.test_images.shape[0]} test images of "
                f"{'×'.join(map(str, dataset.train_images.shape[2:]))}, classes "
                f"{', '.join(dataset.class_names)}; {len(names)} loss(es) × "
                f"{default_seeds if seeds is None else seeds} seed(s) × {config.steps} steps")
    n_seeds = default_seeds if seeds is None else seeds
    result = run_loss_experiment(dataset, losses=names, seeds=n_seeds,
                                 config=config, device=device, threads=threads,
                                 progress=output.show_progress and sys.stderr.isatty(),
                                 command=_command_line(ctx))
    table = result.to_markdown()
    output.write(markdown, table)
    output.write(json_file, result.to_json())
    output.write(csv_file, result.to_csv())
    if out is not None or curves is not None:
        from ..experiment import bar_chart_png, curves_png

        output.write_bytes(out, bar_chart_png(result) if out is not None else b"")
        output.write_bytes(curves, curves_png(result) if curves is not None else b"")
    if output.show_tables:
        _show(result)
        output.note(f"{len(result.runs)} runs in {result.meta['wall_seconds']:.0f} s on "
                    f"{result.meta['device']} ({threads} thread(s))")


#: The options that only some datasets take.
_ONLY_FOR = {"foreground": ("generated", "trimap"), "limit": ("pets", "folder"),
             "labels": ("folder",)}


def _refuse_options(data: str, **given: object) -> None:
    from ..errors import ParameterError

    for name, value in given.items():
        if value is not None and data not in _ONLY_FOR[name]:
            raise ParameterError(f"--{name} applies to --data {' and '.join(_ONLY_FOR[name])} "
                                 f"only, not to {data}; leave it out")


def _command_line(ctx: typer.Context) -> str:
    """The command as typed: ``segscope experiment losses`` and the options given on it."""
    words = ["segscope", "experiment", ctx.info_name or "losses"]
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params[param.name]
        flag = max(param.opts, key=len)
        if getattr(param, "is_flag", False):
            words.append(flag)
        else:
            words += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in words)


def _show(result) -> None:
    """The summary as a terminal table, then the rankings."""
    from rich.table import Table

    from ..experiment.result import _header

    names = result.score_names()
    table = Table(title=f"{result.meta['dataset']['name']}: test scores, mean ± std over "
                  f"{len(result.seeds)} seed(s)", title_justify="left", show_edge=False,
                  header_style="bold")
    table.add_column("loss", no_wrap=True)
    for name in names:
        table.add_column(_header(name), justify="right")
    for row in result.table_rows():
        table.add_row(row["loss"], *(row[n] for n in names))
    console().print(table, highlight=False)
    for key, order in result.rankings().items():
        console().print(f"ranked by {_header(key)}: {' > '.join(order)}", highlight=False,
                        soft_wrap=True)
