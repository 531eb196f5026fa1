"""Groups of near-twins (connected components), suggested drops and a group-aware re-split.

Examples
--------
>>> components(5, [(0, 1), (1, 2), (3, 4)])
[[0, 1, 2], [3, 4]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["components", "keep_one", "majority_split"]


def components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components with at least two members, each sorted, ordered by first member.

    Union–find with path halving; memory is one integer per item.
    """
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for a, b in edges:
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    return sorted((m for m in members.values() if len(m) > 1), key=lambda m: m[0])


def keep_one(group: Sequence[int], pixels: Sequence[int]) -> int:
    """The member to keep: the largest image (most pixels), the first one on a tie.

    Examples
    --------
    >>> keep_one([3, 5, 7], {3: 100, 5: 400, 7: 400})
    5
    """
    return max(group, key=lambda i: (pixels[i], -i))


def majority_split(group: Sequence[int], splits: Sequence[int]) -> int:
    """The split that holds most members of ``group`` (the earliest split on a tie).

    Examples
    --------
    >>> majority_split([0, 1, 2], [1, 0, 1])
    1
    """
    counts: dict[int, int] = {}
    for i in group:
        counts[splits[i]] = counts.get(splits[i], 0) + 1
    return min(counts, key=lambda s: (-counts[s], s))
