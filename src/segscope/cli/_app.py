"""The Typer application object every command module attaches to."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="segscope",
    help="Measure segmentations and compare images: overlap and boundary metrics, image "
    "similarity, superpixels and LIME.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
