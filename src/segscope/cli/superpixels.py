"""``segscope superpixels IMAGE`` (segment one image) and ``segscope superpixels sweep IMAGE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from typer.core import TyperGroup

from ._app import app
from ._common import Output, Quiet, csv_option, handle_errors, json_option
from ._html import html_option

__all__ = ["Method", "superpixels_app"]

#: Superpixel methods (``segscope.superpixels.METHODS``).
Method = Literal["felzenszwalb", "quickshift", "slic", "slic-zero", "watershed"]


class _SegmentByDefault(TyperGroup):
    """A group whose default action is ``segment``: ``superpixels IMAGE ...`` works."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["segment", *args]
        return super().parse_args(ctx, args)


superpixels_app = typer.Typer(
    name="superpixels",
    cls=_SegmentByDefault,
    help="Superpixels with numbers: segment an image (default action) or sweep parameters. "
    "`segscope superpixels IMAGE --method slic --n-segments 200 --out overlay.png`; "
    "`segscope superpixels sweep IMAGE --method felzenszwalb --param scale=1,10,100`.",
    short_help="Superpixels with numbers: segment one image (default action) or sweep a grid.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(superpixels_app, name="superpixels")

_DATA_RANGE_HELP = ("Intensity span mapped to [0, 1]: a number, or 'image' (min..max of this "
                    "image). Needed for every dtype but uint8.")
MethodOption = Annotated[Method, typer.Option("--method", help="Superpixel method.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed (quickshift).")]
DataRange = Annotated[str | None, typer.Option("--data-range", help=_DATA_RANGE_HELP)]
GtIgnore = Annotated[int | None, typer.Option(
    "--gt-ignore", help="Ground-truth value to leave out (e.g. 0 for membranes).")]
#: Runs longer than this are announced before they go on (seconds).
ANNOUNCE_AFTER_S = 10.0


def _announcer(output: Output, what: str):
    """An ``on_estimate`` callback: says up front when a search or sweep will take long."""
    def announce(runs: int, seconds: float) -> None:
        if runs * seconds > ANNOUNCE_AFTER_S:
            output.note(f"{what}: up to {runs} runs × {seconds:.1f} s ≈ "
                        f"{runs * seconds / 60:.1f} min; --time-limit bounds it")
    return announce


_SHORT = {"num_segments": "K", "size_cv": "size CV", "fragments": "frag",
          "explained_variation": "EV", "compactness": "CO", "boundary_recall": "BR",
          "boundary_precision": "BP", "undersegmentation_error": "UE",
          "achievable_segmentation_accuracy": "ASA", "runtime_s": "s"}


_CSV_ONLY = ("boundary_precision", "runtime_s")
_LONG = {"num_segments": "segments", "explained_variation": "explained variation",
         "compactness": "compactness", "boundary_recall": "boundary recall",
         "undersegmentation_error": "undersegmentation error",
         "achievable_segmentation_accuracy": "achievable segmentation accuracy"}


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def _data_range(text: str | None, img) -> float | None:
    """The number ``--data-range`` names; ``image`` is this image's own max - min."""
    if text is None:
        return None
    if text == "image":
        return float(img.max()) - float(img.min()) or 1.0
    try:
        return float(text)
    except ValueError:
        from ..errors import ParameterError

        raise ParameterError(
            f"--data-range {text!r} must be a positive number or 'image'"
        ) from None


def _read_image(path: Path):
    """The image and its channel axis (-1 for colour, None for grey), as its file says: a
    (Z, H, 3) grey stack is not taken for a colour image."""
    from ..io import load_image

    found = load_image(path, colour="keep")
    return found.pixels, found.channel_axis


def _read_gt(path: Path, ignore: int | None):
    from ..io import read_mask
    from ..superpixels import regions_from_mask

    labels = read_mask(path).labels
    return regions_from_mask(labels, ignore_value=ignore), (0 if ignore is not None else None)


def _measures_table(title: str, values: dict):
    from rich.table import Table

    table = Table(title=title, show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for k, v in values.items():
        table.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    return table


@superpixels_app.command("segment")
@handle_errors
def segment_command(
    image: Annotated[Path, typer.Argument(help="Image file (PNG, JPEG, TIFF...).")],
    method: MethodOption = "slic",
    n_segments: Annotated[int | None, typer.Option(
        "--n-segments", "-n",
        help="Number of superpixels. slic/slic-zero/watershed take it as their n_segments; "
        "felzenszwalb and quickshift are tuned to give it (±5 %).")] = None,
    exact: Annotated[bool, typer.Option(
        "--exact", help="Tune the method until K is within ±5 % of --n-segments.")] = False,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Seconds the tuning of K may take (felzenszwalb, quickshift, "
        "--exact); when they run out, the command fails with the closest K found.")] = 120.0,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p",
        help="Method parameter name=value (repeatable), e.g. sigma=0.5.")] = None,
    seed: SeedOption = 0,
    data_range: DataRange = None,
    gt: Annotated[Path | None, typer.Option(
        "--gt", help="Ground-truth mask: adds boundary recall, undersegmentation error, ASA "
        "(regions = connected components of equal value).")] = None,
    gt_ignore: GtIgnore = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="PNG", help="Overlay PNG of the boundaries.")] = None,
    labels_out: Annotated[Path | None, typer.Option(
        "--labels-out", help="Write the labels (.npy, or 16/32-bit .tif).")] = None,
    json_file: Annotated[Path | None, json_option("the measures")] = None,
    csv_file: Annotated[Path | None, csv_option("the measures (measure,value rows)")] = None,
    html: Annotated[Path | None, html_option("the measures and the overlay")] = None,
    quiet: Quiet = False,
) -> None:
    """Segment one image into superpixels, measure them, and draw the boundaries."""
    import numpy as np

    from ..errors import ParameterError
    from ..superpixels import draw_boundaries, segment, superpixel_quality, tune
    from ..superpixels.methods import method_spec
    from ._params import parse_assignments
    from ._report import rows_to_csv

    if labels_out is not None and labels_out.suffix.lower() not in (".npy", ".tif", ".tiff"):
        raise ParameterError(f"--labels-out {labels_out}: use a .npy or .tif file")
    output = Output(quiet=quiet, inputs=[image, gt], json=json_file, csv=csv_file, out=out,
                    labels_out=labels_out, html=html)
    spec = method_spec(method)
    params = parse_assignments(param, multiple=False)
    img, axis = _read_image(image)
    span = _data_range(data_range, img)
    message = None
    if exact and n_segments is None:
        raise ParameterError("--exact needs --n-segments")
    if n_segments is not None and (exact or "n_segments" not in spec.defaults):
        result = tune(img, method=method, num_segments=n_segments, seed=seed, data_range=span,
                      channel_axis=axis, time_limit=time_limit,
                      on_estimate=_announcer(output, f"tuning {method}"), **params)
        if not result.reached:
            raise ParameterError(result.message)
        sp = result.superpixels
        message = result.message
    else:
        if n_segments is not None:
            if "n_segments" in params:
                raise ParameterError("give n_segments once: --n-segments or --param")
            params["n_segments"] = n_segments
        sp = segment(img, method=method, seed=seed, data_range=span, channel_axis=axis,
                     **params)
    gt_map, ignore_index = _read_gt(gt, gt_ignore) if gt is not None else (None, None)
    from ..superpixels import as_float_image

    report = superpixel_quality(sp, as_float_image(img, data_range=span, channel_axis=axis),
                                gt=gt_map, ignore_index=ignore_index, channel_axis=axis)
    if message:
        output.note(message)
    summary = report.summary()
    if json_file is not None:
        output.write(json_file, report.to_json(indent=2))
    if csv_file is not None:
        output.write(csv_file, rows_to_csv([{"measure": k, "value": v}
                                            for k, v in summary.items()]))
    if out is not None:
        output.write_image(out, draw_boundaries(img, sp, data_range=span, channel_axis=axis))
    if html is not None:
        from ..report.superpixels import segment_page
        from ._html import provenance

        output.write(html, segment_page(  # '-': standard output
            sp, summary, img, channel_axis=axis, data_range=span, message=message,
            subtitle=f"{image.name}: {sp.num_segments} superpixels",
            provenance=provenance()).render())
    if labels_out is not None:
        import io

        buf = io.BytesIO()
        if labels_out.suffix.lower() == ".npy":
            np.save(buf, sp.labels)
        else:
            import tifffile

            dtype = np.uint16 if sp.num_segments <= 65535 else np.uint32
            tifffile.imwrite(buf, sp.labels.astype(dtype))
        output.write_bytes(labels_out, buf.getvalue())
    output.table(_measures_table(f"{image.name}: {sp.describe()}", summary))


@superpixels_app.command("sweep")
@handle_errors
def sweep_command(
    image: Annotated[Path, typer.Argument(help="Image file.")],
    method: Annotated[Method, typer.Option("--method", help="Superpixel method.")],
    param: Annotated[list[str], typer.Option(
        "--param", "-p",
        help="Swept parameter name=v1,v2,... (repeatable; every combination is run). "
        "A single value holds a parameter fixed.")],
    gt: Annotated[Path | None, typer.Option(
        "--gt", help="Ground-truth mask (regions = connected components of equal "
        "value).")] = None,
    gt_ignore: GtIgnore = None,
    seed: SeedOption = 0,
    data_range: DataRange = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="PNG",
        help="Gallery PNG: one panel per setting, titled with it.")] = None,
    csv_file: Annotated[Path | None, csv_option("the table of measures")] = None,
    json_file: Annotated[Path | None, json_option("the table of measures (a list of rows)")
                         ] = None,
    html: Annotated[Path | None, html_option(
        "the table of measures (sortable) and the overlay of every setting")] = None,
    ncols: Annotated[int | None, typer.Option("--ncols", help="Gallery columns.")] = None,
    max_settings: Annotated[int, typer.Option(
        "--max-settings", help="Refuse a grid of more combinations than this.")] = 1000,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Seconds the sweep may take: refused after the first setting "
        "if the estimate is longer, stopped if it runs over.")] = None,
    quiet: Quiet = False,
) -> None:
    """Run a grid of parameters; print a table of measures, write a gallery and a CSV."""
    import json

    from rich.table import Table

    from ..results import json_safe
    from ..superpixels import sweep
    from ._params import parse_assignments

    output = Output(quiet=quiet, inputs=[image, gt], json=json_file, csv=csv_file, out=out,
                    html=html)
    grid = parse_assignments(param, multiple=True)
    img, axis = _read_image(image)
    span = _data_range(data_range, img)
    gt_map, ignore_index = _read_gt(gt, gt_ignore) if gt is not None else (None, None)
    result = sweep(img, method=method, grid=grid, gt=gt_map, ignore_index=ignore_index,
                   seed=seed, data_range=span, channel_axis=axis,
                   progress=output.show_progress, max_settings=max_settings,
                   time_limit=time_limit, on_estimate=_announcer(output, f"{method} sweep"))
    measures = [c for c in _SHORT if c in result.columns and c not in _CSV_ONLY
                and not (c == "fragments" and not any(r[c] for r in result.rows))]
    params_shown = [c for c in result.columns if c not in _SHORT and not c.startswith("size_")]
    from rich import box

    table = Table(title=f"{image.name}: {method} sweep", box=box.SIMPLE_HEAD, pad_edge=False,
                  padding=(0, 0, 0, 2),
                  caption=", ".join(f"{_SHORT[c]} = {_LONG[c]}" for c in measures
                                    if c in _LONG) + "; --csv has every measure")
    cells = [[_cell(row.get(c)) for c in params_shown + measures] for row in result.rows]
    headers = [c.replace(" (param)", "") for c in params_shown] + [_SHORT[c] for c in measures]
    for i, header in enumerate(headers):
        table.add_column(header, justify="right", overflow="fold",
                         min_width=max(len(r[i]) for r in cells))
    for r in cells:
        table.add_row(*r)
    if csv_file is not None:
        output.write(csv_file, result.to_csv())
    if json_file is not None:
        output.write(json_file, json.dumps(json_safe(list(result.rows)), indent=2))
    if out is not None:
        output.write_image(out, result.gallery(img, ncols=ncols, data_range=span,
                                               channel_axis=axis))
    if html is not None:
        from ..report.superpixels import sweep_page
        from ._html import provenance

        output.write(html, sweep_page(  # '-': standard output
            result, img, channel_axis=axis, data_range=span,
            subtitle=f"{image.name}: {len(result.rows)} settings",
            provenance=provenance()).render())
    output.table(table)
