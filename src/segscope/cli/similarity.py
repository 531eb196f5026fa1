"""``segscope compare``, ``segscope matrix`` and ``segscope order``: image similarity.

Images are read with :func:`segscope.io.read_image` (EXIF orientation applied, bit depth
kept, so ``data_range`` comes from the dtype). ``--colour grey`` converts colour images with
the BT.601 luma weights; images of different sizes need ``--size HxW`` (bilinear,
anti-aliased resize); unreadable files in a folder are reported and skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from ._app import app
from ._common import (
    Colour,
    Output,
    Quiet,
    csv_option,
    handle_errors,
    json_option,
    parse_names,
)

#: The metrics of ``compare`` (``all``), in table order; ``matrix``/``order`` take one.
METRICS = ("ssim", "ms_ssim", "psnr", "mse", "rmse", "euclidean")
#: SSIM conventions (``segscope.similarity.PRESETS``).
Preset = Literal["wang", "skimage", "matlab"]
#: Orderings of ``order`` (``segscope.similarity.order_images``).
OrderMethod = Literal["olo", "two_opt", "chain"]

_SIZE_HELP = "Resize every image to HxW first (e.g. 256x256); required for mixed sizes."
_RANGE_HELP = ("Intensity span L (needed for float images, e.g. 1.0); integer files use "
               "their dtype (255 for 8-bit, 65535 for 16-bit).")
_PRESET_HELP = ("SSIM convention: wang (Wang et al. 2004, pytorch-msssim; default) | skimage "
                "(7×7 uniform, sample covariance) | matlab (Wang's ssim.m downsampling).")
_ONE_METRIC_HELP = "One of ssim, ms_ssim, psnr, mse, rmse, euclidean."

PresetOption = Annotated[Preset, typer.Option(help=_PRESET_HELP)]
SizeOption = Annotated[str | None, typer.Option(help=_SIZE_HELP)]
RangeOption = Annotated[float | None, typer.Option("--data-range", help=_RANGE_HELP)]
OneMetric = Annotated[str, typer.Option("--metrics", "-m", help=_ONE_METRIC_HELP)]


def _parse_size(text: str | None) -> tuple[int, ...] | None:
    from ..errors import ParameterError

    if text is None:
        return None
    parts = text.lower().replace(",", "x").split("x")
    try:
        size = tuple(int(p) for p in parts)
    except ValueError:
        raise ParameterError(f"--size {text!r}: expected HxW, e.g. 256x256") from None
    if len(size) not in (2, 3) or min(size) < 1:
        raise ParameterError(f"--size {text!r}: expected HxW (or DxHxW) positive sides")
    return size


def _channel_axis(colour: list[bool]) -> int | None:
    """-1 when every image is colour, None when every image is grey (as their files say:
    a (Z, H, 3) grey stack is grey)."""
    from ..errors import ShapeError

    if all(colour):
        return -1
    if not any(colour):
        return None
    raise ShapeError("some images are colour and some grey; pass --colour grey (BT.601 "
                     "luma) or --colour rgb to compare them")


def _grey_volumes(images: list, axis: int | None) -> tuple[list, int | None]:
    """Grey volumes whose last axis has length 3 or 4 get a channel axis of length 1, so
    that no function takes that axis for colours (the files say they are grey)."""
    if axis is None and any(im.ndim == 3 and im.shape[-1] in (3, 4) for im in images):
        return [im[..., None] for im in images], -1
    return images, axis


def _one_metric(text: str) -> str:
    from ..errors import ParameterError

    names = parse_names("--metrics", text, METRICS)
    if len(names) != 1 or text.strip().lower() == "all":
        raise ParameterError(f"--metrics {text!r}: this command compares with one metric; "
                             f"choose one of {', '.join(METRICS)}")
    return names[0]


_MEANING = {"ssim": "1 = identical structure", "ms_ssim": "1 = identical",
            "psnr": "dB, higher = closer", "mse": "0 = identical",
            "rmse": "intensity units", "euclidean": "grows with image size"}


@app.command()
@handle_errors
def compare(
    image_a: Annotated[Path, typer.Argument(help="First image file.")],
    image_b: Annotated[Path, typer.Argument(help="Second image file.")],
    metrics: Annotated[str, typer.Option(
        "--metrics", "-m", help="Comma list of ssim, ms_ssim, psnr, mse, rmse, euclidean, or "
        "'all'.")] = "all",
    preset: PresetOption = "wang",
    colour: Colour = "keep",
    size: SizeOption = None,
    data_range: RangeOption = None,
    json_file: Annotated[Path | None, json_option("the values ({metric: value})")] = None,
    csv_file: Annotated[Path | None, csv_option("the values (metric,value rows)")] = None,
    quiet: Quiet = False,
) -> None:
    """Compare two images with pixel metrics and SSIM / MS-SSIM."""
    import json

    from rich.table import Table

    from ..errors import ShapeError
    from ..io import load_image
    from ..results import json_safe
    from ..similarity import euclidean, ms_ssim, mse, psnr, rmse, ssim
    from ..similarity._collection import stack_images
    from ._report import rows_to_csv

    out = Output(quiet=quiet, inputs=[image_a, image_b], json=json_file, csv=csv_file)
    names = parse_names("--metrics", metrics, METRICS)
    found_a = load_image(image_a, colour=colour)
    found_b = load_image(image_b, colour=colour)
    axis = _channel_axis([found_a.is_colour, found_b.is_colour])
    (a, b), axis = _grey_volumes([found_a.pixels, found_b.pixels], axis)
    target = _parse_size(size)
    if target is None and a.shape != b.shape:
        raise ShapeError(f"{image_a} has shape {a.shape} and {image_b} has shape {b.shape}; "
                         "pass --size HxW to resize both")
    need = any(n in ("ssim", "ms_ssim", "psnr") for n in names)
    stack, span = stack_images([a, b], data_range=data_range, channel_axis=axis, size=target,
                               need_range=need)
    x, y = stack
    values: dict[str, float | str] = {}
    for name in names:
        try:
            if name == "ssim":
                values[name] = ssim(x, y, data_range=span, channel_axis=0, preset=preset)
            elif name == "ms_ssim":
                values[name] = ms_ssim(x, y, data_range=span, channel_axis=0, preset=preset)
            elif name == "psnr":
                values[name] = psnr(x, y, data_range=span)
            else:
                values[name] = {"mse": mse, "rmse": rmse, "euclidean": euclidean}[name](x, y)
        except ShapeError as err:
            if metrics.strip().lower() != "all":
                raise
            values[name] = "n/a"
            out.warn(f"{name}: n/a, {err}")
    if json_file is not None:
        out.write(json_file, json.dumps(json_safe(values), indent=2))
    if csv_file is not None:
        out.write(csv_file, rows_to_csv([{"metric": k, "value": v} for k, v in values.items()]))
    table = Table(title=f"{image_a.name} vs {image_b.name}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("meaning")
    for name, value in values.items():
        shown = f"{value:.6g}" if isinstance(value, float) else value
        table.add_row(name, shown, _MEANING[name])
    out.table(table)


def _read_collection(out: Output, folder: Path, colour: str, size: str | None):
    from dataclasses import replace

    from ..errors import ShapeError
    from ..io.image_folder import read_image_folder

    found = read_image_folder(folder, colour=colour)
    for name, reason in found.skipped:
        out.warn(f"skipped {name}: {reason}")
    if len(found.images) < 2:
        raise ShapeError(f"{folder}: found {len(found.images)} readable image(s); need at "
                         "least 2")
    target = _parse_size(size)
    shapes = {im.shape for im in found.images}
    if target is None and len(shapes) > 1:
        listed = ", ".join(str(s) for s in sorted(shapes)[:4])
        raise ShapeError(f"{folder}: images have different shapes ({listed}); pass --size HxW "
                         "to resize them all")
    axis = _channel_axis(list(found.is_colour))
    images, axis = _grey_volumes(list(found.images), axis)
    return replace(found, images=tuple(images)), axis, target


def _matrix(out: Output, found, axis, target, metric, preset, data_range):
    from ..similarity import similarity_matrix

    return similarity_matrix(list(found.images), metric=metric, preset=preset,
                             channel_axis=axis, size=target, data_range=data_range,
                             progress=out.show_progress)


def _csv_text(names, matrix) -> str:
    from ..io import csv_text

    return csv_text(([name, *(float(v) for v in row)]
                     for name, row in zip(names, matrix, strict=True)), ["", *names])


@app.command()
@handle_errors
def matrix(
    folder: Annotated[Path, typer.Argument(help="Folder of images (searched recursively).")],
    csv_file: Annotated[Path | None, csv_option(
        "the N×N matrix (a header row and column of image names)")] = None,
    json_file: Annotated[Path | None, json_option(
        "the names, the matrix and the most similar pairs")] = None,
    heatmap: Annotated[Path | None, typer.Option(
        "--heatmap", metavar="PNG", help="Also draw the matrix as a PNG: file names (or "
        "indices with a legend) on the axes, a colour bar with its scale.")] = None,
    legend: Annotated[Path | None, typer.Option(
        "--legend", metavar="PATH", help="Write the heat map's index -> name table as CSV "
        "('-': standard output).")] = None,
    metrics: OneMetric = "ssim",
    preset: PresetOption = "wang",
    colour: Colour = "keep",
    size: SizeOption = None,
    data_range: RangeOption = None,
    top: Annotated[int, typer.Option(help="Show this many most similar pairs.")] = 5,
    quiet: Quiet = False,
) -> None:
    """Compare every image of a folder with every other; show the most similar pairs."""
    import json

    import numpy as np
    from rich.table import Table

    from ..io import csv_text
    from ..results import json_safe
    from ..similarity import to_distance
    from ..similarity.render import heatmap as draw_heatmap
    from ..similarity.render import legend_rows

    out = Output(quiet=quiet, inputs=[folder], json=json_file, csv=csv_file, heatmap=heatmap,
                 legend=legend)
    metric = _one_metric(metrics)
    found, axis, target = _read_collection(out, folder, colour, size)
    m = _matrix(out, found, axis, target, metric, preset, data_range)
    d = to_distance(m, metric)
    iu, ju = np.triu_indices(len(m), k=1)
    best = np.argsort(d[iu, ju], kind="stable")[: max(0, top)]
    pairs = [{"image_a": found.names[iu[k]], "image_b": found.names[ju[k]],
              metric: float(m[iu[k], ju[k]])} for k in best]
    if csv_file is not None:
        out.write(csv_file, _csv_text(found.names, m))
    if json_file is not None:
        doc = {"metric": metric, "names": list(found.names), "matrix": m, "pairs": pairs}
        out.write(json_file, json.dumps(json_safe(doc), indent=2))
    if heatmap is not None:
        out.write_image(heatmap, draw_heatmap(m, names=found.names, label=metric))
    if legend is not None:
        out.write(legend, csv_text(legend_rows(found.names), ["index", "name"]))
    table = Table(title=f"{len(m)} images, most similar pairs ({metric})", title_justify="left")
    for col in ("image", "image", metric):
        table.add_column(col)
    for pair in pairs:
        table.add_row(pair["image_a"], pair["image_b"], f"{pair[metric]:.6g}")
    out.table(table)


@app.command()
@handle_errors
def order(
    folder: Annotated[Path, typer.Argument(help="Folder of images (searched recursively).")],
    metrics: OneMetric = "ssim",
    method: Annotated[OrderMethod, typer.Option(
        help="olo (optimal leaf ordering; default) | two_opt (greedy chain improved by "
        "2-opt) | chain (greedy similarity chain).")] = "olo",
    start: Annotated[int, typer.Option(
        help="First image (index in sorted names) for chains.")] = 0,
    threshold: Annotated[float | None, typer.Option(
        help="Also group images: minimum SSIM / MS-SSIM / PSNR, or maximum MSE / RMSE / "
        "Euclidean, between every two members of a group.")] = None,
    contact_sheet: Annotated[Path | None, typer.Option(
        "--contact-sheet", metavar="PNG", help="Draw the ordered thumbnails as a PNG, each "
        "with its similarity to the previous one (and, with --threshold, its group: a "
        "frame in the group's colour and gN).")] = None,
    csv_file: Annotated[Path | None, csv_option(
        "the order (position, image, value to the previous image, group)")] = None,
    json_file: Annotated[Path | None, json_option("the order and its settings")] = None,
    preset: PresetOption = "wang",
    colour: Colour = "keep",
    size: SizeOption = None,
    data_range: RangeOption = None,
    quiet: Quiet = False,
) -> None:
    """Order a folder's images so that neighbours look alike (and group near-twins)."""
    import json

    import numpy as np
    from rich.table import Table

    from ..results import json_safe
    from ..similarity import chain_length, cluster, order_images, to_distance
    from ..similarity.render import contact_sheet as draw_sheet
    from ._report import rows_to_csv

    out = Output(quiet=quiet, inputs=[folder], json=json_file, csv=csv_file,
                 contact_sheet=contact_sheet)
    metric = _one_metric(metrics)
    found, axis, target = _read_collection(out, folder, colour, size)
    m = _matrix(out, found, axis, target, metric, preset, data_range)
    d = to_distance(m, metric)
    seq = order_images(d, method=method, start=start)
    groups = None
    if threshold is not None:
        limit = float(to_distance(np.array([[threshold]]), metric)[0, 0])
        groups = cluster(d, threshold=max(limit, 0.0))
    length = chain_length(seq, d)
    rows = []
    for pos, k in enumerate(seq):
        row = {"position": pos + 1, "image": found.names[k],
               f"{metric}_to_previous": float(m[seq[pos - 1], k]) if pos else None}
        if groups is not None:
            row["group"] = int(groups[k])
        rows.append(row)
    if csv_file is not None:
        out.write(csv_file, rows_to_csv(rows))
    if json_file is not None:
        doc = {"metric": metric, "method": method, "path_length": float(length), "order": rows}
        out.write(json_file, json.dumps(json_safe(doc), indent=2))
    if contact_sheet is not None:
        ims = [found.images[k] for k in seq]
        out.write_image(contact_sheet, draw_sheet(
            ims, names=[found.names[k] for k in seq], data_range=data_range,
            groups=None if groups is None else [int(groups[k]) for k in seq],
            scores=[row[f"{metric}_to_previous"] for row in rows],
            label=metric))
    table = Table(title=f"{len(seq)} images ordered by {metric} ({method}); path length "
                  f"{length:.4g}", title_justify="left")
    columns = list(rows[0])
    for col in ("#", "image", f"{metric} to previous", *(["group"] if groups is not None
                                                          else [])):
        table.add_column(col)
    for row in rows:
        prev = row[columns[2]]
        table.add_row(str(row["position"]), row["image"], "" if prev is None else f"{prev:.6g}",
                      *([str(row["group"])] if groups is not None else []))
    out.table(table)
