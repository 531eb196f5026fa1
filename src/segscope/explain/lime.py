"""LIME explanations of an image classifier over superpixels (Ribeiro, Singh & Guestrin 2016).

Steps: sample on/off masks over the superpixels, build each perturbed image (switched-off
superpixels filled), score every image with the classifier in batches, weight each
sample by a kernel of its image-level distance to the original, and fit a weighted linear
surrogate whose coefficients are the superpixels' weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import resolve_data_range
from .._image import check_channel_axis
from .._progress import progress_bar
from ..errors import DataRangeError, ParameterError, ShapeError
from ..superpixels.methods import Superpixels, relabel_sequential
from .distances import (
    DISTANCES,
    cosine_distance,
    exponential_kernel,
    l2_distance,
    ssim_distance,
)
from .perturb import fill_image, perturb_batch
from .sampling import sample_masks
from .surrogate import fit_weighted_ridge

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True)
class Explanation:
    """A LIME explanation.

    Attributes
    ----------
    weights : ndarray, shape (K,)
        Surrogate coefficient of each superpixel: how much keeping it raises the score.
    intercept : float
        Surrogate intercept (its score with every superpixel switched off).
    r2 : float
        Held-out weighted R² of the surrogate (how faithful the linear fit is on samples it
        was not fitted to; see :mod:`segscope.explain.surrogate`). Near 0 or negative: the
        explanation does not describe the classifier.
    target : int or None
        Output column explained (None for a classifier returning one score per image).
    score : float
        The classifier's score of the original image for ``target``.
    segments : ndarray, shape (H, W)
        Superpixel labels ``0 .. K-1``.
    masks : ndarray of bool, shape (num_samples, K)
        The samples: True = superpixel kept; row 0 is the original image.
    scores : ndarray, shape (num_samples,)
        The classifier's score of each sample.
    distances, sample_weights : ndarray, shape (num_samples,)
        Image-level distance of each sample to the original and its kernel weight.
    settings : dict
        Everything that produced it (distance, kernel_width, fill, keep_probability, alpha,
        seed...).
    """

    weights: np.ndarray
    intercept: float
    r2: float
    target: int | None
    score: float
    segments: np.ndarray = field(repr=False)
    masks: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    distances: np.ndarray = field(repr=False)
    sample_weights: np.ndarray = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def num_segments(self) -> int:
        """K."""
        return int(self.weights.size)

    def top(self, k: int = 5, *, positive_only: bool = True) -> np.ndarray:
        """Ids of the ``k`` superpixels with the largest weights (only positive ones by default).

        Examples
        --------
        >>> e = Explanation(np.array([0.1, -0.5, 0.3]), 0.0, 1.0, None, 1.0,
        ...                 np.zeros((1, 3), int), np.ones((1, 3), bool), np.ones(1),
        ...                 np.zeros(1), np.ones(1))
        >>> e.top(5).tolist()
        [2, 0]
        """
        order = np.argsort(-self.weights, kind="stable")
        if positive_only:
            order = order[self.weights[order] > 0]
        return order[: max(int(k), 0)]

    def weight_map(self) -> np.ndarray:
        """``(H, W)`` float map: each pixel holds its superpixel's weight."""
        return self.weights[self.segments]


def _predict_scores(predict_fn: Callable[[np.ndarray], Any], batch: np.ndarray) -> np.ndarray:
    out = predict_fn(batch)
    if hasattr(out, "detach"):  # a torch tensor
        out = out.detach().cpu().numpy()
    arr = np.asarray(out, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[0] != batch.shape[0] or arr.ndim > 2:
        raise ShapeError(
            f"predict_fn must return one score per image (shape ({batch.shape[0]},)) or one row "
            f"of class scores per image ({batch.shape[0]}, num_classes); got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ParameterError("predict_fn returned NaN or infinite scores")
    return arr


def _pick(arr: np.ndarray, target: int | None) -> np.ndarray:
    if arr.ndim == 1:
        return arr
    return arr[:, target]


def _channels_last(arr: np.ndarray, channel_axis: int | None) -> tuple[np.ndarray, int | None]:
    """The image as ``(H, W)`` or ``(H, W, C)``, and the axis its channels came from."""
    if arr.ndim not in (2, 3) or arr.dtype.kind not in "biuf":
        raise ShapeError(
            f"image must be a numeric (H, W) array, or 3-D with channel_axis; got shape "
            f"{arr.shape}, dtype {arr.dtype}"
        )
    if arr.ndim == 2:
        return arr, None
    if channel_axis is None:
        check_channel_axis(arr.shape, None, volumes=False)
        raise ShapeError(
            f"image has shape {arr.shape} and channel_axis=None; pass the axis of its "
            "channels (channel_axis=-1 for (H, W, C), 0 for (C, H, W)), or a 2-D grey image"
        )
    if isinstance(channel_axis, bool) or not isinstance(channel_axis, (int, np.integer)) or (
            not -3 <= channel_axis < 3):
        raise ShapeError(f"channel_axis={channel_axis!r} is not an axis of an image of shape "
                         f"{arr.shape}")
    axis = int(channel_axis) % 3
    return np.moveaxis(arr, axis, -1), axis


def explain(
    image: Any,
    predict_fn: Callable[[np.ndarray], Any],
    *,
    segments: Any,
    num_samples: int = 1000,
    target: int | None = None,
    keep_probability: float = 0.5,
    fill: str | float = "mean",
    blur_sigma: float = 5.0,
    distance: str = "cosine",
    kernel_width: float = 0.25,
    alpha: float = 1.0,
    batch_size: int = 32,
    data_range: float | None = None,
    channel_axis: int | None = None,
    seed: int = 0,
    progress: bool = False,
) -> Explanation:
    """Explain ``predict_fn``'s score of ``image`` with weights per superpixel (LIME).

    Parameters
    ----------
    image : array_like
        ``(H, W)`` grey image, or a 3-D image with its channels on ``channel_axis``, in the
        units ``predict_fn`` expects; perturbed images keep its dtype and layout.
    predict_fn : callable
        Takes a batch ``(B, *image.shape)`` (the image's own layout, e.g. ``(B, H, W, C)``
        or ``(B, C, H, W)``) and returns ``(B,)`` scores or ``(B, num_classes)`` (NumPy
        array, list, or torch tensor).
    segments : array_like or Superpixels
        ``(H, W)`` superpixel labels (any integers; renumbered ``0 .. K-1``).
    num_samples : int
        Number of images scored, the original included.
    target : int, optional
        Output column to explain; default the original image's top class. Must be None for
        a classifier returning one score per image.
    keep_probability : float
        Probability that each superpixel is **kept** in a sample (so ``1 - keep_probability``
        is the probability that it is switched off).
    fill : ``"mean"``, ``"blur"`` or number
        What a switched-off superpixel shows: its mean colour, a Gaussian blur of the image
        (``blur_sigma``), or a constant in the image's units.
    distance : ``"cosine"``, ``"l2"`` or ``"ssim"``
        Image-level distance between each sample and the original (see
        :mod:`segscope.explain.distances`): cosine on the on/off vector, RMS pixel
        difference / ``data_range``, or ``1 − SSIM``.
    kernel_width : float
        Width of the kernel ``sqrt(exp(−d² / width²))`` (LIME's image default 0.25).
    alpha : float
        Ridge penalty of the surrogate (LIME's default 1.0; 0 = weighted least squares).
    batch_size : int
        Images per ``predict_fn`` call.
    data_range : float, optional
        Intensity span, used by ``"l2"`` and ``"ssim"``: required for float images; ``bool``,
        8- and 16-bit integer images use their dtype's span (segscope's one rule).
    channel_axis : int, optional
        Axis of the channels of a 3-D image (-1 for ``(H, W, C)``, 0 for ``(C, H, W)``);
        ``None`` (default) for a grey ``(H, W)`` image.
    seed : int
        Seed of the sampling: the same seed gives the same explanation.
    progress : bool
        Draw a progress bar on stderr.

    Returns
    -------
    Explanation

    Raises
    ------
    ParameterError
        For bad options, or when every kernel weight underflows to 0 (kernel too narrow).

    Examples
    --------
    >>> img = np.zeros((8, 8), np.uint8); img[:4, :4] = 200
    >>> seg = np.repeat(np.repeat(np.arange(4).reshape(2, 2), 4, 0), 4, 1)
    >>> f = lambda b: b[:, :4, :4].mean(axis=(1, 2)) / 255
    >>> e = explain(img, f, segments=seg, num_samples=64, fill=0, seed=1)
    >>> int(e.top(1)[0])
    0
    """
    img, axis = _channels_last(np.asarray(image), channel_axis)
    if img.dtype.kind == "f" and not np.isfinite(img).all():
        raise DataRangeError("image contains NaN or infinite values")
    seg_in = segments.labels if isinstance(segments, Superpixels) else np.asarray(segments)
    if seg_in.shape != img.shape[:2]:
        raise ShapeError(
            f"segments must have the image's height and width {img.shape[:2]}; got "
            f"{seg_in.shape}. Compute the superpixels on this image"
        )
    if seg_in.dtype.kind not in "iu" or (seg_in.size and seg_in.min() < 0):
        raise ParameterError("segments must be a non-negative integer label map")
    seg, k = relabel_sequential(seg_in)
    if distance not in DISTANCES:
        raise ParameterError(
            f"distance={distance!r} is not supported; choose one of "
            f"{', '.join(map(repr, DISTANCES))}"
        )
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ParameterError(f"batch_size must be a positive integer; got {batch_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer; got {seed!r}")
    span = (None if distance == "cosine" and data_range is None
            else resolve_data_range(data_range, img))
    if not (np.isfinite(kernel_width) and kernel_width > 0):
        raise ParameterError(f"kernel_width must be a positive number; got {kernel_width!r}")

    from .._memory import check_memory

    if isinstance(num_samples, (int, np.integer)) and not isinstance(num_samples, bool):
        # the on/off table (bool), its float copy for the fit, the batches of images
        check_memory(float(num_samples) * k * 17 + float(batch_size) * img.nbytes * 8,
                     f"num_samples={int(num_samples):,} for {k} superpixels",
                     fix="ask for fewer samples (CLI: --num-samples)")
    masks = sample_masks(k, num_samples, keep_probability=keep_probability,
                         rng=np.random.default_rng(seed))
    filler = fill_image(img, seg, k, fill, blur_sigma=blur_sigma)
    raw_scores: list[np.ndarray] = []
    ssim_d: list[np.ndarray] = []
    n = masks.shape[0]
    with progress_bar(total=n, description="LIME samples", enabled=progress) as advance:
        for start in range(0, n, int(batch_size)):
            chunk = masks[start:start + int(batch_size)]
            batch = perturb_batch(img, filler, seg, chunk)
            shown = batch if axis in (None, 2) else np.moveaxis(batch, -1, axis + 1)
            raw_scores.append(_predict_scores(predict_fn, shown))
            if distance == "ssim":
                ssim_d.append(ssim_distance(batch, img, span))
            advance(chunk.shape[0])
    all_scores = np.concatenate(raw_scores, axis=0)
    if all_scores.ndim == 2:
        num_outputs = all_scores.shape[1]
        if target is None:
            target = int(np.argmax(all_scores[0]))
        elif isinstance(target, bool) or not (0 <= int(target) < num_outputs):
            raise ParameterError(
                f"target={target!r} is not an output column; predict_fn returns "
                f"{num_outputs} scores per image (0..{num_outputs - 1})"
            )
        target = int(target)
    elif target is not None:
        raise ParameterError(
            f"target={target!r} was given but predict_fn returns one score per image; "
            "leave target unset"
        )
    y = _pick(all_scores, target)

    if distance == "cosine":
        dist = cosine_distance(masks)
    elif distance == "l2":
        diff = (img.astype(np.float64) - filler.astype(np.float64)) ** 2
        per_pixel = diff.reshape(seg.size, -1).sum(axis=1)
        sse = np.bincount(seg.ravel(), weights=per_pixel, minlength=k)
        dist = l2_distance(sse, masks, int(img.size), span)
    else:
        dist = np.concatenate(ssim_d)
    weights = exponential_kernel(dist, kernel_width)
    if not weights[1:].any():
        raise ParameterError(
            f"every perturbed sample's kernel weight is 0 (distances {dist[1:].min():.3g}.."
            f"{dist[1:].max():.3g}, kernel_width={kernel_width}), so only the original image "
            "would count; increase kernel_width"
        )
    fit = fit_weighted_ridge(masks.astype(np.float64), y, weights, alpha=alpha)
    settings = {
        "num_samples": int(n), "keep_probability": float(keep_probability),
        "fill": fill, "blur_sigma": float(blur_sigma), "distance": distance,
        "kernel_width": float(kernel_width), "alpha": float(alpha), "data_range": span,
        "channel_axis": channel_axis, "seed": int(seed), "batch_size": int(batch_size),
    }
    return Explanation(
        weights=fit.coef, intercept=float(fit.intercept), r2=float(fit.r2), target=target,
        score=float(y[0]), segments=seg, masks=masks, scores=y, distances=dist,
        sample_weights=weights, settings=settings,
    )
