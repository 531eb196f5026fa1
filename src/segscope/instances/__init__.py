"""Instance segmentation metrics: objects matched one to one, then counted.

Pipeline (each step usable on its own):

1. :func:`instance_overlaps` reads a predicted and a true instance label map once and
   returns the sparse table of overlapping object pairs (the sufficient statistic).
2. :func:`match_objects` matches objects at one or several IoU thresholds
   (``method="optimal"``, ``"greedy_iou"``, ``"greedy_score"`` or ``"max_iou"``;
   ``rule=">="`` or ``">"``).
3. :func:`evaluate_instances` scores one image or a dataset: TP/FP/FN, precision,
   recall, F1, the Data Science Bowl score, panoptic quality (SQ, RQ), the aggregated
   Jaccard index and, with scores, COCO-style mask AP; per image and pooled side by side.
4. :func:`object_table` lists every object (size, partner, IoU, boundary distance), so
   missed and spurious objects can be looked at; :func:`evaluate_panoptic` scores
   category + instance maps per category.

Examples
--------
>>> import numpy as np
>>> from segscope.instances import evaluate_instances
>>> target = np.zeros((8, 8), np.uint16); target[1:4, 1:4] = 1; target[5:8, 5:8] = 2
>>> pred = np.zeros_like(target); pred[1:4, 1:4] = 7
>>> r = evaluate_instances(pred, target, thresholds=0.5)
>>> r.value("f1"), r.value("precision"), r.value("recall")
(0.6666666666666666, 1.0, 0.5)
"""

from __future__ import annotations

from .counts import Detections, InstanceCounts, count_image
from .evaluate import count_instances, evaluate_instances
from .labels import check_instance_map, label_components
from .matching import DEFAULT_THRESHOLDS, MATCH_METHODS, RULES, Matching, match_objects
from .objects import ObjectTable, object_table
from .overlaps import Overlaps, instance_overlaps
from .panoptic import evaluate_panoptic, panoptic_overlaps
from .report import InstanceReport, score_counts
from .scores import INSTANCE_METRICS

__all__ = [
    "DEFAULT_THRESHOLDS",
    "INSTANCE_METRICS",
    "MATCH_METHODS",
    "RULES",
    "Detections",
    "InstanceCounts",
    "InstanceReport",
    "Matching",
    "ObjectTable",
    "Overlaps",
    "check_instance_map",
    "count_image",
    "count_instances",
    "evaluate_instances",
    "evaluate_panoptic",
    "instance_overlaps",
    "label_components",
    "match_objects",
    "object_table",
    "panoptic_overlaps",
    "score_counts",
]
