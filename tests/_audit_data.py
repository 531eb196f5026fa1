"""Test-only planted near-duplicates for the audit tests (real photos, a few transforms)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def shared_data() -> Path:
    """The shared data folder beside the checkout, or $SEGSCOPE_SHARED_DATA."""
    env = os.environ.get("SEGSCOPE_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def photos() -> dict[str, np.ndarray]:
    """Grey and colour photographs bundled with scikit-image, cut to 256×256 tiles."""
    import skimage.data as data

    out = {}
    for name in ("camera", "astronaut", "coffee", "chelsea", "rocket", "coins", "page"):
        img = np.asarray(getattr(data, name)())
        out[name] = np.ascontiguousarray(img[:256, :256])
    left, right, _ = data.stereo_motorcycle()
    out["motorcycle_left"], out["motorcycle_right"] = left[:, :400], right[:, :400]
    return out


def jpeg(a: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())))


def resize(a: np.ndarray, f: float) -> np.ndarray:
    im = Image.fromarray(a)
    return np.asarray(im.resize((round(im.width * f), round(im.height * f)),
                                Image.Resampling.BICUBIC))


def noise(a: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(np.rint(a + rng.normal(0, 255 * sigma, a.shape)), 0, 255).astype(np.uint8)


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    return np.asarray(Image.fromarray(a).filter(ImageFilter.GaussianBlur(sigma)))


def brightness(a: np.ndarray, delta: float) -> np.ndarray:
    return np.clip(a.astype(float) + 255 * delta, 0, 255).astype(np.uint8)


def crop(a: np.ndarray, fraction: float) -> np.ndarray:
    h, w = a.shape[:2]
    dh, dw = round(h * fraction), round(w * fraction)
    return np.ascontiguousarray(a[dh // 3:h - (dh - dh // 3), dw // 2:w - (dw - dw // 2)])


def caption(a: np.ndarray) -> np.ndarray:
    im = Image.fromarray(a).copy()
    fill = 255 if im.mode == "L" else (255, 255, 255)
    ImageDraw.Draw(im).text((8, im.height - 20), "sample 2026", fill=fill)
    return np.asarray(im)
