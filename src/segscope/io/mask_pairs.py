"""Reading paired prediction/target mask files, one pair at a time.

:func:`load_pairs` reads the two files of each :class:`~segscope.io.Pair` with
:func:`~segscope.io.read_mask`, checks that their arrays have the same shape (the error
names both files) and warns when their headers disagree on geometry. Nothing is
scored here: :mod:`segscope.files` builds the evaluation on top of it.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from segscope.io import pair_folders
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for side in ("pred", "gt"):
...     (root / side).mkdir()
...     np.save(root / side / "a.npy", np.zeros((2, 2), np.uint8))
>>> [p.name for p in load_pairs(pair_folders(root / "pred", root / "gt").pairs)]
['a']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_same_shape
from ._files import DEFAULT_MAX_PIXELS
from .colormap import Colormap
from .masks import Mask, read_mask
from .pairing import Pair

__all__ = ["GeometryWarning", "LoadedPair", "load_pairs"]


class GeometryWarning(UserWarning):
    """A prediction and its target record different spacings or orientations."""


@dataclass(frozen=True)
class LoadedPair:
    """One prediction/target pair read from disk."""

    name: str
    pred: Mask
    target: Mask

    @property
    def spacing(self) -> tuple[float, ...] | None:
        """Spacing recorded in the files: the target's, else the prediction's, else None."""
        return self.target.spacing if self.target.spacing is not None else self.pred.spacing


def load_pairs(pairs: Sequence[Pair], *, colormap: Colormap | None = None,
               max_pixels: int | None = DEFAULT_MAX_PIXELS,
               read_spacing: bool = True) -> Iterator[LoadedPair]:
    """Read each pair in turn (one pair in memory at a time) and check their shapes.

    Parameters
    ----------
    pairs : sequence of Pair
        From :func:`~segscope.io.pair_inputs` or :func:`~segscope.io.pair_folders`.
    colormap : Colormap, optional
        Colour → class map for RGB masks.
    max_pixels : int or None
        Largest image read (see :func:`~segscope.io.read_mask`).
    read_spacing : bool
        Read (and check) the spacing the files record; ``False`` when it is not needed or
        given by the caller (see :func:`~segscope.io.read_mask`).

    Yields
    ------
    LoadedPair

    Raises
    ------
    ShapeError
        If a prediction and its target differ in shape; the message names both files.

    Warns
    -----
    GeometryWarning
        If the two files record different orientations or spacings.
    """
    for pair in pairs:
        pred = read_mask(pair.pred, colormap=colormap, max_pixels=max_pixels,
                         read_spacing=read_spacing)
        target = read_mask(pair.target, colormap=colormap, max_pixels=max_pixels,
                           read_spacing=read_spacing)
        check_same_shape(pred.labels, target.labels, (str(pair.pred), str(pair.target)))
        _warn_geometry(pred, target)
        yield LoadedPair(pair.name, pred, target)


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
