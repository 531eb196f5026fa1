"""The superpixel methods segscope offers, their parameters, and one entry point.

Every method wraps a scikit-image function (current 0.26 API) and returns labels
``0 .. K-1`` with no gaps. Parameters are checked against the method's list: an
unknown or misspelt name is an error that lists the valid names (never silently
dropped), and names from older scikit-image releases point to their current names.

Methods
-------
``felzenszwalb``
    Felzenszwalb & Huttenlocher (2004) graph-based merging; ``skimage.segmentation.felzenszwalb``.
``quickshift``
    Vedaldi & Soatto (2008) mode seeking; ``skimage.segmentation.quickshift``
    (``rng`` is taken from ``seed``).
``slic``
    Achanta et al. (2012) k-means in colour + position; ``skimage.segmentation.slic``.
``slic-zero``
    SLIC with per-segment adaptive compactness (SLICO, Achanta et al. 2012);
    ``slic(..., slic_zero=True)``.
``watershed``
    Compact watershed (Neubert & Protzel 2014) on the Sobel gradient of the grey image,
    from ``n_segments`` markers on a regular grid; ``skimage.segmentation.watershed``.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._image import as_float_image
from ..errors import ParameterError

__all__ = ["METHODS", "MethodSpec", "Superpixels", "relabel_sequential", "segment"]


# ---------------------------------------------------------------------------- values
def _positive(name: str, v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a positive number; got {v!r}")
    if not (np.isfinite(v) and v > 0):
        raise ParameterError(f"{name} must be a positive number; got {v!r}")
    return v


def _at_least_one(name: str, v: Any) -> Any:
    _positive(name, v)
    if v < 1:
        raise ParameterError(f"{name} must be at least 1; got {v!r}")
    return v


def _unit_interval(name: str, v: Any) -> Any:
    _non_negative(name, v)
    if v > 1:
        raise ParameterError(f"{name} must be between 0 and 1; got {v!r}")
    return v


def _non_negative(name: str, v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number >= 0; got {v!r}")
    if not (np.isfinite(v) and v >= 0):
        raise ParameterError(f"{name} must be a number >= 0; got {v!r}")
    return v


def _positive_int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)):
        raise ParameterError(f"{name} must be a positive integer; got {v!r}")
    if float(v) != int(v) or int(v) < 1:
        raise ParameterError(f"{name} must be a positive integer; got {v!r}")
    return int(v)


def _non_negative_int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)):
        raise ParameterError(f"{name} must be an integer >= 0; got {v!r}")
    if float(v) != int(v) or int(v) < 0:
        raise ParameterError(f"{name} must be an integer >= 0; got {v!r}")
    return int(v)


def _boolean(name: str, v: Any) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise ParameterError(f"{name} must be True or False; got {v!r}")
    return bool(v)


def _optional_boolean(name: str, v: Any) -> bool | None:
    return None if v is None else _boolean(name, v)


def _optional_spacing(name: str, v: Any) -> Any:
    if v is None:
        return None
    sp = np.asarray(v, dtype=float)
    if sp.shape != (2,) or not (np.isfinite(sp).all() and (sp > 0).all()):
        raise ParameterError(f"{name} must be None or two positive numbers (rows, cols); got {v!r}")
    return sp


# ---------------------------------------------------------------------------- runners
def _run_felzenszwalb(img: np.ndarray, colour: bool, p: dict, seed: int) -> np.ndarray:
    from skimage.segmentation import felzenszwalb

    return felzenszwalb(img, scale=p["scale"], sigma=p["sigma"], min_size=p["min_size"],
                        channel_axis=-1 if colour else None)


def _run_quickshift(img: np.ndarray, colour: bool, p: dict, seed: int) -> np.ndarray:
    from skimage.segmentation import quickshift

    convert2lab = p["convert2lab"]
    if convert2lab is None:
        convert2lab = colour
    if convert2lab and not colour:
        raise ParameterError(
            "quickshift convert2lab=True needs an RGB image; this image is grey. "
            "Leave convert2lab unset (None) or pass convert2lab=False"
        )
    return quickshift(img, ratio=p["ratio"], kernel_size=p["kernel_size"],
                      max_dist=p["max_dist"], sigma=p["sigma"], convert2lab=convert2lab,
                      rng=seed, channel_axis=-1)  # grey input becomes (H, W, 1) inside


def _slic_kwargs(p: dict) -> dict:
    return {k: p[k] for k in ("n_segments", "compactness", "max_num_iter", "sigma", "spacing",
                              "convert2lab", "enforce_connectivity", "min_size_factor",
                              "max_size_factor")}


def _run_slic(img: np.ndarray, colour: bool, p: dict, seed: int) -> np.ndarray:
    from skimage.segmentation import slic

    if p["convert2lab"] and not colour:
        raise ParameterError("slic convert2lab=True needs an RGB image; this image is grey")
    return slic(img, start_label=0, channel_axis=-1 if colour else None, **_slic_kwargs(p))


def _run_slic_zero(img: np.ndarray, colour: bool, p: dict, seed: int) -> np.ndarray:
    from skimage.segmentation import slic

    if p["convert2lab"] and not colour:
        raise ParameterError("slic convert2lab=True needs an RGB image; this image is grey")
    return slic(img, start_label=0, slic_zero=True, channel_axis=-1 if colour else None,
                **_slic_kwargs(p))


def watershed_gradient(img: np.ndarray, colour: bool) -> np.ndarray:
    """Sobel gradient magnitude of the grey version of a ``[0, 1]`` image.

    Examples
    --------
    >>> float(watershed_gradient(np.zeros((4, 4)), False).max())
    0.0
    """
    from skimage.color import rgb2gray
    from skimage.filters import sobel

    return sobel(rgb2gray(img) if colour else img)


def _run_watershed(img: np.ndarray, colour: bool, p: dict, seed: int) -> np.ndarray:
    from skimage.segmentation import watershed

    return watershed(watershed_gradient(img, colour), markers=p["n_segments"],
                     compactness=p["compactness"])


# ---------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class MethodSpec:
    """One superpixel method: its defaults, value checks and runner.

    Attributes
    ----------
    name : str
        Method name used by :func:`segment` and the CLI.
    defaults : mapping
        Every accepted parameter and its default (scikit-image's, unless noted).
    checks : mapping
        Parameter name -> function ``(name, value) -> value`` that raises
        :class:`ParameterError` on a bad value.
    run : callable
        ``run(float_image, is_colour, params, seed) -> labels``.
    reference : str
        The scikit-image call it wraps.
    tunable : mapping
        Parameters :func:`tune` may search, and how K moves as they grow
        (``"increasing"`` or ``"decreasing"``).
    """

    name: str
    defaults: Mapping[str, Any]
    checks: Mapping[str, Callable[[str, Any], Any]]
    run: Callable[[np.ndarray, bool, dict, int], np.ndarray]
    reference: str
    tunable: Mapping[str, str] = field(default_factory=dict)


_SLIC_DEFAULTS = {"n_segments": 100, "compactness": 10.0, "max_num_iter": 10, "sigma": 0.0,
                  "spacing": None, "convert2lab": None, "enforce_connectivity": True,
                  "min_size_factor": 0.5, "max_size_factor": 3.0}
_SLIC_CHECKS = {"n_segments": _positive_int, "compactness": _positive,
                "max_num_iter": _positive_int, "sigma": _non_negative,
                "spacing": _optional_spacing, "convert2lab": _optional_boolean,
                "enforce_connectivity": _boolean, "min_size_factor": _non_negative,
                "max_size_factor": _positive}

METHODS: dict[str, MethodSpec] = {
    "felzenszwalb": MethodSpec(
        name="felzenszwalb",
        defaults={"scale": 1.0, "sigma": 0.8, "min_size": 20},
        checks={"scale": _positive, "sigma": _non_negative, "min_size": _non_negative_int},
        run=_run_felzenszwalb,
        reference="skimage.segmentation.felzenszwalb(image, scale, sigma, min_size)",
        tunable={"scale": "decreasing", "min_size": "decreasing"},
    ),
    "quickshift": MethodSpec(
        name="quickshift",
        defaults={"ratio": 1.0, "kernel_size": 5.0, "max_dist": 10.0, "sigma": 0.0,
                  "convert2lab": None},
        checks={"ratio": _unit_interval, "kernel_size": _at_least_one, "max_dist": _positive,
                "sigma": _non_negative, "convert2lab": _optional_boolean},
        run=_run_quickshift,
        reference="skimage.segmentation.quickshift(image, ratio, kernel_size, max_dist, "
                  "sigma, convert2lab, rng=seed); convert2lab=None means True for RGB",
        tunable={"kernel_size": "decreasing", "max_dist": "decreasing"},
    ),
    "slic": MethodSpec(
        name="slic",
        defaults=dict(_SLIC_DEFAULTS),
        checks=dict(_SLIC_CHECKS),
        run=_run_slic,
        reference="skimage.segmentation.slic(image, n_segments, compactness, ..., start_label=0)",
        tunable={"n_segments": "increasing"},
    ),
    "slic-zero": MethodSpec(
        name="slic-zero",
        defaults=dict(_SLIC_DEFAULTS),
        checks=dict(_SLIC_CHECKS),
        run=_run_slic_zero,
        reference="skimage.segmentation.slic(image, ..., slic_zero=True, start_label=0)",
        tunable={"n_segments": "increasing"},
    ),
    "watershed": MethodSpec(
        name="watershed",
        defaults={"n_segments": 100, "compactness": 0.001},
        checks={"n_segments": _positive_int, "compactness": _non_negative},
        run=_run_watershed,
        reference="skimage.segmentation.watershed(sobel(rgb2gray(image)), "
                  "markers=n_segments, compactness) (segscope's default compactness 0.001, "
                  "as in scikit-image's compact-watershed example)",
        tunable={"n_segments": "increasing"},
    ),
}

# names users bring from older scikit-image releases or from other libraries
_HINTS = {
    "max_iter": "it is called max_num_iter in current scikit-image",
    "multichannel": "pass channel_axis to segment() instead (None for grey images)",
    "random_seed": "pass seed to segment() instead (quickshift's rng comes from it)",
    "rng": "pass seed to segment() instead (quickshift's rng comes from it)",
    "start_label": "segscope labels always start at 0 and run to K-1 without gaps",
    "markers": "use n_segments (the number of grid markers)",
    "mask": "masked superpixels are not supported; crop the image instead",
    "return_tree": "not supported; segscope returns labels only",
    "slic_zero": "use method='slic-zero'",
}


def method_spec(method: str) -> MethodSpec:
    """The :class:`MethodSpec` of ``method`` or a :class:`ParameterError` listing the methods.

    Examples
    --------
    >>> method_spec("slic").name
    'slic'
    """
    spec = METHODS.get(method) if isinstance(method, str) else None
    if spec is None:
        close = difflib.get_close_matches(str(method), list(METHODS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(
            f"method={method!r} is not a superpixel method{hint}; choose one of "
            f"{', '.join(map(repr, METHODS))}"
        )
    return spec


def resolve_params(method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The method's defaults updated with ``params``, every name and value checked.

    Raises
    ------
    ParameterError
        For an unknown name (listing the valid ones) or a bad value.

    Examples
    --------
    >>> resolve_params("felzenszwalb", {"scale": 100})["scale"]
    100
    """
    spec = method_spec(method)
    unknown = [k for k in params if k not in spec.defaults]
    if unknown:
        notes = []
        for k in unknown:
            if k in _HINTS:
                notes.append(f"{k!r}: {_HINTS[k]}")
            else:
                close = difflib.get_close_matches(k, list(spec.defaults), n=1)
                notes.append(f"{k!r}: did you mean {close[0]!r}?" if close else f"{k!r}")
        raise ParameterError(
            f"unknown parameter(s) for method={method!r}: {'; '.join(notes)}. "
            f"Valid parameters: {', '.join(spec.defaults)}"
        )
    out = dict(spec.defaults)
    for k, v in params.items():
        out[k] = spec.checks[k](k, v)
    return out


def relabel_sequential(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Map the labels present in ``labels`` to ``0 .. K-1`` (order kept); return ``(labels, K)``.

    Examples
    --------
    >>> out, k = relabel_sequential(np.array([[3, 3, 7], [9, 7, 3]]))
    >>> out.tolist(), k
    ([[0, 0, 1], [2, 1, 0]], 3)
    """
    arr = np.asarray(labels)
    if arr.size == 0:
        return arr.astype(np.int32), 0
    lo = int(arr.min())
    shifted = arr - lo if lo != 0 else arr
    present = np.bincount(shifted.ravel()) > 0
    lut = (np.cumsum(present) - 1).astype(np.int32)
    return lut[shifted], int(present.sum())


@dataclass(frozen=True)
class Superpixels:
    """A superpixel segmentation and how it was made.

    Attributes
    ----------
    labels : ndarray of int32, shape (H, W)
        Superpixel of each pixel, ``0 .. num_segments - 1``, every value used.
    num_segments : int
        K, the number of superpixels.
    method : str
        Method name.
    params : dict
        Every parameter the method ran with (defaults filled in).
    seed : int
        Seed given to randomised methods (quickshift).
    runtime_s : float
        Wall-clock seconds of the whole call (checks, scaling, method, renumbering).
    method_runtime_s : float
        Wall-clock seconds spent inside the scikit-image method alone; the difference to
        ``runtime_s`` is segscope's own overhead.
    """

    labels: np.ndarray
    num_segments: int
    method: str
    params: Mapping[str, Any]
    seed: int = 0
    runtime_s: float = float("nan")
    method_runtime_s: float = float("nan")

    def describe(self) -> str:
        """Short text such as ``"slic n_segments=200 compactness=10"`` (non-default values)."""
        spec = METHODS[self.method]
        changed = [f"{k}={_fmt(v)}" for k, v in self.params.items()
                   if not _same(v, spec.defaults.get(k))]
        return " ".join([self.method, *changed])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is b
    return a == b


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, np.ndarray):
        return ",".join(f"{x:g}" for x in v)
    return str(v)


def segment(
    image: Any,
    *,
    method: str = "slic",
    seed: int = 0,
    channel_axis: int | None = None,
    data_range: float | None = None,
    split_disconnected: bool = False,
    **params: Any,
) -> Superpixels:
    """Split an image into superpixels with one of :data:`METHODS`.

    Parameters
    ----------
    image : array_like
        Grey ``(H, W)`` or colour image (colour axis ``channel_axis``).
    method : str
        ``"felzenszwalb"``, ``"quickshift"``, ``"slic"``, ``"slic-zero"`` or ``"watershed"``.
    seed : int
        Seed for randomised methods (quickshift's ``rng``); the others are deterministic.
    channel_axis : int or None
        Axis of the colour channels of a 3-D image (e.g. -1 for ``(H, W, 3)``); ``None``
        (default) for a grey ``(H, W)`` image.
    data_range : float, optional
        Intensity span mapped to ``[0, 1]`` before segmenting: required for float images;
        ``bool``, 8- and 16-bit integer images use their dtype's span (the one rule of
        ``segscope``, see :func:`segscope.superpixels.as_float_image`).
    split_disconnected : bool
        quickshift (and, rarely, other methods) can give one label to several separate
        pieces. With ``True`` every 8-connected piece becomes its own superpixel (K grows);
        the default keeps scikit-image's labels. :func:`num_fragments` counts the pieces.
    **params
        The method's parameters under their scikit-image names; see ``METHODS[m].defaults``.
        Unknown names raise :class:`ParameterError` listing the valid ones.

    Returns
    -------
    Superpixels
        Labels ``0 .. K-1``, ``num_segments`` (K), the parameters used and the runtime.

    Examples
    --------
    >>> from skimage.data import astronaut
    >>> sp = segment(astronaut()[:64, :64], method="slic", n_segments=16, channel_axis=-1)
    >>> sp.labels.min(), sp.labels.max() == sp.num_segments - 1
    (np.int32(0), np.True_)
    """
    start = time.perf_counter()
    spec = method_spec(method)
    resolved = resolve_params(method, params)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer; got {seed!r}")
    img = as_float_image(image, channel_axis=channel_axis, data_range=data_range)
    _check_segment_count(resolved, img, channel_axis)
    method_start = time.perf_counter()
    raw = spec.run(img, img.ndim == 3, resolved, int(seed))
    method_elapsed = time.perf_counter() - method_start
    if split_disconnected:
        from skimage.measure import label

        raw = label(np.asarray(raw, dtype=np.int64), connectivity=2, background=-1) - 1
    labels, k = relabel_sequential(raw)
    elapsed = time.perf_counter() - start
    return Superpixels(labels=labels, num_segments=k, method=method, params=resolved,
                       seed=int(seed), runtime_s=elapsed, method_runtime_s=method_elapsed)


def _check_segment_count(params: dict[str, Any], img: np.ndarray, channel_axis: int | None
                         ) -> None:
    """An ``n_segments`` above the pixel count cannot be met and makes the method allocate
    per segment: refused before it runs."""
    n = params.get("n_segments")
    colour = channel_axis is not None and img.ndim == 3
    pixels = img.size // (img.shape[-1] if colour else 1)
    if isinstance(n, (int, float, np.integer, np.floating)) and n > pixels:
        raise ParameterError(
            f"n_segments={n:,} is more than the image's {pixels:,} pixels; ask for at most "
            f"{pixels:,} superpixels (CLI: -n/--n-segments)"
        )
