"""What ``segscope dedup`` and ``segscope leakage`` share: checks, outputs, the table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ._common import console, err_console

__all__ = ["check_outputs", "render", "write_outputs"]

_SHOWN = 20


def check_outputs(outputs: Sequence[Path | None], inputs: Sequence[Path]) -> None:
    """Refuse an output that is an input file, or an image written inside an input folder.

    Nothing the audit writes may replace a user's file, and a contact sheet left inside
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


def write_outputs(result, *, json_file: Path | None, csv_file: Path | None,
                  sheet: Path | None, drops: Path | None, resplit: Path | None,
                  sources: dict[str, Path]) -> None:
    """Write every output that was asked for, each atomically (``-`` is stdout)."""
    import json

    from ..io import write_bytes, write_text
    from ._report import rows_to_csv

    if json_file is not None:
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
        if str(json_file) == "-":
            print(text)
        else:
            write_text(json_file, text + "\n")
    if csv_file is not None:
        text = rows_to_csv(result.rows()) if result.pairs else ",".join(
            ("name_a", "name_b", "split_a", "split_b", "distance", "ncc", "ssim", "match",
             "crop", "group")) + "\n"
        if str(csv_file) == "-":
            print(text, end="")
        else:
            write_text(csv_file, text)
    if drops is not None:
        write_text(drops, "".join(f"{n}\n" for n in result.suggested_drops()))
    if resplit is not None:
        rows = [{"name": n, "split": s} for n, s in result.resplit().items()]
        write_text(resplit, rows_to_csv(rows))
    if sheet is not None:
        from ..audit.sheet import contact_sheet

        write_bytes(sheet, contact_sheet(result, lambda name: _preview(name, sources)))


def _preview(name: str, sources: dict[str, Path]):
    """A small grey view of ``name`` re-read from its file (None when it cannot be)."""
    from ..io.thumbnails import read_thumbnail

    path = sources.get(name)
    if path is None:
        return None
    return read_thumbnail(path, size=124).pixels


def render(result, *, quiet: bool) -> None:
    """The summary lines (stderr when quiet is off) and a table of the first pairs."""
    if quiet:
        return
    from rich.table import Table

    out = console()
    if result.pairs:
        table = Table(title=f"near-duplicate pairs (first {min(_SHOWN, len(result.pairs))} "
                      f"of {len(result.pairs)})")
        for col in ("image a", "image b", "ssim", "ncc", "match", "crop", "bits"):
            table.add_column(col, justify="left" if col.startswith("image") else "right")
        for p in result.pairs[:_SHOWN]:
            table.add_row(p.name_a, p.name_b, f"{p.ssim:.3f}", f"{p.ncc:.3f}",
                          f"{p.match:.3f}", f"{p.crop:.3f}", str(p.distance))
        out.print(table)
    for line in result.summary():
        out.print(line, highlight=False)
    for name, reason in result.skipped[:_SHOWN]:
        err_console().print(f"skipped {name}: {reason}", highlight=False, markup=False,
                            soft_wrap=True)
    if len(result.skipped) > _SHOWN:
        err_console().print(f"... and {len(result.skipped) - _SHOWN} more skipped (see --json)")
