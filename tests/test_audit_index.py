"""Candidate search: the multi-index hashing search returns exactly what brute force does."""

from __future__ import annotations

import numpy as np
import pytest

from segscope.audit.candidates import GRADIENT, Hashes, pairs_from_hashes
from segscope.audit.descriptors import frame_hashes, gradient_hashes, hamming, window_hashes
from segscope.audit.index import HammingIndex, brute_force
from segscope.errors import ParameterError


def _planted_codes(rng, n=1500, flips=8):
    base = rng.integers(0, 2**63, n, dtype=np.uint64) | (
        rng.integers(0, 2, n, dtype=np.uint64) << np.uint64(63))
    near = base.copy()
    for k in range(n):  # each near copy differs in 0..flips random bits
        for bit in rng.choice(64, int(rng.integers(0, flips + 1)), replace=False):
            near[k] ^= np.uint64(1) << np.uint64(int(bit))
    # clustered codes (real hashes are not uniform): many codes share substrings
    cluster = base[:50, None] ^ (rng.integers(0, 2**16, (50, 10), dtype=np.uint64)
                                 << np.uint64(16))
    return np.concatenate([base, near, cluster.ravel()])


@pytest.mark.parametrize("radius", [0, 3, 7, 10, 12, 15])
def test_index_equals_brute_force(radius):
    rng = np.random.default_rng(radius)
    codes = _planted_codes(rng)
    queries = np.concatenate([codes[:300], rng.integers(0, 2**63, 300, dtype=np.uint64)])
    got = HammingIndex(codes).query(queries, radius=radius)
    want = brute_force(queries, codes, radius=radius)
    got_set = set(zip(*(g.tolist() for g in got), strict=True))
    want_set = set(zip(*(w.tolist() for w in want), strict=True))
    assert got_set == want_set
    assert len(got[0]) == len(got_set)  # each pair once
    assert np.array_equal(got[2], hamming(queries[got[0]], codes[got[1]]))


def test_index_threads_do_not_change_the_result():
    rng = np.random.default_rng(1)
    codes = _planted_codes(rng, n=20000)
    one = HammingIndex(codes, threads=1).query(codes, radius=8)
    two = HammingIndex(codes, threads=3).query(codes, radius=8)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a, b)


def test_radius_checked():
    with pytest.raises(ParameterError, match="radius"):
        HammingIndex(np.zeros(3, np.uint64)).query(np.zeros(1, np.uint64), radius=-1)


def test_candidate_pairs_equal_brute_force_on_hashes_of_images():
    rng = np.random.default_rng(2)
    smooth = rng.random((300, 8, 8))
    thumbs = np.stack([np.kron(s, np.ones((8, 8))) for s in smooth]) * 255
    thumbs = np.concatenate([thumbs, thumbs[:100] + rng.normal(0, 6, (100, 64, 64))])
    thumbs = np.clip(thumbs, 0, 255).astype(np.uint8)
    frames = frame_hashes(thumbs)
    gradients = gradient_hashes(thumbs)
    windows = window_hashes(thumbs)
    found = pairs_from_hashes(Hashes(frames, gradients, windows), radius=10)
    want = {}
    queries = np.concatenate([frames[:, None], windows], axis=1)
    for i in range(len(thumbs)):
        dist = hamming(queries[i][:, None], frames[None, :]).min(axis=0)
        dist = np.minimum(dist, hamming(gradients[i], gradients))
        for j in np.nonzero(dist <= 10)[0]:
            if i != j:
                key = (min(i, j), max(i, j))
                want[key] = min(want.get(key, 99), int(dist[j]))
    got = zip(zip(found.lo.tolist(), found.hi.tolist(), strict=True), found.distance.tolist(),
              strict=True)
    assert dict(got) == want
    assert len(want) >= 100  # the noisy copies are there
    assert set(found.via.tolist()) <= {GRADIENT, *range(windows.shape[1] + 1)}
    # the owner is one of the pair, and its query is within the distance
    for lo, hi, d, via, owner in zip(*found, strict=True):
        assert owner in (lo, hi)
        other = hi if owner == lo else lo
        if via == GRADIENT:
            assert hamming(gradients[owner], gradients[other]) == d
        else:
            assert hamming(queries[owner][via], frames[other]) == d
