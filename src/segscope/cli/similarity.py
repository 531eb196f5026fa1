"""``segscope compare``, ``segscope matrix`` and ``segscope order``: image similarity.

Images are read with :func:`segscope.io.read_image` (EXIF orientation applied, bit depth
kept, so ``data_range`` comes from the dtype). ``--mode grey`` converts colour images with
the BT.601 luma weights; images of different sizes need ``--size HxW`` (bilinear,
anti-aliased resize); unreadable files in a folder are reported and skipped.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app
from ._common import console, err_console, handle_errors

_ALL = ("ssim", "ms_ssim", "psnr", "mse", "rmse", "euclidean")
_MODE_HELP = ("keep (grey stays grey, colour stays colour) | grey (BT.601 luma) | rgb. "
              "Grey and colour images cannot be compared without grey or rgb.")
_SIZE_HELP = "Resize every image to HxW first (e.g. 256x256); required for mixed sizes."
_RANGE_HELP = ("Intensity span L (needed for float images, e.g. 1.0); integer files use "
               "their dtype (255 for 8-bit, 65535 for 16-bit).")
_PRESET_HELP = ("SSIM convention: wang (Wang et al. 2004, pytorch-msssim; default) | skimage "
                "(7×7 uniform, sample covariance) | matlab (Wang's ssim.m downsampling).")


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


def _channel_axis(images) -> int | None:
    """-1 when every image is colour (H, W, 3), None when every image is grey."""
    from ..errors import ShapeError

    colour = [im.ndim == 3 and im.shape[-1] == 3 for im in images]
    if all(colour):
        return -1
    if not any(colour):
        return None
    raise ShapeError("some images are colour and some grey; pass --mode grey (BT.601 luma) "
                     "or --mode rgb to compare them")


def _check_mode(mode: str) -> str:
    from .._checks import check_choice

    return check_choice("--mode", mode, ("keep", "grey", "rgb"))


def _metric_list(metric: str) -> tuple[str, ...]:
    from .._checks import check_choice

    if metric == "all":
        return _ALL
    names = tuple(m.strip() for m in metric.split(",") if m.strip())
    for name in names:
        check_choice("--metric", name, _ALL)
    return names


@app.command()
@handle_errors
def compare(
    image_a: Path = typer.Argument(..., help="First image file."),
    image_b: Path = typer.Argument(..., help="Second image file."),
    metric: str = typer.Option("all", "--metric", "-m",
                               help="Comma list of ssim, ms_ssim, psnr, mse, rmse, euclidean, "
                               "or 'all'."),
    preset: str = typer.Option("wang", help=_PRESET_HELP),
    mode: str = typer.Option("keep", help=_MODE_HELP),
    size: str | None = typer.Option(None, help=_SIZE_HELP),
    data_range: float | None = typer.Option(None, "--data-range", help=_RANGE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the values as JSON."),
) -> None:
    """Compare two images with pixel metrics and SSIM / MS-SSIM."""
    import json

    from rich.table import Table

    from ..errors import ShapeError
    from ..io import read_image
    from ..similarity import euclidean, ms_ssim, mse, psnr, rmse, ssim
    from ..similarity._collection import stack_images

    names = _metric_list(metric)
    a = read_image(image_a, mode=_check_mode(mode))
    b = read_image(image_b, mode=mode)
    axis = _channel_axis([a, b])
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
            if metric != "all":
                raise
            values[name] = "n/a"
            err_console().print(f"{name}: n/a, {err}", highlight=False, soft_wrap=True)
    if json_out:
        console().print_json(json.dumps({k: (v if not isinstance(v, float) or v != float("inf")
                                             else "inf") for k, v in values.items()}))
        return
    table = Table(title=f"{image_a.name} vs {image_b.name}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("meaning")
    meaning = {"ssim": "1 = identical structure", "ms_ssim": "1 = identical",
               "psnr": "dB, higher = closer", "mse": "0 = identical",
               "rmse": "intensity units", "euclidean": "grows with image size"}
    for name, value in values.items():
        shown = f"{value:.6g}" if isinstance(value, float) else value
        table.add_row(name, shown, meaning[name])
    console().print(table)


def _read_collection(folder: Path, mode: str, size: str | None):
    from ..errors import ShapeError
    from ..io.image_folder import read_image_folder

    found = read_image_folder(folder, mode=_check_mode(mode))
    for name, reason in found.skipped:
        err_console().print(f"[yellow]skipped[/] {name}: {reason}", highlight=False,
                            soft_wrap=True)
    if len(found.images) < 2:
        raise ShapeError(f"{folder}: found {len(found.images)} readable image(s); need at "
                         "least 2")
    target = _parse_size(size)
    shapes = {im.shape for im in found.images}
    if target is None and len(shapes) > 1:
        listed = ", ".join(str(s) for s in sorted(shapes)[:4])
        raise ShapeError(f"{folder}: images have different shapes ({listed}); pass --size HxW "
                         "to resize them all")
    return found, _channel_axis(found.images), target


def _matrix(found, axis, target, metric, preset, data_range):
    from ..similarity import similarity_matrix

    return similarity_matrix(list(found.images), metric=metric, preset=preset,
                             channel_axis=axis, size=target, data_range=data_range,
                             progress=True)


def _csv_text(names, matrix) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["", *names])
    for name, row in zip(names, matrix, strict=True):
        writer.writerow([name, *(repr(float(v)) for v in row)])
    return buf.getvalue()


def _save_png(image, path: Path) -> None:
    from ..io import atomic_path

    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG")


@app.command()
@handle_errors
def matrix(
    folder: Path = typer.Argument(..., help="Folder of images (searched recursively)."),
    out: Path = typer.Option(..., "--out", "-o", help="CSV file for the N×N matrix."),
    heatmap: Path | None = typer.Option(None, "--heatmap", help="Also draw it as a PNG."),
    metric: str = typer.Option("ssim", "--metric", "-m",
                               help="ssim | ms_ssim | psnr | mse | rmse | euclidean."),
    preset: str = typer.Option("wang", help=_PRESET_HELP),
    mode: str = typer.Option("keep", help=_MODE_HELP),
    size: str | None = typer.Option(None, help=_SIZE_HELP),
    data_range: float | None = typer.Option(None, "--data-range", help=_RANGE_HELP),
    top: int = typer.Option(5, help="Show this many most similar pairs."),
) -> None:
    """Compare every image of a folder with every other; write the matrix as CSV."""
    import numpy as np
    from rich.table import Table

    from ..io import write_text
    from ..similarity import to_distance
    from ..similarity.render import heatmap as draw_heatmap

    _metric_list(metric)
    found, axis, target = _read_collection(folder, mode, size)
    m = _matrix(found, axis, target, metric, preset, data_range)
    write_text(out, _csv_text(found.names, m))
    if heatmap is not None:
        _save_png(draw_heatmap(m), heatmap)
    d = to_distance(m, metric)
    iu, ju = np.triu_indices(len(m), k=1)
    best = np.argsort(d[iu, ju], kind="stable")[: max(0, top)]
    table = Table(title=f"{len(m)} images, most similar pairs ({metric})", title_justify="left")
    for col in ("image", "image", metric):
        table.add_column(col)
    for k in best:
        table.add_row(found.names[iu[k]], found.names[ju[k]], f"{m[iu[k], ju[k]]:.6g}")
    console().print(table)
    err_console().print(f"wrote {out}" + (f" and {heatmap}" if heatmap else ""))


@app.command()
@handle_errors
def order(
    folder: Path = typer.Argument(..., help="Folder of images (searched recursively)."),
    metric: str = typer.Option("ssim", "--metric", "-m",
                               help="ssim | ms_ssim | psnr | mse | rmse | euclidean."),
    method: str = typer.Option("olo", help="olo (optimal leaf ordering; default) | two_opt "
                               "(greedy chain improved by 2-opt) | chain (greedy similarity "
                               "chain)."),
    start: int = typer.Option(0, help="First image (index in sorted names) for chains."),
    threshold: float | None = typer.Option(
        None, help="Also group images: minimum SSIM / MS-SSIM / PSNR, or maximum MSE / RMSE "
        "/ Euclidean, between every two members of a group."),
    contact_sheet: Path | None = typer.Option(None, "--contact-sheet",
                                              help="Draw the ordered thumbnails as a PNG."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the order as CSV."),
    preset: str = typer.Option("wang", help=_PRESET_HELP),
    mode: str = typer.Option("keep", help=_MODE_HELP),
    size: str | None = typer.Option(None, help=_SIZE_HELP),
    data_range: float | None = typer.Option(None, "--data-range", help=_RANGE_HELP),
) -> None:
    """Order a folder's images so that neighbours look alike (and group near-twins)."""
    import numpy as np
    from rich.table import Table

    from ..io import write_text
    from ..similarity import chain_length, cluster, order_images, to_distance
    from ..similarity.render import contact_sheet as draw_sheet

    _metric_list(metric)
    found, axis, target = _read_collection(folder, mode, size)
    m = _matrix(found, axis, target, metric, preset, data_range)
    d = to_distance(m, metric)
    seq = order_images(d, method=method, start=start)
    groups = None
    if threshold is not None:
        limit = float(to_distance(np.array([[threshold]]), metric)[0, 0])
        groups = cluster(d, threshold=max(limit, 0.0))
    table = Table(title=f"{len(seq)} images ordered by {metric} ({method}); path length "
                  f"{chain_length(seq, d):.4g}", title_justify="left")
    for col in ("#", "image", f"{metric} to previous", *(["group"] if groups is not None
                                                          else [])):
        table.add_column(col)
    rows = []
    for pos, k in enumerate(seq):
        prev = f"{m[seq[pos - 1], k]:.6g}" if pos else ""
        row = [str(pos + 1), found.names[k], prev]
        if groups is not None:
            row.append(str(groups[k]))
        table.add_row(*row)
        rows.append(row)
    console().print(table)
    if out is not None:
        header = ["position", "image", f"{metric}_to_previous"] + (
            ["group"] if groups is not None else [])
        write_text(out, "\n".join(",".join(r) for r in [header, *rows]) + "\n")
    if contact_sheet is not None:
        ims = [found.images[k] for k in seq]
        _save_png(draw_sheet(ims, names=[found.names[k] for k in seq],
                             data_range=data_range), contact_sheet)
