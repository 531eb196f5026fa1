"""The NumPy counting path and the compiled one give the same counts and the same errors.

``segscope.confusion`` counts small inputs with NumPy (``segscope._numpy_counts``) until
the compiled kernels are loaded; the two must be indistinguishable. Each example runs the
public functions twice, once with each set of kernels forced, over dtypes, ignore values,
label ranges (negative, out of range, wide enough for the checked path, uint64 above
2**63), per-image stacks, image lists and non-contiguous views.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segscope import confusion
from segscope.confusion import confusion_matrix, multilabel_confusion_matrix

DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
          "float32", "float64"]


def both_paths(function, *args, **kwargs):
    """``function(*args, **kwargs)`` with each set of kernels: (result or error) twice."""
    outcomes = []
    try:
        for kernels in ("numpy", "compiled"):
            confusion._FORCE_KERNELS = kernels
            try:
                outcomes.append(("ok", function(*args, **kwargs)))
            except Exception as err:  # the same error, word for word, is part of the contract
                outcomes.append((type(err).__name__, str(err)))
    finally:
        confusion._FORCE_KERNELS = None
    return outcomes


def assert_same(outcomes):
    (kind_a, a), (kind_b, b) = outcomes
    assert kind_a == kind_b, outcomes
    if kind_a == "ok":
        assert a.dtype == b.dtype == np.int64
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


@st.composite
def label_maps(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    num_classes = draw(st.integers(1, 6))
    shape = tuple(draw(st.lists(st.integers(1, 7), min_size=1, max_size=3)))
    if dtype.kind == "b":
        lo, hi = 0, 1
    else:
        info = np.iinfo(dtype) if dtype.kind in "iu" else np.iinfo(np.int32)
        spread = draw(st.sampled_from(["classes", "near", "wide", "extreme"]))
        lo, hi = {
            "classes": (0, num_classes - 1),
            "near": (-2, num_classes + 2),
            "wide": (-3, 3000),                  # a table wider than DENSE_CELLS
            "extreme": (int(info.min), int(info.max)),
        }[spread]
        lo, hi = max(lo, int(info.min)), min(hi, int(info.max))
    valid = st.integers(0, min(num_classes - 1, hi))
    # mostly valid classes, mixed with values from the drawn range (one side or both)
    p_values = st.one_of(valid, valid, st.integers(lo, hi))
    t_values = p_values if draw(st.booleans()) else valid
    size = int(np.prod(shape))
    pred = np.array(draw(st.lists(p_values, min_size=size, max_size=size)),
                    dtype=object).reshape(shape).astype(dtype)
    target = np.array(draw(st.lists(t_values, min_size=size, max_size=size)),
                      dtype=object).reshape(shape).astype(dtype)
    ignore = draw(st.sampled_from([None, 0, 1, 255, -1, num_classes, lo, hi]))
    return pred, target, num_classes, ignore


@settings(max_examples=300, deadline=None)
@given(case=label_maps(), per_image=st.booleans(), strided=st.booleans())
def test_confusion_matrix_paths_agree(case, per_image, strided):
    pred, target, num_classes, ignore = case
    if strided and pred.ndim > 1:  # a non-contiguous view: counted chunk by chunk
        pred, target = pred[:, ::2], target[:, ::2]
    assert_same(both_paths(confusion_matrix, pred, target,
                           num_classes=num_classes, ignore_index=ignore, per_image=per_image))


@settings(max_examples=100, deadline=None)
@given(case=label_maps())
def test_image_list_paths_agree(case):
    pred, target, num_classes, ignore = case
    preds, targets = [pred, pred[:1]], [target, target[:1]]
    assert_same(both_paths(confusion_matrix, preds, targets,
                           num_classes=num_classes, ignore_index=ignore, per_image=True))


@settings(max_examples=150, deadline=None)
@given(dtype=st.sampled_from(DTYPES), shape=st.tuples(st.integers(1, 3), st.integers(1, 4),
                                                       st.integers(1, 9)),
       wild=st.booleans(), seed=st.integers(0, 2**16), per_image=st.booleans())
def test_multilabel_paths_agree(dtype, shape, wild, seed, per_image):
    rng = np.random.default_rng(seed)
    high = 3 if wild and dtype != "bool" else 2
    low = -1 if wild and dtype.startswith("int") else 0
    pred = rng.integers(low, high, shape).astype(dtype)
    target = rng.integers(0, 2, shape).astype(dtype)
    assert_same(both_paths(multilabel_confusion_matrix, pred, target,
                           per_image=per_image))


def test_large_batches_and_threads_agree():
    """Inputs big enough to be split over threads and counted in blocks of images."""
    rng = np.random.default_rng(1)
    target = rng.integers(0, 21, (6, 300, 300), dtype=np.uint8)
    target[:, :10] = 255
    pred = rng.integers(0, 21, target.shape, dtype=np.uint8)
    for per_image in (False, True):
        assert_same(both_paths(confusion_matrix, pred, target, num_classes=21,
                               ignore_index=255, per_image=per_image))
    assert_same(both_paths(confusion_matrix, pred.astype(np.int64), target,
                           num_classes=21, per_image=True))  # 255 is out of range: an error


def test_uint64_above_two_to_the_63():
    big = np.uint64(2**63 + 5)
    pred = np.array([0, 1, big, 1], dtype=np.uint64)
    target = np.array([0, 1, 1, big], dtype=np.uint64)
    assert_same(both_paths(confusion_matrix, pred, target, num_classes=2))
    assert_same(both_paths(confusion_matrix, pred, target, num_classes=2,
                           ignore_index=-(2**63) + 5))


def _fresh(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_small_inputs_never_load_numba():
    code = (
        "import sys, numpy as np, segscope\n"
        "t = np.random.default_rng(0).integers(0, 5, (512, 512)).astype(np.uint8)\n"
        "r = segscope.evaluate(t[::-1], t, num_classes=5)\n"
        "segscope.confusion_matrix(t[None], t[None], num_classes=5, per_image=True)\n"
        "segscope.multilabel_confusion_matrix(t[None, :2] > 2, t[None, :2] > 1)\n"
        "print(sorted(m for m in ('numba', 'scipy') if m in sys.modules))\n"
    )
    assert _fresh(code) == "[]"


def test_large_inputs_and_a_spent_budget_load_the_compiled_kernels():
    code = (
        "import sys, numpy as np\n"
        "from segscope import confusion\n"
        "t = np.zeros((1 << 11, 1 << 11), np.uint8)\n"
        "confusion.confusion_matrix(t, t, num_classes=2)\n"     # 4 Mi pixels: still NumPy
        "print('numba' in sys.modules)\n"
        "confusion.confusion_matrix(t[:4], t[:4], num_classes=2)\n"
        "confusion.NUMPY_BUDGET = 0\n"                           # budget spent
        "confusion.confusion_matrix(t[:4], t[:4], num_classes=2)\n"
        "print('numba' in sys.modules)\n"
        "big = np.zeros((1 << 22) + 1, np.uint8)\n"
        "print(confusion._counting_kernels(big.size).__name__)\n"
    )
    assert _fresh(code).split() == ["False", "True", "segscope._kernels"]


@pytest.mark.parametrize("kernels", ["numpy", "compiled"])
def test_each_path_counts_by_hand(monkeypatch, kernels):
    monkeypatch.setattr(confusion, "_FORCE_KERNELS", kernels)
    target = np.array([[0, 0, 1], [2, 2, 255]])
    pred = np.array([[0, 1, 1], [2, 0, 7]])
    assert confusion_matrix(pred, target, num_classes=3, ignore_index=255).tolist() == [
        [1, 1, 0], [0, 1, 0], [1, 0, 1]]
