"""On/off masks over superpixels: which superpixels each perturbed image keeps."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["sample_masks"]


def sample_masks(
    num_segments: int,
    num_samples: int,
    *,
    keep_probability: float = 0.5,
    rng: np.random.Generator | int | None = 0,
) -> np.ndarray:
    """Random on/off masks; row 0 keeps every superpixel (the original image).

    Parameters
    ----------
    num_segments : int
        K, the number of superpixels.
    num_samples : int
        Number of rows, the original included (so ``num_samples - 1`` random rows).
    keep_probability : float
        Probability that a superpixel is **kept** (on, left as in the original) in a random
        row, independently for every superpixel. ``1 - keep_probability`` is the probability
        that it is switched off (filled).
    rng : numpy Generator, int or None
        Random source, or a seed for ``numpy.random.default_rng``.

    Returns
    -------
    ndarray of bool, shape (num_samples, num_segments)
        True = kept.

    Examples
    --------
    >>> m = sample_masks(4, 3, rng=0)
    >>> m.shape, bool(m[0].all())
    ((3, 4), True)
    """
    if isinstance(num_segments, bool) or int(num_segments) != num_segments or num_segments < 1:
        raise ParameterError(f"num_segments must be a positive integer; got {num_segments!r}")
    if isinstance(num_samples, bool) or int(num_samples) != num_samples or num_samples < 2:
        raise ParameterError(
            f"num_samples must be an integer >= 2 (the original plus random samples); "
            f"got {num_samples!r}"
        )
    if not (0.0 < float(keep_probability) < 1.0):
        raise ParameterError(
            f"keep_probability must be strictly between 0 and 1 (the probability that a "
            f"superpixel is kept); got {keep_probability!r}"
        )
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    masks = gen.random((int(num_samples), int(num_segments))) < float(keep_probability)
    masks[0] = True
    return masks
