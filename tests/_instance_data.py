"""Instance label maps for the instance tests: the bundled nuclei mask and perturbed copies.

Each perturbation is an error a segmentation model makes: objects eroded or dilated by a
pixel, neighbours merged, objects split in two, objects dropped, spurious objects added,
ids shuffled to large non-consecutive values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import ndimage

MASK = Path(__file__).resolve().parents[1] / "src" / "segscope" / "data" / "mask2d.tif"


def nuclei() -> np.ndarray:
    """The bundled 512×512 nuclei instance mask (125 objects, non-consecutive ids)."""
    import tifffile

    return tifffile.imread(MASK)


def eroded(labels: np.ndarray) -> np.ndarray:
    """Every object loses its border pixels (a pixel stays if its 3×3 neighbourhood is its id)."""
    keep = ndimage.grey_erosion(labels, size=(3, 3), mode="nearest") == ndimage.grey_dilation(
        labels, size=(3, 3), mode="nearest")
    return np.where(keep, labels, 0).astype(labels.dtype)


def dilated(labels: np.ndarray) -> np.ndarray:
    """Every object grows by one pixel into the background."""
    grown = ndimage.grey_dilation(labels, size=(3, 3))
    return np.where(labels > 0, labels, grown).astype(labels.dtype)


def merged(labels: np.ndarray, pairs: int = 10, seed: int = 0) -> np.ndarray:
    """Neighbouring objects merged: each of ``pairs`` objects takes the id of its nearest."""
    rng = np.random.default_rng(seed)
    ids = np.unique(labels)[1:]
    centres = np.array(ndimage.center_of_mass(labels > 0, labels, ids))
    out = labels.copy()
    for i in rng.choice(ids.size, size=pairs, replace=False):
        d = np.hypot(*(centres - centres[i]).T)
        d[i] = np.inf
        out[out == ids[i]] = ids[int(np.argmin(d))]
    return out


def split(labels: np.ndarray, count: int = 10, seed: int = 1) -> np.ndarray:
    """``count`` objects cut in two along the row of their centre (the lower half a new id)."""
    rng = np.random.default_rng(seed)
    ids = np.unique(labels)[1:]
    out = labels.astype(np.int64)
    new = int(ids.max()) + 1
    for i in rng.choice(ids, size=count, replace=False):
        rows, cols = np.nonzero(labels == i)
        cut = int(np.round(rows.mean()))
        out[rows[rows > cut], cols[rows > cut]] = new
        new += 1
    return out.astype(labels.dtype)


def dropped(labels: np.ndarray, count: int = 20, seed: int = 2) -> np.ndarray:
    """``count`` objects removed."""
    rng = np.random.default_rng(seed)
    ids = np.unique(labels)[1:]
    out = labels.copy()
    out[np.isin(out, rng.choice(ids, size=count, replace=False))] = 0
    return out


def spurious(labels: np.ndarray, count: int = 15, seed: int = 3) -> np.ndarray:
    """``count`` small false objects (5×5 squares on background)."""
    rng = np.random.default_rng(seed)
    out = labels.astype(np.int64)
    new = int(labels.max()) + 1
    placed = 0
    while placed < count:
        y, x = rng.integers(0, labels.shape[0] - 5), rng.integers(0, labels.shape[1] - 5)
        if (out[y:y + 5, x:x + 5] == 0).all():
            out[y:y + 5, x:x + 5] = new
            new += 1
            placed += 1
    return out.astype(np.uint16)


def shuffled(labels: np.ndarray, seed: int = 4, high: int = 2**31 - 1) -> np.ndarray:
    """The same objects under random, large, non-consecutive ids (int64)."""
    rng = np.random.default_rng(seed)
    ids = np.unique(labels)[1:]
    new = rng.choice(high, size=ids.size, replace=False).astype(np.int64) + 1
    lut = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    lut[ids] = new
    return lut[labels]


def relabel(labels: np.ndarray, seed: int = 5) -> np.ndarray:
    """Consecutive ids 1..n in a random order (what stardist and cellpose expect)."""
    rng = np.random.default_rng(seed)
    ids = np.unique(labels)[1:]
    lut = np.zeros(int(labels.max()) + 1, dtype=np.int32)
    lut[ids] = rng.permutation(ids.size) + 1
    return lut[labels]


def random_labels(shape: tuple[int, ...], objects: int, seed: int) -> np.ndarray:
    """A random map of touching blobs: nearest-seed regions cut to a random foreground."""
    rng = np.random.default_rng(seed)
    seeds = np.zeros(shape, dtype=np.int32)
    pos = tuple(rng.integers(0, s, size=objects) for s in shape)
    seeds[pos] = np.arange(1, objects + 1)
    _, idx = ndimage.distance_transform_edt(seeds == 0, return_indices=True)
    regions = seeds[tuple(idx)]
    fg = ndimage.gaussian_filter(rng.random(shape), 2) > 0.5
    return np.where(fg, regions, 0).astype(np.int32)


def perturbations(labels: np.ndarray) -> dict[str, np.ndarray]:
    """Every perturbed copy of ``labels``, by name."""
    return {
        "identical": labels.copy(),
        "eroded": eroded(labels),
        "dilated": dilated(labels),
        "merged": merged(labels),
        "split": split(labels),
        "dropped": dropped(labels),
        "spurious": spurious(labels),
        "shuffled": shuffled(labels),
        "mixed": spurious(dropped(split(merged(dilated(labels))))),
    }
