"""Inputs named by fsspec URLs or given as lists of files, paired like two folders.

A cluster reads its inputs where each task runs, often from object storage. These
functions pair such inputs on the client (:func:`pair_sources`) and fetch one pair at a
time to a local folder on the worker (:func:`fetch_pair`), so the readers of
:mod:`segscope.io` read them as files. ``file://`` URLs are read in place. fsspec (a
dependency of dask) is imported only for URLs.

Examples
--------
>>> is_url("memory://masks/a.png"), is_url("masks/a.png"), is_url("C:/masks")
(True, False, False)
>>> [p.name for p in pair_sources(["p/a.png", "p/b.png"], ["t/a.png", "t/b.png"]).pairs]
['a', 'b']
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .._checks import check_choice
from ..errors import MissingFileError, PairingError, require
from ._files import full_suffix, natural_key, strip_suffix
from .pairing import MATCH_MODES, PAIRING_EXTENSIONS, MatchMode, Pair, Pairing, pair_inputs

__all__ = ["Source", "fetch_file", "fetch_pair", "is_url", "list_urls", "pair_sources"]

#: A folder or file (path or URL), or a list of files (paths or URLs).
Source = str | os.PathLike | Sequence[str | os.PathLike]

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]+://")


def is_url(source: Any) -> bool:
    """Whether ``source`` is a string with a protocol (``memory://``, ``s3://``, ``file://``)."""
    return isinstance(source, str) and bool(_URL.match(source))


def pair_sources(pred: Source, target: Source, *, match: MatchMode = "path",
                 extensions: Iterable[str] = PAIRING_EXTENSIONS) -> Pairing:
    """Pair two inputs: files or folders (paths or URLs), or two lists of files.

    Two local paths are paired by :func:`~segscope.io.pair_inputs`. Two URLs of folders
    are paired as folders are (``match``: same relative path, or same file name, without
    suffix); two URLs of files make one pair. Two lists are paired by position (the
    pair's name is the target's file name without suffix).

    Raises
    ------
    PairingError
        Lists of different lengths, a list with a folder, a file with a folder, or two
        files of one folder with the same key.
    MissingFileError
        A path or URL that does not exist.
    """
    check_choice("match", match, MATCH_MODES)
    listed = [not isinstance(s, (str, os.PathLike)) for s in (pred, target)]
    if any(listed):
        if not all(listed):
            raise PairingError("PRED and TARGET must both be lists of files or neither; got a "
                               f"{'list' if listed[0] else 'path'} and a "
                               f"{'list' if listed[1] else 'path'}")
        return _pair_lists(list(pred), list(target))  # type: ignore[arg-type]
    if not (is_url(pred) or is_url(target)):
        return pair_inputs(pred, target, match=match, extensions=extensions)
    fs_p, root_p = _filesystem(str(pred))
    fs_t, root_t = _filesystem(str(target))
    dirs = (fs_p.isdir(root_p), fs_t.isdir(root_t))
    if not any(dirs):
        return Pairing(pairs=(Pair(strip_suffix(Path(root_t).name), pred, target),))
    if not all(dirs):
        raise PairingError(f"PRED and TARGET must both be files or both be folders; got "
                           f"{pred} and {target}")
    wanted = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions}
    keyed_p = _keyed_urls(str(pred), fs_p, root_p, match, wanted)
    keyed_t = _keyed_urls(str(target), fs_t, root_t, match, wanted)
    common = sorted(keyed_p.keys() & keyed_t.keys(), key=natural_key)
    return Pairing(
        pairs=tuple(Pair(k, keyed_p[k], keyed_t[k]) for k in common),  # type: ignore[arg-type]
        unpaired_pred=tuple(keyed_p[k] for k in sorted(keyed_p.keys() - keyed_t.keys(),
                                                       key=natural_key)),  # type: ignore[misc]
        unpaired_target=tuple(keyed_t[k] for k in sorted(keyed_t.keys() - keyed_p.keys(),
                                                         key=natural_key)),  # type: ignore[misc]
    )


def _pair_lists(pred: list[Any], target: list[Any]) -> Pairing:
    if len(pred) != len(target):
        raise PairingError(f"the lists of files are paired by position and must have the "
                           f"same length; got {len(pred)} predictions and {len(target)} "
                           "targets")
    pairs = []
    for p, t in zip(pred, target):
        p = p if is_url(p) else Path(p)
        t = t if is_url(t) else Path(t)
        name = strip_suffix(Path(str(t).rstrip("/")).name)
        pairs.append(Pair(name, p, t))
    return Pairing(pairs=tuple(pairs))


def _filesystem(url: str) -> tuple[Any, str]:
    core = require("fsspec.core", "dask", "reading fsspec URLs")
    fs, root = core.url_to_fs(url)
    if not fs.exists(root):
        raise MissingFileError(f"{url}: no such file or folder")
    return fs, root.rstrip("/")


def _files_under(url: str, fs: Any, root: str, wanted: set[str]) -> list[tuple[str, str]]:
    """``(relative path, URL)`` of the files under ``root`` with a wanted suffix, hidden
    ones skipped, in natural order."""
    base = url.rstrip("/")
    out = []
    for found in sorted(fs.find(root), key=natural_key):
        rel = found[len(root):].lstrip("/")
        if any(part.startswith(".") for part in rel.split("/")) or full_suffix(rel) not in wanted:
            continue
        out.append((rel, f"{base}/{rel}"))
    return out


def _keyed_urls(url: str, fs: Any, root: str, match: str, wanted: set[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for rel, full in _files_under(url, fs, root, wanted):
        key = strip_suffix(rel) if match == "path" else strip_suffix(rel.rsplit("/", 1)[-1])
        if key in keys:
            raise PairingError(f"two files in {url} have the same key {key!r}: {keys[key]} and "
                               f"{full}; segscope cannot tell which one to pair; rename one")
        keys[key] = full
    return keys


def list_urls(url: str, extensions: Iterable[str]) -> list[tuple[str, str]]:
    """``(name, URL)`` of the files of a URL: every file under a folder with one of
    ``extensions`` (recursively, hidden ones skipped, natural order), named by its path
    relative to the folder; a file URL gives itself, named by its file name.

    Raises
    ------
    MissingFileError
        The URL does not exist.

    Examples
    --------
    >>> import fsspec
    >>> with fsspec.open("memory://listed/b/2.png", "wb") as f:
    ...     _ = f.write(b"")
    >>> list_urls("memory://listed", [".png"])
    [('b/2.png', 'memory://listed/b/2.png')]
    """
    fs, root = _filesystem(url)
    if not fs.isdir(root):
        return [(Path(root).name, url)]
    wanted = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions}
    return _files_under(url, fs, root, wanted)


def fetch_file(url: str, folder: str | os.PathLike) -> Path:
    """A local path of ``url``: the file copied into ``folder`` (keeping its name), or, for
    ``file://``, the file itself.

    Raises
    ------
    MissingFileError
        The URL does not exist.
    """
    core = require("fsspec.core", "dask", "reading fsspec URLs")
    fs, path = core.url_to_fs(url)
    if url.startswith("file://"):
        return Path(path)
    local = Path(folder) / Path(path).name
    local.parent.mkdir(parents=True, exist_ok=True)
    if not fs.exists(path):
        raise MissingFileError(f"{url}: no such file")
    fs.get_file(path, str(local))
    return local


def fetch_pair(pair: Pair, folder: str | os.PathLike) -> Pair:
    """The same pair with URL files copied into ``folder`` (local paths left as they are).

    ``file://`` URLs become their local path. Each side gets its own sub-folder and keeps
    its file name (readers look at the suffix).

    Examples
    --------
    >>> import tempfile
    >>> fetch_pair(Pair("a", Path("p/a.png"), Path("t/a.png")), tempfile.mkdtemp()).pred
    PosixPath('p/a.png')
    """
    sides = [source if not is_url(source) else fetch_file(str(source), Path(folder) / side)
             for side, source in (("pred", pair.pred), ("target", pair.target))]
    return Pair(pair.name, sides[0], sides[1])
