"""Scoring mask files: one pair of files, or two folders, streamed one pair at a time.

This is what ``segscope evaluate`` runs. The io layer pairs the files
(:func:`segscope.io.pair_inputs`) and reads each pair (:func:`segscope.io.load_pairs`);
here each pair is optionally binarized and its confusion counts (and boundary distances)
accumulated, and the scores are computed once at the end from the counts, so memory
holds one image pair at a time whatever the size of the dataset. The overlap settings
are one :class:`~segscope.options.ScoreOptions`, the boundary settings one
:class:`BoundaryOptions`.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> np.save(root / "pred.npy", np.array([[0, 1], [1, 1]]))
>>> np.save(root / "target.npy", np.array([[0, 1], [0, 1]]))
>>> report = evaluate_paths(root / "pred.npy", root / "target.npy", num_classes=2)
>>> round(report["iou"].value, 4), report["accuracy"].value
(0.5833, 0.75)
>>> evaluate_paths(root / "pred.npy", root / "target.npy", num_classes=2,
...                options=ScoreOptions(metrics="dice", aggregate="image_class"),
...                boundary=BoundaryOptions(metrics="hd")).metrics
('dice', 'hd')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ._checks import check_spacing
from ._progress import track
from .errors import LabelError, PairingError, ParameterError, ShapeError
from .io import (
    DEFAULT_MAX_PIXELS,
    MASK_EXTENSIONS,
    PAIRING_EXTENSIONS,
    LoadedPair,
    MatchMode,
    Pair,
    Pairing,
    load_pairs,
    pair_inputs,
    read_colormap,
    read_mask,
)
from .options import DistanceEmpty, OneEmpty, Pooling, ScoreOptions, Surface
from .results import Report

if TYPE_CHECKING:
    import numpy as np

    from .instances import InstanceReport
    from .io.colormap import Colormap
    from .streaming import BoundaryMetric

__all__ = ["BoundaryOptions", "EvaluationPlan", "InstancePlan", "InstanceScorer",
           "InstanceStats", "PairScorer", "PairStats", "ScoreOptions", "binarize",
           "evaluate_instance_paths", "evaluate_paths", "plan_evaluation",
           "plan_instance_evaluation"]


def binarize(labels: np.ndarray, ignore_index: int | None = None) -> np.ndarray:
    """Foreground/background of a label or instance mask: every non-zero id becomes 1.

    Pixels equal to ``ignore_index`` keep that value, so they stay ignored.

    Examples
    --------
    >>> import numpy as np
    >>> binarize(np.array([0, 3, 17, 255]), ignore_index=255).tolist()
    [0, 1, 1, 255]
    """
    import numpy as np

    out = (labels != 0).astype(np.uint8)
    if ignore_index is not None:
        keep = labels == ignore_index
        if keep.any():
            out = out.astype(np.uint8 if 0 <= ignore_index < 256 else np.int64)
            out[keep] = ignore_index
    return out


@dataclass(frozen=True)
class BoundaryOptions:
    """The boundary metrics of a file evaluation and their settings.

    Boundary metrics never score class 0: the background's surface is the union of all
    other surfaces plus the image border (where prediction and target always agree), so
    its distances only dilute the mean over classes (MONAI also leaves it out).

    Parameters
    ----------
    metrics : str or sequence of str
        Names of :data:`segscope.boundary.BOUNDARY_METRICS`, or ``"all"``; a string may
        be a comma-separated list. Empty: no boundary metric.
    percentile : float
        Percentile of the percentile Hausdorff distance (``"hd95"``).
    tolerance : float
        Tolerance of the normalised surface Dice, in physical units.
    spacing : sequence of float, optional
        Pixel/voxel size in array axis order, overriding the spacing read from files.
    one_empty, empty, pooling, surface
        As in :class:`segscope.streaming.BoundaryMetric`.

    Examples
    --------
    >>> BoundaryOptions(metrics="hd95, nsd").metrics
    ('hd95', 'nsd')
    >>> bool(BoundaryOptions())
    False
    """

    metrics: tuple[str, ...] | str | Sequence[str] = ()
    percentile: float = 95.0
    tolerance: float = 1.0
    spacing: tuple[float, ...] | Sequence[float] | None = None
    one_empty: OneEmpty | float = "inf"
    empty: DistanceEmpty | float = "nan"
    pooling: Pooling = "max"
    surface: Surface = "voxels"

    def __post_init__(self) -> None:
        metrics = self.metrics
        if isinstance(metrics, str):
            metrics = metrics.split(",")
        names = tuple(dict.fromkeys(m.strip().lower() for m in metrics if m.strip()))
        object.__setattr__(self, "metrics", names)
        if self.spacing is not None:
            object.__setattr__(self, "spacing", tuple(float(s) for s in self.spacing))

    def __bool__(self) -> bool:
        return bool(self.metrics)

    def accumulator(self, num_classes: int, ignore_index: int | None,
                    labels: Sequence[int] | None = None) -> BoundaryMetric:
        """A :class:`~segscope.streaming.BoundaryMetric` with these settings (it checks
        them: unknown names, a percentile outside [0, 100], ...)."""
        from .streaming import BoundaryMetric

        return BoundaryMetric(
            num_classes=num_classes, metrics=self.metrics, percentile=self.percentile,
            tolerance=self.tolerance, include_background=False, ignore_index=ignore_index,
            one_empty=self.one_empty, empty=self.empty, pooling=self.pooling,
            surface=self.surface, labels=labels, sync_on_compute=False)


def evaluate_paths(
    pred: str | os.PathLike,
    target: str | os.PathLike,
    /,
    *,
    num_classes: int | None = None,
    ignore_index: int | None = None,
    options: ScoreOptions | None = None,
    boundary: BoundaryOptions | None = None,
    binarize_labels: bool = False,
    colormap: Colormap | str | os.PathLike | None = None,
    match: MatchMode = "path",
    allow_unpaired: bool = False,
    per_image: bool = False,
    extensions: Sequence[str] = PAIRING_EXTENSIONS,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    progress: bool = False,
    details: bool = False,
    bootstrap: int = 0,
    seed: int = 0,
) -> Report:
    """Score prediction files against target files (one pair of files or two folders).

    Parameters
    ----------
    pred, target : str or path-like
        Two mask files, or two folders paired by ``match``.
    num_classes : int, optional
        Number of classes, background included. Required unless ``binarize_labels``
        (then 2); when missing, the error reports the largest label of the first pair.
    ignore_index : int, optional
        Target label left out of both maps.
    options : ScoreOptions, optional
        The overlap metrics and how they are scored (default: ``ScoreOptions()``).
    boundary : BoundaryOptions, optional
        Boundary metrics to add (they leave out class 0, the background).
    binarize_labels : bool
        Treat every non-zero id as foreground (instance masks → 2 classes).
    colormap : mapping or path, optional
        Colour → class map for RGB masks (see :func:`segscope.io.read_colormap`).
    match : {"path", "stem"}
        How folder contents are paired (see :mod:`segscope.io.pairing`).
    allow_unpaired : bool
        If false (default), files without a partner are an error; if true they are
        skipped and listed in ``report.meta["unpaired_pred"]``/``["unpaired_target"]``.
    per_image : bool
        Keep per-image values (``Score.per_image``); implied by an ``aggregate`` other
        than ``"dataset"``.
    extensions : sequence of str
        File suffixes considered in folders.
    max_pixels : int or None
        Largest image read (see :func:`segscope.io.read_mask`).
    progress : bool
        Draw a progress bar on stderr.
    details : bool
        Also record what a report needs (implies ``per_image``): ``meta["confusion"]``
        (the summed ``(C, C)`` counts), ``meta["image_values"]`` (each image's own value
        of each overlap metric), ``meta["inputs"]`` (each pair's files with their SHA-256,
        for local files) and ``meta["options"]`` (the scoring settings).
    bootstrap : int
        With ``details``: number of bootstrap draws of the images for 95 % intervals,
        pooled and per image (:func:`segscope.bootstrap.bootstrap_intervals`), in
        ``meta["bootstrap"]``; 0 computes none.
    seed : int
        Seed of the bootstrap draws.

    Returns
    -------
    Report
        Overlap (and boundary) scores; ``meta`` records the inputs and settings.

    Raises
    ------
    PairingError
        Unpaired files (unless ``allow_unpaired``), no pairs at all, or a file paired
        with a folder.
    ShapeError, LabelError, FileFormatError, ParameterError
        Bad input; messages name the files involved.
    """
    plan = plan_evaluation(
        pred, target, num_classes=num_classes, ignore_index=ignore_index, options=options,
        boundary=boundary, binarize_labels=binarize_labels, colormap=colormap, match=match,
        allow_unpaired=allow_unpaired, per_image=per_image, extensions=extensions,
        max_pixels=max_pixels, details=details, bootstrap=bootstrap, seed=seed)
    return plan.report(plan.scorer.score(plan.pairs, progress=progress))


@dataclass
class PairStats:
    """The statistics of a run of pairs: what scoring a shard of a dataset gives.

    Confusion counts (per image when kept) and, with boundary metrics, one row of
    distances per image. :meth:`merge` appends another run's images after these, so
    runs merged in pair order give exactly the statistics of one run over all pairs.
    """

    counts: Any  # segscope.streaming.OverlapMetric
    distances: BoundaryMetric | None
    spacing_known: bool

    def merge(self, other: PairStats) -> PairStats:
        """Add ``other``'s images after these; return self."""
        self.counts.merge(other.counts)
        if self.distances is not None and other.distances is not None:
            self.distances.merge(other.distances)
        self.spacing_known = self.spacing_known or other.spacing_known
        return self


@dataclass(frozen=True)
class PairScorer:
    """The settings that score pairs, and nothing of the dataset (small to send to workers).

    :meth:`score` reads each pair in turn (one pair in memory at a time) and returns its
    :class:`PairStats`.
    """

    num_classes: int
    ignore_index: int | None
    options: ScoreOptions
    boundary: BoundaryOptions
    binarize_labels: bool
    colormap: Colormap | None
    keep_images: bool
    max_pixels: int | None

    def score(self, pairs: Sequence[Pair], *, progress: bool = False) -> PairStats:
        """Read and score ``pairs`` in order; the first bad pair raises, naming its files."""
        counts = _Counts(self.num_classes, self.ignore_index, self.keep_images, self.options)
        boundary = self.boundary
        distances = (boundary.accumulator(self.num_classes, self.ignore_index,
                                          self.options.labels) if boundary else None)
        # a spacing given by the caller replaces the files' (which are then not read: an
        # unusable voxel size in a header is no error when --spacing overrides it)
        loaded = load_pairs(pairs, colormap=self.colormap, max_pixels=self.max_pixels,
                            read_spacing=boundary.spacing is None)
        spacing_known = boundary.spacing is not None
        for item in track(loaded, total=len(pairs), description="evaluating",
                          enabled=progress and len(pairs) > 1):
            if self.binarize_labels:
                item = LoadedPair(
                    item.name, replace(item.pred, labels=binarize(item.pred.labels)),
                    replace(item.target, labels=binarize(item.target.labels,
                                                         self.ignore_index)))
            counts.update(item)
            if distances is not None:
                _add_distances(distances, item, boundary.spacing)
                spacing_known = spacing_known or item.spacing is not None
        return PairStats(counts.inner, distances, spacing_known)


@dataclass(frozen=True)
class EvaluationPlan:
    """What :func:`evaluate_paths` settles before reading any pair, and how it reports.

    ``scorer.score(pairs)`` gives the statistics of any run of pairs (on this machine, or
    on a cluster's workers: see :mod:`segscope.dask`); :meth:`report` turns the merged
    statistics of all :attr:`pairs`, in order, into the :class:`~segscope.results.Report`.
    """

    scorer: PairScorer
    pairing: Pairing
    meta: dict[str, Any]
    details: bool = False
    bootstrap: int = 0
    seed: int = 0

    @property
    def pairs(self) -> tuple[Pair, ...]:
        """Every pair, in the order the statistics are merged."""
        return self.pairing.pairs

    def report(self, stats: PairStats) -> Report:
        """The report of the statistics of all pairs (merged in pair order)."""
        report = stats.counts.compute()
        if stats.distances is not None:
            # without a spacing from the files or the caller, distances are in pixels
            units = "spacing units" if stats.spacing_known else "px"
            report = report.with_scores(
                replace(s, extra={**s.extra, "units": units}) if "units" in s.extra else s
                for s in stats.distances.compute().scores)
        meta = dict(report.meta)
        meta.update(self.meta)
        if self.details:
            meta.update(_details(stats.counts.image_counts, self.scorer, self.pairs,
                                 self.bootstrap, self.seed))
        return Report(report.scores, len(self.pairs), tuple(p.name for p in self.pairs), meta)


def plan_evaluation(
    pred: str | os.PathLike,
    target: str | os.PathLike,
    /,
    *,
    num_classes: int | None = None,
    ignore_index: int | None = None,
    options: ScoreOptions | None = None,
    boundary: BoundaryOptions | None = None,
    binarize_labels: bool = False,
    colormap: Colormap | str | os.PathLike | None = None,
    match: MatchMode = "path",
    allow_unpaired: bool = False,
    per_image: bool = False,
    extensions: Sequence[str] = PAIRING_EXTENSIONS,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    pairing: Pairing | None = None,
    details: bool = False,
    bootstrap: int = 0,
    seed: int = 0,
) -> EvaluationPlan:
    """Pair the inputs and check the settings of :func:`evaluate_paths`, reading no pair.

    The arguments are :func:`evaluate_paths`'s; ``pairing`` replaces the pairing of
    ``pred`` and ``target`` (which then only name the inputs in ``meta``).

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> np.save(root / "p.npy", np.array([[0, 1]])); np.save(root / "t.npy", np.array([[1, 1]]))
    >>> plan = plan_evaluation(root / "p.npy", root / "t.npy", num_classes=2)
    >>> plan.report(plan.scorer.score(plan.pairs))["accuracy"].value
    0.5
    """
    from .metrics import resolve_per_image

    options = ScoreOptions() if options is None else options
    boundary = BoundaryOptions() if boundary is None else boundary
    keep_images = resolve_per_image(options.aggregate, True if per_image or details else None,
                                    by_image=False)
    if pairing is None:
        pairing = pair_inputs(pred, target, match=match, extensions=extensions)
    _check_pairing(pairing, pred, target, allow_unpaired, match)
    cmap = read_colormap(colormap) if isinstance(colormap, (str, os.PathLike)) else colormap
    if binarize_labels:
        if num_classes not in (None, 2):
            raise ParameterError(
                f"binarize gives 2 classes (background, foreground); got num_classes="
                f"{num_classes}. Leave num_classes out, or do not binarize"
            )
        num_classes = 2
    elif num_classes is None:
        _raise_missing_num_classes(pairing.pairs[0], cmap, ignore_index, max_pixels)
    # fail now, not after the first pair, on settings that do not fit
    _Counts(num_classes, ignore_index, keep_images, options)
    if boundary:
        boundary.accumulator(num_classes, ignore_index, options.labels)
    meta: dict[str, Any] = dict(
        pred=str(pred), target=str(target), num_pairs=len(pairing.pairs),
        ignore_index=ignore_index, binarize=bool(binarize_labels), match=match,
        unpaired_pred=[str(p) for p in pairing.unpaired_pred],
        unpaired_target=[str(p) for p in pairing.unpaired_target],
    )
    if boundary.spacing is not None:
        meta["spacing"] = list(boundary.spacing)
    scorer = PairScorer(num_classes, ignore_index, options, boundary, bool(binarize_labels),
                        cmap, keep_images, max_pixels)
    if bootstrap < 0:
        raise ParameterError(f"bootstrap={bootstrap}: expected a number of draws >= 0")
    if details:
        meta["colormap"] = str(colormap) if isinstance(colormap, (str, os.PathLike)) else None
    return EvaluationPlan(scorer, pairing, meta, bool(details), int(bootstrap), int(seed))


def _details(image_counts: np.ndarray, scorer: PairScorer, pairs: Sequence[Pair],
             resamples: int, seed: int) -> dict[str, Any]:
    """What a report needs beyond the scores (see ``details`` of :func:`evaluate_paths`)."""
    from .bootstrap import bootstrap_intervals
    from .io import sha256
    from .metrics import score_each

    def digest(path: Any) -> str | None:  # files on this machine; URLs are not read again
        return sha256(path) if os.path.isfile(str(path)) else None

    options = scorer.options
    out: dict[str, Any] = {
        "confusion": image_counts.sum(axis=0).tolist(),
        "image_values": {m: v.tolist() for m, v in score_each(image_counts, options).items()},
        "inputs": [{"name": p.name, "pred": str(p.pred), "pred_sha256": digest(p.pred),
                    "target": str(p.target), "target_sha256": digest(p.target)}
                   for p in pairs],
        "options": dict(options.as_dict(), num_classes=scorer.num_classes),
    }
    if resamples:
        out["bootstrap"] = {
            "resamples": resamples, "seed": seed, "confidence": 0.95,
            "metrics": bootstrap_intervals(image_counts, options, resamples=resamples,
                                           seed=seed),
        }
    return out


def evaluate_instance_paths(
    pred: str | os.PathLike,
    target: str | os.PathLike,
    /,
    *,
    thresholds: float | Sequence[float] | None = None,
    method: str = "optimal",
    rule: str = ">=",
    metrics: str | Sequence[str] | None = None,
    aggregate: str = "dataset",
    empty: str = "nan",
    void: int | None = None,
    objects: bool = False,
    boundary: bool = False,
    match: MatchMode = "path",
    allow_unpaired: bool = False,
    extensions: Sequence[str] = PAIRING_EXTENSIONS,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    progress: bool = False,
) -> InstanceReport:
    """Instance scores of instance label files (one pair of files or two folders).

    Each pair is read, its objects matched and counted, and the next pair read: memory
    holds one pair and the counts. The scores are
    :func:`~segscope.instances.evaluate_instances`'s, pooled and per image.

    Parameters
    ----------
    pred, target : str or path-like
        Two instance mask files (TIFF, PNG, NIfTI, NPY...) or two folders of them.
    thresholds, method, rule, metrics, aggregate, empty, void
        As :func:`segscope.instances.evaluate_instances`.
    objects : bool
        Also list every object (``report.objects``, at the first threshold).
    boundary : bool
        With ``objects``: the boundary distance of each matched pair, in the files'
        spacing when they record one.
    match, allow_unpaired, extensions, max_pixels, progress
        As :func:`evaluate_paths`.

    Returns
    -------
    InstanceReport

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> np.save(root / "t.npy", np.array([[1, 1, 0, 2, 2]]))
    >>> np.save(root / "p.npy", np.array([[5, 5, 0, 0, 0]]))
    >>> r = evaluate_instance_paths(root / "p.npy", root / "t.npy", thresholds=0.5)
    >>> r.value("recall"), r.value("precision")
    (0.5, 1.0)
    """
    plan = plan_instance_evaluation(
        pred, target, thresholds=thresholds, method=method, rule=rule, metrics=metrics,
        aggregate=aggregate, empty=empty, void=void, objects=objects, boundary=boundary,
        match=match, allow_unpaired=allow_unpaired, extensions=extensions,
        max_pixels=max_pixels)
    return plan.report(plan.scorer.score(plan.pairs, progress=progress))


@dataclass
class InstanceStats:
    """The object counts of a run of pairs, one part per image, and their object rows."""

    parts: list[Any]  # segscope.instances.InstanceCounts, one per image
    rows: Any  # segscope.instances.objects.ObjectRows, or None

    def merge(self, other: InstanceStats) -> InstanceStats:
        """Add ``other``'s images after these; return self."""
        self.parts.extend(other.parts)
        if self.rows is not None and other.rows is not None:
            self.rows.extend(other.rows)
        return self


@dataclass(frozen=True)
class InstanceScorer:
    """The settings that match and count the objects of pairs (small to send to workers)."""

    thresholds: tuple[float, ...]
    method: str
    rule: str
    void: int | None
    objects: bool
    boundary: bool
    max_pixels: int | None

    def score(self, pairs: Sequence[Pair], *, progress: bool = False) -> InstanceStats:
        """Read, match and count ``pairs`` in order; the first bad pair raises."""
        from .instances import count_image, instance_overlaps
        from .instances.objects import ObjectRows

        ts = self.thresholds
        rows = (ObjectRows(ts[0], method=self.method, rule=self.rule, boundary=self.boundary)
                if self.objects else None)
        parts = []
        for item in track(load_pairs(pairs, max_pixels=self.max_pixels),
                          total=len(pairs), description="matching objects",
                          enabled=progress and len(pairs) > 1):
            p, t = item.pred.labels, item.target.labels
            try:
                ov = instance_overlaps(p, t, void=self.void)
                parts.append(count_image(ov, ts, method=self.method, rule=self.rule))
                if rows is not None:
                    rows.add(item.name, ov, p, t, spacing=item.spacing)
            except (LabelError, ShapeError, TypeError) as err:
                raise type(err)(f"{item.pred.path} vs {item.target.path}: {err}") from err
        return InstanceStats(parts, rows)


@dataclass(frozen=True)
class InstancePlan:
    """What :func:`evaluate_instance_paths` settles before reading any pair (see
    :class:`EvaluationPlan`)."""

    scorer: InstanceScorer
    pairing: Pairing
    metrics: str | Sequence[str] | None
    aggregate: str
    empty: str
    meta: dict[str, Any]

    @property
    def pairs(self) -> tuple[Pair, ...]:
        """Every pair, in the order the statistics are merged."""
        return self.pairing.pairs

    def report(self, stats: InstanceStats) -> InstanceReport:
        """The report of the statistics of all pairs (merged in pair order)."""
        from .instances import InstanceCounts, score_counts

        report = score_counts(InstanceCounts.concatenate(stats.parts), metrics=self.metrics,
                              aggregate=self.aggregate, empty=self.empty,
                              image_names=tuple(x.name for x in self.pairs),
                              meta=dict(self.meta))
        return replace(report, objects=None if stats.rows is None else stats.rows.table())


def plan_instance_evaluation(
    pred: str | os.PathLike,
    target: str | os.PathLike,
    /,
    *,
    thresholds: float | Sequence[float] | None = None,
    method: str = "optimal",
    rule: str = ">=",
    metrics: str | Sequence[str] | None = None,
    aggregate: str = "dataset",
    empty: str = "nan",
    void: int | None = None,
    objects: bool = False,
    boundary: bool = False,
    match: MatchMode = "path",
    allow_unpaired: bool = False,
    extensions: Sequence[str] = PAIRING_EXTENSIONS,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    pairing: Pairing | None = None,
) -> InstancePlan:
    """Pair the inputs and check the settings of :func:`evaluate_instance_paths`.

    ``pairing`` replaces the pairing of ``pred`` and ``target``, as in
    :func:`plan_evaluation`.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> np.save(root / "t.npy", np.array([[1, 1, 0, 2]])); np.save(root / "p.npy", np.ones((1, 4)))
    >>> plan = plan_instance_evaluation(root / "p.npy", root / "t.npy", thresholds=0.5)
    >>> plan.report(plan.scorer.score(plan.pairs)).value("recall")
    0.5
    """
    from .instances.evaluate import _settings
    from .instances.matching import check_thresholds

    _settings(method, rule, aggregate, None)
    ts = check_thresholds(thresholds)
    if pairing is None:
        pairing = pair_inputs(pred, target, match=match, extensions=extensions)
    _check_pairing(pairing, pred, target, allow_unpaired, match)
    meta = {
        "pred": str(pred), "target": str(target), "num_pairs": len(pairing.pairs),
        "void": void, "match": match,
        "unpaired_pred": [str(x) for x in pairing.unpaired_pred],
        "unpaired_target": [str(x) for x in pairing.unpaired_target],
    }
    scorer = InstanceScorer(ts, method, rule, void, bool(objects), bool(boundary),
                            max_pixels)
    return InstancePlan(scorer, pairing, metrics, aggregate, empty, meta)


def _add_distances(distances: BoundaryMetric, item: LoadedPair,
                   override: tuple[float, ...] | None) -> None:
    spacing = override if override is not None else item.spacing
    if spacing is not None:
        spacing = tuple(check_spacing(spacing, item.target.labels.ndim).tolist())
    pred, target, spacing = _flat_slices(item.pred.labels, item.target.labels, spacing)
    distances.update(pred[None], target[None], spacing=spacing, names=[item.name])


def _flat_slices(pred: np.ndarray, target: np.ndarray, spacing: tuple[float, ...] | None
                 ) -> tuple[np.ndarray, np.ndarray, tuple[float, ...] | None]:
    """Drop the singleton axis of a one-slice volume (a 2-D mask saved as NIfTI ``(X, Y, 1)``).

    As a volume one slice deep, every object voxel would lie on the surface; boundary
    metrics of such a file are those of the 2-D image it holds.
    """
    if pred.ndim == 3 and 1 in pred.shape and pred.size > 1:
        keep = [a for a, n in enumerate(pred.shape) if n != 1]
        if len(keep) == 2:
            shape = tuple(pred.shape[a] for a in keep)
            pred, target = pred.reshape(shape), target.reshape(shape)
            spacing = None if spacing is None else tuple(spacing[a] for a in keep)
    return pred, target, spacing


class _Counts:
    """Confusion counts of each pair (one :class:`~segscope.streaming.OverlapMetric`);
    errors name the pair's files."""

    def __init__(self, num_classes: int, ignore_index: int | None, per_image: bool,
                 options: ScoreOptions) -> None:
        from .streaming import OverlapMetric

        self.inner = OverlapMetric(num_classes, ignore_index=ignore_index, per_image=per_image,
                                   **options.as_dict())

    def update(self, item: LoadedPair) -> None:
        p, t = item.pred.labels, item.target.labels
        try:
            self.inner.update(p[None], t[None], names=[item.name])
        except (LabelError, ShapeError) as err:
            hint = ""
            if isinstance(err, LabelError):
                hint = (" (masks saved as 0/255, or instance masks with one id per object: "
                        "binarize_labels=True, CLI --binarize)")
            raise type(err)(f"{item.pred.path} vs {item.target.path}: {err}{hint}") from err

    def compute(self) -> Report:
        return self.inner.compute()


def _check_pairing(pairing: Pairing, pred: Any, target: Any, allow_unpaired: bool,
                   match: MatchMode) -> None:
    if not pairing.complete and not allow_unpaired:
        raise PairingError(
            f"{pairing.describe_unpaired()}. Add the missing files, or pass "
            "allow_unpaired=True (CLI: --allow-unpaired) to skip them; use match='stem' "
            "(--match stem) if the folders are organised differently"
        )
    if not pairing.pairs:
        raise PairingError(
            f"no prediction/target pairs found in {pred} and {target}; mask files "
            f"({', '.join(MASK_EXTENSIONS)}) are matched by "
            + ("relative path without suffix" if match == "path" else "file name without "
               "suffix")
        )


def _raise_missing_num_classes(pair: Pair, cmap: Colormap | None, ignore_index: int | None,
                               max_pixels: int | None) -> None:
    import numpy as np

    present = []
    for path in (pair.pred, pair.target):
        values = np.unique(read_mask(path, colormap=cmap, max_pixels=max_pixels).labels)
        if ignore_index is not None:
            values = values[values != ignore_index]
        present.append(values)
    labels = np.union1d(*present)
    top = int(labels.max()) if labels.size else 0
    where = f"the first pair ({pair.pred.name}, {pair.target.name})"
    if labels.size == 2 and labels[0] == 0:
        # e.g. 0/255 masks: two values, so a binary mask saved with a non-1 foreground
        raise ParameterError(
            f"num_classes is required; {where} holds only the values 0 and {top}, which "
            f"looks like a binary mask saved as 0/{top}: pass binarize_labels=True (CLI: "
            f"--binarize) to score it as background/foreground, or num_classes={top + 1} "
            f"(--num-classes {top + 1}) if {top} really is a class index"
        )
    raise ParameterError(
        f"num_classes is required (the number of classes, background included); {where} "
        f"has labels up to {top}, so num_classes must be at least {top + 1}: pass "
        f"num_classes (CLI: --num-classes {top + 1}), or binarize (CLI: --binarize) to score "
        "instance masks as foreground/background"
    )
