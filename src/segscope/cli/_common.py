"""What every command shares: the option vocabulary, consoles, errors, output files.

The options every command spells the same way live here as ``Annotated`` aliases
(``--json PATH``, ``--csv PATH``, ``-q/--quiet``, ``--colour``, ``--data-range``), so a
command cannot drift from the vocabulary of ``docs/architecture.md``. Diagnostics go to
stderr, results to stdout; ``-`` as a ``--json``/``--csv`` path means standard output
(the table is then left out, so that stdout holds only the file).

This module imports only the standard library, Typer and :mod:`segscope.errors`:
``segscope COMMAND --help`` must stay fast.
"""

from __future__ import annotations

import functools
import sys
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

    return Console()


@functools.lru_cache(maxsize=1)
def err_console():
    """Rich console on stderr (errors, warnings, notes, progress)."""
    from rich.console import Console

    return Console(stderr=True)


class Output:
    """Where one run of a command sends its results.

    Parameters
    ----------
    quiet : bool
        ``-q``: no table, no notes.
    **files : path or None
        The output options of the command by name (``json=...``, ``csv=...``); at most
        one of them may be ``-`` (standard output), and then no table is shown.

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

    def __init__(self, *, quiet: bool, **files: Path | str | None) -> None:
        to_stdout = [name for name, path in files.items() if _is_stdout(path)]
        if len(to_stdout) > 1:
            names = " and ".join(f"--{n.replace('_', '-')}" for n in to_stdout)
            raise ParameterError(f"{names} both write to standard output ('-'); send one of "
                                 "them to a file")
        self.quiet = quiet
        self.to_stdout = bool(to_stdout)

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
        """A note on stderr ("wrote x.png"), left out with ``-q``."""
        if not self.quiet:
            err_console().print(message, highlight=False, soft_wrap=True)

    def warn(self, message: str) -> None:
        """A warning on stderr, shown even with ``-q``."""
        err_console().print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)

    def write(self, path: Path | str | None, text: str) -> None:
        """Write ``text`` to ``path`` whole (``-``: standard output); nothing for ``None``."""
        if path is None:
            return
        if not text.endswith("\n"):
            text += "\n"
        if _is_stdout(path):
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        from ..io import write_text

        write_text(path, text)


def _is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print ``error: message`` on stderr and exit with ``code``."""
    err_console().print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn :class:`SegscopeError` (and missing files) into a clear message and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DataRangeError as err:  # the library names its argument; say the option
            fail(f"{err}. On the command line: --data-range <span> (see --help)")
        except SegscopeError as err:
            fail(str(err))
        except FileNotFoundError as err:
            fail(f"{err.filename or err}: no such file or folder")
        except KeyboardInterrupt:  # pragma: no cover - interactive
            err_console().print("interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


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
