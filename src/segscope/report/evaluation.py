"""The report of ``segscope evaluate``: scores, intervals, confusion, per image, worst images.

:func:`evaluation_page` builds the page from a :class:`~segscope.results.Report` made with
``evaluate_paths(..., details=True)`` (or read back from its JSON with
:func:`report_from_dict`): everything it shows comes from the report, except the
thumbnails of the worst images, which are read from the mask files the report lists (a
file that is gone or changed since is named, not shown).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..results import Report, Score
from .charts import bars, heat_map, hex_colour, histogram
from .markup import Markup, join, tag
from .page import Column, Page, format_number, key_values, note, table
from .pictures import FN_COLOUR, FP_COLOUR, error_overlay, gallery, shrink, to_rgb

__all__ = ["DISTANCE_METRICS", "attach_images", "evaluation_page", "image_rows",
           "report_from_dict", "summary_rows", "worst_images"]

#: Boundary metrics (lower is better, in units); every other metric: higher is better.
DISTANCE_METRICS = ("hd", "hd95", "assd", "masd")
_BOUNDED = ("nsd", "biou")
_TITLES = {"iou": "IoU", "dice": "Dice", "f1": "F1", "mcc": "MCC", "npv": "NPV",
           "hd": "HD", "hd95": "HD95", "assd": "ASSD", "masd": "MASD", "nsd": "NSD",
           "biou": "boundary IoU", "balanced_accuracy": "balanced accuracy",
           "volume_similarity": "volume similarity", "fbeta": "F-beta"}


def title(metric: str) -> str:
    """Display name of a metric (``"iou"`` → ``"IoU"``)."""
    return _TITLES.get(metric, metric.replace("_", " "))


def _number(value: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, str):
        return float(value)  # "inf", "-inf"
    return float(value)


def _numbers(rows: Any) -> list:
    """JSON rows of numbers (``null`` for NaN, ``"inf"``) as lists of floats, fast."""
    return np.array(rows, dtype=np.float64).reshape(len(rows), -1).tolist()


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """The :class:`Report` that :meth:`Report.to_dict` (a ``--json`` file) describes.

    Examples
    --------
    >>> from segscope.results import Score
    >>> r = Report((Score("iou", float("nan"), (0, 1), (0.5, float("inf")), (3, 1)),),
    ...            meta={"num_classes": 2})
    >>> back = report_from_dict(r.to_dict())
    >>> back["iou"].per_class, back.meta["num_classes"]
    ((0.5, inf), 2)
    """
    scores = []
    for s in data.get("scores", ()):
        classes = tuple(int(c) for c in s.get("per_class", {}))
        per_image = s.get("per_image")
        scores.append(Score(
            metric=s["metric"], value=_number(s.get("value")), classes=classes,
            per_class=tuple(_number(v) for v in s.get("per_class", {}).values()),
            support=tuple(int(s.get("support", {}).get(str(c), 0)) for c in classes),
            excluded=int(s.get("excluded", 0)), average=s.get("average", "macro"),
            aggregate=s.get("aggregate", "dataset"), empty=s.get("empty", "nan"),
            per_image=None if per_image is None else tuple(map(tuple, _numbers(per_image))),
            extra=dict(s.get("extra", {})),
        ))
    return Report(tuple(scores), int(data.get("num_images", 1)),
                  tuple(data.get("image_names", ())), dict(data.get("meta", {})))


def attach_images(report: Report, folder: str | os.PathLike) -> Report:
    """``report`` with the image of each pair, found in ``folder`` by the pair's name
    (its relative path without suffix, as evaluate pairs masks), listed in
    ``meta["inputs"]`` with its SHA-256; the report's gallery then shows it.

    Pairs without an image keep none. The images are only listed (and hashed) here.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from segscope.results import Score
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> Image.new("RGB", (4, 4)).save(root / "a.jpg")
    >>> r = Report((Score("iou", 1.0),), meta={"inputs": [{"name": "a"}, {"name": "b"}]})
    >>> [("image" in i) for i in attach_images(r, root).meta["inputs"]]
    [True, False]
    """
    from ..io import IMAGE_EXTENSIONS, list_files, sha256

    root = Path(folder)
    found: dict[str, Path] = {}
    for path in list_files(root, IMAGE_EXTENSIONS):
        rel = path.relative_to(root)
        for key in (rel.with_suffix("").as_posix(), rel.stem):
            found.setdefault(key, path)
    inputs = []
    for item in report.meta.get("inputs", ()):
        name = str(item["name"])
        path = found.get(name) or found.get(Path(name).name)
        item = dict(item)
        if path is not None:
            item.update(image=str(path), image_sha256=sha256(path))
        inputs.append(item)
    meta = dict(report.meta, inputs=inputs, images=str(root))
    return Report(report.scores, report.num_images, report.image_names, meta)


def _class_name(names: Sequence[str], c: int) -> str:
    return names[c] if 0 <= c < len(names) else str(c)


def _values(meta: Mapping[str, Any], report: Report, metric: str) -> np.ndarray | None:
    """Each image's own value of ``metric`` (overlap: recorded; boundary: class mean)."""
    recorded = meta.get("image_values", {}).get(metric)
    if recorded is not None:
        return np.array(recorded, dtype=np.float64).reshape(-1)
    score = report[metric]
    if score.per_image is None:
        return None
    rows = np.array(score.per_image, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] == 0:
        return None
    finite = np.isfinite(rows)
    kept = finite.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(finite, rows, 0.0).sum(axis=1) / kept  # NaN where none is finite
    out[np.isinf(rows).any(axis=1)] = np.inf
    return out


def worst_images(values: np.ndarray, names: Sequence[str], metric: str, k: int
                 ) -> list[int]:
    """Indices of the ``k`` worst images by ``metric`` (lowest scores, largest distances;
    undefined values last; ties by name).

    Examples
    --------
    >>> worst_images(np.array([0.9, 0.2, np.nan]), ["a", "b", "c"], "iou", 2)
    [1, 0]
    >>> worst_images(np.array([3.0, 9.0]), ["a", "b"], "hd95", 1)
    [1]"""
    lower_better = metric in DISTANCE_METRICS
    order = sorted(range(len(values)), key=lambda i: (
        math.isnan(values[i]), -values[i] if lower_better else values[i], names[i]))
    return order[:k]


def evaluation_page(report: Report, *, class_names: Sequence[str] | None = None,
                    worst: int = 12, sort_by: str | None = None, thumbnail: int = 160,
                    title_text: str = "segscope evaluation report") -> Page:
    """The evaluation report of ``report`` as a :class:`Page`.

    Parameters
    ----------
    report : Report
        Scores of ``evaluate_paths(..., details=True)`` (per-image values, confusion
        counts, inputs; ``bootstrap`` for intervals), or of :func:`report_from_dict`.
    class_names : sequence of str, optional
        Name of each class, class 0 first (default: ``meta["class_names"]``, else the
        indices).
    worst : int
        Number of images in the gallery of the worst images (0: no gallery).
    sort_by : str, optional
        The metric that ranks the images (default: IoU, else the first overlap metric).
    thumbnail : int
        Longer side of the gallery's thumbnails, in pixels.

    Examples
    --------
    >>> from segscope.results import Score
    >>> r = Report((Score("iou", 0.5, (0, 1), (0.75, 0.25), (30, 10)),),
    ...            meta={"confusion": [[25, 5], [3, 7]], "num_classes": 2})
    >>> page = evaluation_page(r, class_names=["sky", "<b>sea</b>"])
    >>> [heading for _, heading, _ in page.sections]
    ['Summary', 'Per class', 'Confusion', 'Per image', 'Provenance']
    """
    meta = dict(report.meta)
    names = list(class_names if class_names is not None else meta.get("class_names") or ())
    overlap = [s for s in report.scores if s.metric not in (*DISTANCE_METRICS, *_BOUNDED)]
    distance = [s for s in report.scores if s.metric in (*DISTANCE_METRICS, *_BOUNDED)]
    page = Page(title_text, subtitle=_subtitle(report, meta))
    page.add("Summary", _summary(report, overlap, meta))
    if overlap:
        page.add("Per class", *_per_class(overlap, names))
    if meta.get("confusion") is not None:
        page.add("Confusion", *_confusion(np.asarray(meta["confusion"], dtype=np.int64),
                                          meta, names))
    page.add("Per image", *_per_image(report, meta))
    if worst and report.image_names:
        metric = sort_by or ("iou" if "iou" in report else
                             (overlap[0].metric if overlap else report.scores[0].metric))
        page.add("Worst images", *_gallery(report, meta, metric, worst, thumbnail),
                 id="worst-images")
    if distance:
        page.add("Boundary", *_boundary(distance, names))
    page.add("Provenance", *_provenance(report, meta))
    return page


def _subtitle(report: Report, meta: Mapping[str, Any]) -> str:
    parts = [f"{report.num_images} image pair(s)"]
    if meta.get("num_classes") is not None:
        parts.append(f"{meta['num_classes']} classes")
    if meta.get("pred") is not None:
        parts.append(f"{meta['pred']} vs {meta.get('target')}")
    return " · ".join(parts)


def _interval(ci: Any) -> str:
    if not ci:
        return ""
    low, high = (_number(v) for v in ci)
    if math.isnan(low):
        return "n/a"
    return f"{format_number(low)} – {format_number(high)}"


def summary_rows(report: Report) -> list[dict[str, Any]]:
    """One row per metric: the reported value, the pooled and per-image values with their
    95 % intervals (when bootstrapped), the conventions and the excluded counts.

    Examples
    --------
    >>> from segscope.results import Score
    >>> summary_rows(Report((Score("iou", 0.5),)))[0]["value"]
    0.5"""
    intervals = (report.meta.get("bootstrap") or {}).get("metrics", {})
    rows = []
    for s in report.scores:
        ci = intervals.get(s.metric) or {}
        value = ci.get("value", {})
        pooled = [_number(v) for v in ci.get("pooled", (None, None))]
        per_image = [_number(v) for v in ci.get("per_image", (None, None))]
        rows.append({
            "metric": s.metric, "value": s.value,
            "pooled": _number(value.get("pooled")), "pooled_low": pooled[0],
            "pooled_high": pooled[1], "per_image": _number(value.get("per_image")),
            "per_image_low": per_image[0], "per_image_high": per_image[1],
            "average": s.average, "aggregate": s.aggregate, "empty": s.empty,
            "excluded": s.excluded, "images_undefined": ci.get("excluded_images"),
        })
    return rows


def _summary(report: Report, overlap: list[Score], meta: Mapping[str, Any]) -> list[Markup]:
    boot = meta.get("bootstrap") or {}
    cards = []
    rows = []
    for s, row in zip(report.scores, summary_rows(report)):
        known = row["images_undefined"] is not None
        side = "pooled" if s.aggregate == "dataset" else "per_image"
        cards.append(tag("div", tag("div", title(s.metric), class_="label"),
                         tag("div", format_number(s.value), class_="value",
                             data_metric=s.metric),
                         tag("div", "95 % CI " + _interval(
                             (row[f"{side}_low"], row[f"{side}_high"])) if known else "",
                             class_="ci"),
                         class_="card"))
        rows.append([title(s.metric), s.value,
                     row["pooled"] if known else None,
                     _interval((row["pooled_low"], row["pooled_high"])) if known else "",
                     row["per_image"] if known else None,
                     _interval((row["per_image_low"], row["per_image_high"])) if known
                     else "",
                     s.average, s.aggregate, s.empty, s.excluded,
                     row["images_undefined"] if known else ""])
    columns = ["metric", Column("reported", numeric=True),
               Column("pooled", numeric=True), "pooled 95 % CI",
               Column("per-image mean", numeric=True), "per-image 95 % CI",
               "average", "aggregate", "empty", Column("excluded", numeric=True, digits=0),
               "images undefined"]
    if boot:
        how = (f"Intervals: percentile bootstrap over images, {boot.get('resamples')} draws, "
               f"seed {boot.get('seed')}; pooled = counts of the drawn images summed, then "
               "scored; per image = mean of the drawn images' own values (undefined ones "
               "left out).")
    else:
        how = "No bootstrap intervals were computed (evaluate with --bootstrap N)."
    conventions = {
        "aggregate": report.scores[0].aggregate if report.scores else "",
        "ignore_index": _plain(meta.get("ignore_index"), "none"),
        "binarized": "yes" if meta.get("binarize") else "no",
        "task": meta.get("task", "multiclass"),
    }
    options = meta.get("options") or {}
    for key in ("labels", "include_background"):
        if key in options:
            conventions[key] = _plain(options[key], "all")
    return [tag("div", cards, class_="cards"),
            table(columns, rows, id="summary-table", nowrap=True),
            note(how),
            note("excluded: undefined (0/0) classes or image-class pairs left out of the "
                 "average under the empty policy; images undefined: images whose own value "
                 "is undefined, left out of the per-image mean."),
            key_values(conventions)]


def _per_class(overlap: list[Score], names: Sequence[str]) -> list[Markup]:
    classes: list[int] = []
    for s in overlap:
        classes.extend(c for c in s.classes if c not in classes)
    support = {}
    for s in overlap:
        support.update(zip(s.classes, s.support))
    rows = []
    for c in classes:
        row: list[Any] = [c, _class_name(names, c), support.get(c)]
        for s in overlap:
            row.append(s.per_class[s.classes.index(c)] if c in s.classes else None)
        rows.append(row)
    columns = [Column("class", numeric=True, digits=0), "name",
               Column("support (px)", numeric=True, digits=0),
               *[Column(title(s.metric), numeric=True) for s in overlap]]
    out = [table(columns, rows, id="class-table", tall=len(rows) > 25)]
    charts = [tag("figure", bars([_class_name(names, c) for c in s.classes], s.per_class,
                                 title=title(s.metric), width=520),
                  tag("figcaption", f"{title(s.metric)} per class"))
              for s in overlap if s.average != "global" or s.metric == "accuracy"]
    out.append(tag("div", charts, class_="grid"))
    return out


def _confusion(cm: np.ndarray, meta: Mapping[str, Any], names: Sequence[str]
               ) -> list[Markup]:
    labels = [_class_name(names, c) for c in range(cm.shape[0])]
    cmf = cm.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_row = cmf / cmf.sum(axis=1, keepdims=True)
        by_col = cmf / cmf.sum(axis=0, keepdims=True)
    ignore = meta.get("ignore_index")
    return [
        note("Rows: true class; columns: predicted class"
             + (f" (pixels with target {ignore} left out)." if ignore is not None else ".")
             + (" Hover a cell for its pixel count." if cm.shape[0] <= 40 else
                " One pixel per cell; the class names are in the per-class table.")),
        tag("h3", "Normalised by row (recall: where each true class went)"),
        heat_map(by_row, labels, labels, title="fraction of the true class",
                 counts=cm, corner="true ↓ · predicted →"),
        tag("h3", "Normalised by column (precision: what each prediction really was)"),
        heat_map(by_col, labels, labels, title="fraction of the predicted class",
                 counts=cm, corner="true ↓ · predicted →"),
    ]


def _image_values(report: Report) -> dict[str, np.ndarray]:
    values = {s.metric: _values(report.meta, report, s.metric) for s in report.scores}
    return {m: v for m, v in values.items() if v is not None}


def image_rows(report: Report) -> list[dict[str, Any]]:
    """One row per image: its name and its own value of each metric (boundary metrics:
    the mean over its scored classes, ``inf`` when one is infinite).

    Examples
    --------
    >>> from segscope.results import Score
    >>> r = Report((Score("hd95", 2.0, (1, 2), (1.0, 3.0), (5, 5),
    ...                   per_image=((1.0, 3.0),)),), image_names=("a.png",))
    >>> image_rows(r)
    [{'image': 'a.png', 'hd95': 2.0}]"""
    values = _image_values(report)
    names = list(report.image_names)
    count = len(next(iter(values.values()))) if values else 0
    return [{"image": names[i] if i < len(names) else str(i),
             **{m: float(v[i]) for m, v in values.items()}} for i in range(count)]


def _per_image(report: Report, meta: Mapping[str, Any]) -> list[Markup]:
    values = _image_values(report)
    if not values:
        return [note("No per-image values were recorded (evaluate with --html, --json or "
                     "--per-image).")]
    charts = []
    for m, v in values.items():
        bounded = m not in DISTANCE_METRICS
        charts.append(tag("figure", histogram(
            v, bins=20, value_range=(0.0, 1.0) if bounded and m != "mcc" and m != "kappa"
            else None, title=f"{title(m)} per image"),
            tag("figcaption", _histogram_caption(v, m))))
    names = list(report.image_names)
    rows = [[names[i] if i < len(names) else str(i), *[values[m][i] for m in values]]
            for i in range(len(next(iter(values.values()))))]
    columns = ["image", *[Column(title(m), numeric=True) for m in values]]
    return [tag("div", charts, class_="grid"),
            tag("h3", "Every image"),
            table(columns, rows, id="image-table", tall=True)]


def _histogram_caption(values: np.ndarray, metric: str) -> str:
    finite = values[np.isfinite(values)]
    text = f"{title(metric)}: {finite.size} image(s)"
    if finite.size:
        text += f", median {format_number(float(np.median(finite)))}"
    left = values.size - finite.size
    if left:
        text += f"; {left} undefined or infinite, not drawn"
    return text


def _gallery(report: Report, meta: Mapping[str, Any], metric: str, k: int, size: int
             ) -> list[Markup]:
    values = _values(meta, report, metric)
    if values is None:
        return [note(f"No per-image values of {title(metric)}: no gallery.")]
    names = list(report.image_names)
    inputs = {item["name"]: item for item in meta.get("inputs", ())}
    chosen = worst_images(values, names, metric, k)
    num_classes = int(meta.get("num_classes") or 2)
    ignore = meta.get("ignore_index")
    rows = []
    problems = []
    for i in chosen:
        name = names[i]
        item = inputs.get(name)
        tiles = _tiles(item, meta, num_classes, ignore, size) if item else None
        if isinstance(tiles, str):
            problems.append(f"{name}: {tiles}")
            continue
        if tiles is None:
            problems.append(f"{name}: its files are not listed in the report")
            continue
        caption = tag("span", tag("b", name, class_="name"), " · ",
                      f"{title(metric)} {format_number(values[i])}")
        rows.append((caption, tiles))
    out = [note(f"The {len(chosen)} worst image(s) by {title(metric)} "
                f"({'largest' if metric in DISTANCE_METRICS else 'lowest'} first)."),
           note(join([_swatch(FP_COLOUR), "false positive (predicted where the target is "
                      "background)  ", _swatch(FN_COLOUR), "false negative (target missed "
                      "or given another class)  ", _swatch((120, 120, 120)), "ignored"])),
           gallery(rows, size=size)]
    if problems:
        out.append(note("Not shown: " + "; ".join(problems)))
    return out


def _swatch(rgb: tuple[int, int, int]) -> Markup:
    return tag("span", class_="swatch", style=f"background:{hex_colour(rgb)}")


def _tiles(item: Mapping[str, Any], meta: Mapping[str, Any], num_classes: int,
           ignore: int | None, size: int) -> list[tuple[str, np.ndarray]] | str:
    from ..errors import SegscopeError
    from ..files import binarize
    from ..io import read_colormap, read_image, read_mask, sha256

    pred_path, target_path = Path(item["pred"]), Path(item["target"])
    image_path = Path(item["image"]) if item.get("image") else None
    for path, key in ((pred_path, "pred_sha256"), (target_path, "target_sha256"),
                      (image_path, "image_sha256")):
        if path is None:
            continue
        if not path.is_file():
            return f"{path} is gone"
        if item.get(key) and sha256(path) != item[key]:
            return f"{path} changed since the evaluation"
    colormap = meta.get("colormap") or (meta.get("options") or {}).get("colormap")
    try:
        cmap = read_colormap(colormap) if colormap else None
        pred = read_mask(pred_path, colormap=cmap).labels
        target = read_mask(target_path, colormap=cmap).labels
    except (SegscopeError, OSError) as err:
        return str(err)
    if meta.get("binarize"):
        pred, target = binarize(pred), binarize(target, ignore)
    if pred.ndim > 2:  # a volume: its middle slice
        pred, target = pred[pred.shape[0] // 2], target[target.shape[0] // 2]
    tiles = []
    if image_path is not None:
        try:
            picture = np.asarray(read_image(image_path))
        except (SegscopeError, OSError) as err:
            return str(err)
        if picture.ndim == 3 and picture.shape[-1] not in (3, 4):  # a stack: its middle
            picture = picture[picture.shape[0] // 2]
        tiles.append(("image", shrink(_display(picture[..., :3] if picture.ndim == 3
                                               else picture), size)))
    pred, target = shrink(pred, size, labels=True), shrink(target, size, labels=True)
    return [*tiles, ("target", to_rgb(target, num_classes, ignore)),
            ("prediction", to_rgb(pred, num_classes, ignore)),
            ("errors", error_overlay(pred, target, ignore))]


def _display(picture: np.ndarray) -> np.ndarray:
    """An image as ``uint8`` for the eye: 8-bit kept, anything else stretched from its
    minimum to its maximum (display only; scores never see this)."""
    if picture.dtype == np.uint8:
        return picture
    p = picture.astype(np.float64)
    low, high = float(np.nanmin(p)), float(np.nanmax(p))
    scaled = (p - low) / ((high - low) or 1.0) * 255
    return np.nan_to_num(np.round(scaled)).astype(np.uint8)


def _boundary(scores: list[Score], names: Sequence[str]) -> list[Markup]:
    classes: list[int] = []
    for s in scores:
        classes.extend(c for c in s.classes if c not in classes)
    units = {s.metric: s.extra.get("units") for s in scores}
    rows = [[c, _class_name(names, c),
             *[s.per_class[s.classes.index(c)] if c in s.classes else None for s in scores]]
            for c in classes]
    columns = [Column("class", numeric=True, digits=0), "name",
               *[Column(title(s.metric) + (f" ({units[s.metric]})" if units[s.metric]
                                           else ""), numeric=True) for s in scores]]
    summary = {title(s.metric) + (f" ({units[s.metric]})" if units[s.metric] else ""):
               f"{format_number(s.value)} · {s.average} over classes · empty={s.empty}"
               + (f" · {s.excluded} excluded" if s.excluded else "")
               for s in scores}
    extra = {}
    for s in scores:
        for key, value in sorted(s.extra.items()):
            if key != "units":
                extra[f"{s.metric}.{key}"] = value
    return [key_values(summary), table(columns, rows, id="boundary-table"),
            note("Distances (HD, HD95, ASSD, MASD) are in the units shown: px when no pixel "
                 "spacing was known, else the files' (or --spacing) units; lower is better. "
                 "NSD and boundary IoU are fractions; higher is better. Class 0 is not "
                 "scored."), key_values(extra) if extra else None]


def _provenance(report: Report, meta: Mapping[str, Any]) -> list[Markup]:
    items = {
        "segscope version": meta.get("segscope_version", "unknown"),
        "command": meta.get("command", "(not recorded)"),
        "date": meta.get("created", "(not recorded)"),
        "prediction": meta.get("pred"), "target": meta.get("target"),
        "pairing": meta.get("match"),
    }
    options = meta.get("options") or {}
    for key in sorted(options):
        items[f"option {key}"] = _plain(options[key])
    for key in ("unpaired_pred", "unpaired_target"):
        if meta.get(key):
            items[key.replace("_", " ")] = ", ".join(meta[key])
    pred_root, target_root = str(meta.get("pred", "")), str(meta.get("target", ""))
    rows = [[item.get("name"), _inside(item.get("pred"), pred_root), item.get("pred_sha256"),
             _inside(item.get("target"), target_root), item.get("target_sha256")]
            for item in meta.get("inputs", ())]
    out = [key_values(items)]
    if rows:
        out += [tag("h3", f"Inputs ({len(rows)} pairs, SHA-256)"),
                note("Files inside the prediction and target folders above are named "
                     "relative to them."),
                table(["name", "prediction", "prediction SHA-256", "target",
                       "target SHA-256"], rows, id="inputs-table", tall=True)]
    return out


def _inside(path: Any, root: str) -> str:
    """``path`` relative to the folder ``root`` when it lies inside it, else as it is."""
    text = str(path)
    for sep in ("/", "\\"):
        if root and text.startswith(root.rstrip(sep) + sep):
            return text[len(root.rstrip(sep)) + 1:]
    return text


def _plain(value: Any, missing: str = "") -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return missing if value is None else str(value)
