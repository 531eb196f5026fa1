"""Reading masks and images from files, pairing folders, writing outputs atomically.

The io layer is the only part of segscope that touches paths, and it does nothing else:
it imports no metric and runs no pipeline (scoring files is :mod:`segscope.files`).
"""

from __future__ import annotations

from ._files import DEFAULT_MAX_PIXELS
from .colormap import apply_colormap, parse_colour, read_colormap
from .digest import sha256
from .images import IMAGE_EXTENSIONS, LUMA_WEIGHTS, LoadedImage, load_image, read_image, to_grey
from .mask_pairs import GeometryWarning, LoadedPair, load_pairs
from .masks import MASK_EXTENSIONS, Mask, read_mask
from .outputs import (
    STDOUT,
    Outputs,
    atomic_path,
    encode_image,
    write_bytes,
    write_image,
    write_text,
)
from .pairing import (
    MATCH_MODES,
    PAIRING_EXTENSIONS,
    MatchMode,
    Pair,
    Pairing,
    list_files,
    pair_folders,
    pair_inputs,
)
from .sources import Source, fetch_file, fetch_pair, is_url, list_urls, pair_sources
from .tables import FORMULA_PREFIXES, csv_cell, csv_text

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "FORMULA_PREFIXES",
    "IMAGE_EXTENSIONS",
    "LUMA_WEIGHTS",
    "MASK_EXTENSIONS",
    "MATCH_MODES",
    "PAIRING_EXTENSIONS",
    "STDOUT",
    "GeometryWarning",
    "LoadedImage",
    "LoadedPair",
    "Mask",
    "MatchMode",
    "Outputs",
    "Pair",
    "Pairing",
    "Source",
    "apply_colormap",
    "atomic_path",
    "csv_cell",
    "csv_text",
    "encode_image",
    "fetch_file",
    "fetch_pair",
    "is_url",
    "list_files",
    "list_urls",
    "load_image",
    "load_pairs",
    "pair_folders",
    "pair_inputs",
    "pair_sources",
    "parse_colour",
    "read_colormap",
    "read_image",
    "read_mask",
    "sha256",
    "to_grey",
    "write_bytes",
    "write_image",
    "write_text",
]
