"""The audit's hashes against a direct DCT reference; one thumbnail's hashes never depend on
its batch; the thumbnail reader's fast path equals the plain NumPy route."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from _audit_data import photos
from segscope.audit.descriptors import frame_hashes, gradient_hashes, window_hashes


def _thumbs(n=40, seed=0):
    from segscope.io.thumbnails import thumbnail_of

    rng = np.random.default_rng(seed)
    real = [thumbnail_of(a, channel_axis=-1 if a.ndim == 3 else None).pixels
            for a in photos().values()]
    noisy = [np.clip(real[k % len(real)] + rng.normal(0, 12, (64, 64)), 0, 255)
             for k in range(n)]
    return np.stack(real + noisy).astype(np.uint8)


def _reference_bits(block: np.ndarray) -> np.ndarray:
    """The pHash rule by its definition: scipy's DCT-II of a 32×32 image, 8×8 lowest
    frequencies, each above their median (float64)."""
    from scipy.fft import dctn

    coef = dctn(block.astype(np.float64), type=2)[:8, :8].ravel()
    return coef > np.median(coef)


def _bits(code) -> np.ndarray:
    return np.unpackbits(np.array([code], ">u8").view(np.uint8)).astype(bool)


def test_frame_and_window_hashes_follow_the_dct_definition():
    thumbs = _thumbs()
    frames = frame_hashes(thumbs)
    # windows of half the side lie on whole pixels: the window is 32×32 pixels, no resampling
    windows = window_hashes(thumbs, (0.5,))
    agree = total = 0
    for t, f, w in zip(thumbs.astype(np.float64), frames, windows, strict=True):
        halved = t.reshape(32, 2, 32, 2).mean(axis=(1, 3))  # the 2×2 area average to 32×32
        agree += int((_bits(f) == _reference_bits(halved)).sum())
        total += 64
        for k, (oy, ox) in enumerate((a, b) for a in (0, 16, 32) for b in (0, 16, 32)):
            agree += int((_bits(w[k]) == _reference_bits(t[oy:oy + 32, ox:ox + 32])).sum())
            total += 64
    # float32 against float64: a bit may differ only where a coefficient ties the median
    assert agree / total > 0.9995, (agree, total)


def test_gradient_hash_by_definition():
    thumbs = _thumbs(10)
    got = gradient_hashes(thumbs)
    for t, code in zip(thumbs.astype(np.float64), got, strict=True):
        # 8 rows of 8 pixels; 9 columns over 64 pixels: area weights of 64/9 pixels each
        edges = np.arange(10) * 64 / 9
        cols = np.stack([np.clip(np.minimum(edges[k + 1], np.arange(1, 65))
                                 - np.maximum(edges[k], np.arange(64)), 0, None)
                         for k in range(9)])
        cells = t.reshape(8, 8, 64).mean(axis=1) @ (cols / cols.sum(1, keepdims=True)).T
        assert np.array_equal(_bits(code), (cells[:, 1:] > cells[:, :-1]).ravel())


@pytest.mark.parametrize("fn", [frame_hashes, gradient_hashes, window_hashes])
def test_hashes_do_not_depend_on_the_batch(fn):
    thumbs = _thumbs(300)
    whole = fn(thumbs)
    one_by_one = np.concatenate([fn(thumbs[k:k + 1]) for k in range(len(thumbs))])
    assert np.array_equal(whole, one_by_one)
    assert np.array_equal(fn(thumbs[::-1]), whole[::-1])


MODES = ["L", "RGB", "RGBA", "P", "LA", "CMYK", "I;16", "1"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".bmp", ".gif"])
def test_read_thumbnail_equals_the_numpy_route(tmp_path, mode, suffix):
    """The reader shrinks in Pillow's own float mode; the result is the one of the plain
    route (decode, grey as float32, Pillow BOX resize of the array)."""
    from segscope.io.thumbnails import read_thumbnail

    img = photos()["astronaut"]
    im = Image.fromarray(img)
    im = (Image.fromarray(np.asarray(im.convert("L")).astype(np.uint16) * 257)
          if mode == "I;16" else im.convert(mode))
    path = tmp_path / f"a{suffix}"
    try:
        im.save(path)
    except (OSError, ValueError, KeyError):
        pytest.skip(f"Pillow cannot write {mode} as {suffix}")
    with Image.open(path) as back:
        if back.format == "JPEG" and back.mode in ("L", "RGB", "YCbCr"):
            back.draft("L", (64, 64))
        back.load()
        if back.mode.startswith("I"):
            plane, span = np.asarray(back.convert("I")).astype(np.float32), 65535.0
        else:
            grey = back.convert("RGB").convert("L") if back.mode in ("CMYK", "P", "PA") \
                else back.convert("L")
            plane, span = np.asarray(grey).astype(np.float32), 255.0
    small = np.asarray(Image.fromarray(plane).resize((64, 64), Image.Resampling.BOX))
    want = np.rint((small - small.min()) * (255.0 / (small.max() - small.min())))
    got = read_thumbnail(path)
    assert np.array_equal(got.pixels, want.astype(np.uint8))
    assert got.contrast == pytest.approx(float(small.std()) / span, rel=1e-12)
