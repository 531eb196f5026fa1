"""The NumPy similarity path never imports torch; the top-level names resolve lazily."""

from __future__ import annotations

import json
import subprocess
import sys


def test_numpy_path_does_not_import_torch():
    code = (
        "import sys, json, numpy as np\n"
        "import segscope\n"
        "from segscope.similarity import ssim, ms_ssim, similarity_matrix, order_images, mse\n"
        "a = np.random.default_rng(0).integers(0, 256, (3, 40, 40), dtype=np.uint8)\n"
        "ssim(a[0], a[1]); mse(a[0], a[1]); ms_ssim(a[0], a[1], weights=[0.5, 0.5])\n"
        "m = similarity_matrix(a)\n"
        "order_images(1 - m)\n"
        "assert segscope.ssim is ssim\n"
        "print(json.dumps('torch' in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
