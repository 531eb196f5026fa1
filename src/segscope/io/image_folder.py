"""Reading every image of a folder, reporting (not hiding) the files that cannot be read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FileFormatError, MissingFileError
from ..options import Colour
from ._files import DEFAULT_MAX_PIXELS
from .images import IMAGE_EXTENSIONS, load_image
from .pairing import list_files

__all__ = ["ImageFolder", "read_image_folder"]


@dataclass(frozen=True)
class ImageFolder:
    """Images read from a folder.

    Attributes
    ----------
    names : tuple of str
        Paths relative to the folder (POSIX separators), sorted.
    images : tuple of ndarray
        The images, as :func:`read_image` returns them.
    skipped : tuple of (str, str)
        ``(name, reason)`` for every file that could not be read.
    is_colour : tuple of bool
        Whether each image's last axis holds colours, as its file says (see
        :func:`segscope.io.load_image`): never guessed from an axis of length 3.
    """

    names: tuple[str, ...]
    images: tuple[np.ndarray, ...]
    skipped: tuple[tuple[str, str], ...]
    is_colour: tuple[bool, ...] = ()


def read_image_folder(folder: str | os.PathLike, *, colour: Colour = "keep",
                      max_pixels: int | None = DEFAULT_MAX_PIXELS) -> ImageFolder:
    """Read every image under ``folder`` (recursively, hidden files skipped).

    Unreadable files (truncated, corrupt, too large) are listed in ``skipped`` with the
    reason instead of stopping the whole run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> Image.fromarray(np.zeros((4, 4), np.uint8)).save(root / "a.png")
    >>> _ = (root / "broken.png").write_bytes(b"not a png")
    >>> found = read_image_folder(root)
    >>> found.names, [name for name, _ in found.skipped]
    (('a.png',), ['broken.png'])
    """
    root = Path(folder)
    if not root.is_dir():
        raise MissingFileError(f"{root}: no such folder")
    names: list[str] = []
    images: list[np.ndarray] = []
    is_colour: list[bool] = []
    skipped: list[tuple[str, str]] = []
    for path in list_files(root, IMAGE_EXTENSIONS):
        name = path.relative_to(root).as_posix()
        try:
            found = load_image(path, colour=colour, max_pixels=max_pixels)
        except (FileFormatError, MissingFileError) as err:
            skipped.append((name, str(err)))
            continue
        images.append(found.pixels)
        is_colour.append(found.is_colour)
        names.append(name)
    return ImageFolder(tuple(names), tuple(images), tuple(skipped), tuple(is_colour))
