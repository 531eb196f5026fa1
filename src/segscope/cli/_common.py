"""What every command shares: the option vocabulary, consoles, errors, output files.

Three guarantees are kept here, once for every command:

- **Output files** go through one :class:`segscope.io.Outputs` transaction per run
  (:class:`Output`): every path is checked when the command starts (not an input, not a
  folder, writable), the files are written together when the command succeeds, and
  nothing is written when it fails.
- **Untrusted text stays text**: both consoles are created with markup and emoji codes
  off, so a file named ``[bold]a.png`` or a value such as ``[nan, 1.0]`` is printed as it
  is; the few styled words (``error:``, ``warning:``) are styled as Text objects.
- **A user's mistake is one line and exit 2**: :func:`handle_errors` turns segscope's
  errors, missing files and the operating system's refusals into ``error: ...``; any
  other exception is a bug and keeps its traceback.

The options every command spells the same way live here as ``Annotated`` aliases
(``--json PATH``, ``--csv PATH``, ``-q/--quiet``, ``--colour``, ``--data-range``), so a
command cannot drift from the vocabulary of ``docs/architecture.md``. Diagnostics go to
stderr, results to stdout; ``-`` as a ``--json``/``--csv`` path means standard output
(the table is then left out, so that stdout holds only the file).

This module imports only the standard library, Typer and :mod:`segscope.errors`:
``segscope COMMAND --help`` must stay fast.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer

from ..errors import DataRangeError, ParameterError, SegscopeError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "EXIT_BAD_INPUT",
    "STDOUT",
    "Colour",
    "ColourMode",
    "CsvPath",
    "JsonPath",
    "Output",
    "Quiet",
    "console",
    "csv_option",
    "err_console",
    "fail",
    "handle_errors",
    "json_option",
    "parse_floats",
    "parse_ints",
    "parse_names",
    "styled",
]

EXIT_BAD_INPUT = 2
#: The path that means standard output in ``--json``/``--csv``.
STDOUT = "-"

#: How image files are read before they are compared (``--colour``).
ColourMode = Literal["keep", "grey", "rgb"]


def json_option(what: str) -> Any:
    """The ``--json PATH`` option: ``what`` says what the file holds."""
    return typer.Option("--json", metavar="PATH",
                        help=f"Write {what} as JSON to PATH ('-': standard output).")


def csv_option(what: str) -> Any:
    """The ``--csv PATH`` option: ``what`` says what the rows are."""
    return typer.Option("--csv", metavar="PATH",
                        help=f"Write {what} as CSV to PATH ('-': standard output).")


JsonPath = Annotated[Path | None, json_option("the results")]
CsvPath = Annotated[Path | None, csv_option("the results")]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No table, no progress bar, no notes (errors and warnings still "
    "go to stderr; output files are still written).")]
Colour = Annotated[ColourMode, typer.Option(
    "--colour", help="keep (grey stays grey, colour stays colour) | grey (BT.601 luma) | rgb. "
    "Grey and colour images are compared only with grey or rgb.")]


@functools.lru_cache(maxsize=1)
def console():
    """Rich console on stdout (results)."""
    from rich.console import Console

    return Console(markup=False, emoji=False)


@functools.lru_cache(maxsize=1)
def err_console():
    """Rich console on stderr (errors, warnings, notes, progress)."""
    from rich.console import Console

    return Console(stderr=True, markup=False, emoji=False)


def styled(label: str, style: str, message: str):
    """``label`` in ``style`` followed by ``message`` as plain text (never parsed as markup).

    Examples
    --------
    >>> styled("error:", "bold red", "[bold]a.png: no such file").plain
    'error: [bold]a.png: no such file'
    """
    from rich.text import Text

    return Text.assemble((label, style), " ", message)


#: The Output objects of the command running now (committed by :func:`handle_errors`).
_RUN: contextvars.ContextVar[list[Output] | None] = contextvars.ContextVar("segscope_run",
                                                                          default=None)


class Output:
    """Where one run of a command sends its results: one output transaction.

    Parameters
    ----------
    quiet : bool
        ``-q``: no table, no notes.
    inputs : sequence of path
        The files (and folders) the command reads: no output may be one of them, nor lie in
        a folder read for files that the output would look like.
    extensions : sequence of str
        The suffixes read from input folders (default: the image and mask suffixes).
    **files : path or None
        The output options of the command by name (``json=...``, ``csv=...``, ``out=...``);
        each is checked now, before any work. At most one may be ``-`` (standard output),
        and then no table is shown.

    The files are written when the command returns (by :func:`handle_errors`), all
    together; if the command fails, none is.

    Examples
    --------
    >>> out = Output(quiet=False, json=Path("-"), csv=None)
    >>> out.show_tables
    False
    >>> Output(quiet=False, json=Path("-"), csv=Path("-"))
    Traceback (most recent call last):
    ...
    segscope.errors.ParameterError: --json and --csv both write to standard output ('-'); \
send one of them to a file
    """

    def __init__(self, *, quiet: bool, inputs: Sequence[Path | str | None] = (),
                 extensions: Sequence[str] | None = None, **files: Path | str | None) -> None:
        from ..io import Outputs

        to_stdout = [name for name, path in files.items() if _is_stdout(path)]
        if len(to_stdout) > 1:
            names = " and ".join(_option(n) for n in to_stdout)
            raise ParameterError(f"{names} both write to standard output ('-'); send one of "
                                 "them to a file")
        self.quiet = quiet
        self.to_stdout = bool(to_stdout)
        given = [Path(p) for p in inputs if p is not None]
        folders = [p for p in given if p.is_dir()]
        if extensions is None:
            from ..io import IMAGE_EXTENSIONS, PAIRING_EXTENSIONS

            extensions = tuple(dict.fromkeys((*IMAGE_EXTENSIONS, *PAIRING_EXTENSIONS)))
        self._files = Outputs(inputs=[p for p in given if not p.is_dir()],
                              read_folders=[(f, extensions) for f in folders])
        for name, path in files.items():
            self._files.claim(path, option=_option(name))
        run = _RUN.get()
        if run is not None:
            run.append(self)

    @property
    def show_tables(self) -> bool:
        """Whether tables go to stdout (not with ``-q``, nor when a file goes there)."""
        return not (self.quiet or self.to_stdout)

    @property
    def show_progress(self) -> bool:
        """Whether a progress bar is drawn on stderr."""
        return not self.quiet

    def table(self, *renderables: Any) -> None:
        """Print results (tables, summary lines) on stdout unless they are not wanted."""
        if self.show_tables:
            for renderable in renderables:
                console().print(renderable, highlight=False)

    def note(self, message: str) -> None:
        """A note on stderr, left out with ``-q``."""
        if not self.quiet:
            err_console().print(message, highlight=False, soft_wrap=True)

    def warn(self, message: str) -> None:
        """A warning on stderr, shown even with ``-q``."""
        err_console().print(styled("warning:", "yellow", message), highlight=False,
                            soft_wrap=True)

    def write(self, path: Path | str | None, text: str) -> None:
        """Queue ``text`` for ``path`` (``-``: standard output); nothing for ``None``."""
        if path is None:
            return
        if not text.endswith("\n"):
            text += "\n"
        self._files.write_text(path, text)

    def write_bytes(self, path: Path | str | None, data: bytes) -> None:
        """Queue ``data`` for ``path``; nothing for ``None``."""
        if path is not None:
            self._files.write_bytes(path, data)

    def write_image(self, path: Path | str | None, image: Any) -> None:
        """Queue an image (array or Pillow image), encoded by ``path``'s suffix."""
        if path is not None:
            from ..io import encode_image

            self._files.write_bytes(path, encode_image(image, Path(path).suffix))

    def commit(self) -> None:
        """Write every queued file now (all together); say which unless quiet."""
        written = [str(p) for p in self._files.paths]
        self._files.commit()
        if written:
            self.note(f"wrote {', '.join(written)}")

    def discard(self) -> None:
        """Write nothing."""
        self._files.discard()


def _option(name: str) -> str:
    """The option spelling of an output's keyword: ``labels_out`` → ``--labels-out``."""
    return "--" + name.replace("_", "-")


def _is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print ``error: message`` on stderr (as plain text) and exit with ``code``."""
    err_console().print(styled("error:", "bold red", message), highlight=False,
                        soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Run a command as one transaction; a user's mistake becomes one line and exit 2.

    The command's :class:`Output` files are written when it returns and dropped when it
    raises. :class:`~segscope.errors.SegscopeError`, a missing file and the operating
    system's refusals (permission denied, disk full, a folder where a file was expected)
    become ``error: ...`` and exit status 2; any other exception is a bug in segscope or in
    a user's model and keeps its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        run: list[Output] = []
        token = _RUN.set(run)
        shown = warnings.catch_warnings()
        shown.__enter__()
        warnings.simplefilter("always")  # a command shows every warning, once, as a line
        warnings.showwarning = _warning_printer()
        try:
            result = func(*args, **kwargs)
            for output in run:
                output.commit()
            return result
        except DataRangeError as err:  # the library names its argument; say the option
            fail(f"{err}. On the command line: --data-range <span> (see --help)")
        except SegscopeError as err:
            fail(str(err))
        except FileNotFoundError as err:
            fail(f"{err.filename or err}: no such file or folder")
        except (PermissionError, IsADirectoryError, NotADirectoryError) as err:
            fail(f"{err.filename or ''}: {err.strerror or err}".lstrip(": "))
        except OSError as err:
            if err.errno is None:
                raise
            fail(f"{err.filename or ''}: {err.strerror or err}".lstrip(": "))
        except KeyboardInterrupt:  # pragma: no cover - interactive
            err_console().print("interrupted")
            sys.exit(130)
        finally:
            for output in run:  # after a commit this drops nothing; after a failure, all
                output.discard()
            _RUN.reset(token)
            shown.__exit__(None, None, None)

    return wrapper  # type: ignore[return-value]


def _warning_printer():
    """A ``warnings.showwarning`` that prints each message once as one ``warning:`` line."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = str(message)
        if text not in seen:
            seen.add(text)
            err_console().print(styled("warning:", "yellow", text), highlight=False,
                                soft_wrap=True)

    return show


def parse_names(option: str, text: str, choices: Sequence[str], *,
                everything: Sequence[str] | None = None) -> tuple[str, ...]:
    """A comma list of names, each one of ``choices``; ``all`` gives ``everything``.

    Examples
    --------
    >>> parse_names("--metrics", "ssim, mse", ("ssim", "mse", "psnr"))
    ('ssim', 'mse')
    >>> parse_names("--metrics", "all", ("ssim", "mse"))
    ('ssim', 'mse')
    >>> parse_names("--metrics", "sim", ("ssim", "mse"))
    Traceback (most recent call last):
    ...
    segscope.errors.ParameterError: --metrics 'sim' is not supported; choose from ssim, \
mse, or 'all'
    """
    names: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name == "all":
            names.extend(choices if everything is None else everything)
        elif name in choices:
            names.append(name)
        else:
            raise ParameterError(f"{option} {part.strip()!r} is not supported; choose from "
                                 f"{', '.join(choices)}, or 'all'")
    if not names:
        raise ParameterError(f"{option} is empty; name at least one of {', '.join(choices)}")
    return tuple(dict.fromkeys(names))


def parse_ints(option: str, text: str | None) -> list[int] | None:
    """``"1,2"`` → ``[1, 2]``; the error names the option.

    Examples
    --------
    >>> parse_ints("--labels", "1, 2")
    [1, 2]
    """
    if text is None:
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(
            f"{option} must be comma-separated integers, e.g. 1,2; got {text!r}") from None


def parse_floats(option: str, text: str | None) -> list[float] | None:
    """``"1,0.5"`` → ``[1.0, 0.5]``; the error names the option.

    Examples
    --------
    >>> parse_floats("--spacing", "3,0.8,0.8")
    [3.0, 0.8, 0.8]
    """
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(
            f"{option} must be comma-separated numbers, e.g. 1.0,0.5,0.5; got {text!r}"
        ) from None
