"""Choosing parameters with numbers: hit a number of superpixels, or sweep a grid.

:func:`tune` searches one parameter (whose effect on K is monotone) for the value giving
a requested number of superpixels K, within a relative tolerance (±5 % by default), and
says so when the method cannot reach it. :func:`sweep` runs every combination of a grid
of parameters and measures each result.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._image import as_float_image
from .._progress import track
from ..errors import ParameterError, ResourceError
from .measures import superpixel_quality
from .methods import Superpixels, _fmt, method_spec, resolve_params, segment

__all__ = ["SweepResult", "TuneResult", "sweep", "tune"]

# search interval and scale of each tunable parameter
_RANGES: dict[str, tuple[float, float, bool]] = {
    # name: (low, high, integer)
    "scale": (1e-2, 1e6, False),
    "min_size": (0, 100_000, True),
    "kernel_size": (1.0, 50.0, False),
    "max_dist": (0.5, 1000.0, False),
    "n_segments": (1, 1_000_000, True),
}

#: What to change when a method cannot reach the requested K by its tuned parameter.
_HINTS = {
    "felzenszwalb": "min_size limits K to about area / min_size: lower min_size (--param "
                    "min_size=...) for more superpixels",
    "quickshift": "quickshift's K is set by kernel_size and max_dist together: lower max_dist "
                  "(--param max_dist=...) or kernel_size for more superpixels, raise them for "
                  "fewer; or use slic, which takes the number of superpixels directly",
    "slic": "slic treats n_segments as a target on a grid: change compactness (--param "
            "compactness=...) or use felzenszwalb",
    "slic-zero": "slic-zero treats n_segments as a target on a grid: use slic with a "
                 "compactness, or felzenszwalb",
    "watershed": "watershed places n_segments markers: change compactness (--param "
                 "compactness=...) or use slic",
}
#: Notice callback: ``(number of runs, seconds the first run took)``.
Estimate = Callable[[int, float], None]


@dataclass(frozen=True)
class TuneResult:
    """Outcome of :func:`tune`.

    Attributes
    ----------
    param : str
        The parameter searched.
    value : float or int
        The best value found (closest K to the target).
    num_segments : int
        K at that value.
    target : int
        The requested K.
    reached : bool
        Whether K is within the tolerance of the target.
    message : str
        Plain words: what was found, or why the target cannot be reached.
    history : tuple of (value, K)
        Every evaluation, in order.
    superpixels : Superpixels
        The segmentation at ``value``.
    """

    param: str
    value: float
    num_segments: int
    target: int
    reached: bool
    message: str
    history: tuple[tuple[float, int], ...]
    superpixels: Superpixels


def _default_param(method: str) -> str:
    return next(iter(method_spec(method).tunable))


def tune(
    image: Any,
    *,
    method: str,
    num_segments: int,
    param: str | None = None,
    tolerance: float = 0.05,
    max_evals: int = 30,
    seed: int = 0,
    channel_axis: int | None = None,
    data_range: float | None = None,
    time_limit: float | None = None,
    on_estimate: Estimate | None = None,
    **params: Any,
) -> TuneResult:
    """Find the value of ``param`` that gives ``num_segments`` superpixels.

    The search assumes K moves monotonically with ``param`` (felzenszwalb ``scale`` and
    ``min_size``, quickshift ``kernel_size`` and ``max_dist`` lower K; ``n_segments`` of
    slic, slic-zero and watershed raises it). It brackets the target and bisects (on a log
    scale), stopping as soon as K is within ``tolerance`` (relative) of the target.

    Parameters
    ----------
    image : array_like
        The image, as for :func:`segment`.
    method : str
        Superpixel method.
    num_segments : int
        Target K.
    param : str, optional
        Parameter to search; default: the method's first tunable parameter
        (``scale``, ``kernel_size``, ``n_segments``, ``n_segments``, ``n_segments``).
    tolerance : float
        Relative tolerance on K (0.05 = ±5 %).
    max_evals : int
        Most segmentations to run.
    time_limit : float, optional
        Seconds after which no new evaluation is started (the result then says so and
        ``reached`` is False unless the target was already met).
    on_estimate : callable, optional
        Called once after the first evaluation with ``(max_evals, seconds it took)``, so
        that a caller can say up front how long the search may take.
    seed, channel_axis, data_range, **params
        As for :func:`segment` (``params`` are held fixed).

    Returns
    -------
    TuneResult
        ``reached`` is False (and ``message`` says why) when no value gives K within the
        tolerance: K jumps over the target between two neighbouring values, or the target
        lies beyond what the parameter's range can give.

    Examples
    --------
    >>> from skimage.data import astronaut
    >>> res = tune(astronaut()[:96, :96], method="felzenszwalb", num_segments=40,
    ...            channel_axis=-1)
    >>> res.reached, abs(res.num_segments - 40) <= 2
    (True, True)
    """
    spec = method_spec(method)
    param = param or _default_param(method)
    if param not in spec.tunable:
        raise ParameterError(
            f"param={param!r} cannot be tuned for method={method!r}: K does not move "
            f"monotonically with it; choose one of {', '.join(map(repr, spec.tunable))}"
        )
    if param in params:
        raise ParameterError(f"{param} is the parameter being tuned; do not also pass it")
    if isinstance(num_segments, bool) or int(num_segments) != num_segments or num_segments < 1:
        raise ParameterError(f"num_segments must be a positive integer; got {num_segments!r}")
    if not (0 <= tolerance < 1):
        raise ParameterError(f"tolerance must be in [0, 1) (relative); got {tolerance!r}")
    if int(max_evals) < 1:
        raise ParameterError(f"max_evals must be at least 1; got {max_evals!r}")
    target = int(num_segments)
    increasing = spec.tunable[param] == "increasing"
    low, high, integer = _RANGES[param]
    cache: dict[float, Superpixels] = {}
    history: list[tuple[float, int]] = []
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise ParameterError(f"time_limit must be a positive number of seconds; got "
                             f"{time_limit!r}")
    started = time.perf_counter()

    def run(value: float) -> int:
        if value not in cache:
            t0 = time.perf_counter()
            cache[value] = segment(image, method=method, seed=seed, channel_axis=channel_axis,
                                   data_range=data_range, **{**params, param: value})
            history.append((value, cache[value].num_segments))
            if len(history) == 1 and on_estimate is not None:
                on_estimate(int(max_evals), time.perf_counter() - t0)
        return cache[value].num_segments

    def out_of_time() -> bool:
        return time_limit is not None and time.perf_counter() - started > time_limit

    def ok(k: int) -> bool:
        return abs(k - target) <= tolerance * target

    def snap(v: float) -> float:
        v = min(max(v, low), high)
        return round(v) if integer else float(v)

    def middle(a: float, b: float) -> float:
        if integer:
            return snap((a + b) / 2) if a <= 0 else snap(math.sqrt(a * b))
        return snap(math.sqrt(a * b))

    # too-few side (K below target) and too-many side (K above target)
    below: float | None = None
    above: float | None = None
    value = snap(target if param == "n_segments" else spec.defaults[param] or 1.0)
    while len(history) < max_evals:
        k = run(value)
        if ok(k) or out_of_time():
            break
        if k < target:
            below = value
        else:
            above = value
        if below is not None and above is not None:
            nxt = middle(below, above)
            if nxt in (below, above):  # integer neighbours: K jumps over the target
                break
            if not integer and max(below, above) / min(below, above) < 1.001:
                break  # K jumps over the target within 0.1 % of the parameter
        else:
            if param == "n_segments":
                nxt = snap(value * target / max(k, 1))
                if nxt == value:
                    nxt = snap(value + (1 if k < target else -1))
            else:
                # move towards the target by a factor of 10 on the parameter
                up = (k < target) == increasing
                nxt = snap(value * 10 if up else value / 10) if value > 0 else snap(1)
            if nxt == value:  # at the end of the range
                break
        value = nxt
    best_value, best_k = min(history, key=lambda vk: (abs(vk[1] - target), len(history)))
    reached = ok(best_k)
    lo_k = max((vk for vk in history if vk[1] < target), key=lambda vk: vk[1], default=None)
    hi_k = min((vk for vk in history if vk[1] > target), key=lambda vk: vk[1], default=None)
    hint = _HINTS.get(method, "change another parameter")
    if reached:
        message = (f"{method} gives K={best_k} (target {target}, ±{tolerance:.0%}) at "
                   f"{param}={_fmt(best_value)}")
    elif out_of_time():
        message = (f"{method} did not reach K={target} ±{tolerance:.0%} within time_limit="
                   f"{_fmt(time_limit)} s (CLI: --time-limit; {len(history)} evaluations, "
                   f"{time.perf_counter() - started:.0f} s): the closest was K={best_k} at "
                   f"{param}={_fmt(best_value)}. Raise the time limit, or: {hint}")
    elif lo_k is not None and hi_k is not None:
        budget = f" in {len(history)} evaluations" if len(history) >= max_evals else ""
        message = (f"{method} cannot reach K={target} ±{tolerance:.0%} by {param}: K jumps from "
                   f"{lo_k[1]} ({param}={_fmt(lo_k[0])}) to {hi_k[1]} ({param}={_fmt(hi_k[0])})"
                   f"{budget}; "
                   f"closest K={best_k} at {param}={_fmt(best_value)}. To get near the target, "
                   f"{hint}; or accept the closest value (--param {param}={_fmt(best_value)})")
    else:
        side = "most" if best_k < target else "fewest"
        message = (f"{method} cannot reach K={target} by {param} on this image: the {side} it "
                   f"gave is K={best_k} at {param}={_fmt(best_value)} (range {_fmt(low)}.."
                   f"{_fmt(high)}, {len(history)} evaluations). {hint[0].upper()}{hint[1:]}")
    return TuneResult(param=param, value=best_value, num_segments=best_k, target=target,
                      reached=reached, message=message, history=tuple(history),
                      superpixels=cache[best_value])


@dataclass(frozen=True)
class SweepResult:
    """Outcome of :func:`sweep`: one row of measures per setting.

    Attributes
    ----------
    method : str
    settings : tuple of dict
        The swept parameter values of each row.
    rows : tuple of dict
        Parameters, K, measures and runtime of each setting (what the CSV holds). A
        parameter whose name is also a measure's (slic ``compactness``) is the column
        ``"compactness (param)"``.
    superpixels : tuple of Superpixels
        The segmentations, in row order.
    """

    method: str
    settings: tuple[dict[str, Any], ...]
    rows: tuple[dict[str, Any], ...]
    superpixels: tuple[Superpixels, ...] = field(repr=False)

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        cols: list[str] = []
        for row in self.rows:
            cols.extend(c for c in row if c not in cols)
        return cols

    def titles(self) -> list[str]:
        """Panel titles: ``"scale=10 K=412"``."""
        return [" ".join([*(f"{k}={_fmt(v)}" for k, v in s.items()),
                          f"K={sp.num_segments}"])
                for s, sp in zip(self.settings, self.superpixels, strict=True)]

    def gallery(self, image: Any, *, ncols: int | None = None, channel_axis: int | None = None,
                data_range: float | None = None):
        """A Pillow image of the boundaries of every setting, each panel titled with it."""
        from .render import draw_boundaries, gallery

        panels = [draw_boundaries(image, sp, channel_axis=channel_axis, data_range=data_range)
                  for sp in self.superpixels]
        return gallery(panels, self.titles(), ncols=ncols)

    def to_csv(self) -> str:
        """The table as CSV text (quoted, formulas neutralised; NaN as an empty cell)."""
        from ..io import csv_text

        return csv_text(self.rows, self.columns, missing="")

    def to_markdown(self, digits: int = 3) -> str:
        """The table as a Markdown table."""
        cols = self.columns
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for row in self.rows:
            lines.append("| " + " | ".join(_md_value(row.get(c), digits) for c in cols) + " |")
        return "\n".join(lines)


def _md_value(v: Any, digits: int) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.{digits}g}" if abs(v) < 1e4 else f"{v:.0f}"
    return str(v)


def sweep(
    image: Any,
    *,
    method: str,
    grid: Mapping[str, Sequence[Any]],
    gt: Any = None,
    ignore_index: int | None = None,
    tolerance: int | None = None,
    seed: int = 0,
    channel_axis: int | None = None,
    data_range: float | None = None,
    progress: bool = False,
    max_settings: int | None = 1000,
    time_limit: float | None = None,
    on_estimate: Estimate | None = None,
    **params: Any,
) -> SweepResult:
    """Segment with every combination of ``grid`` and measure each result.

    Parameters
    ----------
    image : array_like
        The image, as for :func:`segment`.
    method : str
        Superpixel method.
    grid : mapping of str to sequence
        Parameter name -> values; every combination is run (row order: last name fastest).
    gt : array_like, optional
        Ground-truth region map, adding boundary recall, undersegmentation error and ASA.
    ignore_index, tolerance
        As for :func:`superpixel_quality`.
    progress : bool
        Draw a progress bar on stderr.
    max_settings : int or None
        Refuse a grid of more combinations than this, before running any (None: no limit).
    time_limit : float, optional
        Seconds the sweep may take: after the first setting, a sweep whose estimate (settings
        × the first setting's time) exceeds it is refused with a ResourceError, and a
        sweep that runs over it stops with one.
    on_estimate : callable, optional
        Called once after the first setting with ``(number of settings, its seconds)``.
    seed, channel_axis, data_range, **params
        As for :func:`segment` (``params`` are held fixed).

    Examples
    --------
    >>> from skimage.data import astronaut
    >>> res = sweep(astronaut()[:64, :64], method="felzenszwalb", grid={"scale": [10, 100]},
    ...             channel_axis=-1)
    >>> [row["scale"] for row in res.rows]
    [10, 100]
    """
    spec = method_spec(method)
    if not grid:
        raise ParameterError("grid is empty; give at least one parameter and its values")
    for name, values in grid.items():
        if name in params:
            raise ParameterError(f"{name} is both swept (grid) and fixed; pass it only once")
        if isinstance(values, (str, bytes)) or len(values) == 0:
            raise ParameterError(f"grid[{name!r}] must be a non-empty list of values; got "
                                 f"{values!r}")
    unknown = [k for k in grid if k not in spec.defaults]
    if unknown:  # resolve_params raises, listing the valid names
        resolve_params(method, {k: grid[k][0] for k in unknown})
    names = list(grid)
    total = math.prod(len(grid[n]) for n in names)
    if max_settings is not None and total > max_settings:
        raise ResourceError(
            f"the grid has {total:,} settings ({' × '.join(f'{len(grid[n])} {n}' for n in names)}"
            f"), more than max_settings={max_settings:,} (CLI: --max-settings); narrow the grid "
            "or raise the limit"
        )
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise ParameterError(f"time_limit must be a positive number of seconds; got "
                             f"{time_limit!r}")
    combos = list(itertools.product(*(grid[n] for n in names)))
    started = time.perf_counter()
    img = np.asarray(image)
    img01 = as_float_image(img, channel_axis=channel_axis, data_range=data_range)
    settings: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    results: list[Superpixels] = []
    for combo in track(combos, total=len(combos), description=f"{method} sweep",
                       enabled=progress):
        setting = dict(zip(names, combo, strict=True))
        sp = segment(img, method=method, seed=seed, channel_axis=channel_axis,
                     data_range=data_range, **params, **setting)
        report = superpixel_quality(  # img01 is channels-last
            sp, img01, gt=gt, ignore_index=ignore_index, tolerance=tolerance,
            channel_axis=-1 if img01.ndim == 3 else None)
        summary = report.summary()
        # a parameter named like a measure (slic's compactness) gets its own column name
        row: dict[str, Any] = {(f"{k} (param)" if k in summary else k): v
                               for k, v in setting.items()}
        row.update(summary)
        row["num_segments"] = int(row["num_segments"])
        row["fragments"] = int(row["fragments"])
        settings.append(setting)
        rows.append(row)
        results.append(sp)
        _check_sweep_time(len(rows), len(combos), time.perf_counter() - started, time_limit,
                          on_estimate)
    return SweepResult(method=method, settings=tuple(settings), rows=tuple(rows),
                       superpixels=tuple(results))


def _check_sweep_time(done: int, total: int, elapsed: float, time_limit: float | None,
                      on_estimate: Estimate | None) -> None:
    """After the first setting: report the estimate and refuse a sweep that would run over."""
    if done == 1 and on_estimate is not None:
        on_estimate(total, elapsed)
    if time_limit is None or done == total:
        return
    projected = elapsed / done * total
    if done == 1 and projected > time_limit:
        raise ResourceError(
            f"the sweep would take about {projected:.0f} s ({total} settings × {elapsed:.2g} s), "
            f"more than time_limit={time_limit:g} s (CLI: --time-limit); narrow the grid or "
            "raise the limit"
        )
    if elapsed > time_limit:
        raise ResourceError(
            f"the sweep ran past time_limit={time_limit:g} s after {done} of {total} settings "
            "(CLI: --time-limit); narrow the grid or raise the limit"
        )
