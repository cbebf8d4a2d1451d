"""Every page of the instructor's workspace, found by following its links from /teach/ as the demo instructor:
axe-core finds no serious or critical violation, in English and in Portuguese, at desktop and phone width, and
no page scrolls sideways at 375 px."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_serious, csp_violations, new_page
from tests.browser.crawl import crawl

DEMO_PASSWORD = "empathy-demo-2026"
# Downloads (CSV, XLSX, calendar files) are not pages; neither is anything that only answers a POST.
NOT_PAGES = (".csv", ".xlsx", ".ics", "/export/", "/download/")
LIMIT = 60


def _sign_in(page, email: str) -> None:
    page.goto("/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _crawl(page) -> list[str]:
    """The /teach/ pages reachable from the workspace's home, one page per address pattern, at most LIMIT."""
    return crawl(page, "/teach/", selector="main a[href], nav.teach-nav a[href]", not_pages=NOT_PAGES, limit=LIMIT)


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("pt-br", 1280), ("en", 375), ("pt-br", 375)])
def test_every_teach_page_is_accessible(demo_stack, chromium, language, width):
    page = new_page(chromium, demo_stack, width=width)
    if language != "en":
        page.goto("/sign-in/")
        toggle = page.locator(".menu-toggle")
        if toggle.is_visible():  # on a phone the language menu is folded behind the Menu button
            toggle.click()
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    _sign_in(page, "instructor@acme.example")
    pages = _crawl(page)
    assert "/teach/" in pages
    assert len(pages) >= 12, pages
    problems = {}
    for path in pages:
        page.goto(path, wait_until="domcontentloaded")
        found = axe_serious(page)
        if found:
            problems[path] = found
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems[f"{path} (scrolls sideways: {scroll} px)"] = scroll
    assert problems == {}
    assert csp_violations(page) == []
    assert page.problems == []
