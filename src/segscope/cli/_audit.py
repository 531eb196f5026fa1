"""What ``segscope dedup`` and ``segscope leakage`` share: checks, outputs, the table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["check_outputs", "max_pixels_value", "render", "split_names", "write_outputs"]

_SHOWN = 20
_PAIR_COLUMNS = ("name_a", "name_b", "split_a", "split_b", "distance", "ncc", "ssim",
                 "match", "crop", "group")


def max_pixels_value(option: int | None) -> int | None:
    """``--max-pixels``: ``None`` → the default guard, ``0`` → no limit."""
    from ..io import DEFAULT_MAX_PIXELS

    if option is None:
        return DEFAULT_MAX_PIXELS
    return option or None


def split_names(folders: Sequence[Path]) -> list[str]:
    """Folder names, made unique (``val``, ``val-2``) when two folders share a name.

    Examples
    --------
    >>> split_names([Path("a/train"), Path("b/train"), Path("val")])
    ['train', 'train-2', 'val']
    """
    out: list[str] = []
    for folder in folders:
        base = folder.resolve().name or "split"
        name, k = base, 2
        while name in out:
            name, k = f"{base}-{k}", k + 1
        out.append(name)
    return out


def check_outputs(outputs: Sequence[Path | None], inputs: Sequence[Path]) -> None:
    """Refuse an output that is an input image, or an image written inside an input folder.

    Nothing the audit writes may replace a user's image, and a contact sheet left inside
    an audited folder would be audited next time.
    """
    from ..errors import ParameterError
    from ..io import IMAGE_EXTENSIONS

    folders = [p.resolve() for p in inputs if p.is_dir()]
    files = {p.resolve() for p in inputs if p.is_file()}
    for out in outputs:
        if out is None or str(out) == "-":
            continue
        target = out.resolve()
        inside = any(target.is_relative_to(f) for f in folders)
        image = target.suffix.lower() in IMAGE_EXTENSIONS
        if target in files or (inside and image and target.exists()):
            raise ParameterError(f"output {out} is one of the input images; choose another path")
        if target.is_dir():
            raise ParameterError(f"output {out} is a folder; expected a file path")
        if inside and image:
            raise ParameterError(f"output {out} is inside an audited folder, where it would "
                                 "be audited next time; write it elsewhere")


def write_outputs(result, output, *, json_file: Path | None, csv_file: Path | None,
                  sheet: Path | None, drops: Path | None, resplit: Path | None,
                  folders: Mapping[str, Path]) -> None:
    """Write every output that was asked for, each whole (``-`` is standard output)."""
    import json

    from ..io import write_bytes
    from ._report import rows_to_csv

    output.write(json_file, json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    rows = result.rows()
    output.write(csv_file, rows_to_csv(rows) if rows else ",".join(_PAIR_COLUMNS))
    if drops is not None:
        output.write(drops, "".join(f"{n}\n" for n in result.suggested_drops()))
    if resplit is not None:
        output.write(resplit, rows_to_csv([{"name": n, "split": s}
                                           for n, s in result.resplit().items()]))
    if sheet is not None:
        from ..audit.sheet import contact_sheet

        write_bytes(sheet, contact_sheet(result, lambda name: _preview(name, folders)))
        output.note(f"wrote {sheet}")


def _preview(name: str, folders: Mapping[str, Path]):
    """A grey view of ``name`` re-read from its file (``None`` when there is none)."""
    from ..io.thumbnails import read_thumbnail

    for prefix, folder in folders.items():
        if name.startswith(prefix):
            rel = name[len(prefix):]
            path = folder / rel if folder.is_dir() else folder
            return read_thumbnail(path, size=124).pixels
    return None


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
            table.add_row(Text(p.name_a), Text(p.name_b), f"{p.ssim:.3f}", f"{p.ncc:.3f}",
                          f"{p.match:.3f}", f"{p.crop:.3f}", str(p.distance))
        output.table(table)
    output.table(*(Text(line) for line in result.summary()))
    for name, reason in result.skipped[:_SHOWN]:
        output.note(f"skipped {_plain(name)}: {_plain(reason)}")
    if len(result.skipped) > _SHOWN:
        output.note(f"... and {len(result.skipped) - _SHOWN} more skipped (see --json)")


def _plain(text: str) -> str:
    """``text`` with Rich markup escaped (file names may hold brackets)."""
    from rich.markup import escape

    return escape(text)
