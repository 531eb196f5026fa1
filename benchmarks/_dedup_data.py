"""Planted near-duplicates for the audit benchmarks: real photos, transforms, hard negatives.

The base images are real photographs (scikit-image's bundled ones, ``../shared/data``) cut
into non-overlapping tiles (adjacent tiles of one photo are hard negatives), the EM sections
of ``../shared/data/membranes`` (consecutive sections are hard negatives) and the stereo pair
``motorcycle_left``/``motorcycle_right`` (one object from two viewpoints). Each transform is
applied at several strengths; procedural distractors (smooth random fields, shapes,
gradients) fill the set.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"

_PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "coins", "moon", "page", "rocket",
           "retina", "hubble_deep_field", "immunohistochemistry", "brick", "grass", "gravel",
           "cell", "microaneurysms", "text", "clock", "horse", "logo")


def _skimage_photo(name: str) -> np.ndarray | None:
    import skimage.data

    try:
        img = np.asarray(getattr(skimage.data, name)())
    except Exception:  # a photo that would need a download
        return None
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    return img.astype(np.uint8)


def _tiles(img: np.ndarray, side: int) -> list[np.ndarray]:
    """Non-overlapping ``side``×``side`` tiles (adjacent ones are hard negatives)."""
    h, w = img.shape[:2]
    return [img[y:y + side, x:x + side] for y in range(0, h - side + 1, side)
            for x in range(0, w - side + 1, side)]


def base_images(tile: int = 256) -> tuple[list[tuple[str, np.ndarray]], list[tuple[str, str]]]:
    """``(images, hard_negatives)``: named base images and the name pairs that must not pair.

    Every photo larger than ``tile`` is cut into non-overlapping tiles; the tiles of one photo
    that touch are listed as hard negatives, and so are consecutive EM sections and the two
    views of the stereo motorcycle.
    """
    images: list[tuple[str, np.ndarray]] = []
    negatives: list[tuple[str, str]] = []
    for name in _PHOTOS:
        img = _skimage_photo(name)
        if img is None:
            continue
        h, w = img.shape[:2]
        if min(h, w) >= 2 * tile:
            cols = w // tile
            for k, t in enumerate(_tiles(img, tile)):
                images.append((f"{name}_t{k}", t))
                row, col = divmod(k, cols)
                if col + 1 < cols:
                    negatives.append((f"{name}_t{k}", f"{name}_t{k + 1}"))
                if (row + 1) * cols + col < len(_tiles(img, tile)):
                    negatives.append((f"{name}_t{k}", f"{name}_t{k + cols}"))
        else:
            images.append((name, img))
    try:
        import skimage.data

        left, right, _ = skimage.data.stereo_motorcycle()
        images += [("motorcycle_left", left), ("motorcycle_right", right)]
        negatives.append(("motorcycle_left", "motorcycle_right"))
    except Exception:  # pragma: no cover - depends on the installed scikit-image
        pass
    sections = DATA / "membranes" / "images"
    if sections.is_dir():
        for k in range(30):
            path = sections / f"{k}.png"
            if path.exists():
                images.append((f"em{k:02d}", np.asarray(Image.open(path))))
                if k:
                    negatives.append((f"em{k - 1:02d}", f"em{k:02d}"))
    nuclei = DATA / "nuclei" / "image2d.tif"
    if nuclei.exists():
        import tifffile

        arr = tifffile.imread(nuclei).astype(np.float64)
        arr = (255 * (arr - arr.min()) / max(np.ptp(arr), 1)).astype(np.uint8)
        for k, t in enumerate(_tiles(arr, tile)):
            images.append((f"nuclei_t{k}", t))
    return images, negatives


# ------------------------------------------------------------------ transforms
def _pil(a: np.ndarray) -> Image.Image:
    return Image.fromarray(a)


def resize(a: np.ndarray, factor: float, rng=None) -> np.ndarray:
    im = _pil(a)
    size = (max(1, round(im.width * factor)), max(1, round(im.height * factor)))
    return np.asarray(im.resize(size, Image.Resampling.BICUBIC))


def jpeg(a: np.ndarray, quality: int, rng=None) -> np.ndarray:
    buf = io.BytesIO()
    _pil(a).save(buf, format="JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())))


def brightness(a: np.ndarray, delta: float, rng=None) -> np.ndarray:
    """Add ``delta`` (a fraction of the range) to every pixel."""
    return np.clip(a.astype(np.float64) + 255 * delta, 0, 255).astype(np.uint8)


def contrast(a: np.ndarray, factor: float, rng=None) -> np.ndarray:
    """Scale the deviation from the mean by ``1 + factor``."""
    f = a.astype(np.float64)
    return np.clip(f.mean() + (1 + factor) * (f - f.mean()), 0, 255).astype(np.uint8)


def noise(a: np.ndarray, sigma: float, rng=None) -> np.ndarray:
    """Gaussian noise of standard deviation ``sigma`` (a fraction of the range)."""
    rng = rng or np.random.default_rng(0)
    f = a.astype(np.float64) + rng.normal(0, 255 * sigma, a.shape)
    return np.clip(np.rint(f), 0, 255).astype(np.uint8)


def blur(a: np.ndarray, sigma: float, rng=None) -> np.ndarray:
    return np.asarray(_pil(a).filter(ImageFilter.GaussianBlur(sigma)))


def crop(a: np.ndarray, fraction: float, rng=None) -> np.ndarray:
    """Remove ``fraction`` of the width and of the height, split at random between sides."""
    rng = rng or np.random.default_rng(0)
    h, w = a.shape[:2]
    dh, dw = round(h * fraction), round(w * fraction)
    top, left = int(rng.integers(0, dh + 1)), int(rng.integers(0, dw + 1))
    return a[top:h - (dh - top), left:w - (dw - left)].copy()


def text(a: np.ndarray, size: float, rng=None) -> np.ndarray:
    """A caption in the lower-left corner, ``size`` = its height as a fraction of the image."""
    im = _pil(a).copy()
    draw = ImageDraw.Draw(im)
    h = max(6, round(im.height * size))
    try:
        from PIL import ImageFont

        font = ImageFont.load_default(size=h)
    except Exception:  # pragma: no cover - old Pillow
        font = None
    fill = 255 if im.mode == "L" else (255, 255, 255)
    draw.text((round(0.05 * im.width), round(im.height * (0.95 - size))), "© segscope 2026",
              fill=fill, font=font)
    return np.asarray(im)


def hflip(a: np.ndarray, _=None, rng=None) -> np.ndarray:
    return a[:, ::-1].copy()


def rot90(a: np.ndarray, k: int = 1, rng=None) -> np.ndarray:
    return np.rot90(a, k).copy()


#: name -> (function, strengths); the defaults of the audit must catch all but the last two.
TRANSFORMS: dict[str, tuple[Callable, tuple]] = {
    "resize": (resize, (0.5, 0.75, 1.5, 2.0)),
    "jpeg": (jpeg, (30, 50, 75)),
    "brightness": (brightness, (-0.2, -0.1, 0.1, 0.2)),
    "contrast": (contrast, (-0.2, 0.2)),
    "noise": (noise, (0.02, 0.05)),
    "blur": (blur, (0.5, 1.0, 1.5)),
    "crop": (crop, (0.03, 0.06, 0.10)),
    "text": (text, (0.04, 0.07)),
    "hflip": (hflip, (None,)),
    "rot90": (rot90, (1,)),
}
#: Transforms found only with ``flips=True`` / ``rotations=True``.
GEOMETRIC = ("hflip", "rot90")


def _draw_shape(draw: ImageDraw.ImageDraw, box: list[int], rng: np.random.Generator) -> None:
    """Draw an ellipse, a rectangle (40 % each) or a line in ``box``, of a random shade."""
    shade = int(rng.integers(0, 256))
    kind = rng.random()
    if kind < 0.4:
        draw.ellipse(box, fill=shade)
    elif kind < 0.8:
        draw.rectangle(box, fill=shade)
    else:
        draw.line(box, fill=shade, width=int(rng.integers(1, 6)))


def distractor(rng: np.random.Generator, side: int = 256) -> np.ndarray:
    """A procedural image with detail at every scale, like a photograph, and unique.

    The sum of a smooth random field (random scale), random shapes (ellipses, boxes, lines)
    and a band-limited texture, each with a random weight: enough independent randomness
    that two distractors are never near-duplicates of each other.
    """
    cells = int(rng.integers(4, 17))
    small = rng.random((cells, cells))
    field = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize(
        (side, side), Image.Resampling.BICUBIC)).astype(np.float64)
    im = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(4, 16))):
        x0, y0 = (int(v) for v in rng.integers(0, side, 2))
        dx, dy = (int(v) for v in rng.integers(8, side // 2, 2))
        box = [x0, y0, x0 + dx, y0 + dy]
        _draw_shape(draw, box, rng)
    shapes = np.asarray(im).astype(np.float64)
    texture = np.asarray(Image.fromarray(rng.integers(0, 256, (side, side), dtype=np.uint8))
                         .filter(ImageFilter.GaussianBlur(float(rng.uniform(0.7, 3))))
                         ).astype(np.float64)
    texture = (texture - texture.mean()) / max(texture.std(), 1e-6)
    w = rng.dirichlet((1.0, 1.0, 1.0))
    img = w[0] * field + w[1] * shapes + (0.2 + w[2]) * 40 * texture
    img = (img - img.mean()) * (float(rng.uniform(30, 70)) / max(img.std(), 1e-6)) \
        + float(rng.uniform(70, 190))
    return np.clip(img, 0, 255).astype(np.uint8)


def scale_distractor(rng: np.random.Generator, side: int = 256) -> np.ndarray:
    """A cheaper :func:`distractor` for the 10⁵-image scale set (about half the cost).

    The same three parts (smooth random field, random shapes, texture) and the same tone
    normalisation, but the texture is uniform noise at a random grain of 1–4 pixels,
    upsampled bilinearly, instead of a Gaussian-blurred full-size noise field, and the
    arithmetic is in float32. JPEGs of these images decode at the same cost as those of
    :func:`distractor` (similar size, detail at every scale).
    """
    cells = int(rng.integers(4, 17))
    field = np.asarray(Image.fromarray(rng.integers(0, 256, (cells, cells), dtype=np.uint8))
                       .resize((side, side), Image.Resampling.BICUBIC), np.float32)
    im = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(4, 16))):
        x0, y0, dx, dy = (int(v) for v in rng.integers((0, 0, 8, 8),
                                                        (side, side, side // 2, side // 2)))
        box = [x0, y0, x0 + dx, y0 + dy]
        _draw_shape(draw, box, rng)
    shapes = np.asarray(im, np.float32)
    grain = int(rng.integers(1, 5))
    noise = rng.integers(0, 256, (side // grain, side // grain), dtype=np.uint8)
    texture = np.asarray(Image.fromarray(noise).resize((side, side),
                                                       Image.Resampling.BILINEAR), np.float32)
    w = rng.dirichlet((1.0, 1.0, 1.0)).astype(np.float32)
    img = w[0] * field + w[1] * shapes + (0.2 + w[2]) * 0.5 * (texture - 127.5)
    img = (img - img.mean()) * (float(rng.uniform(30, 70)) / max(float(img.std()), 1e-6)) \
        + float(rng.uniform(70, 190))
    return np.clip(img, 0, 255).astype(np.uint8)


def write_scale_block(args: tuple) -> list[tuple[str, str]]:
    """Write images ``start..stop-1`` of a generated scale set, and their planted copies.

    ``args`` is ``(folder, start, stop, key, copies, side)`` (one tuple, for a process
    pool's ``map``): image ``k`` is :func:`scale_distractor` of the generator seeded with
    ``[*key, k]``, saved as JPEG quality 85; for ``k`` in ``copies`` a copy (made from the
    decoded JPEG, as a user's copy would be: 20 grey levels brighter, quality 50) is saved
    as ``copy{copies[k]:06d}.jpg``. Returns the planted ``(original, copy)`` name pairs.
    """
    folder, start, stop, key, copies, side = args
    pairs = []
    for k in range(start, stop):
        a = scale_distractor(np.random.default_rng([*key, k]), side=side)
        Image.fromarray(a).save(folder / f"{k:07d}.jpg", quality=85)
        if k in copies:
            with Image.open(folder / f"{k:07d}.jpg") as im:
                b = np.clip(np.asarray(im).astype(np.int16) + 20, 0, 255).astype(np.uint8)
            name = f"copy{copies[k]:06d}.jpg"
            Image.fromarray(b).save(folder / name, quality=50)
            pairs.append((f"{k:07d}.jpg", name))
    return pairs
