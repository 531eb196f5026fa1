"""What ``segscope dedup`` and ``segscope leakage`` share: checks, outputs, the table."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["auditor", "claim_outputs", "max_pixels_value", "note_empty", "render",
           "split_names", "write_outputs"]

_SHOWN = 20
_PAIR_COLUMNS = ("name_a", "name_b", "split_a", "split_b", "distance", "ncc", "ssim",
                 "match", "crop", "ncc_low", "ssim_low", "group")


def max_pixels_value(option: int | None) -> int | None:
    """``--max-pixels``: ``None`` → the default guard, ``0`` → no limit."""
    from ..errors import ParameterError
    from ..io import DEFAULT_MAX_PIXELS

    if option is None:
        return DEFAULT_MAX_PIXELS
    if option < 0:
        raise ParameterError(f"--max-pixels must be a number of pixels, or 0 for no limit; "
                             f"got {option}")
    return option or None


def auditor(name: str, cluster: dict | None, *, index: Path | None, threads: int | None):
    """The audit function ``name`` (``find_duplicates``, ``find_leakage``) to call: of
    :mod:`segscope.audit` here (with ``--index``, ``--threads``), of :mod:`segscope.dask`
    on a cluster (``cluster``: the keywords of ``--scheduler``/``--workers``)."""
    import functools

    from ..errors import ParameterError

    if cluster is None:
        from .. import audit

        return functools.partial(getattr(audit, name), index=index, threads=threads)
    if index is not None:
        raise ParameterError("--index keeps thumbnails in a file on this machine; it is not "
                             "used on a cluster: drop --index, or --scheduler/--workers")
    if threads is not None:
        raise ParameterError("--threads sets the threads of this machine; on a cluster each "
                             "worker has its own: drop --threads, or --scheduler/--workers")
    from .. import dask

    return functools.partial(getattr(dask, name), **cluster)


def split_names(folders: Sequence[Path | str]) -> list[str]:
    """Folder names (of paths or URLs), made unique (``val``, ``val-2``) when two folders
    share a name.

    Examples
    --------
    >>> split_names([Path("a/train"), Path("b/train"), Path("val")])
    ['train', 'train-2', 'val']
    """
    out: list[str] = []
    for folder in folders:
        # the name as given (a link keeps its own name), made absolute for "." and "..";
        # of a URL its last part
        base = (Path(os.path.abspath(folder)).name if isinstance(folder, Path)
                else str(folder).rstrip("/").rsplit("/", 1)[-1]) or "split"
        name, k = base, 2
        while name in out:
            name, k = f"{base}-{k}", k + 1
        out.append(name)
    return out


def claim_outputs(inputs: Sequence[Path | str], **paths: Path | None):
    """An :class:`segscope.io.Outputs` transaction with every output path claimed up front.

    ``inputs`` are the folders (or files) audited: an output that is an input image, or an
    image inside an audited folder (the next run would audit it), is refused before any
    work. Returns ``(outputs, claimed)`` with ``claimed[name]`` the checked path or None.
    The ``index`` path is only checked: SQLite writes it (committed in batches).
    """
    from ..io import IMAGE_EXTENSIONS, Outputs

    local = [p for p in inputs if isinstance(p, Path)]  # URLs are not on this machine
    out = Outputs(inputs=[p for p in local if not p.is_dir()],
                  read_folders=[(p, IMAGE_EXTENSIONS) for p in local if p.is_dir()])
    claimed = {name: out.claim(path, option=f"--{name.replace('_', '-')}")
               for name, path in paths.items()}
    return out, claimed


def write_outputs(result, out, claimed: Mapping[str, Path | None],
                  folders: Mapping[str, Path], output) -> None:
    """Queue every output that was asked for in ``out`` (written whole when it commits)."""
    import json

    from ..io import csv_text

    if claimed.get("json") is not None:
        out.write_text(claimed["json"], json.dumps(result.to_dict(), indent=2,
                                                   ensure_ascii=False) + "\n")
    if claimed.get("csv") is not None:
        rows = result.rows()
        out.write_text(claimed["csv"], csv_text(rows, columns=_PAIR_COLUMNS))
    if claimed.get("drops") is not None:
        drops = result.suggested_drops()
        listed = [n for n in drops if _one_line(n)]
        out.write_text(claimed["drops"], "".join(f"{n}\n" for n in listed))
        if len(listed) < len(drops):  # a line-based list would misname them (xargs rm ...)
            output.warn(f"--drops leaves out {len(drops) - len(listed)} name(s) with a line "
                        "break in them (a one-per-line list would misname them); they are in "
                        "--json's suggested_drops")
    if claimed.get("resplit") is not None:
        out.write_text(claimed["resplit"], csv_text(
            [{"name": n, "split": s} for n, s in result.resplit().items()],
            columns=("name", "split")))
    if claimed.get("out") is not None:
        from ..audit.sheet import contact_sheet

        out.write_bytes(claimed["out"], contact_sheet(result,
                                                      lambda name: _preview(name, folders)))
        output.note(f"contact sheet: {_plain(str(claimed['out']))}")
    if claimed.get("html") is not None:
        from ..report.audit import audit_page
        from ._html import provenance

        page = audit_page(result, lambda name: _preview(name, folders),
                          subtitle=_inputs(folders), provenance=provenance())
        out.write_text(claimed["html"], page.render())  # '-': standard output


def _inputs(folders: Mapping[str, Path]) -> str:
    """What was audited, for the page's subtitle: ``train: data/train, val: data/val``."""
    return ", ".join(f"{prefix.rstrip('/')}: {folder}" if prefix else str(folder)
                     for prefix, folder in folders.items())


def _preview(name: str, folders: Mapping[str, Path]):
    """A grey view of ``name`` re-read from its file (``None`` when there is none)."""
    from ..io.thumbnails import read_thumbnail

    for prefix, folder in folders.items():
        if name.startswith(prefix):
            if not isinstance(folder, Path):  # a URL: not read again on the client
                return None
            rel = name[len(prefix):]
            path = folder / rel if folder.is_dir() else folder
            return read_thumbnail(path, size=124).pixels
    return None


def note_empty(result, folders: Mapping[str, Path], output) -> None:
    """A note for each folder in which no image file was found (a wrong path, or images
    with a suffix segscope does not read), so that "0 pairs" is not taken for "clean".

    ``folders`` maps each name prefix (``""`` for dedup, ``"train/"`` for a split) to its
    folder.
    """
    from ..io import IMAGE_EXTENSIONS

    names = [*result.names, *(name for name, _ in result.skipped)]
    for prefix, folder in folders.items():
        if isinstance(folder, Path) and folder.is_dir() and \
                not any(n.startswith(prefix) for n in names):
            output.note(f"no image files found in {_plain(str(folder))} (searched "
                        "recursively for "
                        f"{', '.join(IMAGE_EXTENSIONS)})")


def render(result, output) -> None:
    """A table of the first pairs and the summary lines on stdout; skipped files as notes."""
    from rich.table import Table
    from rich.text import Text

    if result.pairs:
        table = Table(title=f"near-duplicate pairs (first {min(_SHOWN, len(result.pairs))} "
                      f"of {len(result.pairs)})")
        for col in ("image a", "image b", "ssim", "ncc", "match", "crop", "bits"):
            table.add_column(col, justify="left" if col.startswith("image") else "right")
        for p in result.pairs[:_SHOWN]:
            table.add_row(Text(_plain(p.name_a)), Text(_plain(p.name_b)), f"{p.ssim:.3f}",
                          f"{p.ncc:.3f}",
                          f"{p.match:.3f}", f"{p.crop:.3f}", str(p.distance))
        output.table(table)
    output.table(*(Text(_plain(line)) for line in result.summary()))
    for name, reason in result.skipped[:_SHOWN]:
        output.note(f"skipped {_plain(name)}: {_plain(reason)}")
    if len(result.skipped) > _SHOWN:
        output.note(f"... and {len(result.skipped) - _SHOWN} more skipped (see --json)")


def _plain(text: str) -> str:
    """``text`` for the terminal (the consoles print plain text, markup off, see
    ``_common``: brackets need no escaping), its control characters written as ``\\xNN``
    (:func:`segscope._figures.printable`): a file name can neither drive the terminal nor
    break a line."""
    from .._figures import printable

    return printable(text)


def _one_line(name: str) -> bool:
    """Whether ``name`` can be written as one line of a list (no character that any
    reader takes for a line break)."""
    return name.splitlines() == [name]
