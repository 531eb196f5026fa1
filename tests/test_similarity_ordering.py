"""Similarity chain, global orderings and threshold clustering."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segscope.errors import ParameterError, ShapeError
from segscope.similarity import (
    chain_length,
    cluster,
    order_images,
    similarity_chain,
    to_distance,
    two_opt,
)


def _line(x):
    x = np.asarray(x, float)
    return np.abs(x[:, None] - x[None, :])


def test_greedy_chain_steps_to_nearest_unvisited():
    d = _line([0.0, 10.0, 1.0, 2.5, 9.0])
    assert similarity_chain(d, start=0).tolist() == [0, 2, 3, 4, 1]
    assert similarity_chain(d, start=1).tolist() == [1, 4, 3, 2, 0]


def test_global_orders_recover_points_on_a_line():
    rng = np.random.default_rng(0)
    x = rng.permutation(np.arange(12.0) ** 1.3)
    d = _line(x)
    for method in ("olo", "two_opt"):
        seq = x[order_images(d, method=method)]
        assert np.all(np.diff(seq) > 0) or np.all(np.diff(seq) < 0), method


def test_greedy_chain_can_be_beaten_and_two_opt_fixes_it():
    # starting in the middle, the greedy chain must jump back across the line
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 2.4])
    d = _line(x)
    greedy = similarity_chain(d, start=5)
    improved = order_images(d, method="two_opt", start=5)
    assert chain_length(improved, d) < chain_length(greedy, d)
    assert chain_length(order_images(d, method="olo"), d) == pytest.approx(4.0)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 15), st.integers(0, 10_000))
def test_two_opt_never_lengthens_and_stays_a_permutation(n, seed):
    pts = np.random.default_rng(seed).random((n, 2))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    start = similarity_chain(d)
    better = two_opt(start, d)
    assert sorted(better.tolist()) == list(range(n))
    assert chain_length(better, d) <= chain_length(start, d) + 1e-12


def test_cluster_groups_near_duplicates_at_threshold():
    x = np.array([0.0, 10.0, 0.1, 10.2, 30.0, 0.35])
    d = _line(x)
    assert cluster(d, threshold=0.5).tolist() == [0, 1, 0, 1, 2, 0]
    # complete linkage: 0.0 and 0.35 are 0.35 apart, so a 0.3 threshold splits them
    labels = cluster(d, threshold=0.3)
    assert labels[0] == labels[2] and labels[5] != labels[0]
    # single linkage chains 0.0 - 0.1 - 0.35 at 0.3
    single = cluster(d, threshold=0.3, linkage="single")
    assert single[0] == single[2] == single[5]


def test_to_distance():
    s = np.array([[1.0, 0.2], [0.2, 1.0]])
    assert to_distance(s, "ssim").tolist() == [[0.0, 0.8], [0.8, 0.0]]
    p = np.array([[np.inf, 20.0], [20.0, np.inf]])
    assert to_distance(p, "psnr").tolist() == [[0.0, 0.01], [0.01, 0.0]]


def test_errors():
    with pytest.raises(ShapeError):
        similarity_chain(np.zeros((2, 3)))
    with pytest.raises(ParameterError, match="symmetric"):
        similarity_chain(np.array([[0.0, 1.0], [2.0, 0.0]]))
    with pytest.raises(ParameterError, match="start"):
        similarity_chain(np.zeros((2, 2)), start=5)
    with pytest.raises(ParameterError, match="method="):
        order_images(np.zeros((3, 3)), method="tsp")
    with pytest.raises(ParameterError, match="threshold"):
        cluster(np.zeros((3, 3)), threshold=-1)
    with pytest.raises(ParameterError, match="NaN"):
        cluster(np.full((2, 2), np.nan), threshold=1)
