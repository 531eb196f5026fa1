"""Write src/segscope/data/demo_predictions.npz: the demo's four masks of the bundled image.

``segscope demo`` reads these instead of segmenting the image at every start (which needs
scikit-image and SciPy, over a second). Run after changing ``segscope.demo.demo_predictions``;
``tests/test_demo.py`` fails until the stored masks match it again.

Run:  PYTHONPATH=src python scripts/update_demo_predictions.py
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from segscope.demo import METHODS, demo_predictions, load_nuclei

OUT = Path(__file__).resolve().parents[1] / "src" / "segscope" / "data" / "demo_predictions.npz"


def main() -> None:
    image, _ = load_nuclei()
    masks = demo_predictions(image)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, shape=np.array(image.shape),
                        **{name: np.packbits(masks[name].astype(bool)) for name in METHODS})
    tmp = OUT.with_suffix(".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(OUT)  # written whole or not at all
    print(f"{OUT}: {OUT.stat().st_size} bytes, {', '.join(METHODS)}")


if __name__ == "__main__":
    main()
