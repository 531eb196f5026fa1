"""Datasets of the loss experiment: image/mask pairs read, checked and split before training.

Every loader returns a :class:`Dataset`: training and test images as ``float32`` arrays in
``[0, 1]`` of shape ``(N, C, H, W)``, masks as class indices ``(N, H, W)`` in ``[0, K)``,
and the class names. Everything is checked here, before any training starts: unpaired or
unreadable files, mask values that are not the expected labels, images and masks of
different shapes, and a dataset too small for the split each raise an error of
:mod:`segscope.errors` that names the file or the argument and the fix.

Files are read through :mod:`segscope.io` (pairing, images, masks); nothing is ever written
into the folders read.

Examples
--------
>>> import numpy as np
>>> masks = np.zeros((4, 8, 8), np.int64)
>>> masks[:, 2:5, 2:5] = 1
>>> data = Dataset.from_arrays(np.random.default_rng(0).random((4, 1, 8, 8)), masks,
...                            n_train=3, n_test=1, class_names=("background", "object"))
>>> data.train_images.shape, data.test_masks.shape, data.num_classes
((3, 1, 8, 8), (1, 8, 8), 2)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._checks import check_same_shape
from ..errors import LabelError, MissingFileError, PairingError, ParameterError
from ..options import Colour

__all__ = ["SPLITS", "Dataset", "Split", "load_folder", "load_membranes", "load_pets"]

#: How the test images are taken: the last ones in file order, or spread evenly over it.
Split = Literal["spread", "tail"]
SPLITS: tuple[str, ...] = ("spread", "tail")

#: ISBI-2012 labels: 255 is cell interior, 0 is membrane (the rarer class, class 1 here).
MEMBRANE_LABELS = (255, 0)
#: Oxford-IIIT Pets trimaps: 1 pet, 2 background, 3 border; classes 0 background, 1 pet, 2 border.
PETS_LABELS = (2, 1, 3)


@dataclass(frozen=True)
class Dataset:
    """Training and test images with their masks, checked and ready to train on.

    Attributes
    ----------
    name : str
        A short name for reports (``"membranes"``, ``"generated"``, a folder name).
    train_images, test_images : (N, C, H, W) ndarray of float32
        Intensities in ``[0, 1]``.
    train_masks, test_masks : (N, H, W) ndarray of int64
        Class indices in ``[0, num_classes)``.
    class_names : tuple of str
        One name per class.
    source : dict
        Where the data came from and how it was read (recorded in the report).
    """

    name: str
    train_images: np.ndarray
    train_masks: np.ndarray
    test_images: np.ndarray
    test_masks: np.ndarray
    class_names: tuple[str, ...]
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        """The number of classes, background included."""
        return len(self.class_names)

    @property
    def in_channels(self) -> int:
        """Image channels (1 grey, 3 colour)."""
        return int(self.train_images.shape[1])

    def class_fractions(self) -> tuple[float, ...]:
        """The share of each class among the training pixels."""
        counts = np.bincount(self.train_masks.ravel(), minlength=self.num_classes)
        total = max(1, int(counts.sum()))
        return tuple(int(c) / total for c in counts)

    def describe(self) -> dict[str, Any]:
        """What the report records about the data (sizes, classes, where it came from)."""
        return {
            "name": self.name,
            "train": int(self.train_images.shape[0]),
            "test": int(self.test_images.shape[0]),
            "image_shape": list(self.train_images.shape[1:]),
            "classes": list(self.class_names),
            "train_class_fractions": [round(f, 6) for f in self.class_fractions()],
            **self.source,
        }

    @classmethod
    def from_arrays(cls, images: np.ndarray, masks: np.ndarray, *, n_train: int | None = None,
                    n_test: int | None = None, split: Split = "tail",
                    class_names: Sequence[str] | None = None, name: str = "arrays",
                    source: dict[str, Any] | None = None) -> Dataset:
        """Split arrays of images ``(N, C, H, W)`` (or ``(N, H, W)``) and masks ``(N, H, W)``.

        Parameters
        ----------
        images : ndarray
            Intensities in ``[0, 1]``.
        masks : ndarray of int
            Class indices in ``[0, K)``; ``K`` is ``len(class_names)`` or ``max + 1``.
        n_train, n_test : int, optional
            Sizes of the two parts; by default the test part is a fifth (at least one
            image) and the training part the rest.
        split : {"tail", "spread"}
            The test images are the last ``n_test`` (``"tail"``) or spread evenly over the
            sequence (``"spread"``).
        """
        images = np.asarray(images, dtype=np.float32)
        if images.ndim == 3:
            images = images[:, None]
        masks = np.asarray(masks)
        if images.ndim != 4 or masks.ndim != 3:
            raise ParameterError(f"images must be (N, C, H, W) and masks (N, H, W); got "
                                 f"{images.shape} and {masks.shape}")
        check_same_shape(images[:, 0], masks, ("images", "masks"))
        if not np.issubdtype(masks.dtype, np.integer):
            raise LabelError(f"masks must hold integer class indices; got dtype {masks.dtype}")
        if class_names is None:
            class_names = tuple(f"class {k}" for k in range(int(masks.max(initial=0)) + 1))
        names = tuple(class_names)
        if len(names) < 2:
            raise LabelError(f"the masks hold {len(names)} class; the experiment needs at least "
                             "2 (background and one class)")
        if masks.size and (masks.min() < 0 or masks.max() >= len(names)):
            raise LabelError(f"mask values must lie in [0, {len(names)}); got "
                             f"{int(masks.min())}..{int(masks.max())}")
        train, test = split_indices(len(images), n_train, n_test, split)
        return cls(name=name, train_images=images[train], train_masks=masks[train].astype(np.int64),
                   test_images=images[test], test_masks=masks[test].astype(np.int64),
                   class_names=names, source=dict(source or {}))


def split_indices(n: int, n_train: int | None, n_test: int | None,
                  split: Split = "tail") -> tuple[np.ndarray, np.ndarray]:
    """The training and test indices of ``n`` items.

    Examples
    --------
    >>> [a.tolist() for a in split_indices(6, 4, 2, "tail")]
    [[0, 1, 2, 3], [4, 5]]
    >>> [a.tolist() for a in split_indices(6, 4, 2, "spread")]
    [[1, 2, 3, 4], [0, 5]]
    >>> split_indices(6, 5, 2)
    Traceback (most recent call last):
    ...
    segscope.errors.ParameterError: the split needs n_train + n_test = 5 + 2 = 7 image/mask \
pairs, but the dataset has 6; pass smaller n_train/n_test (--train/--test) or add images
    """
    if split not in SPLITS:
        raise ParameterError(f"split={split!r} is not supported; choose one of "
                             f"{', '.join(map(repr, SPLITS))}")
    for label, value in (("n_train", n_train), ("n_test", n_test)):
        if value is not None and (isinstance(value, bool) or int(value) != value or value < 1):
            raise ParameterError(f"{label} must be a whole number >= 1; got {value!r}")
    if n_test is None:
        n_test = max(1, n // 5) if n_train is None else n - n_train
    if n_train is None:
        n_train = n - n_test
    n_train, n_test = int(n_train), int(n_test)
    if n_train < 1 or n_test < 1 or n_train + n_test > n:
        raise ParameterError(
            f"the split needs n_train + n_test = {n_train} + {n_test} = {n_train + n_test} "
            f"image/mask pairs, but the dataset has {n}; pass smaller n_train/n_test "
            "(--train/--test) or add images" if n_train >= 1 and n_test >= 1 else
            f"a dataset of {n} image/mask pair(s) is too small to split into a training and a "
            "test part (at least 1 each); add images")
    if split == "tail":
        test = np.arange(n - n_test, n)
        train = np.arange(n_train)
    else:
        test = np.unique(np.round(np.linspace(0, n - 1, n_test)).astype(int))
        rest = np.setdiff1d(np.arange(n), test)
        train = rest[:n_train]
    return train, test


def load_folder(images: str | os.PathLike, masks: str | os.PathLike, *,
                labels: Sequence[int] | None = None, class_names: Sequence[str] | None = None,
                size: int | None = 128, colour: Colour = "rgb", n_train: int | None = None,
                n_test: int | None = None, split: Split = "spread", limit: int | None = None,
                name: str | None = None) -> Dataset:
    """Read a folder of images and a folder of masks, paired by file name (any suffix).

    Parameters
    ----------
    images, masks : path
        The two folders (searched recursively; hidden files ignored). An image and a mask
        pair when they have the same file name without its suffix (``a.jpg`` ↔ ``a.png``).
    labels : sequence of int, optional
        The mask values, in class order: ``(255, 0)`` makes 255 class 0 and 0 class 1. A
        value not listed is an error naming the file. Default: the values must be the
        class indices ``0 .. K-1`` themselves.
    class_names : sequence of str, optional
        One name per class (default ``"class 0"``, ...).
    size : int or None
        Images and masks are resized to ``size × size`` (bilinear for images, nearest for
        masks); ``None`` keeps them as they are (they must then all have one shape).
    colour : {"rgb", "grey", "keep"}
        How images are read (see :func:`segscope.io.read_image`).
    n_train, n_test, split
        See :meth:`Dataset.from_arrays`; by default a fifth of the pairs, spread over the
        sorted file names, are the test set.
    limit : int, optional
        Use at most this many pairs, evenly spaced over the sorted names.

    Raises
    ------
    MissingFileError
        A folder does not exist.
    PairingError
        A file has no partner, or the folders hold no pair.
    FileFormatError
        A file cannot be read (truncated, corrupt, not an image).
    LabelError
        A mask holds a value that is not one of ``labels``.
    ShapeError
        An image and its mask differ in size, or (``size=None``) the images differ.
    ParameterError
        The dataset is too small for the split.
    """
    from ..io import IMAGE_EXTENSIONS, MASK_EXTENSIONS, pair_folders

    images, masks = Path(images), Path(masks)
    for label, folder in (("images", images), ("masks", masks)):
        if not folder.is_dir():
            raise MissingFileError(f"{label} folder {folder}: no such folder")
    if size is not None and (isinstance(size, bool) or int(size) != size or size < 8):
        raise ParameterError(f"size must be a whole number >= 8 (pixels) or None; got {size!r}")
    pairing = pair_folders(images, masks, match="stem",
                           extensions=tuple(dict.fromkeys((*IMAGE_EXTENSIONS, *MASK_EXTENSIONS))))
    if not pairing.complete:
        raise PairingError(f"{pairing.describe_unpaired()}; every image needs a mask of the "
                           f"same name (any suffix) in {masks}, and every mask an image in "
                           f"{images}: add or remove files")
    pairs = list(pairing.pairs)
    if not pairs:
        raise PairingError(f"no image/mask pairs found in {images} and {masks}")
    if limit is not None:
        if isinstance(limit, bool) or int(limit) != limit or limit < 2:
            raise ParameterError(f"limit must be a whole number >= 2; got {limit!r}")
        keep = np.unique(np.round(np.linspace(0, len(pairs) - 1, min(int(limit), len(pairs))))
                         .astype(int))
        pairs = [pairs[i] for i in keep]
    value_order = None if labels is None else tuple(int(v) for v in labels)
    if value_order is not None and len(set(value_order)) != len(value_order):
        raise ParameterError(f"labels must not repeat a value; got {list(value_order)}")
    # check the number of pairs before reading them all
    split_indices(len(pairs), n_train, n_test, split)
    pixels, classes = [], []
    for pair in pairs:
        image, mask = _read_pair(pair.pred, pair.target, colour, size)
        pixels.append(image)
        classes.append(mask)
    channels = {p.shape[0] for p in pixels}
    if len(channels) > 1:
        raise ParameterError(f"the images of {images} mix grey and colour; pass colour='rgb' "
                             "or colour='grey' (--colour)")
    shapes = {p.shape for p in pixels}
    if len(shapes) > 1:
        raise ParameterError(f"the images of {images} have different sizes {sorted(shapes)}; "
                             "pass size=N (--size) to resize them all")
    class_masks, names = _to_classes(classes, [p.target for p in pairs], value_order,
                                     class_names)
    return Dataset.from_arrays(
        np.stack(pixels), np.stack(class_masks), n_train=n_train, n_test=n_test, split=split,
        class_names=names, name=name or images.name,
        source={"images": str(images), "masks": str(masks), "pairs": len(pairs),
                "labels": None if value_order is None else list(value_order),
                "size": size, "colour": colour, "split": split})


def load_membranes(root: str | os.PathLike, *, size: int | None = 256, n_train: int = 25,
                   n_test: int = 5, limit: int | None = None) -> Dataset:
    """The ISBI-2012 membranes: ``root/images/*.png`` and ``root/labels/*.png``.

    Labels 255 (cell interior) become class 0 and 0 (membrane) class 1; the first
    ``n_train`` sections (in numeric order) train, the last ``n_test`` test, so that the
    test sections are not neighbours of training ones in the middle of the stack. The data
    is not bundled with segscope (non-commercial terms; cite the ISBI 2012 challenge).

    Examples
    --------
    >>> load_membranes("no/such/folder")
    Traceback (most recent call last):
    ...
    segscope.errors.MissingFileError: images folder no/such/folder/images: no such folder
    """
    root = Path(root)
    return load_folder(root / "images", root / "labels", labels=MEMBRANE_LABELS,
                       class_names=("interior", "membrane"), size=size, colour="grey",
                       n_train=n_train, n_test=n_test, split="tail", limit=limit,
                       name="membranes")


def load_pets(root: str | os.PathLike, *, size: int | None = 96, limit: int | None = 400,
              n_train: int | None = None, n_test: int | None = None) -> Dataset:
    """A local Oxford-IIIT Pets folder: ``root/images/*.jpg``, ``root/annotations/trimaps/*.png``.

    Trimap values 1 (pet), 2 (background) and 3 (border) become classes 1, 0 and 2.
    ``limit`` pairs (default 400, evenly spaced over the sorted names, so every breed is
    there) are used, a fifth of them spread over the names as the test set. Image files
    without a trimap (and trimaps without an image) are an error, as for any folder.
    """
    root = Path(root)
    return load_folder(root / "images", root / "annotations" / "trimaps", labels=PETS_LABELS,
                       class_names=("background", "pet", "border"), size=size, colour="rgb",
                       n_train=n_train, n_test=n_test, split="spread", limit=limit,
                       name="pets")


def _read_pair(image_path: Path, mask_path: Path, colour: Colour,
               size: int | None) -> tuple[np.ndarray, np.ndarray]:
    from ..io import read_image, read_mask

    image = read_image(image_path, colour=colour)
    mask = read_mask(mask_path, read_spacing=False).labels
    if image.ndim not in (2, 3) or mask.ndim != 2:
        raise ParameterError(f"{image_path} / {mask_path}: the experiment takes 2-D images and "
                             f"masks; got shapes {image.shape} and {mask.shape}")
    check_same_shape(image[..., 0] if image.ndim == 3 else image, mask,
                     (str(image_path), str(mask_path)))
    scaled = _unit_scale(image)
    planes = scaled[None] if scaled.ndim == 2 else np.moveaxis(scaled, -1, 0)
    if size is not None and planes.shape[1:] != (size, size):
        planes = np.stack([_resize(p, size, nearest=False) for p in planes])
        mask = _resize(mask, size, nearest=True)
    return planes.astype(np.float32), mask


def _unit_scale(image: np.ndarray) -> np.ndarray:
    """Intensities in [0, 1]: integer images by their dtype's range, floats by min/max."""
    if np.issubdtype(image.dtype, np.integer):
        return image.astype(np.float32) / float(np.iinfo(image.dtype).max)
    if image.dtype == bool:
        return image.astype(np.float32)
    lo, hi = float(np.min(image)), float(np.max(image))
    return ((image - lo) / (hi - lo if hi > lo else 1.0)).astype(np.float32)


def _resize(plane: np.ndarray, size: int, *, nearest: bool) -> np.ndarray:
    from PIL import Image

    if nearest:
        values = plane.astype(np.int32)
        out = Image.fromarray(values, mode="I").resize((size, size), Image.Resampling.NEAREST)
        return np.asarray(out, dtype=plane.dtype)
    out = Image.fromarray(plane.astype(np.float32), mode="F").resize(
        (size, size), Image.Resampling.BILINEAR)
    return np.asarray(out, dtype=np.float32)


def _to_classes(masks: list[np.ndarray], paths: list[Path], value_order: tuple[int, ...] | None,
                class_names: Sequence[str] | None) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """Mask values → class indices; a value not expected is an error naming its file."""
    found = sorted({int(v) for m in masks for v in np.unique(m)})
    if value_order is None:
        if found != list(range(len(found))) or len(found) < 2:
            shown = ", ".join(map(str, found[:10])) + (", ..." if len(found) > 10 else "")
            raise LabelError(
                f"the masks hold the values {{{shown}}}, which are not the class indices "
                "0, 1, ..., K-1 of at least two classes; say which value is which class with "
                f"labels=(...) (--labels), e.g. labels={tuple(found[:3])}")
        value_order = tuple(found)
    lookup = {v: k for k, v in enumerate(value_order)}
    out = []
    for mask, path in zip(masks, paths):
        values = np.unique(mask)
        unexpected = [int(v) for v in values if int(v) not in lookup]
        if unexpected:
            raise LabelError(f"{path}: unexpected mask value(s) {unexpected[:10]}; the "
                             f"expected values are {list(value_order)} (labels); fix the mask "
                             "or list every value in labels")
        table = np.zeros(int(values.max()) + 1, dtype=np.int64)
        for v in values:
            table[int(v)] = lookup[int(v)]
        out.append(table[mask.astype(np.int64)])
    if class_names is None:
        class_names = tuple(f"class {k}" for k in range(len(value_order)))
    names = tuple(class_names)
    if len(names) != len(value_order):
        raise ParameterError(f"class_names has {len(names)} names for {len(value_order)} "
                             "labels; give one name per label")
    return out, names
