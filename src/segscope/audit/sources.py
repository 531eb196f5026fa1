"""What an audit compares: folders, lists of files, or arrays, each named once.

Examples
--------
>>> import numpy as np
>>> items = collect([np.zeros((8, 8)), np.ones((8, 8))], split=0)
>>> [i.name for i in items]
['0', '1']
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingFileError, ParameterError

__all__ = ["Item", "collect", "is_paths", "split_items"]


@dataclass(frozen=True)
class Item:
    """One image to describe: a file (``path``), an fsspec URL (``url``: read where the
    audit runs, e.g. on a cluster worker) or an array (``array``).

    ``problem``, when set, says why the item cannot be read (found while collecting, e.g.
    a folder link that loops); it is reported as skipped without being read.
    """

    name: str
    split: int
    path: Path | None = None
    array: Any = None
    problem: str | None = None
    url: str | None = None


def is_paths(images: Any) -> bool:
    """Whether ``images`` names files (a folder, a file, or a sequence of paths or URLs)."""
    if isinstance(images, (str, os.PathLike)):
        return True
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence):
        return False
    return len(images) > 0 and all(isinstance(x, (str, os.PathLike)) for x in images)


def collect(images: Any, *, split: int, prefix: str = "") -> list[Item]:
    """Items of one split: every image file under a folder (recursively), each path of a
    sequence, or each array of a sequence / along axis 0 of an array.

    Folder members are named by their path relative to the folder (POSIX separators),
    files of a list by the path (or URL) as given, arrays by their position; ``prefix``
    (e.g. the split name and ``/``) is put in front. Folders reached through symbolic
    links are searched too; a link to a folder searched anyway (a loop) becomes an item
    with a ``problem``, reported as skipped. A folder or file may be an fsspec URL
    (``s3://bucket/photos``, ``file:///data/val``): its files are listed here and read
    where the audit runs.
    """
    from ..io import IMAGE_EXTENSIONS, is_url, list_files, list_urls

    if is_url(images):
        return [Item(prefix + rel, split, url=url)
                for rel, url in list_urls(images, IMAGE_EXTENSIONS)]
    if isinstance(images, (str, os.PathLike)):
        root = Path(images)
        if root.is_dir():
            loops: list[Path] = []
            found = list_files(root, IMAGE_EXTENSIONS, follow_links=True, loops=loops)
            return [Item(prefix + p.relative_to(root).as_posix(), split, path=p)
                    for p in found] + [
                Item(prefix + p.relative_to(root).as_posix(), split, path=p,
                     problem="symbolic link to a folder that is searched anyway (a loop or "
                     "a repeat); not followed") for p in loops]
        if root.exists() or root.is_symlink():
            return [Item(prefix + root.name, split, path=root)]
        raise MissingFileError(f"{root}: no such file or folder")
    if is_paths(images):
        return [Item(prefix + str(p), split, url=p) if is_url(p) else
                Item(prefix + str(p), split, path=Path(p)) for p in images]
    if isinstance(images, np.ndarray):
        return [Item(f"{prefix}{k}", split, array=images[k]) for k in range(images.shape[0])]
    if isinstance(images, Sequence):
        return [Item(f"{prefix}{k}", split, array=a) for k, a in enumerate(images)]
    raise ParameterError(f"images must be a folder, a sequence of paths or a sequence of "
                         f"arrays; got {type(images).__name__}")


def split_items(splits: Mapping[str, Any] | Sequence[Any]) -> tuple[list[Item], tuple[str, ...]]:
    """The items of two or more splits (names ``split/name``) and the split names.

    A sequence names its splits ``train``, ``val``, ``test``, then ``split3``, ...

    Examples
    --------
    >>> items, names = split_items({"train": [np.zeros((8, 8))], "val": [np.ones((8, 8))]})
    >>> [i.name for i in items], names
    (['train/0', 'val/0'], ('train', 'val'))
    """
    if isinstance(splits, Mapping):
        named = [(str(k), v) for k, v in splits.items()]
    elif isinstance(splits, Sequence) and not isinstance(splits, (str, bytes)):
        default = ("train", "val", "test")
        named = [(default[k] if k < 3 else f"split{k}", v) for k, v in enumerate(splits)]
    else:
        raise ParameterError(f"splits must be a mapping of name -> images or a sequence of "
                             f"image collections; got {type(splits).__name__}")
    if len(named) < 2:
        raise ParameterError(f"find_leakage needs at least two splits; got {len(named)}. For "
                             "one collection use find_duplicates")
    if len({n for n, _ in named}) != len(named):
        raise ParameterError(f"split names must differ; got {[n for n, _ in named]}")
    items: list[Item] = []
    for k, (name, images) in enumerate(named):
        items += collect(images, split=k, prefix=f"{name}/")
    return items, tuple(n for n, _ in named)
