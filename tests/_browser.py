"""Open a report in headless Chromium (Debian's package, driven by Playwright) for tests.

Nothing downloads a browser: Playwright is pointed at the system's ``chromium`` (``apt-get
install chromium``). Where it or Playwright is missing, :func:`browser_or_skip` skips the
test and says what to install.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Flags that keep Chromium off the network and quiet on a machine without a display.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
#: Where artefacts (screenshots) of the browser tests go; git-ignored.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def chromium_path() -> str | None:
    """The system Chromium: ``$SEGSCOPE_CHROMIUM``, else ``chromium`` on PATH."""
    given = os.environ.get("SEGSCOPE_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_or_skip() -> str:
    """The Chromium executable, or skip the test with the reason and the fix."""
    path = chromium_path()
    if path is None:
        pytest.skip("browser test: Debian's chromium is not installed "
                    "(apt-get install -y chromium chromium-driver)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("browser test: the Python package playwright is not installed "
                    "(pip install -r requirements/test.txt); it drives the system chromium")
    return path


@dataclass
class Visit:
    """What happened while a page was open."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """Save a PNG screenshot under ``test-artifacts/`` and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def open_report(path: Path, profile: Path, *, width: int = 1280, height: int = 900
                ) -> Iterator[Visit]:
    """Open ``path`` (an HTML file) in a fresh profile and record console errors, uncaught
    exceptions, requests other than the page itself (``data:`` URIs aside), and dialogs
    (dismissed)."""
    executable = browser_or_skip()
    from playwright.sync_api import sync_playwright

    url = path.resolve().as_uri()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=FLAGS,
            viewport={"width": width, "height": height}, offline=True)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            visit = Visit(page)
            page.on("console", lambda m: visit.console_errors.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
            page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))

            def request(req: Any) -> None:
                if req.url != url and not req.url.startswith("data:"):
                    visit.requests.append(req.url)

            page.on("request", request)
            page.goto(url, wait_until="load")
            yield visit
        finally:
            context.close()
