"""segscope.keras on the torch, JAX and TensorFlow backends of Keras 3, each in its own process.

The backend is fixed at ``import keras``, so ``tests/_keras_checks.py`` runs once per
backend with ``KERAS_BACKEND`` set: a tiny ``fit()``/``evaluate()`` with the metrics and a
loss, every metric (multi-class, multi-label, per image) against :func:`segscope.evaluate`,
every loss against :mod:`segscope.losses` (torch), jit (JAX) and ``tf.function`` with and
without XLA (TensorFlow), bad input. A backend that is not installed is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).with_name("_keras_checks.py")
NEEDS = {"torch": ("keras", "torch"), "jax": ("keras", "jax", "torch"),
         "tensorflow": ("keras", "tensorflow", "torch")}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "jax", "tensorflow"])
def test_keras_backend(backend):
    missing = [m for m in NEEDS[backend] if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    out = subprocess.run([sys.executable, str(CHECKS)], capture_output=True, text=True,
                         env=env, timeout=1500)
    assert out.returncode == 0, out.stderr[-4000:]
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(results) >= 8, results
    failed = {k: v for k, v in results.items() if not v.startswith("ok")}
    assert not failed, "\n".join(f"{k}:\n{v}" for k, v in failed.items())


def test_import_segscope_keras_names_the_extra(monkeypatch):
    """Without keras installed the error names the extra (simulated by hiding keras)."""
    code = (
        "import sys; sys.modules['keras'] = None\n"
        "try:\n    import segscope.keras\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "keras" in out.stdout and "pip install" in out.stdout, out.stdout
