"""Evaluate prediction files against target files: one pair, or two folders, streamed.

This is what ``segscope evaluate`` runs. Files are paired (:mod:`segscope.io.pairing`),
read one pair at a time (:func:`segscope.io.read_mask`), checked (same shape, naming
both files), optionally binarized, and their confusion counts accumulated; scores are
computed once at the end from the counts (:func:`segscope.scores_from_confusion`),
so memory holds one image pair at a time whatever the size of the dataset.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> np.save(root / "pred.npy", np.array([[0, 1], [1, 1]]))
>>> np.save(root / "target.npy", np.array([[0, 1], [0, 1]]))
>>> report = evaluate_paths(root / "pred.npy", root / "target.npy", num_classes=2)
>>> round(report["iou"].value, 4), report["accuracy"].value
(0.5833, 0.75)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._checks import check_same_shape, check_spacing
from .._progress import track
from ..errors import LabelError, PairingError, ParameterError, SegscopeError, ShapeError
from ..results import Report
from ._files import DEFAULT_MAX_PIXELS
from .colormap import Colormap, read_colormap
from .masks import MASK_EXTENSIONS, Mask, read_mask
from .pairing import PAIRING_EXTENSIONS, Pair, Pairing, pair_inputs

__all__ = [
    "BOUNDARY_METRICS",
    "DEFAULT_METRICS",
    "GeometryWarning",
    "LoadedPair",
    "binarize",
    "evaluate_paths",
    "load_pairs",
]

DEFAULT_METRICS = ("accuracy", "iou", "dice", "precision", "recall")
#: Names accepted by ``boundary=`` (``"all"`` selects every one).
BOUNDARY_METRICS = ("hd", "hd95", "assd", "masd", "nsd", "biou")


def binarize(labels: np.ndarray, ignore_index: int | None = None) -> np.ndarray:
    """Foreground/background of a label or instance mask: every non-zero id becomes 1.

    Pixels equal to ``ignore_index`` keep that value, so they stay ignored.

    Examples
    --------
    >>> binarize(np.array([0, 3, 17, 255]), ignore_index=255).tolist()
    [0, 1, 1, 255]
    """
    out = (labels != 0).astype(np.uint8)
    if ignore_index is not None:
        keep = labels == ignore_index
        if keep.any():
            out = out.astype(np.uint8 if 0 <= ignore_index < 256 else np.int64)
            out[keep] = ignore_index
    return out


@dataclass(frozen=True)
class LoadedPair:
    """One prediction/target pair read from disk (labels already binarized if asked)."""

    name: str
    pred: Mask
    target: Mask

    @property
    def spacing(self) -> tuple[float, ...] | None:
        """Spacing recorded in the files: the target's, else the prediction's, else None."""
        return self.target.spacing if self.target.spacing is not None else self.pred.spacing


def load_pairs(pairs: Sequence[Pair], *, colormap: Colormap | None = None,
               binarize_labels: bool = False, ignore_index: int | None = None,
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Iterator[LoadedPair]:
    """Read each pair in turn (one pair in memory at a time) and check their shapes.

    Raises
    ------
    ShapeError
        If a prediction and its target differ in shape; the message names both files.
    """
    for pair in pairs:
        pred = read_mask(pair.pred, colormap=colormap, max_pixels=max_pixels)
        target = read_mask(pair.target, colormap=colormap, max_pixels=max_pixels)
        check_same_shape(pred.labels, target.labels, (str(pair.pred), str(pair.target)))
        _warn_geometry(pred, target)
        if binarize_labels:
            pred = replace(pred, labels=binarize(pred.labels))
            target = replace(target, labels=binarize(target.labels, ignore_index))
        yield LoadedPair(pair.name, pred, target)


class GeometryWarning(UserWarning):
    """A prediction and its target record different spacings or orientations."""


def _warn_geometry(pred: Mask, target: Mask) -> None:
    """Warn when the files disagree on geometry: arrays are still compared as stored."""
    if pred.orientation and target.orientation and pred.orientation != target.orientation:
        warnings.warn(GeometryWarning(
            f"{pred.path} and {target.path} have different orientations "
            f"({pred.orientation} vs {target.orientation}); the arrays are compared voxel by "
            "voxel as stored, so resample the prediction onto the target if they are not "
            "aligned"), stacklevel=3)
    if (pred.spacing is not None and target.spacing is not None
            and not np.allclose(pred.spacing, target.spacing, rtol=1e-4, atol=1e-6)):
        warnings.warn(GeometryWarning(
            f"{pred.path} and {target.path} record different spacings ({pred.spacing} vs "
            f"{target.spacing}); the target's spacing is used"), stacklevel=3)


def evaluate_paths(
    pred: str | os.PathLike,
    target: str | os.PathLike,
    /,
    *,
    num_classes: int | None = None,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    ignore_index: int | None = None,
    average: str = "macro",
    aggregate: str = "dataset",
    empty: str | None = None,
    labels: Sequence[int] | None = None,
    include_background: bool = True,
    binarize_labels: bool = False,
    colormap: Colormap | str | os.PathLike | None = None,
    match: str = "path",
    allow_unpaired: bool = False,
    per_image: bool = False,
    boundary: Sequence[str] = (),
    percentile: float = 95.0,
    tolerance: float = 1.0,
    spacing: Sequence[float] | None = None,
    extensions: Sequence[str] = PAIRING_EXTENSIONS,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    progress: bool = False,
) -> Any:
    """Score prediction files against target files (one pair of files or two folders).

    Parameters
    ----------
    pred, target : str or path-like
        Two mask files, or two folders paired by ``match``.
    num_classes : int, optional
        Number of classes, background included. Required unless ``binarize_labels``
        (then 2); when missing, the error reports the largest label of the first pair.
    metrics, ignore_index, average, aggregate, empty, labels, include_background
        As in :func:`segscope.evaluate`.
    binarize_labels : bool
        Treat every non-zero id as foreground (instance masks → 2 classes).
    colormap : mapping or path, optional
        Colour → class map for RGB masks (see :func:`segscope.io.read_colormap`).
    match : {"path", "stem"}
        How folder contents are paired (see :mod:`segscope.io.pairing`).
    allow_unpaired : bool
        If false (default), files without a partner are an error; if true they are
        skipped and listed in ``report.meta["unpaired_pred"]``/``["unpaired_target"]``.
    per_image : bool
        Keep per-image values (``Score.per_image``); implied by ``aggregate="image"``.
    boundary : sequence of str
        Boundary metrics to add (names in :data:`BOUNDARY_METRICS`, or ``"all"``);
        needs :mod:`segscope.boundary`. They leave out class 0 (the background).
    percentile, tolerance : float
        Percentile of the HD percentile metric and tolerance (physical units) of NSD.
    spacing : sequence of float, optional
        Pixel/voxel size in array axis order, overriding the spacing read from files.
    extensions : sequence of str
        File suffixes considered in folders.
    max_pixels : int or None
        Largest image read (see :func:`segscope.io.read_mask`).
    progress : bool
        Draw a progress bar on stderr.

    Returns
    -------
    Report
        Overlap (and boundary) scores; ``meta`` records the inputs and settings.

    Raises
    ------
    PairingError
        Unpaired files (unless ``allow_unpaired``), no pairs at all, or a file paired
        with a folder.
    ShapeError, LabelError, FileFormatError, ParameterError
        Bad input; messages name the files involved.
    """
    from ..metrics import scores_from_confusion

    pairing = pair_inputs(pred, target, match=match, extensions=extensions)
    _check_pairing(pairing, pred, target, allow_unpaired, match)
    cmap = read_colormap(colormap) if isinstance(colormap, (str, os.PathLike)) else colormap
    if binarize_labels:
        if num_classes not in (None, 2):
            raise ParameterError(
                f"binarize gives 2 classes (background, foreground); got num_classes="
                f"{num_classes}. Leave num_classes out, or do not binarize"
            )
        num_classes = 2
    elif num_classes is None:
        _raise_missing_num_classes(pairing.pairs[0], cmap, ignore_index, max_pixels)
    keep_images = per_image or aggregate == "image"
    accumulate = _CountAccumulator(num_classes, ignore_index, keep_images)
    boundary_acc = _boundary_accumulator(boundary, num_classes, percentile, tolerance,
                                         ignore_index)
    override = None if spacing is None else tuple(float(s) for s in spacing)
    loaded = load_pairs(pairing.pairs, colormap=cmap, binarize_labels=binarize_labels,
                        ignore_index=ignore_index, max_pixels=max_pixels)
    for item in track(loaded, total=len(pairing.pairs), description="evaluating",
                      enabled=progress and len(pairing.pairs) > 1):
        accumulate.update(item)
        if boundary_acc is not None:
            sp = override if override is not None else item.spacing
            if sp is not None:
                sp = tuple(check_spacing(sp, item.target.labels.ndim).tolist())
            bp, bt, sp = _flat_slices(item.pred.labels, item.target.labels, sp)
            boundary_acc.update(bp, bt, spacing=sp, name=item.name)
    report = scores_from_confusion(
        accumulate.compute(), metrics, average=average, aggregate=aggregate, empty=empty,
        labels=labels, include_background=include_background,
        image_names=[p.name for p in pairing.pairs] if keep_images else (),
    )
    if boundary_acc is not None:
        report = report.with_scores(boundary_acc.compute())
    meta = dict(report.meta)
    meta.update(
        pred=str(pred), target=str(target), num_pairs=len(pairing.pairs),
        ignore_index=ignore_index, binarize=bool(binarize_labels), match=match,
        unpaired_pred=[str(p) for p in pairing.unpaired_pred],
        unpaired_target=[str(p) for p in pairing.unpaired_target],
    )
    if override is not None:
        meta["spacing"] = list(override)
    return Report(report.scores, len(pairing.pairs), tuple(p.name for p in pairing.pairs), meta)


def _flat_slices(pred: np.ndarray, target: np.ndarray, spacing: tuple[float, ...] | None
                 ) -> tuple[np.ndarray, np.ndarray, tuple[float, ...] | None]:
    """Drop the singleton axis of a one-slice volume (a 2-D mask saved as NIfTI ``(X, Y, 1)``).

    As a volume one slice deep, every object voxel would lie on the surface; boundary
    metrics of such a file are those of the 2-D image it holds.
    """
    if pred.ndim == 3 and 1 in pred.shape and pred.size > 1:
        keep = [a for a, n in enumerate(pred.shape) if n != 1]
        if len(keep) == 2:
            shape = tuple(pred.shape[a] for a in keep)
            pred, target = pred.reshape(shape), target.reshape(shape)
            spacing = None if spacing is None else tuple(spacing[a] for a in keep)
    return pred, target, spacing


class _CountAccumulator:
    """Confusion counts of each pair; errors name the pair's files."""

    def __init__(self, num_classes: int, ignore_index: int | None, per_image: bool) -> None:
        from ..confusion import ConfusionAccumulator

        self.per_image = per_image
        self.inner = ConfusionAccumulator(num_classes, ignore_index=ignore_index,
                                          per_image=per_image)

    def update(self, item: LoadedPair) -> None:
        p, t = item.pred.labels, item.target.labels
        try:
            if self.per_image:
                self.inner.update(p[None], t[None])
            else:
                self.inner.update(p, t)
        except (LabelError, ShapeError) as err:
            hint = ""
            if isinstance(err, LabelError):
                hint = (" (masks saved as 0/255, or instance masks with one id per object: "
                        "binarize_labels=True, CLI --binarize)")
            raise type(err)(f"{item.pred.path} vs {item.target.path}: {err}{hint}") from err

    def compute(self) -> np.ndarray:
        return self.inner.compute()


def _check_pairing(pairing: Pairing, pred: Any, target: Any, allow_unpaired: bool,
                   match: str) -> None:
    if not pairing.complete and not allow_unpaired:
        raise PairingError(
            f"{pairing.describe_unpaired()}. Add the missing files, or pass "
            "allow_unpaired=True (CLI: --allow-unpaired) to skip them; use match='stem' "
            "(--match stem) if the folders are organised differently"
        )
    if not pairing.pairs:
        raise PairingError(
            f"no prediction/target pairs found in {pred} and {target}; mask files "
            f"({', '.join(MASK_EXTENSIONS)}) are matched by "
            + ("relative path without suffix" if match == "path" else "file name without "
               "suffix")
        )


def _raise_missing_num_classes(pair: Pair, cmap: Colormap | None, ignore_index: int | None,
                               max_pixels: int | None) -> None:
    present = []
    for path in (pair.pred, pair.target):
        values = np.unique(read_mask(path, colormap=cmap, max_pixels=max_pixels).labels)
        if ignore_index is not None:
            values = values[values != ignore_index]
        present.append(values)
    labels = np.union1d(*present)
    top = int(labels.max()) if labels.size else 0
    where = f"the first pair ({pair.pred.name}, {pair.target.name})"
    if labels.size == 2 and labels[0] == 0:
        # e.g. 0/255 masks: two values, so a binary mask saved with a non-1 foreground
        raise ParameterError(
            f"num_classes is required; {where} holds only the values 0 and {top}, which "
            f"looks like a binary mask saved as 0/{top}: pass binarize_labels=True (CLI: "
            f"--binarize) to score it as background/foreground, or num_classes={top + 1} "
            f"(--num-classes {top + 1}) if {top} really is a class index"
        )
    raise ParameterError(
        f"num_classes is required (the number of classes, background included); {where} "
        f"has labels up to {top}, so num_classes must be at least {top + 1}: pass "
        f"num_classes (CLI: --num-classes {top + 1}), or binarize (CLI: --binarize) to score "
        "instance masks as foreground/background"
    )


def _boundary_accumulator(boundary: Sequence[str], num_classes: int, percentile: float,
                          tolerance: float, ignore_index: int | None):
    # Boundary metrics never score class 0: the background's surface is the union of all
    # other surfaces plus the image border (where prediction and target always agree), so
    # its distances only dilute the mean over classes (MONAI also leaves it out).
    names = _boundary_names(boundary)
    if not names:
        return None
    try:
        from ..boundary import BoundaryAccumulator
    except ImportError as err:  # pragma: no cover - until segscope.boundary exists
        raise SegscopeError(f"boundary metrics are not available in this build: {err}") from err
    return BoundaryAccumulator(num_classes=num_classes, metrics=list(names),
                               percentile=percentile, tolerance=tolerance,
                               include_background=False,
                               ignore_index=ignore_index, one_empty="inf")


def _boundary_names(boundary: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(boundary, str):
        boundary = boundary.split(",")
    names: list[str] = []
    for b in boundary:
        name = b.strip().lower()
        if not name:
            continue
        if name == "all":
            names.extend(BOUNDARY_METRICS)
        elif name in BOUNDARY_METRICS:
            names.append(name)
        else:
            raise ParameterError(
                f"unknown boundary metric {b!r}; choose from {', '.join(BOUNDARY_METRICS)} "
                "or 'all'"
            )
    return tuple(dict.fromkeys(names))
