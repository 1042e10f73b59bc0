"""Open the HTML report in headless Chromium (Debian's, as tests/test_ui.py) and look at it.

Records every console error, page error and network request while the page loads, and which
section headings and charts are visible. Also refreshes the README's picture from a real report:

    .venv/bin/python -m tests.report_browser data/serving/creator_kpis_report.html docs/report.png
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.ui_support import CHROMIUM_ARGS, chromium_executable

VIEWPORT = {"width": 1280, "height": 900}
LOAD_TIMEOUT_MS = 60_000


@dataclass
class Visit:
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    headings: dict[str, bool] = field(default_factory=dict)  # section id -> heading visible
    charts: dict[str, bool] = field(default_factory=dict)  # section id -> chart drawn, visible
    tables: dict[str, bool] = field(default_factory=dict)  # section id -> a table visible
    notes: dict[str, bool] = field(default_factory=dict)  # section id -> a "no data" note visible


def visit_report(report: Path, screenshot: Path | None = None) -> Visit:
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    assert executable, "Debian's chromium is not installed: run `make browser` (make test does)"
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    visit = Visit(report.resolve().as_uri())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.on(
                "console",
                lambda message: (
                    visit.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
            page.on("request", lambda request: visit.requests.append(request.url))
            page.goto(visit.url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
            page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)
            ids = page.eval_on_selector_all("header[id], section[id]", "els => els.map(e => e.id)")
            for key in ids:
                scope = page.locator(f"#{key}")
                visit.headings[key] = scope.locator("h1, h2").first.is_visible()
                chart = scope.locator(".chart .main-svg")
                visit.charts[key] = chart.count() > 0 and chart.first.is_visible()
                table = scope.locator("table")
                visit.tables[key] = table.count() > 0 and table.first.is_visible()
                note = scope.locator("p.note")
                visit.notes[key] = note.count() > 0 and note.first.is_visible()
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return visit


if __name__ == "__main__":
    result = visit_report(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"console errors: {result.console_errors}, requests: {result.requests}")
