"""Helpers shared by the command modules: consoles, error reporting, output files."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from ..errors import DataRangeError, SegscopeError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["EXIT_BAD_INPUT", "console", "err_console", "fail", "handle_errors"]

EXIT_BAD_INPUT = 2


@functools.lru_cache(maxsize=1)
def console():
    """Rich console on stdout."""
    from rich.console import Console

    return Console()


@functools.lru_cache(maxsize=1)
def err_console():
    """Rich console on stderr (messages, warnings, progress)."""
    from rich.console import Console

    return Console(stderr=True)


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
