"""The NumPy similarity path never imports torch; the top-level names resolve lazily."""

from __future__ import annotations

import json
import subprocess
import sys


def test_numpy_path_does_not_import_torch():
    code = (
        "import sys, json, numpy as np\n"
        "import segscope\n"
        "from segscope.similarity import (ssim, ssim_map, ms_ssim, similarity_matrix,\n"
        "    order_images, mse, rmse, psnr, euclidean, ssim_batch, ms_ssim_batch, cross_matrix)\n"
        "a = np.random.default_rng(0).integers(0, 256, (3, 40, 40), dtype=np.uint8)\n"
        "ssim(a[0], a[1]); mse(a[0], a[1]); ms_ssim(a[0], a[1], weights=[0.5, 0.5])\n"
        "ssim_map(a[0], a[1]); rmse(a[0], a[1]); psnr(a[0], a[1]); euclidean(a[0], a[1])\n"
        "ssim_batch(a, a[::-1]); ms_ssim_batch(a, a, weights=[0.5, 0.5])\n"
        "cross_matrix(a[:1], a[1:]); similarity_matrix(a, metric='psnr')\n"
        "m = similarity_matrix(a)\n"
        "order_images(1 - m)\n"
        "assert segscope.ssim is ssim\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.split('.')[0] == 'torch' or m.endswith('._torch'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_backend_neutral_modules_never_import_a_backend():
    """``_core`` (the formulas both backends share) imports no framework, nor the backends."""
    import ast
    from pathlib import Path

    import segscope.similarity

    root = Path(segscope.similarity.__file__).parent
    for name in ("_core.py", "_numpy.py", "ssim.py", "ms_ssim.py", "pixel.py", "batch.py"):
        tree = ast.parse((root / name).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert not {m for m in imported if m.split(".")[0] == "torch"}, name
        if name in ("_core.py", "_numpy.py"):
            assert not {m for m in imported if m.endswith("_torch")}, name
