"""A progress bar that costs nothing when switched off.

Library functions take ``progress: bool = False``; the CLI switches it on. The bar
is drawn on stderr by Rich, so JSON on stdout stays clean.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

__all__ = ["progress_bar", "track"]


def track(items: Iterable[T], *, total: int | None = None, description: str = "",
          enabled: bool = False) -> Iterator[T]:
    """Yield ``items``, drawing a Rich progress bar on stderr when ``enabled``.

    Examples
    --------
    >>> list(track([1, 2, 3]))
    [1, 2, 3]
    """
    if not enabled:
        yield from items
        return
    with progress_bar(total=total, description=description) as advance:
        for item in items:
            yield item
            advance(1)


@contextmanager
def progress_bar(*, total: int | None, description: str = "", enabled: bool = True,
                 status: bool = False):
    """Context manager yielding ``advance(n)``; a no-op function when not ``enabled``.

    With ``status=True`` the bar ends with a short text that ``advance(n, status="...")``
    replaces (e.g. the current training loss).
    """
    if not enabled:
        yield lambda n=1, status=None: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    if status:
        columns = (*columns, TextColumn("{task.fields[status]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total, status="")

        def advance(n: int = 1, status: str | None = None) -> None:
            if status is None:
                bar.advance(task, n)
            else:
                bar.update(task, advance=n, status=status)

        yield advance
