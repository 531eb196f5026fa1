"""Make docs/images/report-demo.png: the top and the gallery of the demo's HTML report.

Drives Debian's chromium (headless, through Playwright; no browser is downloaded):

    segscope demo --html /tmp/demo.html
    python scripts/report_screenshot.py /tmp/demo.html docs/images/report-demo.png
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(source: str, target: str, width: int = 1100, shown: int = 880) -> None:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", headless=True, args=FLAGS,
            viewport={"width": width, "height": 800}, offline=True)
        page = context.pages[0]
        page.goto(Path(source).resolve().as_uri())
        top = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": 600})
        box = page.locator("#worst-images").bounding_box()
        gallery = page.screenshot(clip={"x": 0, "y": box["y"], "width": width, "height": 620},
                                  full_page=True)
        context.close()
    parts = [Image.open(io.BytesIO(p)).convert("RGB") for p in (top, gallery)]
    out = Image.new("RGB", (width, sum(p.height for p in parts)), "white")
    out.paste(parts[0], (0, 0))
    out.paste(parts[1], (0, parts[0].height))
    out = out.resize((shown, round(out.height * shown / width)), Image.Resampling.LANCZOS)
    out.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                 dither=Image.Dither.NONE).save(target, optimize=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
