"""The backend-neutral part of SSIM and MS-SSIM: formulas and checks, written once.

Every path imports this module: the NumPy functions (:mod:`._numpy`), the torch backend
(:mod:`._torch`), the all-pairs matrices (:mod:`.matrices`) and the compiled kernels
(:mod:`._ssim_kernel`, which compiles :func:`ssim_fractions` itself). The formulas are
pure arithmetic, so NumPy arrays, torch tensors (gradients flow) and scalars inside a
compiled loop all work; the checks look only at shapes and numbers.

``SSIM = l · cs`` with ``l = (2 μx μy + C1) / (μx² + μy² + C1)`` and
``cs = (2 σxy + C2) / (σx² + σy² + C2)`` (Wang, Bovik, Sheikh, Simoncelli 2004, eq. 13);
``MS-SSIM = Π_j cs_j^{w_j} · ssim_M^{w_M}`` (Wang, Simoncelli, Bovik 2003).

Examples
--------
>>> import numpy as np
>>> s, cs = ssim_terms(0.5, 0.5, 0.01, 0.01, 0.01, 1e-4, 9e-4)
>>> round(s, 12), round(cs, 12)
(1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import ParameterError, ShapeError
from ..options import REDUCTIONS
from .presets import SSIMPreset

__all__ = [
    "MS_SSIM_WEIGHTS",
    "batch_layout",
    "check_ms_size",
    "check_values_in_range",
    "check_weights",
    "check_window_fits",
    "combine_levels",
    "ms_ssim_sides",
    "reduce_items",
    "ssim_fractions",
    "ssim_from_moments",
    "ssim_terms",
]

#: Scale weights from Wang, Simoncelli, Bovik (2003), Table 1 / the reference code.
MS_SSIM_WEIGHTS: tuple[float, ...] = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


# ---------------------------------------------------------------- formulas
def ssim_fractions(mx: Any, my: Any, vx: Any, vy: Any, vxy: Any, c1: Any, c2: Any
                   ) -> tuple[Any, Any, Any, Any]:
    """Numerators and denominators of the luminance and contrast-structure terms.

    Returns ``(2 μx μy + C1, μx² + μy² + C1, 2 σxy + C2, σx² + σy² + C2)``. Doubling is
    written as a sum (exact in floating point) so that float32 inputs stay float32 inside
    compiled kernels. A caller that needs only SSIM divides once:
    ``(l_num · cs_num) / (l_den · cs_den)``.
    """
    mxy = mx * my
    return mxy + mxy + c1, mx * mx + my * my + c1, vxy + vxy + c2, vx + vy + c2


def ssim_terms(mx: Any, my: Any, vx: Any, vy: Any, vxy: Any, c1: Any, c2: Any
               ) -> tuple[Any, Any]:
    """SSIM and ``cs`` from local means, variances and covariance.

    Examples
    --------
    >>> s, cs = ssim_terms(0.2, 0.4, 0.0, 0.0, 0.0, 1e-4, 9e-4)
    >>> round(float(s), 4), cs
    (0.8001, 1.0)
    """
    l_num, l_den, cs_num, cs_den = ssim_fractions(mx, my, vx, vy, vxy, c1, c2)
    cs = cs_num / cs_den
    return l_num / l_den * cs, cs


def ssim_from_moments(mx: Any, my: Any, exx: Any, eyy: Any, exy: Any, preset: SSIMPreset,
                      ndim: int) -> tuple[Any, Any]:
    """SSIM and cs maps from the local means of x, y, x², y², xy (data scaled to [0, 1]).

    The (co)variances are the preset's: population, or ``n / (n - 1)`` times it.
    """
    norm = preset.cov_norm(ndim)
    vx = norm * (exx - mx * mx)
    vy = norm * (eyy - my * my)
    vxy = norm * (exy - mx * my)
    return ssim_terms(mx, my, vx, vy, vxy, preset.k1**2, preset.k2**2)


def combine_levels(values: Any, weights: Any) -> Any:
    """``Π_j max(v_j, 0)^{w_j}`` over the first axis (negative terms clipped, as pytorch-msssim).

    ``values`` is ``(M, ...)`` (NumPy array or tensor); ``weights`` has ``M`` entries.

    Examples
    --------
    >>> combine_levels(np.array([[0.25], [-0.5]]), np.array([0.5, 1.0])).tolist()
    [0.0]
    """
    shape = (-1,) + (1,) * (values.ndim - 1)
    w = np.asarray(weights, dtype=np.float64).reshape(shape)
    if not isinstance(values, np.ndarray):  # a tensor: the weights on its device and dtype
        w = values.new_tensor(w)
    return (values.clip(min=0.0) ** w).prod(0)


# ---------------------------------------------------------------- checks
def check_window_fits(shape: tuple[int, ...], preset: SSIMPreset, what: str = "image") -> None:
    """Raise :class:`ShapeError` when the window is larger than a spatial side."""
    if min(shape) < preset.win_size:
        hint = (" If the last axis holds colour channels, pass channel_axis=-1."
                if len(shape) == 3 and shape[-1] in (3, 4) else "")
        raise ShapeError(
            f"the {what} (spatial shape {tuple(shape)}) is smaller than the "
            f"{preset.win_size}-pixel SSIM window of preset {preset.name!r}; pass a smaller "
            f"odd win_size (e.g. win_size=3) or use larger images.{hint}"
        )


def check_weights(weights: Sequence[float] | None) -> np.ndarray:
    """Validated MS-SSIM scale weights as a float64 array (default :data:`MS_SSIM_WEIGHTS`)."""
    try:
        w = np.asarray(MS_SSIM_WEIGHTS if weights is None else weights, dtype=np.float64)
    except (TypeError, ValueError):
        w = np.empty(0)
    if w.ndim != 1 or w.size < 1 or not np.isfinite(w).all() or (w < 0).any():
        raise ParameterError(
            f"weights must be a non-empty 1-D sequence of non-negative numbers; got {weights!r}"
        )
    return w


def ms_ssim_sides(shape: tuple[int, ...], levels: int) -> list[tuple[int, ...]]:
    """Spatial shape at each of ``levels`` scales (odd sides gain one sample, then halve).

    Examples
    --------
    >>> ms_ssim_sides((13, 8), 3)
    [(13, 8), (7, 4), (4, 2)]
    """
    out = [tuple(shape)]
    for _ in range(levels - 1):
        out.append(tuple((s + 1) // 2 for s in out[-1]))
    return out


def check_ms_size(shape: tuple[int, ...], preset: SSIMPreset, levels: int) -> None:
    """Raise :class:`ShapeError` unless the smallest scale still holds the window."""
    if min(ms_ssim_sides(shape, levels)[-1]) < preset.win_size:
        need = (preset.win_size - 1) * 2 ** (levels - 1) + 1
        raise ShapeError(
            f"MS-SSIM with {levels} scales and a {preset.win_size}-pixel window needs spatial "
            f"sides of at least {need} pixels; got {tuple(shape)}. Pass fewer weights "
            "(scales), a smaller win_size, or use ssim"
        )


# ---------------------------------------------------------------- batches
def batch_layout(shape: tuple[int, ...], channel_axis: int | None) -> int | None:
    """Check the shape of a batch ``(N, *image)`` and return its channel axis (or None).

    ``channel_axis`` is an axis of the batch array (1 for ``(N, C, H, W)``, -1 for
    ``(N, H, W, C)``); ``None`` means grey items ``(N, H, W)`` or ``(N, D, H, W)``. A 4-D
    batch read without a channel axis whose axis 1 has length 1, 3 or 4, or whose last
    axis has length 3 or 4, looks like colour and is refused (the message names the fix).

    Examples
    --------
    >>> batch_layout((8, 3, 32, 32), 1), batch_layout((8, 32, 32, 3), -1)
    (1, 3)
    >>> batch_layout((8, 32, 32), None) is None
    True
    """
    shape = tuple(int(s) for s in shape)
    ndim = len(shape)
    if channel_axis is None:
        if ndim == 4 and shape[1] in (1, 3, 4):
            raise ShapeError(
                f"the batch has shape {shape} and channel_axis=None, so axis 1 (length "
                f"{shape[1]}) is read as depth; if it holds channels ((N, C, H, W), as in "
                "PyTorch), pass channel_axis=1"
            )
        if ndim == 4 and shape[-1] in (3, 4):
            raise ShapeError(
                f"the batch has shape {shape} and channel_axis=None, so the last axis "
                f"(length {shape[-1]}) is read as a spatial axis; if it holds colour channels "
                "((N, H, W, C)), pass channel_axis=-1"
            )
        if ndim not in (3, 4):
            raise ShapeError(
                f"a batch without a channel axis is (N, H, W) or (N, D, H, W); got shape "
                f"{shape}. Pass channel_axis (e.g. 1 for (N, C, H, W)) if it has one"
            )
        return None
    if not isinstance(channel_axis, (int, np.integer)) or isinstance(channel_axis, bool) or (
            not -ndim <= channel_axis < ndim):
        raise ShapeError(
            f"channel_axis={channel_axis!r} is not an axis of a batch of shape {shape}; use "
            "1 for (N, C, H, W) or -1 for (N, H, W, C)"
        )
    axis = int(channel_axis) % ndim
    if axis == 0:
        raise ShapeError(
            f"channel_axis={channel_axis} is the batch axis of shape {shape}; batches are "
            "(N, ...) with the items along axis 0. Use 1 for (N, C, H, W)"
        )
    if ndim not in (4, 5):
        raise ShapeError(
            f"a batch with a channel axis is (N, C, H, W) or (N, C, D, H, W) (channels on "
            f"any axis but 0); got shape {shape}"
        )
    return axis


def reduce_items(values: Any, reduction: str) -> Any:
    """Apply ``reduction`` to one value per item: their mean, their sum, or all of them.

    NumPy input gives a float for ``"mean"``/``"sum"``; a tensor stays a tensor.

    Examples
    --------
    >>> reduce_items(np.array([0.5, 1.0]), "mean"), reduce_items(np.array([0.5, 1.0]), "none")
    (0.75, array([0.5, 1. ]))
    """
    check_choice("reduction", reduction, REDUCTIONS)
    if reduction == "none":
        return values
    out = values.mean() if reduction == "mean" else values.sum()
    return float(out) if isinstance(values, np.ndarray) else out


def check_values_in_range(data_range: Any, *arrays: Any) -> None:
    """Warn when the values of ``arrays`` spread over more than a **given** ``data_range``.

    SSIM's constants and PSNR's peak are fractions of ``data_range``; values that span
    more (``data_range=1`` for 0..255 data) give numbers on a wrong scale without any
    error. Nothing is checked when ``data_range`` was not given (then it is the dtype's
    span, which values cannot exceed). The warning comes when the values spread over more
    than 1.5 × ``data_range``: the scale mistakes that matter are factors (``1`` for 0..255
    data is 255×), while resampling overshoot, a training loop's outputs that stray a little
    outside [0, 1], or a deliberate span for standardised images pass.
    NumPy arrays and torch tensors are read without copying them to another device.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     check_values_in_range(1.0, np.array([0.0, 255.0]))
    >>> caught[0].category.__name__
    'ValueRangeWarning'
    """
    if data_range is None:
        return
    import warnings

    from .._backend import is_tensor
    from ..errors import ValueRangeWarning

    span = float(data_range)
    lows, highs = [], []
    for a in arrays:
        if is_tensor(a):
            if a.numel() == 0 or str(a.dtype) == "torch.bool":
                continue
            d = a.detach()
            lows.append(float(d.amin()))
            highs.append(float(d.amax()))
        else:
            arr = np.asarray(a)
            if arr.size == 0:
                continue
            lows.append(float(np.min(arr)))
            highs.append(float(np.max(arr)))
    if not lows:
        return
    low, high = min(lows), max(highs)
    if np.isfinite(high - low) and high - low > span * 1.5:
        warnings.warn(ValueRangeWarning(
            f"the images' values span {low:g}..{high:g} (a range of {high - low:g}), more "
            f"than data_range={span:g}: SSIM and PSNR are then on a wrong scale. Pass the "
            f"span of the data (e.g. data_range={_round_span(high - low)}) or rescale the "
            "images"), stacklevel=3)


def _round_span(span: float) -> str:
    """A usual data_range just above ``span`` (1, 255, 4095, 65535), else ``span`` itself."""
    for known in (1, 255, 4095, 65535):
        if span / 1.5 <= known <= span * 1.5:
            return f"{known:g}"
    return f"{span:.4g}"
