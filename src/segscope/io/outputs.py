"""Output files, written as one transaction: checked first, written whole, or not at all.

Every file segscope writes goes through :class:`Outputs`:

1. **Claim** each output path before any work (:meth:`Outputs.claim`). A path is refused
   with an :class:`~segscope.errors.OutputError` naming the option when it is a folder, when
   its folder cannot be written (missing parents are fine if they can be created), when it
   is one of the input files (also through a link or another spelling of the path), when it
   lies in a folder being read and has a suffix that would be read as an input there, or
   when two options name the same file.
2. **Write** the contents (:meth:`Outputs.write_text`, :meth:`Outputs.write_bytes`): they are
   kept in memory, so nothing is on disk while the work runs and an interrupted or failed
   run leaves nothing behind.
3. **Commit** at the end (leaving the ``with`` block without an exception): each file is
   written to a temporary file beside its target and all of them are renamed into place.
   SIGINT, SIGTERM and SIGHUP that arrive during the commit are held until it is finished
   (when the commit runs in the main thread), so a commit completes whole; a failure
   removes every temporary file (and any folder the commit created). Only SIGKILL or a
   power loss in the few milliseconds of a commit can leave a temporary file
   (``.segscope-*``) behind.

New files get the permissions the user's umask gives (``0o666 & ~umask``, as ``open``
would); a file that is replaced keeps its permission bits.

``"-"`` as a path means standard output: the text is printed after the files are in place.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with Outputs(inputs=[]) as out:
...     report = out.claim(root / "report.json", option="--json")
...     out.write_text(report, "{}")
>>> (root / "report.json").read_text()
'{}'
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import OutputError
from ._files import full_suffix

__all__ = ["STDOUT", "Outputs", "atomic_path", "encode_image", "write_bytes", "write_image",
           "write_text"]

#: The path that means "standard output".
STDOUT = "-"
_TEMP_PREFIX = ".segscope-"
_HELD_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP"))
                      if s is not None)


class Outputs:
    """A set of output files that are written together or not at all.

    Parameters
    ----------
    inputs : iterable of path-like
        The files the command reads; none of them may be an output.
    read_folders : iterable of (path-like, sequence of str)
        Folders the command reads, each with the file suffixes it reads there; an output
        inside such a folder (not hidden) with one of those suffixes is refused, because the
        next run would take it for an input.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "mask.png").write_bytes(b"")
    >>> out = Outputs(inputs=[root / "mask.png"])
    >>> try:
    ...     out.claim(root / "mask.png", option="--json")
    ... except OSError as err:
    ...     print(type(err).__name__)
    OutputError
    """

    def __init__(self, *, inputs: Iterable[str | os.PathLike] = (),
                 read_folders: Iterable[tuple[str | os.PathLike, Sequence[str]]] = ()) -> None:
        self._inputs = [Path(p) for p in inputs]
        self._input_keys = {_key(p) for p in self._inputs}
        self._folders = [(Path(f).resolve(), tuple(s.lower() for s in exts))
                         for f, exts in read_folders]
        self._claims: dict[Path, str] = {}
        self._stdout_option: str | None = None
        self._data: dict[Path, bytes] = {}
        self._stdout: list[str] = []
        self._done = False

    # -- claiming ---------------------------------------------------------------------------
    def claim(self, path: str | os.PathLike | None, *, option: str = "output") -> Path | None:
        """Check that ``path`` can be written and reserve it; return it (None for None).

        Raises
        ------
        OutputError
            If the path is a folder, an input, inside a folder being read (with a suffix read
            there), in a folder that cannot be written, or already claimed by another option.
        """
        if path is None:
            return None
        if str(path) == STDOUT:
            if self._stdout_option is not None and self._stdout_option != option:
                raise OutputError(f"{option} -: standard output is already used by "
                                  f"{self._stdout_option}; give one of them a file name")
            self._stdout_option = option
            return Path(STDOUT)
        p = Path(path)
        shown = str(p)
        if shown == "" or p.name in ("", ".", ".."):
            raise OutputError(f"{option} {shown!r}: not a file name; give a file, e.g. "
                              f"{option} report.json")
        if p.is_dir():
            raise OutputError(f"{option} {shown}: is a folder; give a file name inside it, e.g. "
                              f"{option} {p / ('out' + _example_suffix(option))}")
        key = _key(p)
        if key in self._input_keys or any(_same_file(p, q) for q in self._inputs):
            raise OutputError(f"{option} {shown}: is one of the input files; segscope never "
                              "writes to its inputs. Choose another output path")
        for folder, exts in self._folders:
            inside = _relative_to(key, folder)
            if (inside is not None and full_suffix(key) in exts
                    and not any(part.startswith(".") for part in inside.parts)):
                if p.exists():
                    raise OutputError(
                        f"{option} {shown}: is one of the input files (it lies in the folder "
                        f"being read, {folder}); segscope never writes to its inputs. Choose "
                        "another output path"
                    )
                raise OutputError(
                    f"{option} {shown}: lies in the folder being read ({folder}) and has a "
                    f"suffix read there ({full_suffix(key)}), so it would be taken for an input; "
                    "write it outside that folder"
                )
        other = self._claims.get(key)
        if other is not None and other != option:
            raise OutputError(f"{option} {shown}: {other} already writes this file; give each "
                              "output its own path")
        _check_writable(p, option)
        if p.exists() and not os.access(p, os.W_OK):
            raise OutputError(f"{option} {shown}: the file exists and is read-only; choose "
                              "another path or make it writable")
        self._claims[key] = option
        return p

    # -- writing ----------------------------------------------------------------------------
    def write_text(self, path: str | os.PathLike, text: str) -> None:
        """Queue ``text`` (UTF-8) for ``path``; ``"-"`` queues it for standard output."""
        if str(path) == STDOUT:
            self._check_open()
            if self._stdout_option is None:
                self._stdout_option = "output"
            self._stdout.append(text)
            return
        self.write_bytes(path, text.encode("utf-8"))

    def write_bytes(self, path: str | os.PathLike, data: bytes) -> None:
        """Queue ``data`` for ``path`` (claimed now if it was not claimed before)."""
        self._check_open()
        if str(path) == STDOUT:
            raise OutputError("binary output cannot go to standard output; give a file name")
        key = _key(Path(path))
        if key not in self._claims:
            self.claim(path)
        self._data[key] = bytes(data)

    @property
    def paths(self) -> tuple[Path, ...]:
        """The files claimed so far (standard output not included)."""
        return tuple(self._claims)

    # -- commit / discard --------------------------------------------------------------------
    def commit(self) -> None:
        """Write every queued file (temporary files, then renames) and print standard output."""
        self._check_open()
        self._done = True
        if self._data:
            with _signals_held():
                _commit_files(self._data)
        if self._stdout:
            sys.stdout.write("".join(self._stdout))
            sys.stdout.flush()

    def discard(self) -> None:
        """Forget every queued output; nothing is written."""
        self._data.clear()
        self._stdout.clear()
        self._done = True

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    def _check_open(self) -> None:
        if self._done:
            raise RuntimeError("this Outputs transaction is already committed or discarded")


def encode_image(image: Any, suffix: str = ".png") -> bytes:
    """The bytes of an image file: a ``uint8``/``uint16`` array or a Pillow image, in the
    format of ``suffix`` (``.png``, ``.jpg``, ``.tif``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> encode_image(np.zeros((2, 2, 3), np.uint8), ".png")[:4]
    b'\x89PNG'
    """
    import io

    import numpy as np
    from PIL import Image

    fmt = Image.registered_extensions().get(suffix.lower())
    if fmt is None:
        raise OutputError(f"cannot tell an image format from the suffix {suffix!r}; use .png, "
                          ".jpg or .tif")
    pil = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    buf = io.BytesIO()
    pil.save(buf, format=fmt)
    return buf.getvalue()


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8) whole or not at all (a one-file :class:`Outputs`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_text(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "hi").read_text()
    'hi'
    """
    with Outputs() as out:
        out.write_text(out.claim(path) or path, text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (a one-file :class:`Outputs`)."""
    with Outputs() as out:
        out.write_bytes(path, data)
    return Path(path)


def write_image(path: str | os.PathLike, image: Any) -> Path:
    """Write an RGB/grey ``uint8`` array or a Pillow image to ``path`` whole or not at all.

    The format follows the suffix (``.png``, ``.jpg``, ``.tif`` ...); an unknown suffix is
    an :class:`~segscope.errors.OutputError` and nothing is written. The picture is encoded
    in memory first, then written as one file (:func:`write_bytes`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> p = write_image(pathlib.Path(tempfile.mkdtemp()) / "x.png", np.zeros((2, 2, 3), np.uint8))
    >>> p.suffix
    '.png'
    """
    target = Path(path)
    return write_bytes(target, encode_image(image, target.suffix))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for a writer that needs one; rename on success.

    Prefer :class:`Outputs` (nothing is on disk until the commit). On an exception the
    temporary file is removed and ``path`` is left untouched. The file gets the umask's
    permissions (or keeps those of the file it replaces).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> out.read_text()
    'hi'
    """
    target = Path(path)
    _check_writable(target, "output")
    created = _make_parents(target.parent)
    tmp = _temp_beside(target)
    try:
        yield tmp
        with _signals_held():
            os.chmod(tmp, _mode_for(target))
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        _remove_dirs(created)
        raise


# -- helpers ------------------------------------------------------------------------------------
def _key(p: Path) -> Path:
    return Path(os.path.abspath(p)).resolve()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _relative_to(p: Path, folder: Path) -> Path | None:
    try:
        return p.relative_to(folder)
    except ValueError:
        return None


def _example_suffix(option: str) -> str:
    return {"--json": ".json", "--csv": ".csv", "--heatmap": ".png", "--html": ".html"}.get(
        option, ".json")


def _check_writable(p: Path, option: str) -> None:
    """The nearest existing ancestor of ``p`` must be a folder we may create files in."""
    parent = Path(os.path.abspath(p)).parent
    missing = []
    while not parent.exists():
        missing.append(parent)
        if parent.parent == parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{option} {p}: {parent} is a file, not a folder; choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        what = f"folder {parent} cannot be written" if not missing else (
            f"folder {missing[-1]} cannot be created in {parent}")
        raise OutputError(f"{option} {p}: the {what} (permission denied); choose a writable "
                          "folder")


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created (deepest last)."""
    created = []
    walk = folder
    while not walk.exists():
        created.append(walk)
        walk = walk.parent
    for d in reversed(created):
        d.mkdir()
    return list(reversed(created))


def _remove_dirs(created: list[Path]) -> None:
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{target.name[:40]}.", suffix=".tmp",
                                dir=target.parent)
    os.close(fd)
    return Path(name)


_UMASK: int | None = None


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    global _UMASK
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    if _UMASK is None:
        mask = os.umask(0o022)
        os.umask(mask)
        _UMASK = mask
    return _UMASK


def _mode_for(target: Path) -> int:
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _commit_files(data: dict[Path, bytes]) -> None:
    temps: list[tuple[Path, Path]] = []
    created: list[Path] = []
    try:
        for target, payload in data.items():
            created += _make_parents(target.parent)
            tmp = _temp_beside(target)
            temps.append((tmp, target))
            with open(tmp, "wb") as fh:
                fh.write(payload)
            os.chmod(tmp, _mode_for(target))
        for tmp, target in temps:
            os.replace(tmp, target)
    except BaseException as err:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        _remove_dirs(created)
        if isinstance(err, OSError) and not isinstance(err, OutputError):
            raise OutputError(f"cannot write {err.filename or 'an output file'}: "
                              f"{err.strerror or err}; nothing was written") from err
        raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP until the block ends, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    saved = {}
    for sig in _HELD_SIGNALS:
        try:
            saved[sig] = signal.signal(sig, lambda s, _f: pending.append(s))
        except (OSError, ValueError):  # pragma: no cover - exotic platforms
            pass
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(pending):
            os.kill(os.getpid(), sig)
