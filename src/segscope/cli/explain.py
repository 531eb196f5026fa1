"""``segscope explain IMAGE --model module:function``: LIME weights per superpixel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from ._app import app
from ._common import Output, Quiet, csv_option, handle_errors, json_option
from ._html import html_option
from .superpixels import DataRange, MethodOption, SeedOption

__all__ = ["Distance", "load_callable"]

#: Distances of a perturbed sample to the image (``segscope.explain.DISTANCES``).
Distance = Literal["cosine", "l2", "ssim"]


def load_callable(spec: str):
    """Load ``module:function`` or ``path/to/file.py:function`` (a user's classifier).

    Examples
    --------
    >>> load_callable("math:sqrt")(4.0)
    2.0
    """
    import importlib
    import importlib.util
    import sys

    from ..errors import MissingFileError, ParameterError

    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise ParameterError(
            f"--model {spec!r} must look like module:function or path/to/file.py:function"
        )
    if target.endswith(".py") or "/" in target or "\\" in target:
        path = Path(target)
        if not path.is_file():
            raise MissingFileError(f"--model file {target!r} does not exist")
        mod_name = f"_segscope_user_model_{abs(hash(str(path.resolve())))}"
        module_spec = importlib.util.spec_from_file_location(mod_name, path)
        if module_spec is None or module_spec.loader is None:
            raise ParameterError(f"--model file {target!r} cannot be imported as Python")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[mod_name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as err:
            from ..errors import ModelError

            raise ModelError(f"--model file {target!r} cannot be run: {type(err).__name__}: "
                             f"{err}") from err
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as err:
            raise ParameterError(
                f"--model: cannot import module {target!r} ({err}); check the name, or pass "
                "a file path such as path/to/model.py:predict"
            ) from None
    fn = getattr(module, name, None)
    if fn is None or not callable(fn):
        raise ParameterError(f"--model: {target!r} has no callable named {name!r}")
    return _as_user_code(fn, spec)


def _as_user_code(fn, spec: str):
    """``fn`` whose exceptions are the user's (a ModelError naming the model), not segscope's."""
    import functools

    from ..errors import ModelError, SegscopeError

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (SegscopeError, KeyboardInterrupt, MemoryError):
            raise
        except Exception as err:
            raise ModelError(f"--model {spec}: the model raised {type(err).__name__}: {err}; "
                             "fix the model (segscope calls it with a batch (B, H, W[, C]) of "
                             "images and expects (B,) or (B, classes) scores)") from err

    return call


@app.command()
@handle_errors
def explain(
    image: Annotated[Path, typer.Argument(help="Image file.")],
    model: Annotated[str, typer.Option(
        "--model",
        help="Classifier: module:function or path/to/file.py:function. It receives a batch "
        "(B, H, W[, C]) of images as read from the file and returns (B,) or (B, classes) "
        "scores.")],
    method: MethodOption = "slic",
    n_segments: Annotated[int, typer.Option(
        "--n-segments", "-n", help="Number of superpixels (tuned for felzenszwalb and "
        "quickshift).")] = 50,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Superpixel method parameter name=value (repeatable).")] = None,
    num_samples: Annotated[int, typer.Option(
        "--num-samples", help="Perturbed images scored.")] = 1000,
    target: Annotated[int | None, typer.Option(
        "--target", help="Output column to explain (default: the top class).")] = None,
    keep_probability: Annotated[float, typer.Option(
        "--keep-probability", help="Probability that a superpixel is KEPT in a sample.")] = 0.5,
    fill: Annotated[str, typer.Option(
        "--fill", help="mean, blur, or a constant value.")] = "mean",
    distance: Annotated[Distance, typer.Option(
        "--distance", help="Distance of a sample to the image.")] = "cosine",
    kernel_width: Annotated[float, typer.Option("--kernel-width", help="Kernel width.")] = 0.25,
    alpha: Annotated[float, typer.Option("--alpha", help="Ridge penalty of the surrogate.")
                     ] = 1.0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Images per model call.")
                          ] = 32,
    seed: SeedOption = 0,
    data_range: DataRange = None,
    top_k: Annotated[int, typer.Option("--top-k", help="Superpixels shown in the overlay.")
                     ] = 5,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="PNG", help="Heat map PNG of the weights over the image, "
        "with a colour bar of the weights.")] = None,
    overlay: Annotated[Path | None, typer.Option(
        "--overlay", metavar="PNG", help="PNG of the top-k positive superpixels.")] = None,
    json_file: Annotated[Path | None, json_option("the weights, R² and settings")] = None,
    csv_file: Annotated[Path | None, csv_option(
        "the weights (superpixel, weight, pixels rows)")] = None,
    html: Annotated[Path | None, html_option(
        "the heat map with its colour bar, the top-k overlay and the weights")] = None,
    quiet: Quiet = False,
) -> None:
    """Explain a classifier's score of one image with LIME over superpixels."""
    import json

    from rich.table import Table

    from ..explain import explain as run_explain
    from ..explain import heatmap_figure, top_k_overlay
    from ..results import json_safe
    from ..superpixels import segment, tune
    from ..superpixels.methods import method_spec
    from ._params import parse_assignments, parse_value
    from ._report import rows_to_csv
    from .superpixels import _data_range, _read_image

    model_file = model.rpartition(":")[0]
    output = Output(quiet=quiet, inputs=[image, model_file if model_file.endswith(".py")
                                         else None],
                    json=json_file, csv=csv_file, out=out, overlay=overlay, html=html)
    img, axis = _read_image(image)
    predict = load_callable(model)
    span = _data_range(data_range, img)
    params = parse_assignments(param, multiple=False)
    if "n_segments" in method_spec(method).defaults:
        params.setdefault("n_segments", n_segments)
        sp = segment(img, method=method, seed=seed, data_range=span, channel_axis=axis,
                     **params)
    else:
        sp = tune(img, method=method, num_segments=n_segments, seed=seed, data_range=span,
                  channel_axis=axis, **params).superpixels
    fill_value = parse_value(fill)
    result = run_explain(
        img, predict, segments=sp, num_samples=num_samples, target=target,
        keep_probability=keep_probability, fill=fill_value, distance=distance,
        kernel_width=kernel_width, alpha=alpha, batch_size=batch_size,
        data_range=span, channel_axis=axis, seed=seed, progress=output.show_progress)
    import numpy as np

    sizes = np.bincount(result.segments.ravel(), minlength=sp.num_segments)
    if out is not None:
        output.write_image(out, heatmap_figure(result, img, data_range=span,
                                               channel_axis=axis))
    if overlay is not None:
        output.write_image(overlay, top_k_overlay(result, img, top_k, data_range=span,
                                                  channel_axis=axis))
    if html is not None:
        from ..report.explain import explanation_page
        from ._html import provenance

        output.write(html, explanation_page(  # '-': standard output
            result, img, top_k=top_k, data_range=span, channel_axis=axis,
            subtitle=f"{image.name}: {sp.describe()} (K={sp.num_segments}), model "
                     f"{model}", provenance=provenance()).render())
    if json_file is not None:
        doc = {
            "image": str(image), "model": model, "target": result.target,
            "score": result.score, "r2": result.r2, "intercept": result.intercept,
            "num_segments": sp.num_segments, "superpixels": {"method": sp.method,
                                                             "params": dict(sp.params)},
            "weights": result.weights, "settings": result.settings,
        }
        output.write(json_file, json.dumps(json_safe(doc), indent=2))
    if csv_file is not None:
        output.write(csv_file, rows_to_csv(
            [{"superpixel": k, "weight": float(w), "pixels": int(sizes[k])}
             for k, w in enumerate(result.weights)]))
    table = Table(title=f"{image.name}: LIME, {sp.describe()} (K={sp.num_segments}), "
                        f"target {result.target}, score {result.score:.4g}, "
                        f"surrogate R² {result.r2:.3f}")
    table.add_column("rank", justify="right")
    table.add_column("superpixel", justify="right")
    table.add_column("weight", justify="right")
    table.add_column("pixels", justify="right")
    for rank, s in enumerate(result.top(top_k, positive_only=False)[:top_k], start=1):
        table.add_row(str(rank), str(int(s)), f"{result.weights[s]:.4g}", str(int(sizes[s])))
    output.table(table)
