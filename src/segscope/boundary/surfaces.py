"""Surfaces of binary masks: boundary voxels, or surface elements weighted by their area.

Two conventions, named by the ``surface`` option everywhere in :mod:`segscope.boundary`:

``"voxels"`` (default)
    The foreground voxels that have a background face neighbour (foreground minus
    its erosion with the face-connected structure; the image border counts as
    background). Every boundary voxel has weight 1. This is the surface of MONAI,
    MedPy and Metrics Reloaded.
``"elements"``
    Surface elements on the grid of voxel corners (shifted by half a voxel): every
    2×2(×2) neighbourhood that holds both foreground and background carries the
    length (2-D) or area (3-D) of the marching-squares / marching-cubes surface that
    passes through it, in physical units. This is the surface of DeepMind's
    surface-distance (Nikolov et al. 2018, arXiv:1809.04430) and of MONAI's
    ``use_subvoxels=True``.

Examples
--------
>>> import numpy as np
>>> square = np.zeros((6, 6), bool); square[1:5, 1:5] = True
>>> extract_surface(square, surface="voxels").weights.size   # 12 of the 16 pixels
12
>>> round(float(extract_surface(square, surface="elements").weights.sum()), 3)  # perimeter
14.828
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..options import SURFACES
from . import _kernels

__all__ = [
    "SURFACES",
    "Surface",
    "element_measure_table",
    "extract_surface",
    "padded_surface",
]


@dataclass(frozen=True)
class Surface:
    """Points of a surface, in voxel index units of the array they came from.

    Attributes
    ----------
    coords : ndarray of int64, shape (n, 3)
        Index coordinates (2-D masks have a leading 0). For ``"elements"`` the
        point ``c`` stands for the corner at ``c + 0.5`` (between voxels ``c`` and
        ``c + 1`` along every axis).
    weights : ndarray of float64, shape (n,)
        1 for boundary voxels; length or area for surface elements.
    """

    coords: np.ndarray
    weights: np.ndarray


def _as3d(mask: np.ndarray) -> tuple[np.ndarray, bool]:
    if mask.ndim == 2:
        return mask[None], False
    return mask, True


def extract_surface(
    mask: np.ndarray, *, surface: str = "voxels", spacing=None, padded: bool = False
) -> Surface:
    """Surface points and weights of a 2-D or 3-D boolean mask.

    Parameters
    ----------
    mask : ndarray of bool
        2-D or 3-D.
    surface : {"voxels", "elements"}
        Which convention (see the module docstring).
    spacing : sequence of float, optional
        Physical size of a voxel along each axis (array order); only used to weigh
        surface elements.
    padded : bool
        ``True`` when ``mask`` already has a one-voxel background margin on every
        axis (as the crops made by :mod:`segscope.boundary.distances` do). Returned
        coordinates are in the frame of the given array.

    Returns
    -------
    Surface

    Examples
    --------
    >>> pixel = np.zeros((3, 3), bool); pixel[1, 1] = True
    >>> extract_surface(pixel).coords.tolist()
    [[0, 1, 1]]
    """
    mask = np.ascontiguousarray(mask, dtype=bool)
    offset = 0
    if not padded:
        mask = np.pad(mask, 1)
        offset = 1
    m3, real0 = _as3d(mask)
    sp = np.ones(mask.ndim) if spacing is None else np.asarray(spacing, float)
    out = padded_surface(m3.view(np.uint8), surface, tuple(float(x) for x in sp), real0)
    coords, weights = out.coords, out.weights
    if offset:
        coords = coords.copy()
        coords[:, 3 - mask.ndim:] -= offset
    return Surface(coords=coords, weights=weights)


def padded_surface(m3: np.ndarray, surface: str, spacing: tuple[float, ...],
                   real0: bool) -> Surface:
    """Surface of a 3-D uint8 mask with a background margin (2-D masks as ``(1, H, W)``,
    ``real0=False``); ``spacing`` has one value per real axis."""
    if surface == "voxels":
        coords = _kernels.boundary_voxel_coords(m3, real0)
        return Surface(coords, np.ones(coords.shape[0]))
    coords, codes = _kernels.neighbour_codes(m3, real0)
    return Surface(coords, element_measure_table(spacing)[codes])


def element_measure_table(spacing: tuple[float, ...]) -> np.ndarray:
    """Length (2-D, 16 codes) or area (3-D, 256 codes) of each neighbourhood code.

    2-D follows marching squares: one corner (or three) inside gives a segment across
    the cell corner, two neighbours along axis ``a`` give a segment of length
    ``spacing[a]``, two diagonal corners give two corner segments. 3-D sums the areas
    of the marching-cubes triangles (scikit-image's Lorensen table) of the
    configuration with at most four corners inside (a configuration and its complement
    bound the same surface).

    Examples
    --------
    >>> element_measure_table((1.0, 1.0))[[0, 1, 3, 6, 15]].round(4).tolist()
    [0.0, 0.7071, 1.0, 1.4142, 0.0]
    """
    if len(spacing) == 2:
        return _contour_lengths(spacing)
    return _surface_areas(spacing)


@functools.lru_cache(maxsize=32)
def _contour_lengths(spacing: tuple[float, float]) -> np.ndarray:
    s0, s1 = spacing
    diag = 0.5 * np.hypot(s0, s1)
    table = np.zeros(16)
    # bit 8: (0, 0), 4: (0, 1), 2: (1, 0), 1: (1, 1)
    for code in range(1, 15):
        corners = [(code >> 3) & 1, (code >> 2) & 1, (code >> 1) & 1, code & 1]
        inside = sum(corners)
        if inside in (1, 3):
            table[code] = diag
        elif corners[0] == corners[1]:  # same row: the contour runs along axis 1
            table[code] = s1
        elif corners[0] == corners[2]:  # same column: the contour runs along axis 0
            table[code] = s0
        else:  # two diagonal corners: two corner segments
            table[code] = 2 * diag
    table.setflags(write=False)
    return table


@functools.lru_cache(maxsize=1)
def _unit_triangles() -> tuple[np.ndarray, np.ndarray]:
    """Marching-cubes triangles of every 3-D code: ``(codes (T,), vertices (T, 3, 3))``."""
    from skimage.measure import marching_cubes

    weights = np.array([[[128, 64], [32, 16]], [[8, 4], [2, 1]]])
    owners, triangles = [], []
    for code in range(1, 255):
        cube = ((code & weights) > 0).astype(np.float64)
        if cube.sum() > 4:
            cube = 1.0 - cube
        verts, faces, _, _ = marching_cubes(cube, 0.5, method="lorensen")
        triangles.append(verts[faces])
        owners.append(np.full(len(faces), code))
    return np.concatenate(owners), np.concatenate(triangles)


@functools.lru_cache(maxsize=32)
def _surface_areas(spacing: tuple[float, float, float]) -> np.ndarray:
    owners, triangles = _unit_triangles()
    scaled = triangles * np.asarray(spacing)
    cross = np.cross(scaled[:, 1] - scaled[:, 0], scaled[:, 2] - scaled[:, 0])
    areas = 0.5 * np.linalg.norm(cross, axis=1)
    table = np.bincount(owners, weights=areas, minlength=256)
    table.setflags(write=False)
    return table
