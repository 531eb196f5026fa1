"""Scale-out on Dask: the same numbers as on one machine, computed where the data lives.

Every dataset-level result of segscope is a function of small per-image statistics, so a
job on a cluster is a map (each task reads and scores a shard of the inputs where it runs)
and a reduction in a fixed order on the client. See docs/dask.md.

- :func:`confusion_matrix`: confusion counts of two Dask arrays, block by block
  (:mod:`segscope.dask.arrays`; needs ``dask[array]``).
- :func:`evaluate_paths`, :func:`evaluate_instance_paths`: overlap, boundary and
  instance metrics of folders or file lists (paths or fsspec URLs) on a
  ``distributed`` cluster (:mod:`segscope.dask.files`).
- :func:`find_duplicates`, :func:`find_leakage`: the near-duplicate and leakage audit of
  :mod:`segscope.audit` on a cluster, with the one-machine result
  (:mod:`segscope.dask.audit`; needs ``distributed``).
- :mod:`segscope.dask._cluster`: the shared pieces of the cluster jobs (a client, tasks run
  with a progress bar, results in task order, a fixed-order tree reduction; needs
  ``distributed``).

Importing this package imports neither dask nor distributed; the functions do.
"""

from __future__ import annotations

from .arrays import confusion_matrix
from .audit import find_duplicates, find_leakage
from .files import evaluate_instance_paths, evaluate_paths

__all__ = ["confusion_matrix", "evaluate_instance_paths", "evaluate_paths", "find_duplicates",
           "find_leakage"]
