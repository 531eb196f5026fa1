"""Reading label masks from files, with the pixel/voxel spacing when the file has one.

Formats
-------
PNG, BMP, GIF, WebP (Pillow)
    Grey 8-bit (``L``) and 16-bit (``I;16``) images give their values. Palette
    (indexed) images give the palette **index**, as in Pascal VOC (where 255 marks
    "void", usually passed as ``ignore_index``). Grey+alpha gives the grey channel.
    RGB(A) images need a colour → class map (``colormap``), unless all three channels
    are equal everywhere (a grey mask saved as RGB), which gives that grey value.
TIFF (tifffile)
    8/16/32-bit integer masks, 2-D or 3-D (pages as the first axis). Spacing is read
    from ImageJ metadata (``XResolution``/``YResolution`` and ``spacing``) or OME-XML
    (``PhysicalSizeX/Y/Z``) when present; otherwise it is ``None``.
NPY, NPZ (NumPy)
    An ``.npz`` must hold one array, or an array named ``labels`` or ``mask``; an
    optional array named ``spacing`` is used as the spacing.
NIfTI ``.nii``, ``.nii.gz`` (nibabel, the optional ``nifti`` extra)
    Spacing is the header's voxel size (zooms), in array axis order.

JPEG masks, lossy WebP and JPEG-compressed TIFF are refused: lossy compression changes
label values along edges.
Float masks are accepted only if every value is a whole number; NaN or fractional
values (probabilities) are an error.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.npy"
>>> np.save(path, np.array([[0, 1], [2, 0]], dtype=np.uint8))
>>> read_mask(path).labels.tolist()
[[0, 1], [2, 0]]
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import check_label_array
from ..errors import FileFormatError, LabelError, require
from ._files import DEFAULT_MAX_PIXELS, check_pixel_count, existing_file, full_suffix, reading
from ._files import open_pillow as _open_pillow
from ._png16 import png_header, read_png16
from ._sniff import FORMAT_NAMES, sniff_format
from ._tiff import read_tiff
from .colormap import Colormap, apply_colormap, read_colormap

__all__ = ["MASK_EXTENSIONS", "Mask", "read_mask"]

#: File suffixes :func:`read_mask` accepts.
MASK_EXTENSIONS = (".png", ".tif", ".tiff", ".npy", ".npz", ".nii", ".nii.gz", ".bmp", ".gif",
                   ".webp")

_LOSSY = (".jpg", ".jpeg")
_MASK_FORMATS = ("png", "tiff", "npy", "npz", "nifti", "bmp", "gif", "webp")
_LOSSY_MESSAGE = ("is lossy and changes label values along edges, so it cannot hold a label "
                  "mask; save masks as PNG, lossless TIFF or NPY")


@dataclass(frozen=True)
class Mask:
    """A label mask read from a file.

    Attributes
    ----------
    labels : ndarray
        Integer (or boolean) label array, in the file's axis order.
    spacing : tuple of float or None
        Physical size of a pixel/voxel along each array axis, when the file records
        it (NIfTI, ImageJ/OME TIFF, NPZ with ``spacing``); ``None`` otherwise.
    path : Path or None
        The file it was read from.
    orientation : str or None
        For NIfTI files, the anatomical direction of each array axis (e.g. ``"RAS"``),
        from the header's affine; ``None`` for other formats.
    """

    labels: np.ndarray
    spacing: tuple[float, ...] | None = None
    path: Path | None = None
    orientation: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of :attr:`labels`."""
        return tuple(self.labels.shape)


def read_mask(path: str | os.PathLike, *, colormap: Colormap | str | os.PathLike | None = None,
              max_pixels: int | None = DEFAULT_MAX_PIXELS, read_spacing: bool = True) -> Mask:
    """Read a label mask from a file.

    Parameters
    ----------
    path : str or path-like
        PNG, TIFF, NPY/NPZ, NIfTI, BMP, GIF or WebP file (see the module notes).
    colormap : mapping or path, optional
        Colour → class map for RGB masks: a ``{(r, g, b): class}`` mapping or a JSON/CSV
        file (see :func:`segscope.io.read_colormap`).
    max_pixels : int or None
        Refuse masks with more pixels/voxels than this; ``None`` lifts the limit. The
        memory the decoded mask needs is checked against the available memory in every
        case, from the header, before decoding.
    read_spacing : bool
        Read the spacing the file records (and refuse invalid values). ``False`` leaves
        ``spacing`` at ``None``: for callers that pass the spacing themselves.

    Returns
    -------
    Mask
        ``labels`` (integer array), ``spacing`` (or ``None``) and ``path``.

    Raises
    ------
    MissingFileError
        If ``path`` does not exist.
    FileFormatError
        If the file is truncated, corrupt, of an unsupported or lossy format (read from its
        bytes, whatever its name), too large, a TIFF of several differently shaped images,
        an animation, an NPZ with several arrays and none named ``labels``/``mask``, or
        records a voxel size that is zero, negative or not a number.
    ResourceError
        If decoding the file would need more memory than is available.
    LabelError, DTypeError
        If an RGB mask has a colour missing from ``colormap`` (or no colormap was
        given), or the values are NaN or fractional.
    DependencyError
        For NIfTI files when nibabel is not installed.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "voc.png"
    >>> im = Image.fromarray(np.array([[0, 1], [255, 1]], dtype=np.uint8), mode="P")
    >>> im.putpalette([0, 0, 0, 128, 0, 0] + [224, 224, 192] * 254)
    >>> im.save(path)
    >>> read_mask(path).labels.tolist()  # the palette index, not the colour
    [[0, 1], [255, 1]]
    """
    p = existing_file(path)
    suffix = full_suffix(p)
    if suffix in _LOSSY:
        raise FileFormatError(f"{p}: JPEG {_LOSSY_MESSAGE}")
    if suffix not in MASK_EXTENSIONS:
        raise FileFormatError(
            f"{p}: unsupported mask suffix {suffix!r}; expected one of {', '.join(MASK_EXTENSIONS)}"
        )
    fmt = reading(p, "a mask", lambda: sniff_format(p))
    if fmt not in _MASK_FORMATS:
        named = f" (named {suffix})" if suffix else ""
        lossy = _LOSSY_MESSAGE if fmt in ("jpeg", "jpeg2000") else "cannot hold a label mask"
        raise FileFormatError(f"{p}: the file holds {FORMAT_NAMES[fmt]} data{named}, which "
                              f"{lossy}")
    cmap = read_colormap(colormap) if isinstance(colormap, (str, os.PathLike)) else colormap
    colour = False
    spacing = None
    orientation = None
    what = f"a {FORMAT_NAMES[fmt]} mask"
    if fmt == "nifti":
        nib = require("nibabel", "nifti", "reading NIfTI masks")
        labels, spacing, orientation = reading(p, what, lambda: _read_nifti(nib, p, max_pixels))
    elif fmt in ("npy", "npz"):
        labels, spacing = reading(p, what, lambda: _read_numpy(p, fmt, max_pixels))
    elif fmt == "tiff":
        labels, spacing, colour = reading(p, what, lambda: _read_tiff(p, max_pixels))
    else:
        labels, colour = reading(p, what, lambda: _read_pillow(p, max_pixels))
    if colour:
        labels = _colour_to_labels(labels, cmap, p)
    labels = check_label_array(labels, str(p))
    spacing = _checked_spacing(spacing, labels.ndim, p) if read_spacing else None
    return Mask(labels=labels, spacing=spacing, path=p, orientation=orientation)


def _checked_spacing(spacing: tuple[float, ...] | None, ndim: int,
                     path: Path) -> tuple[float, ...] | None:
    """The spacing a file records, refused (never silently replaced) when it is unusable."""
    if spacing is None:
        return None
    values = tuple(float(v) for v in spacing)
    if len(values) != ndim or not all(math.isfinite(v) and v > 0 for v in values):
        why = (f"{len(values)} values for a {ndim}-D mask" if len(values) != ndim
               else "sizes must be finite and positive")
        raise FileFormatError(
            f"{path}: the file records the voxel size (spacing) {values}, which cannot be used "
            f"({why}); fix the file's header, or give the spacing yourself (CLI: --spacing; "
            "Python: read_mask(..., read_spacing=False) and spacing=...)"
        )
    return values


def _colour_to_labels(arr: np.ndarray, cmap: Colormap | None, path: Path) -> np.ndarray:
    """An ``(..., 3)`` array read from an RGB file becomes labels through ``cmap``."""
    rgb = arr
    if cmap is not None:
        return apply_colormap(rgb, cmap, name=str(path))
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
        return np.ascontiguousarray(rgb[..., 0])
    codes = np.unique(rgb[..., :3].reshape(-1, 3), axis=0)
    listed = ", ".join("#{:02x}{:02x}{:02x}".format(*map(int, c)) for c in codes[:6])
    more = f", ... ({len(codes)} colours)" if len(codes) > 6 else ""
    raise LabelError(
        f"{path} is an RGB colour mask ({listed}{more}); pass a colour → class map with "
        "colormap= (CLI: --colormap FILE, a JSON {\"#ff0000\": 1} or CSV r,g,b,class file)"
    )


def _read_pillow(path: Path, max_pixels: int | None) -> tuple[np.ndarray, bool]:
    colour = False
    with _open_pillow(path, max_pixels) as im:
        if im.format == "WEBP" and not _webp_is_lossless(path):
            raise FileFormatError(f"{path}: lossy WebP {_LOSSY_MESSAGE}")
        frames = getattr(im, "n_frames", 1)
        if frames > 1:
            raise FileFormatError(
                f"{path}: an animation of {frames} frames; a mask file must hold one image "
                "(segscope does not read the first frame alone). Save each frame on its own"
            )
        if im.format == "PNG":
            header = png_header(path)
            if header.bit_depth == 16 and header.colour_type in (2, 4, 6):
                arr = read_png16(path, max_pixels)
                if header.colour_type == 4:  # grey + alpha: the grey sample
                    return np.ascontiguousarray(arr[..., 0]), False
                return np.ascontiguousarray(arr[..., :3]), True
        mode = im.mode
        if mode in ("P", "PA"):
            im.load()
            arr = np.array(im if mode == "P" else im.getchannel(0))
        elif mode in ("RGB", "RGBA", "RGBX", "RGBa"):
            arr = np.array(im.convert("RGB"))
            colour = True
        elif mode == "LA":
            arr = np.array(im.getchannel("L"))
        elif mode in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F"):
            arr = np.array(im)
        else:
            raise FileFormatError(f"{path}: image mode {mode!r} cannot hold a label mask")
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr, colour


def _webp_is_lossless(path: Path) -> bool:
    """A WebP file is lossless when its image chunk is ``VP8L`` (lossy ones use ``VP8 ``)."""
    data = path.read_bytes()
    return b"VP8L" in data[12:] and b"VP8 " not in data[12:]


def _read_tiff(path: Path, max_pixels: int | None):
    data = read_tiff(path, max_pixels, lossy=_LOSSY_MESSAGE)
    return data.array, data.spacing, data.colour


def _read_numpy(path: Path, fmt: str, max_pixels: int | None):
    if fmt == "npy":
        with open(path, "rb") as fh:  # the header first: its shape may be a lie
            shape, dtype = _npy_header(fh)
        check_pixel_count(shape, path, max_pixels, itemsize=dtype.itemsize)
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        return np.array(arr), None
    # np.load leaves its own file handle open when a truncated .npz fails to parse, so the
    # handle is opened (and always closed) here
    with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as npz:
        keys = list(npz.files)
        spacing = None
        label_keys = [k for k in keys if k != "spacing"]
        if len(label_keys) == 1:
            key = label_keys[0]
        elif "labels" in label_keys:
            key = "labels"
        elif "mask" in label_keys:
            key = "mask"
        else:
            raise FileFormatError(
                f"{path}: the .npz holds {len(label_keys)} arrays {label_keys}; name the mask "
                "'labels' or 'mask', or save it alone"
            )
        shape, dtype = _npz_header(npz, key)
        check_pixel_count(shape, path, max_pixels, itemsize=dtype.itemsize)
        arr = npz[key]
        if "spacing" in keys:
            spacing = tuple(float(v) for v in np.atleast_1d(npz["spacing"]))
    return arr, spacing


def _npz_header(npz, key: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of one member of an .npz from its header, without decompressing it."""
    with npz.zip.open(f"{key}.npy") as fh:
        return _npy_header(fh)


def _npy_header(fh) -> tuple[tuple[int, ...], np.dtype]:
    version = np.lib.format.read_magic(fh)
    reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
              else np.lib.format.read_array_header_2_0)
    shape, _, dtype = reader(fh)
    return shape, dtype


def _read_nifti(nib, path: Path, max_pixels: int | None):
    img = nib.load(str(path))
    shape = img.shape
    check_pixel_count(shape, path, max_pixels, itemsize=2 * img.get_data_dtype().itemsize)
    arr = np.asanyarray(img.dataobj)
    # the header's own voxel sizes: nibabel quietly turns a zero into 1 when it loads
    raw = _nifti_pixdim(path)[1: 1 + arr.ndim]
    if not all(math.isfinite(z) and z > 0 for z in raw):
        zooms = raw
    else:
        zooms = tuple(float(z) for z in img.header.get_zooms()[: arr.ndim])
    orientation = "".join(nib.orientations.aff2axcodes(img.affine)[: arr.ndim])
    return arr, zooms, orientation


def _nifti_pixdim(path: Path) -> tuple[float, ...]:
    """``pixdim`` as stored in a NIfTI-1 or NIfTI-2 header (gzip-compressed or not)."""
    import gzip
    import struct

    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rb") as fh:
        head = fh.read(540)
    for order in "<>":
        size = struct.unpack(order + "i", head[:4])[0]
        if size == 348:
            return tuple(float(v) for v in struct.unpack(order + "8f", head[76:108]))
        if size == 540:
            return tuple(float(v) for v in struct.unpack(order + "8d", head[104:168]))
    raise FileFormatError(f"{path}: not a NIfTI header")
