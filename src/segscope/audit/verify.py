"""Exact verification of a candidate pair on aligned thumbnails.

Two thumbnails are first **aligned**: if one image is a crop of the other, the window of
the larger one that the crop shows is found by searching window sides (down to
``1 - max_crop`` of the side, each axis on its own) and offsets: coarse (32×32 samples,
2-pixel steps) in both directions, then, for the better direction, fine (64×64 samples,
1, 1/2 and 1/4 pixel steps) around the best coarse window. A pair whose best coarse
correlation is below 0.45 is not refined (planted copies give at least 0.58). Then three
measures are taken on the aligned pair, each standardised to zero mean and unit variance
(so brightness and contrast do not count):

``ncc``
    Pearson correlation of the two planes. Survives noise (the thumbnail averages it
    away), blur, JPEG and small crops (after alignment).
``ssim``
    segscope's SSIM (:func:`segscope.similarity.ssim`, Wang et al. 2004 preset) of the two
    standardised planes with ``data_range=8`` (±4 σ; values clipped to ±6 σ, so that
    bright outliers raise no range warning). Sensitive to local structure: it
    separates consecutive sections of a microscopy stack, whose coarse layout correlates.
    The planes are standardised on the pixels where they agree (those whose standardised
    values differ by at most 3; twice), so that a bright caption on a dark image does not
    rescale the rest of the copy; two different images have few such outliers and keep
    their scores.
``match``
    The share of the image where the local SSIM (the map :func:`~segscope.similarity.ssim`
    averages, on the same planes) is at least 0.5: a caption or logo pasted over a small
    part of the image lowers it only by that part.
``ncc_low``, ``ssim_low``
    The same two measures on the aligned pair halved to 32×32 (2×2 area means, again
    standardised). Halving leaves the structure at scales of two thumbnail pixels and
    more but halves the standard deviation of independent pixel noise, so a noisy copy
    of an image whose own contrast is about the noise level (σ = 0.05 of the range on a
    faint micrograph) still correlates; the thresholds on these are stricter, because the
    fine structure that separates consecutive sections of a stack is partly averaged away.

A pair is a near-duplicate when ``ssim >= min_ssim`` and either ``ncc >= min_ncc`` or
``match >= min_match``, or when ``ncc_low >= min_ncc_low`` and ``ssim_low >=
min_ssim_low`` (see :class:`Thresholds`; the defaults are chosen on the planted
benchmark, ``benchmarks/dedup.py``, and recorded in ``docs/audit.md``).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a = (np.add.outer(np.arange(64), np.arange(64)) * 2).astype(np.uint8)
>>> s = verify_pair(a, a)
>>> round(s.ncc, 6), round(s.ssim, 6), s.crop
(1.0, 1.0, 0.0)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import ParameterError

__all__ = ["PairScores", "Thresholds", "verify_pair"]

_LOCAL = 0.5
# standardised difference beyond which a pixel is an overlay, not the image (see _robust)
_OUTLIER = 3.0
# coarse correlation below which no refinement is tried (copies give >= 0.58, see docs)
_PREFILTER = 0.45


@dataclass(frozen=True)
class Thresholds:
    """When a verified pair counts as a near-duplicate.

    Parameters
    ----------
    min_ssim : float
        Lowest SSIM of the aligned, standardised thumbnails.
    min_ncc : float
        Lowest correlation of the aligned thumbnails.
    min_match : float
        Lowest share of locally matching pixels (the alternative to ``min_ncc``, for
        overlays).
    max_crop : float
        Largest fraction of a side that may be cropped away (alignment search range).
    min_ncc_low, min_ssim_low : float
        The alternative rule on the halved (32×32) aligned pair: both must be reached
        (catches noisy copies of low-contrast images).

    Examples
    --------
    >>> Thresholds().min_ssim <= 1
    True
    """

    min_ssim: float = 0.5
    min_ncc: float = 0.85
    min_match: float = 0.7
    max_crop: float = 0.12
    min_ncc_low: float = 0.87
    min_ssim_low: float = 0.62

    def __post_init__(self) -> None:
        for name in ("min_ssim", "min_ncc", "min_match", "min_ncc_low", "min_ssim_low"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not -1 <= value <= 1:
                raise ParameterError(f"{name} must be a number in [-1, 1]; got {value!r}")
        if not isinstance(self.max_crop, (int, float)) or not 0 <= self.max_crop < 0.5:
            raise ParameterError(f"max_crop must be in [0, 0.5); got {self.max_crop!r}")

    def accepts(self, scores: PairScores) -> bool:
        """Whether ``scores`` describe a near-duplicate."""
        fine = scores.ssim >= self.min_ssim and (scores.ncc >= self.min_ncc
                                                 or scores.match >= self.min_match)
        return fine or (scores.ncc_low >= self.min_ncc_low
                        and scores.ssim_low >= self.min_ssim_low)


@dataclass(frozen=True)
class PairScores:
    """The measures of one aligned pair.

    Attributes
    ----------
    ncc, ssim, match : float
        See the module documentation.
    crop : float
        Fraction of the larger image's area outside the aligned window (0: no crop).
    contained : int
        ``0`` when the first image is the larger one (the second is its crop), ``1`` when
        it is the other way round.
    ncc_low, ssim_low : float
        ``ncc`` and ``ssim`` of the aligned pair halved to 32×32 (see the module
        documentation).
    """

    ncc: float
    ssim: float
    match: float
    crop: float
    contained: int
    ncc_low: float
    ssim_low: float

    def as_dict(self) -> dict[str, float]:
        """The scores as a dictionary."""
        return asdict(self)


def _standardise(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    x = x - x.mean()
    sd = x.std()
    return x / sd if sd > 0 else x


def _halve(x: np.ndarray) -> np.ndarray:
    h, w = x.shape
    return x[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def _sides(side: int, max_crop: float, step: int) -> np.ndarray:
    lowest = int(np.ceil(side * (1.0 - max_crop)))
    return np.arange(side, lowest - 1, -step, dtype=np.float64)


def _coarse(container: np.ndarray, content: np.ndarray, max_crop: float
            ) -> tuple[float, float, float, float, float]:
    """Coarse window search: 32×32 samples, sides by 3 pixels, offsets by 2."""
    from ._align import best_window

    side = float(container.shape[0])
    sides = np.arange(side, side * (1.0 - max_crop) - 1e-9, -3.0)
    return best_window(container, _halve(content), sides, sides, 2.0, 0.0, side, 0.0, side)


def _near(container: np.ndarray, content: np.ndarray, max_crop: float,
          box: tuple[float, float, float, float]) -> tuple[float, float, float, float, float]:
    """Coarse search (32×32 samples) within ±2 pixels of ``box`` (sides by 2, offsets by 1).

    A window hash matches over a few pixels of misalignment (it sees 8×8 frequencies), so
    the window it names is only close to the crop.
    """
    from ._align import best_window

    side = float(container.shape[0])
    y0, x0, h, w = box
    lowest = side * (1.0 - max_crop)
    hs = np.unique(np.clip(h + np.array([-2.0, 0.0, 2.0]), lowest, side))
    ws = np.unique(np.clip(w + np.array([-2.0, 0.0, 2.0]), lowest, side))
    return best_window(container, _halve(content), hs, ws, 1.0, y0 - 2, y0 + 2, x0 - 2, x0 + 2)


def _refine(container: np.ndarray, content: np.ndarray, max_crop: float,
            start: tuple[float, float, float, float, float]
            ) -> tuple[float, float, float, float, float]:
    """Full-resolution search around ``start``, by 1, 1/2 and 1/4 pixel."""
    from ._align import best_window

    side = float(container.shape[0])
    lowest = side * (1.0 - max_crop)
    best = start
    for step in (1.0, 0.5, 0.25):
        _, y0, x0, h, w = best
        fine_h = np.unique(np.clip(h + step * np.arange(-1, 2), lowest, side))
        fine_w = np.unique(np.clip(w + step * np.arange(-1, 2), lowest, side))
        found = best_window(container, content, fine_h, fine_w, step, y0 - step, y0 + step,
                            x0 - step, x0 + step)
        if step == 1.0 or found[0] > best[0]:
            best = found
    return best


def _robust(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a``, ``b`` (standardised) standardised again on the pixels where they agree.

    Pixels whose standardised values differ by more than :data:`_OUTLIER` are left out of
    the mean and the standard deviation (twice: the second pass uses the first's planes),
    so that an overlay (a bright caption on a dark image) does not rescale the rest of
    the copy. Where no pixel differs that much, the planes are returned unchanged.
    """
    x, y = a, b
    for _ in range(2):
        keep = np.abs(x - y) <= _OUTLIER
        if keep.all() or keep.mean() < 0.5:  # nothing to leave out / not one image
            break
        x, y = _standardise_on(a, keep), _standardise_on(b, keep)
    return x, y


def _standardise_on(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    inside = x[keep]
    sd = inside.std()
    return (x - inside.mean()) / sd if sd > 0 else x - inside.mean()


def _measures(a: np.ndarray, b: np.ndarray, crop: float, contained: int) -> PairScores:
    from ..similarity import ssim_map

    a = _standardise(a)
    b = _standardise(b)
    ncc = float((a * b).mean())
    local = ssim_map(*_for_ssim(*_robust(a, b)), data_range=_SSIM_SPAN)
    low_a = _standardise(_halve(a))
    low_b = _standardise(_halve(b))
    return PairScores(ncc, float(local.mean()), float((local >= _LOCAL).mean()), crop,
                      contained, float((low_a * low_b).mean()),
                      float(ssim_map(*_for_ssim(low_a, low_b), data_range=_SSIM_SPAN).mean()))


#: SSIM's span for standardised planes (±4 σ); values are clipped to ±6 σ, the 1.5 × span
#: that segscope's SSIM accepts without a ValueRangeWarning (a bright star in a photo of the
#: sky lies 20 σ out: the clip changes a handful of pixels, and no warning reaches the user).
_SSIM_SPAN = 8.0


def _for_ssim(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bound = 0.75 * _SSIM_SPAN
    return np.clip(a, -bound, bound), np.clip(b, -bound, bound)


def verify_pair(thumb_a: np.ndarray, thumb_b: np.ndarray, /, *,
                thresholds: Thresholds | None = None, flips: bool = False,
                rotations: bool = False,
                hint: tuple[int, tuple[float, float, float, float]] | None = None
                ) -> PairScores:
    """Align two square thumbnails (crop search) and measure their similarity.

    Parameters
    ----------
    thumb_a, thumb_b : (S, S) ndarray
        Grey thumbnails of the same side (e.g. :func:`segscope.io.read_thumbnail`).
    thresholds : Thresholds, optional
        Gives the crop search range (``max_crop``) and the early exit: a pair that already
        passes without alignment is not searched.
    flips, rotations : bool
        Also compare ``thumb_b`` mirrored / turned by 90° steps; the orientation with the
        highest correlation is aligned and measured.
    hint : (int, (y0, x0, h, w)), optional
        A window thought to align the pair: ``(0, box)`` when ``box`` of ``thumb_a`` shows
        ``thumb_b``, ``(1, box)`` the other way round (the window whose hash made the pair a
        candidate). The search then starts there, and a pair that does not correlate at
        least 0.45 in that window is rejected without a search.

    Returns
    -------
    PairScores

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> a = rng.random((64, 64))
    >>> verify_pair(a, rng.random((64, 64))).ncc < 0.3
    True
    """
    rules = thresholds or Thresholds()
    a = _standardise(np.asarray(thumb_a))
    b = _standardise(np.asarray(thumb_b))
    if a.shape != b.shape or a.ndim != 2:
        raise ParameterError(f"thumbnails must be 2-D of one shape; got {a.shape} and {b.shape}")
    if flips or rotations:
        from .descriptors import variant_thumbnails

        turned = [b, *variant_thumbnails(b, flips=flips, rotations=rotations)]
        b = max(turned, key=lambda v: float((a * v).mean()))
    direct = _measures(a, b, 0.0, 0)
    if rules.accepts(direct) or rules.max_crop == 0:
        return direct
    start = None
    if hint is not None:
        which, (y0, x0, h, w) = hint
        container, content = (a, b) if which == 0 else (b, a)
        start = _near(container, content, rules.max_crop, (y0, x0, h, w))
        if start[0] < _PREFILTER:  # no window near the one whose hash matched correlates
            return direct
    if start is None:
        coarse = [_coarse(a, b, rules.max_crop), _coarse(b, a, rules.max_crop)]
        which = 0 if coarse[0][0] >= coarse[1][0] else 1
        if coarse[which][0] < _PREFILTER:  # no window comes close: not worth refining
            return direct
        start = coarse[which]
    container, content = (a, b) if which == 0 else (b, a)
    _, y0, x0, h, w = _refine(container, content, rules.max_crop, start)
    from ._align import sample_window

    window = np.empty(content.shape, np.float64)
    sample_window(container, y0, x0, h, w, window)
    side = float(container.shape[0])
    crop = 1.0 - (h * w) / (side * side)
    aligned = (_measures(window, content, crop, 0) if which == 0
               else _measures(content, window, crop, 1))
    return aligned if aligned.ncc > direct.ncc else direct
