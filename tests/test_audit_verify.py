"""The verifier on overlays: a bright caption on a dark image still verifies, and the
outlier rule leaves pairs of different images as they were."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from _audit_data import photos
from segscope.audit import Thresholds, verify_pair
from segscope.io.thumbnails import thumbnail_of


def _captioned(a: np.ndarray, size: float) -> np.ndarray:
    im = Image.fromarray(a).copy()
    h = round(im.height * size)
    font = ImageFont.load_default(size=h)
    ImageDraw.Draw(im).text((round(0.05 * im.width), round(im.height * (0.95 - size))),
                            "© segscope 2026", fill=255, font=font)
    return np.asarray(im)


@pytest.mark.parametrize("name", ["coins", "page", "camera"])
@pytest.mark.parametrize("gain", [1.0, 0.3, 0.15])
def test_bright_caption_on_a_dark_image_verifies(name, gain):
    img = (photos()[name].astype(float) * gain).astype(np.uint8)  # dark: white text stands out
    a = thumbnail_of(img).pixels
    b = thumbnail_of(_captioned(img, 0.1)).pixels
    scores = verify_pair(a, b)
    assert Thresholds().accepts(scores), scores
    assert scores.match > 0.85 and scores.crop == 0.0


def test_outlier_rule_keeps_different_images_apart():
    """Neighbouring tiles of one photo and the two stereo views: no pixel pair differs by
    more than the outlier bound often enough to rescale them, and none verifies."""
    base = photos()
    cam = base["camera"]
    pairs = [(base["motorcycle_left"], base["motorcycle_right"]),
             (cam[:128, :128], cam[:128, 128:]), (cam[:128, :128], cam[128:, :128])]
    for left, right in pairs:
        axis = -1 if left.ndim == 3 else None
        scores = verify_pair(thumbnail_of(left, channel_axis=axis).pixels,
                             thumbnail_of(right, channel_axis=axis).pixels)
        assert not Thresholds().accepts(scores), scores
