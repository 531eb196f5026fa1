"""The bundled demo: a real nuclei image, its hand-made mask, and classical segmentations.

The image and its instance mask come from the 2018 Data Science Bowl (BBBC038, CC0;
Caicedo et al., Nature Methods 16, 1247–1253, 2019), 512×512, with 125 nuclei
covering about 20 % of the pixels. :func:`demo_predictions` segments it four ways:

``otsu``
    Gaussian smoothing (σ = 1), then Otsu's global threshold.
``local threshold``
    Gaussian smoothing, then a local (adaptive) threshold: each pixel against the
    Gaussian-weighted mean of its 51×51 neighbourhood.
``watershed``
    The Otsu mask split into touching nuclei by a watershed of the distance
    transform, seeded at its local maxima, with one-pixel lines between objects.
``all background``
    Predicts background everywhere: the trivial model that accuracy flatters.

The four masks of the bundled image are stored with the package
(``data/demo_predictions.npz``, made by ``scripts/update_demo_predictions.py``), so that
``segscope demo`` starts in well under two seconds without importing scikit-image and
SciPy; :func:`demo_predictions` computes them afresh for any image, and a test checks
that it still gives the stored masks.

Examples
--------
>>> image, mask = load_nuclei()
>>> image.shape, int(mask.max())
((512, 512), 183)
>>> reports = run_demo()
>>> r = reports["all background"]
>>> round(r["accuracy"].value, 2), r["iou"].value
(0.8, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .options import DEFAULT_METRICS
from .results import Report

__all__ = ["bundled_predictions", "demo_predictions", "load_nuclei", "run_demo"]

#: The demo's methods, in the order of its table.
METHODS = ("otsu", "local threshold", "watershed", "all background")


def load_nuclei() -> tuple[np.ndarray, np.ndarray]:
    """The bundled nuclei image (``uint16``) and its instance mask (0 = background).

    Returns
    -------
    image : ndarray of uint16, shape (512, 512)
    mask : ndarray of int, shape (512, 512)
        Instance ids (125 nuclei, non-consecutive ids up to 183).
    """
    from importlib.resources import as_file, files

    from .io import read_image, read_mask

    data = files("segscope") / "data"
    with as_file(data / "image2d.tif") as image_path, as_file(data / "mask2d.tif") as mask_path:
        image = read_image(image_path)
        mask = read_mask(mask_path).labels
    return image, mask


def demo_predictions(image: np.ndarray) -> dict[str, np.ndarray]:
    """Segment ``image`` (bright objects on a dark background) four classical ways.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        A grey image.

    Returns
    -------
    dict of str to ndarray of uint8
        Binary masks (1 = object), keyed by method name, in a fixed order.
    """
    from scipy import ndimage as ndi
    from skimage import feature, filters, segmentation

    smooth = filters.gaussian(image.astype(np.float64), sigma=1, preserve_range=True)
    otsu = smooth > filters.threshold_otsu(smooth)
    local = smooth > filters.threshold_local(smooth, block_size=51)
    distance = ndi.distance_transform_edt(otsu)
    regions, _ = ndi.label(otsu)
    peaks = feature.peak_local_max(distance, min_distance=5, labels=regions)
    markers = np.zeros(image.shape, dtype=np.int32)
    markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
    split = segmentation.watershed(-distance, markers, mask=otsu, watershed_line=True)
    masks = {
        "otsu": otsu.astype(np.uint8),
        "local threshold": local.astype(np.uint8),
        "watershed": (split > 0).astype(np.uint8),
        "all background": np.zeros(image.shape, dtype=np.uint8),
    }
    return {name: masks[name] for name in METHODS}


def bundled_predictions() -> dict[str, np.ndarray]:
    """The four masks of :func:`demo_predictions` for the bundled image, as stored.

    Returns
    -------
    dict of str to ndarray of uint8, shape (512, 512)
        Binary masks keyed by method name, in the order of :data:`METHODS`.

    Examples
    --------
    >>> masks = bundled_predictions()
    >>> list(masks) == list(METHODS), masks["otsu"].shape
    (True, (512, 512))
    """
    from importlib.resources import files

    with (files("segscope") / "data" / "demo_predictions.npz").open("rb") as handle, \
            np.load(handle, allow_pickle=False) as stored:
        shape = tuple(int(n) for n in stored["shape"])
        count = int(np.prod(shape))
        return {name: np.unpackbits(stored[name], count=count).reshape(shape)
                for name in METHODS}


def run_demo(metrics: str | Sequence[str] = DEFAULT_METRICS, *,
             recompute: bool = False) -> dict[str, Report]:
    """Score each demo prediction against the bundled mask (foreground vs background).

    Parameters
    ----------
    metrics : str or sequence of str
        Overlap metric names (default: :data:`segscope.options.DEFAULT_METRICS`).
    recompute : bool
        Segment the image afresh (:func:`demo_predictions`, which needs scikit-image and
        SciPy) instead of reading the stored masks (:func:`bundled_predictions`).

    Returns
    -------
    dict of str to Report
        One report per method; ``accuracy`` is pixel accuracy over the whole image,
        the other metrics are those of the nuclei class (class 1).
    """
    from .files import binarize
    from .metrics import evaluate

    image, mask = load_nuclei()
    target = binarize(mask)
    predictions = demo_predictions(image) if recompute else bundled_predictions()
    return {
        name: evaluate(pred, target, num_classes=2, metrics=metrics, include_background=False)
        for name, pred in predictions.items()
    }
