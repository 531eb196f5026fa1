"""Filling switched-off superpixels: mean colour, a constant, or a blurred copy."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError, ShapeError

__all__ = ["FILLS", "fill_image", "perturb_batch"]

FILLS = ("mean", "blur")


def fill_image(
    image: np.ndarray, segments: np.ndarray, num_segments: int, fill: str | float = "mean",
    *, blur_sigma: float = 5.0,
) -> np.ndarray:
    """The image a switched-off superpixel takes its pixels from (same shape and dtype).

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, C)`` image (channels last).
    segments : ndarray of int
        ``(H, W)`` labels ``0 .. num_segments - 1``.
    fill : ``"mean"``, ``"blur"`` or number
        ``"mean"``: each superpixel's mean colour; ``"blur"``: a Gaussian blur of the image
        (``blur_sigma`` pixels, channels separately); a number: that constant, in the
        image's own units.

    Examples
    --------
    >>> img = np.array([[0, 2, 9]], dtype=np.uint8)
    >>> fill_image(img, np.array([[0, 0, 1]]), 2).tolist()
    [[1, 1, 9]]
    """
    img = np.asarray(image)
    if isinstance(fill, str):
        if fill not in FILLS:
            raise ParameterError(
                f"fill={fill!r} is not supported; choose 'mean', 'blur' or a number"
            )
        if fill == "mean":
            flat = segments.ravel()
            x = img.reshape(flat.size, -1).astype(np.float64)
            counts = np.bincount(flat, minlength=num_segments).astype(np.float64)
            means = np.stack([np.bincount(flat, weights=x[:, c], minlength=num_segments)
                              for c in range(x.shape[1])], axis=1) / np.maximum(counts, 1)[:, None]
            out = means[flat].reshape(img.shape)
        else:
            from scipy.ndimage import gaussian_filter

            if not (np.isfinite(blur_sigma) and blur_sigma > 0):
                raise ParameterError(f"blur_sigma must be positive; got {blur_sigma!r}")
            sigma = (blur_sigma, blur_sigma) + (0,) * (img.ndim - 2)
            out = gaussian_filter(img.astype(np.float64), sigma=sigma, mode="reflect")
    else:
        try:
            value = float(fill)
        except (TypeError, ValueError):
            raise ParameterError(
                f"fill must be 'mean', 'blur' or a number; got {fill!r}"
            ) from None
        out = np.full(img.shape, value, dtype=np.float64)
    if img.dtype.kind in "iu":
        info = np.iinfo(img.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    elif img.dtype == bool:
        out = out >= 0.5
    return out.astype(img.dtype)


_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _packed(x: np.ndarray, n_pix: int, nbytes: int, width: int) -> np.ndarray:
    """Each pixel's bytes (all channels) as one unsigned integer of ``width`` bytes."""
    raw = np.ascontiguousarray(x).reshape(n_pix, -1).view(np.uint8).reshape(n_pix, nbytes)
    if width != nbytes:
        raw = np.concatenate([raw, np.zeros((n_pix, width - nbytes), np.uint8)], axis=1)
    return raw.view(_UINT[width]).reshape(n_pix)


def perturb_batch(image: np.ndarray, filler: np.ndarray, segments: np.ndarray,
                  masks: np.ndarray) -> np.ndarray:
    """Images for a batch of on/off masks: kept superpixels from ``image``, others from ``filler``.

    Returns an array of shape ``(B, *image.shape)`` and ``image``'s dtype. Each pixel (all
    its channels) is moved as one integer of up to 8 bytes, which is about twice as fast
    as selecting channel by channel.

    Examples
    --------
    >>> img = np.array([[1, 2]]); fil = np.zeros_like(img)
    >>> perturb_batch(img, fil, np.array([[0, 1]]), np.array([[True, False]])).tolist()
    [[[1, 0]]]
    """
    if segments.shape != image.shape[:2]:
        raise ShapeError(f"segments shape {segments.shape} does not match the image's "
                         f"{image.shape[:2]}")
    n_pix = segments.size
    batch = masks.shape[0]
    keep = masks[:, segments.ravel()]  # (B, P)
    nbytes = image.dtype.itemsize * (image.shape[2] if image.ndim == 3 else 1)
    width = next((w for w in (1, 2, 4, 8) if nbytes <= w), None)
    if width is None:  # wide pixels (e.g. float64 RGB): select element by element
        sel = keep.reshape((batch, *image.shape[:2]) + (1,) * (image.ndim - 2))
        return np.where(sel, image[None], filler[None])
    out = np.where(keep, _packed(image, n_pix, nbytes, width),
                   _packed(filler.astype(image.dtype, copy=False), n_pix, nbytes, width))
    out = np.ascontiguousarray(out).view(np.uint8).reshape(batch, n_pix, width)
    if width != nbytes:
        out = np.ascontiguousarray(out[:, :, :nbytes])
    return out.view(image.dtype).reshape((batch, *image.shape))
