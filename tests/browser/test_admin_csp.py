"""The admin and the API docs under our Content-Security-Policy, in a real browser.

Debian's Chromium, driven by Playwright, signs in to the admin of a live server and opens the
index, a change list, an add form and a change form, and the Swagger UI page. Every page must load
without a single CSP violation or console error, and the pages' own JavaScript must work: the
change list's select-all box ticks every row, the add form fills the slug from the name, and
Swagger UI draws the API.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
PASSWORD = "Admin-under-csp-2026"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Chromium is not installed at {CHROMIUM} (CI installs Debian's chromium)"),
]

# Recorded in every page before its own scripts run; a page's list is read before leaving it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber || 0}`));
"""


@pytest.fixture
def admin_world(transactional_db):
    root = factories.UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    root.set_password(PASSWORD)
    root.save()
    organization = factories.OrganizationFactory(name="Acme Support", slug="acme-support")
    for name in ("Billing", "Care", "Returns"):
        factories.DepartmentFactory(organization=organization, name=name)
    return {"organization": organization}


class Visit:
    """One browser tab that remembers every problem it saw, page by page."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.pages = 0
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: message.type in ("error", "warning")
                and self.problems.append(f"console {message.type} on {page.url}: {message.text}"))
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        page.on("response", lambda response: response.status >= 400
                and self.problems.append(f"{response.status} for {response.url} (from {page.url})"))

    def open(self, path: str) -> None:
        self.collect()
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert response.headers.get("content-security-policy"), path
        self.pages += 1

    def collect(self) -> None:
        if self.page.url.startswith(self.base):
            found = self.page.evaluate("window.__cspViolations || []")
            self.problems.extend(f"CSP on {self.page.url}: {violation}" for violation in found)


def test_the_admin_and_the_api_docs_work_under_the_csp(live_server, admin_world):
    from playwright.sync_api import sync_playwright

    organization = admin_world["organization"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visit = Visit(browser.new_page(), live_server.url)
            page = visit.page

            visit.open("/admin/login/?next=/admin/")
            page.fill("#id_username", "root@example.com")
            page.fill("#id_password", PASSWORD)
            with page.expect_navigation(wait_until="networkidle"):
                page.click("input[type=submit]")
            assert page.url == live_server.url + "/admin/", page.url
            assert page.locator("#site-name").inner_text() == "Empathy LMS administration"
            visit.pages += 1

            visit.open("/admin/lms/department/")
            rows = page.locator("input.action-select")
            assert rows.count() == 3
            page.check("#action-toggle")
            assert all(rows.nth(n).is_checked() for n in range(3))
            assert "3 of 3 selected" in page.locator(".action-counter").inner_text()
            page.uncheck("#action-toggle")
            assert not any(rows.nth(n).is_checked() for n in range(3))

            visit.open("/admin/lms/organization/add/")
            page.locator("#id_name").press_sequentially("Helpful Hands Ltd")  # keyup drives prepopulate.js
            assert page.input_value("#id_slug") == "helpful-hands-ltd"  # prepopulate.js ran

            visit.open(f"/admin/lms/organization/{organization.pk}/change/")
            assert page.input_value("#id_name") == "Acme Support"
            visit.open("/admin/lms/user/")
            page.fill("#searchbar", "root")
            with page.expect_navigation(wait_until="networkidle"):
                page.press("#searchbar", "Enter")
            visit.pages += 1

            visit.open("/api/docs/")
            page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
            assert "Empathy LMS API" in page.locator(".swagger-ui .info .title").inner_text()
            # Swagger UI draws only the groups near the viewport of a schema this large, so count what the
            # first screen holds: more than one group and more than three operations.
            page.locator(".opblock").nth(3).wait_for(timeout=15_000)
            assert page.locator(".opblock-tag").count() > 1 and page.locator(".opblock").count() > 3
            visit.collect()
        finally:
            browser.close()
    assert visit.problems == []
    assert visit.pages == 8
