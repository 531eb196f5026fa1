"""One row per object: size, matched partner, IoU, boundary distance; misses and false objects.

:func:`object_table` lists every true and every predicted object of one image or a
dataset at one IoU threshold. A true object without a partner is ``"missed"`` (a false
negative), a predicted one ``"spurious"`` (a false positive); objects lying mostly on
void are ``"ignored"``. Each row also names the object's best-overlapping partner on the
other side and that IoU, matched or not, so that a miss caused by a merge or a split
(best IoU just under the threshold) can be told from an object nobody found (best IoU 0).

Examples
--------
>>> import numpy as np
>>> t = np.array([[1, 1, 0, 2, 2, 2]]); p = np.array([[8, 8, 0, 0, 0, 9]])
>>> table = object_table(p, t)
>>> [(r["side"], r["id"], r["status"], r["partner"]) for r in table.rows()]
[('target', 1, 'matched', 8), ('target', 2, 'missed', None), ('pred', 8, 'matched', 1), \
('pred', 9, 'spurious', None)]
>>> [r["id"] for r in table.missed()]
[2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DependencyError, ParameterError
from ..results import json_safe
from .counts import _void_ignored
from .evaluate import _as_lists, _settings
from .matching import MatchMethod, Rule, match_objects
from .overlaps import Overlaps, instance_overlaps

__all__ = ["ObjectRows", "ObjectTable", "object_table"]

_COLUMNS = ("image", "side", "id", "class", "size", "status", "partner", "iou",
            "best_partner", "best_iou", "boundary")


@dataclass(frozen=True, eq=False)
class ObjectTable:
    """Every object of the evaluated images, as rows.

    Attributes
    ----------
    columns : mapping of str to tuple
        Column name → values, one per object (see :meth:`rows` for their meaning).
    threshold : float
    method, rule : str
    boundary : str or None
        The boundary distance in the ``boundary`` column (``"assd"``), or None.
    """

    columns: dict[str, tuple]
    threshold: float
    method: str
    rule: str
    boundary: str | None = None

    def __len__(self) -> int:
        return len(self.columns["id"])

    def rows(self) -> list[dict[str, Any]]:
        """One ``dict`` per object.

        Keys: ``image``, ``side`` (``"target"`` or ``"pred"``), ``id``, ``class``
        (None without classes), ``size`` (pixels), ``status`` (``"matched"``,
        ``"missed"``, ``"spurious"`` or ``"ignored"``), ``partner`` (the matched object's
        id on the other side, or None), ``iou`` (with the partner, NaN when unmatched),
        ``best_partner`` / ``best_iou`` (the most overlapping object on the other side,
        matched or not; None / 0.0 when it overlaps nothing), ``boundary`` (average
        symmetric surface distance to the partner, NaN when unmatched or not asked for).
        """
        names = list(self.columns)
        return [dict(zip(names, values)) for values in zip(*self.columns.values())]

    def missed(self) -> list[dict[str, Any]]:
        """The true objects that no prediction matched (false negatives)."""
        return [r for r in self.rows() if r["status"] == "missed"]

    def spurious(self) -> list[dict[str, Any]]:
        """The predicted objects that matched no true object (false positives)."""
        return [r for r in self.rows() if r["status"] == "spurious"]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe ``dict``: settings and rows."""
        return {"threshold": self.threshold, "method": self.method, "rule": self.rule,
                "boundary": self.boundary, "objects": json_safe(self.rows())}

    def to_frame(self):
        """A ``pandas.DataFrame`` with one row per object (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on environment
            raise DependencyError(
                "to_frame() needs pandas, which is not installed; "
                "install it with: pip install 'segscope[pandas]'"
            ) from err
        return pd.DataFrame(self.columns)


def object_table(pred: Any, target: Any, threshold: float = 0.5, *,
                 method: MatchMethod = "optimal", rule: Rule = ">=", void: int | None = None,
                 boundary: bool = False, spacing: Sequence[float] | float | None = None,
                 check_semantic: bool = True,
                 image_names: Sequence[str] | None = None) -> ObjectTable:
    """List every object of one image or a list of images, matched at ``threshold``.

    Parameters
    ----------
    pred, target : array_like of int, or lists of them
        Instance label maps, as :func:`~segscope.instances.evaluate_instances`.
    threshold : float
        The IoU threshold of the matching.
    method, rule, void, check_semantic
        As :func:`~segscope.instances.evaluate_instances` (``"greedy_score"`` is not
        available here: use ``"optimal"`` or ``"greedy_iou"``).
    boundary : bool
        Add the average symmetric surface distance between each matched pair
        (:func:`segscope.boundary.assd`, on the pair's bounding box).
    spacing : float or sequence of float, optional
        Pixel spacing for ``boundary``, in array axis order.
    image_names : sequence of str, optional

    Returns
    -------
    ObjectTable
    """
    _settings(method, rule, "dataset", None)
    if method == "greedy_score":
        raise ParameterError('object_table matches without scores; use method="optimal" '
                             'or "greedy_iou"')
    preds, targets = _as_lists(pred, target)
    names = list(image_names) if image_names is not None else [str(i) for i in range(len(preds))]
    if len(names) != len(preds):
        raise ParameterError(f"image_names has {len(names)} names for {len(preds)} images")
    rows = ObjectRows(threshold, method=method, rule=rule, boundary=boundary)
    for name, p, t in zip(names, preds, targets):
        ov = instance_overlaps(p, t, void=void, check_semantic=check_semantic)
        rows.add(name, ov, p, t, spacing=spacing)
    return rows.table()


class ObjectRows:
    """Collects the object rows of images one at a time (what :func:`object_table` uses).

    Examples
    --------
    >>> import numpy as np
    >>> from segscope.instances import instance_overlaps
    >>> rows = ObjectRows(0.5)
    >>> t = np.array([[1, 1, 0]]); p = np.array([[0, 0, 5]])
    >>> rows.add("a", instance_overlaps(p, t), p, t)
    >>> [r["status"] for r in rows.table().rows()]
    ['missed', 'spurious']
    """

    def __init__(self, threshold: float = 0.5, *, method: str = "optimal", rule: str = ">=",
                 boundary: bool = False) -> None:
        self.threshold, self.method, self.rule, self.boundary = threshold, method, rule, boundary
        self.cols: dict[str, list] = {c: [] for c in _COLUMNS}

    def add(self, name: str, overlaps: Overlaps, pred: Any, target: Any, *,
            spacing: Sequence[float] | float | None = None) -> None:
        """Add the objects of one image (its table and its two label maps)."""
        _add_image(self.cols, name, overlaps, pred, target, self.threshold, self.method,
                   self.rule, self.boundary, spacing)

    def extend(self, other: ObjectRows) -> ObjectRows:
        """Add the rows of ``other`` (images collected elsewhere) after these; return self."""
        for column, values in other.cols.items():
            self.cols[column].extend(values)
        return self

    def table(self) -> ObjectTable:
        """The rows collected so far."""
        return ObjectTable(columns={k: tuple(v) for k, v in self.cols.items()},
                           threshold=float(self.threshold), method=self.method, rule=self.rule,
                           boundary="assd" if self.boundary else None)


def _best(first: np.ndarray, second: np.ndarray, iou: np.ndarray, n: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``n`` objects (indexed by ``first``), its best ``second`` and that IoU."""
    best = np.full(n, -1, dtype=np.int64)
    best_iou = np.zeros(n)
    if first.size:
        order = np.lexsort((second, -iou, first))
        head = np.ones(order.size, dtype=bool)
        head[1:] = first[order][1:] != first[order][:-1]
        pick = order[head]
        best[first[pick]] = second[pick]
        best_iou[first[pick]] = iou[pick]
    return best, best_iou


def _add_image(cols: dict[str, list], name: str, ov: Overlaps, p: Any, t: Any,
               threshold: float, method: str, rule: str, boundary: bool,
               spacing: Sequence[float] | float | None) -> None:
    m = match_objects(ov, threshold, method=method, rule=rule)  # type: ignore[arg-type]
    p_partner, t_partner = m.partners(0)
    iou = m.iou
    pair_of = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ov.pair_pred, ov.pair_target))}
    p_ign, t_ign = _void_ignored(ov)
    t_best, t_best_iou = _best(ov.pair_target, ov.pair_pred, iou, ov.num_target)
    p_best, p_best_iou = _best(ov.pair_pred, ov.pair_target, iou, ov.num_pred)
    dist = _boundary_distances(ov, p, t, t_partner, spacing) if boundary else None
    for side, ids, sizes, partner, other_ids, best, best_iou, ign in (
        ("target", ov.target_ids, ov.target_sizes, t_partner, ov.pred_ids, t_best, t_best_iou,
         t_ign),
        ("pred", ov.pred_ids, ov.pred_sizes, p_partner, ov.target_ids, p_best, p_best_iou, p_ign),
    ):
        classes = ov.target_classes if side == "target" else ov.pred_classes
        for i in range(ids.size):
            j = int(partner[i])
            matched = j >= 0
            key = (i, j) if side == "pred" else (j, i)
            cols["image"].append(name)
            cols["side"].append(side)
            cols["id"].append(int(ids[i]))
            cols["class"].append(None if classes is None else int(classes[i]))
            cols["size"].append(int(sizes[i]))
            cols["status"].append("matched" if matched else "ignored" if ign[i]
                                  else "missed" if side == "target" else "spurious")
            cols["partner"].append(int(other_ids[j]) if matched else None)
            cols["iou"].append(float(iou[pair_of[key]]) if matched else float("nan"))
            cols["best_partner"].append(int(other_ids[best[i]]) if best[i] >= 0 else None)
            cols["best_iou"].append(float(best_iou[i]))
            if dist is None or not matched:
                cols["boundary"].append(float("nan"))
            else:
                cols["boundary"].append(float(dist[i if side == "target" else j]))


def _boundary_distances(ov: Overlaps, p: Any, t: Any, t_partner: np.ndarray,
                        spacing: Sequence[float] | float | None) -> np.ndarray:
    """ASSD of each true object and its matched prediction (NaN when unmatched)."""
    from scipy import ndimage

    from ..boundary import assd

    p, t = np.asarray(p), np.asarray(t)
    out = np.full(ov.num_target, np.nan)
    if not (t_partner >= 0).any():
        return out
    # compact int32 maps (index + 1) give find_objects one box per object
    p_idx = (np.searchsorted(ov.pred_ids, p) + 1) * np.isin(p, ov.pred_ids)
    t_idx = (np.searchsorted(ov.target_ids, t) + 1) * np.isin(t, ov.target_ids)
    p_box = ndimage.find_objects(p_idx.astype(np.int32), max_label=ov.num_pred)
    t_box = ndimage.find_objects(t_idx.astype(np.int32), max_label=ov.num_target)
    for i in np.flatnonzero(t_partner >= 0):
        j = int(t_partner[i])
        box = tuple(slice(max(0, min(a.start, b.start) - 1), max(a.stop, b.stop) + 1)
                    for a, b in zip(t_box[i], p_box[j]))
        out[i] = assd(p_idx[box] == j + 1, t_idx[box] == i + 1, spacing=spacing)
    return out
