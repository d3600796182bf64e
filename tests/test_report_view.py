"""The HTML report and an LA profile page as a person sees them: opened in headless Chromium from the
shared demo refresh, no table overflows its container (wide tables scroll inside theirs), the page
itself never scrolls sideways, and no raw indicator id appears in a title."""

from __future__ import annotations

import pytest

from csc_pipeline.analysis.la_profiles import PROFILE_DIR
from csc_pipeline.ui_check import CHROMIUM_ARGS, find_chromium

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed (.ci/run installs it: apt-get install chromium)")

# Per table: whether it reaches past its container's box (a scrolling container holds it, so it does not).
LAYOUT = """() => {
  const overflowing = [];
  for (const table of document.querySelectorAll('table')) {
    const box = table.parentElement;
    const style = getComputedStyle(box);
    const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
    const boxRight = box.getBoundingClientRect().right, pageRight = document.body.getBoundingClientRect().right;
    if (boxRight > pageRight + 1 || (!scrolls && table.getBoundingClientRect().right > boxRight + 1)) {
      overflowing.push(table.innerText.slice(0, 80));
    }
  }
  const titles = [...document.querySelectorAll('title, h1, h2, h3, h4, figcaption, th')].map(e => e.textContent)
    .concat([...document.querySelectorAll('img[alt]')].map(e => e.alt));
  return {overflowing, titles, tables: document.querySelectorAll('table').length,
          pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth};
}"""


def _view(path, screenshot) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(path.as_uri())
            seen = page.evaluate(LAYOUT)
            page.screenshot(path=str(screenshot), timeout=120_000)  # the first screen: a full-page shot of the long report is slow
        finally:
            browser.close()
    return seen


@pytest.mark.parametrize("page", ["report", "profile"])
def test_the_page_has_no_overflowing_table_and_no_raw_indicator_id_in_a_title(demo_run, demo_warehouse, tmp_path, page):
    settings, _ = demo_run
    path = (settings.reports_dir / "analysis_report.html" if page == "report"
            else settings.reports_dir / PROFILE_DIR / "E09000007.html")
    seen = _view(path, tmp_path / f"{page}.png")
    assert seen["tables"] >= 3
    assert seen["overflowing"] == []
    assert seen["pageWidth"] <= seen["viewport"]
    ids = [r[0] for r in demo_warehouse.sql("SELECT indicator FROM mart.indicator_dictionary").fetchall()]
    titles = " | ".join(seen["titles"])
    assert [i for i in ids if i in titles] == []
    png = (tmp_path / f"{page}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
