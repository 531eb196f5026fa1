"""Memory estimates made before allocating: a request that cannot fit is refused at once.

A large allocation that the machine cannot hold either raises a bare ``MemoryError`` deep in
NumPy or, worse, makes the system swap until it is killed. segscope estimates the bytes a
request needs from its sizes (a file's header, an option's value) and compares them with the
memory the system reports as available, before anything is allocated.

Examples
--------
>>> check_memory(1024, "a tiny array")
>>> try:
...     check_memory(2**62, "an array of 2**62 bytes", fix="ask for less")
... except MemoryError as err:
...     print(type(err).__name__)
ResourceError
"""

from __future__ import annotations

import os

from .errors import ResourceError

__all__ = ["available_memory", "check_memory", "format_bytes"]

#: Requests below this many bytes are not checked: reading the system's figure costs more
#: (about 0.7 ms) than decoding a small image, and every machine holds 64 MiB.
_UNCHECKED = 64 * 2**20


def available_memory() -> int | None:
    """Bytes of memory the system can give now (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return None


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units.

    Examples
    --------
    >>> format_bytes(3 * 2**30)
    '3.0 GiB'
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def check_memory(nbytes: float, what: str, *, fix: str = "") -> None:
    """Raise :class:`~segscope.errors.ResourceError` if ``nbytes`` exceed the available memory.

    Parameters
    ----------
    nbytes : float
        Estimated peak bytes of the request.
    what : str
        What needs them, as it should appear in the message (name the option or file).
    fix : str
        How to ask for less, appended to the message.
    """
    if nbytes < _UNCHECKED:
        return
    available = available_memory()
    if available is None or nbytes <= available:
        return
    message = (f"{what} would need about {format_bytes(nbytes)} of memory, more than the "
               f"{format_bytes(available)} available")
    raise ResourceError(f"{message}; {fix}" if fix else message)
