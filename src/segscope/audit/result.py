"""The result of an audit: verified pairs, groups, skipped files, drops and a re-split.

Examples
--------
>>> r = AuditResult(names=("a", "b", "c"), split_of=(0, 0, 0), splits=("images",),
...                 pixels=(4, 9, 4), pairs=(DuplicatePair("a", "b", "images", "images",
...                 3, 0.99, 0.97, 0.99, 0.0, 0.99, 0.98),), skipped=(), candidates=1,
...                 settings={})
>>> r.groups, r.suggested_drops()
((('a', 'b'),), ('a',))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .groups import components, keep_one, majority_split

__all__ = ["AuditResult", "DuplicatePair"]

_COLUMNS = ("name_a", "name_b", "split_a", "split_b", "distance", "ncc", "ssim", "match", "crop",
            "ncc_low", "ssim_low")


@dataclass(frozen=True)
class DuplicatePair:
    """A verified near-duplicate pair and every score that led to the decision.

    Attributes
    ----------
    name_a, name_b : str
        The two images (``name_a`` sorts first, or comes from the earlier split).
    split_a, split_b : str
        Their splits (the same for :func:`~segscope.audit.find_duplicates`).
    distance : int
        Hamming distance of the hashes that made them candidates (full frame, a window or
        a flipped/rotated variant).
    ncc, ssim, match, crop, ncc_low, ssim_low : float
        See :mod:`segscope.audit.verify`.
    """

    name_a: str
    name_b: str
    split_a: str
    split_b: str
    distance: int
    ncc: float
    ssim: float
    match: float
    crop: float
    ncc_low: float
    ssim_low: float

    def as_dict(self) -> dict[str, Any]:
        """The pair as a dictionary (the columns of :meth:`AuditResult.to_frame`)."""
        return asdict(self)


@dataclass(frozen=True)
class AuditResult:
    """What an audit found.

    Attributes
    ----------
    names : tuple of str
        Every image that was compared (skipped files are not in it).
    split_of : tuple of int
        The split index of each name.
    splits : tuple of str
        Split names, in the order given (training first for a leakage audit).
    pixels : tuple of int
        Pixel count of each image (the larger one of a group is kept).
    pairs : tuple of DuplicatePair
        Verified pairs, sorted by names.
    skipped : tuple of (str, str)
        ``(name, reason)`` for every file that could not be used.
    candidates : int
        Candidate pairs verified.
    settings : dict
        The options of the run (thresholds, radius, flips, rotations).
    """

    names: tuple[str, ...]
    split_of: tuple[int, ...]
    splits: tuple[str, ...]
    pixels: tuple[int, ...]
    pairs: tuple[DuplicatePair, ...]
    skipped: tuple[tuple[str, str], ...]
    candidates: int
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def _group_ids(self) -> list[list[int]]:
        where = {n: i for i, n in enumerate(self.names)}
        edges = [(where[p.name_a], where[p.name_b]) for p in self.pairs]
        return components(len(self.names), edges)

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        """Groups of near-twins: connected components of the verified pairs."""
        return tuple(tuple(self.names[i] for i in g) for g in self._group_ids)

    def suggested_drops(self) -> tuple[str, ...]:
        """Images a user could drop (a suggestion: nothing is deleted).

        Within one split, every member of a group but the largest image; across splits,
        the members outside the split that holds most of the group (see :meth:`resplit`).
        """
        drops = []
        for g in self._group_ids:
            home = majority_split(g, self.split_of)
            inside = [i for i in g if self.split_of[i] == home]
            keep = keep_one(inside, self.pixels) if len(self.splits) == 1 else None
            drops += [i for i in g if self.split_of[i] != home or
                      (keep is not None and i != keep)]
        return tuple(self.names[i] for i in sorted(drops))

    def resplit(self) -> dict[str, str]:
        """A group-aware split: each name -> its split, whole groups in one split.

        Images outside any group keep their split; a group goes to the split that holds
        most of its members (the earliest split on a tie).
        """
        out = {n: self.splits[s] for n, s in zip(self.names, self.split_of, strict=True)}
        for g in self._group_ids:
            home = self.splits[majority_split(g, self.split_of)]
            for i in g:
                out[self.names[i]] = home
        return out

    def leaked(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Per split pair ``(earlier, later)``: ``(images of the later with a twin in the
        earlier, images of the later)``."""
        sizes = [0] * len(self.splits)
        for s in self.split_of:
            sizes[s] += 1
        index = {s: k for k, s in enumerate(self.splits)}
        twins: dict[tuple[str, str], set[str]] = {}
        for p in self.pairs:
            if p.split_a != p.split_b:
                a, b = sorted((p.split_a, p.split_b), key=index.__getitem__)
                later = p.name_b if p.split_b == b else p.name_a
                twins.setdefault((a, b), set()).add(later)
        out = {}
        for i, a in enumerate(self.splits):
            for b in self.splits[i + 1:]:
                out[(a, b)] = (len(twins.get((a, b), ())), sizes[index[b]])
        return out

    def summary(self) -> list[str]:
        """One line per split pair (leakage) or one line (duplicates)."""
        lines = []
        if len(self.splits) > 1:
            for (a, b), (n, total) in self.leaked().items():
                share = f" ({100 * n / total:.1f} %)" if total else ""
                lines.append(f"{n} of {total} {b} images have a near-twin in {a}{share}")
        lines.append(f"{len(self.pairs)} near-duplicate pairs in {len(self.groups)} groups "
                     f"among {len(self.names)} images ({len(self.skipped)} skipped, "
                     f"{self.candidates} candidates verified)")
        return lines

    def rows(self) -> list[dict[str, Any]]:
        """The pairs as dictionaries (one per pair), with the group number."""
        where = {n: k for k, g in enumerate(self.groups) for n in g}
        return [{**p.as_dict(), "group": where[p.name_a]} for p in self.pairs]

    def to_frame(self):
        """The pairs as a pandas DataFrame (needs pandas)."""
        from ..errors import require

        pd = require("pandas", "pandas", "AuditResult.to_frame")
        return pd.DataFrame(self.rows(), columns=[*_COLUMNS, "group"])

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain containers (the ``--json`` output)."""
        return {
            "summary": self.summary(),
            "settings": dict(self.settings),
            "splits": list(self.splits),
            "images": len(self.names),
            "candidates": self.candidates,
            "pairs": self.rows(),
            "groups": [list(g) for g in self.groups],
            "suggested_drops": list(self.suggested_drops()),
            "resplit": self.resplit() if len(self.splits) > 1 else {},
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped],
        }
