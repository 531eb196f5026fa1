"""Pairing prediction files with target files: one pair of files, or two folders.

Rules
-----
- Folders are searched recursively; hidden files and folders (names starting with
  ``.``) are ignored, and so are files whose suffix is not in ``extensions``.
- ``match="path"`` (default): a prediction and a target pair when they have the same
  relative path **without the suffix**: ``pred/a/b.png`` ↔ ``gt/a/b.tif``. The suffix
  may differ, the folders may not.
- ``match="stem"``: they pair when they have the same file name without the suffix,
  wherever they are in the two trees: ``pred/b.png`` ↔ ``gt/x/y/b.nii.gz``.
- A key that two files of the same side share (``a.png`` and ``a.tif`` side by side,
  or the same stem in two sub-folders with ``match="stem"``) is a
  :class:`~segscope.errors.PairingError` naming both files: segscope never guesses.
- Files without a partner are listed in ``Pairing.unpaired_pred`` and
  ``Pairing.unpaired_target``; the caller decides whether that is an error.
- Pairs are sorted by their key (the name used in per-image reports), in natural order:
  numbers by value, so ``img2`` comes before ``img10``.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("pred/a.png", "pred/b.png", "gt/a.tif", "gt/c.tif"):
...     (root / name).parent.mkdir(exist_ok=True)
...     _ = (root / name).write_bytes(b"")
>>> pairing = pair_folders(root / "pred", root / "gt")
>>> [p.name for p in pairing.pairs], [f.name for f in pairing.unpaired_pred]
(['a'], ['b.png'])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .._checks import check_choice
from ..errors import MissingFileError, PairingError
from ._files import full_suffix, natural_key, strip_suffix
from .masks import MASK_EXTENSIONS

__all__ = ["MATCH_MODES", "PAIRING_EXTENSIONS", "MatchMode", "Pair", "Pairing", "list_files",
           "pair_folders", "pair_inputs"]

#: How two folders are paired: same relative path, or same file name anywhere.
MatchMode = Literal["path", "stem"]
MATCH_MODES: tuple[str, ...] = ("path", "stem")
#: Suffixes looked for in folders: every mask format, plus JPEG so that a JPEG mask
#: gets a clear error (lossy) instead of being silently left out.
PAIRING_EXTENSIONS = (*MASK_EXTENSIONS, ".jpg", ".jpeg")


@dataclass(frozen=True)
class Pair:
    """A prediction file and its target file, with the name used in reports."""

    name: str
    pred: Path
    target: Path


@dataclass(frozen=True)
class Pairing:
    """The outcome of pairing two inputs.

    Attributes
    ----------
    pairs : tuple of Pair
        Matched files, sorted by name.
    unpaired_pred, unpaired_target : tuple of Path
        Files with no partner on the other side.
    """

    pairs: tuple[Pair, ...]
    unpaired_pred: tuple[Path, ...] = field(default=())
    unpaired_target: tuple[Path, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """``True`` when every file found a partner."""
        return not (self.unpaired_pred or self.unpaired_target)

    def describe_unpaired(self, limit: int = 10) -> str:
        """A human-readable list of the unpaired files (at most ``limit`` per side)."""
        parts = []
        for side, files in (("prediction", self.unpaired_pred), ("target", self.unpaired_target)):
            if files:
                shown = ", ".join(str(f) for f in files[:limit])
                more = f" and {len(files) - limit} more" if len(files) > limit else ""
                parts.append(f"{len(files)} {side} file(s) without a partner: {shown}{more}")
        return "; ".join(parts)

    def __len__(self) -> int:
        return len(self.pairs)


def list_files(folder: str | os.PathLike,
               extensions: Iterable[str] = PAIRING_EXTENSIONS, *,
               follow_links: bool = False, loops: list[Path] | None = None) -> list[Path]:
    """Files under ``folder`` (recursively) with one of ``extensions``, hidden ones skipped.

    Parameters
    ----------
    folder : str or path-like
        The folder searched.
    extensions : iterable of str
        Suffixes kept.
    follow_links : bool
        Also search folders reached through symbolic links. A link to a folder that is
        searched anyway (a folder of the tree itself, an earlier link's target: a loop or
        a repeat) is not entered.
    loops : list of Path, optional
        With ``follow_links``: receives each folder link that was not entered, so that the
        caller can report it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.png", ".hidden.png", "notes.txt"):
    ...     _ = (root / name).write_bytes(b"")
    >>> [p.name for p in list_files(root)]
    ['a.png']
    >>> (root / "again").symlink_to(root)  # a loop
    >>> skipped = []
    >>> [p.name for p in list_files(root, follow_links=True, loops=skipped)], skipped[0].name
    (['a.png'], 'again')
    """
    root = Path(folder)
    if not root.is_dir():
        raise MissingFileError(f"{root}: no such folder")
    wanted = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions}
    out = []
    # the folders of the tree itself come first: a link to one of them is a repeat
    plain = ({os.path.realpath(d) for d, _, _ in os.walk(root)} if follow_links
             else set())
    seen = set(plain)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_links):
        keep = []
        for d in sorted((d for d in dirnames if not d.startswith(".")), key=natural_key):
            if follow_links:
                path = os.path.join(dirpath, d)
                real = os.path.realpath(path)
                if not (real in plain and not os.path.islink(path)):
                    if real in seen:
                        if loops is not None:
                            loops.append(Path(path))
                        continue
                    seen.add(real)
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames, key=natural_key):
            if not name.startswith(".") and full_suffix(name) in wanted:
                out.append(Path(dirpath) / name)
    return out


def pair_folders(pred_dir: str | os.PathLike, target_dir: str | os.PathLike, *,
                 match: MatchMode = "path",
                 extensions: Iterable[str] = PAIRING_EXTENSIONS) -> Pairing:
    """Pair the files of two folders by relative path or by stem.

    Parameters
    ----------
    pred_dir, target_dir : str or path-like
        Folders of predictions and of targets.
    match : {"path", "stem"}
        ``"path"``: same relative path without suffix; ``"stem"``: same file name
        without suffix anywhere in the tree (it must be unique on each side).
    extensions : iterable of str
        Suffixes to consider (default: every mask format segscope reads, and JPEG).

    Returns
    -------
    Pairing

    Raises
    ------
    MissingFileError
        If a folder does not exist.
    PairingError
        If two files of one side have the same key.
    """
    check_choice("match", match, MATCH_MODES)
    extensions = tuple(extensions)
    pred = _keyed(Path(pred_dir), match, extensions)
    target = _keyed(Path(target_dir), match, extensions)
    common = sorted(pred.keys() & target.keys(), key=natural_key)
    pairs = tuple(Pair(name=k, pred=pred[k], target=target[k]) for k in common)
    return Pairing(
        pairs=pairs,
        unpaired_pred=tuple(pred[k] for k in sorted(pred.keys() - target.keys(),
                                                    key=natural_key)),
        unpaired_target=tuple(target[k] for k in sorted(target.keys() - pred.keys(),
                                                        key=natural_key)),
    )


def pair_inputs(pred: str | os.PathLike, target: str | os.PathLike, *,
                match: MatchMode = "path",
                extensions: Iterable[str] = PAIRING_EXTENSIONS) -> Pairing:
    """Pair two files (one pair) or two folders (see :func:`pair_folders`).

    Raises
    ------
    MissingFileError
        If either path does not exist.
    PairingError
        If one is a file and the other a folder, or folder pairing fails.
    """
    check_choice("match", match, MATCH_MODES)
    p, t = Path(pred), Path(target)
    for path in (p, t):
        if not path.exists():
            raise MissingFileError(f"{path}: no such file or folder")
    if p.is_dir() and t.is_dir():
        return pair_folders(p, t, match=match, extensions=extensions)
    if p.is_dir() or t.is_dir():
        kinds = ("folder" if p.is_dir() else "file", "folder" if t.is_dir() else "file")
        raise PairingError(
            f"PRED and TARGET must both be files or both be folders; got a {kinds[0]} ({p}) "
            f"and a {kinds[1]} ({t})"
        )
    return Pairing(pairs=(Pair(name=strip_suffix(p.name), pred=p, target=t),))


def _keyed(root: Path, match: str, extensions: tuple[str, ...]) -> dict[str, Path]:
    keys: dict[str, Path] = {}
    for path in list_files(root, extensions):
        rel = path.relative_to(root).as_posix()
        key = strip_suffix(rel) if match == "path" else strip_suffix(path.name)
        if key in keys:
            how = "relative path" if match == "path" else "stem"
            hint = ("remove or rename one of them" if match == "path"
                    else "use --match path, or rename one of them")
            raise PairingError(
                f"two files in {root} have the same {how} {key!r}: {keys[key]} and {path}; "
                f"segscope cannot tell which one to pair; {hint}"
            )
        keys[key] = path
    return keys
