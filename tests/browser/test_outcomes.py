"""HR imports customer-satisfaction scores at /hr/outcomes/ on a phone (375 px), in English and Portuguese: a file
with one bad line shows that line's errors and imports nothing; the fixed file imports; the before/after report
answers with the observational caveat. Every page axe-clean, none scrolling sideways, no CSP violation."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_serious, csp_violations, new_page

DEMO_PASSWORD = "empathy-demo-2026"
WIDTH = 375
HEADER = "external_id,employee_id,metric,period_start,period_end,score,scale_min,scale_max"


def _sign_in(page, email: str) -> None:
    page.goto("/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _check(page, problems: dict, label: str) -> None:
    found = axe_serious(page)
    if found:
        problems[label] = found
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > WIDTH:
        problems[f"{label} (scrolls sideways: {scroll} px)"] = scroll


def _upload(page, text: str) -> None:
    page.locator("#id_file").set_input_files(
        files=[{"name": "scores.csv", "mimeType": "text/csv", "buffer": text.encode()}])
    with page.expect_navigation():
        page.locator("main form[enctype] button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_outcomes_import_and_report_on_a_phone(demo_stack, chromium, language):
    page = new_page(chromium, demo_stack, width=WIDTH)
    if language != "en":
        page.goto("/sign-in/")
        toggle = page.locator(".menu-toggle")
        if toggle.is_visible():
            toggle.click()
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    _sign_in(page, "hr@acme.example")
    problems: dict = {}
    page.goto("/hr/outcomes/")
    _check(page, problems, "import form")
    ids = f"browser-{language}"
    bad = "\n".join([HEADER, f"{ids}-1,A-002,csat,2026-01-01,2026-01-31,4,1,5",
                     f"{ids}-2,A-002,csat,2026-02-01,2026-02-28,9,1,5"]) + "\n"
    _upload(page, bad)
    errors = page.locator("main table")
    assert errors.locator("th[scope=row]").first.inner_text() == "3"
    assert "score" in errors.inner_text()
    _check(page, problems, "import errors")
    _upload(page, bad.replace(",9,1,5", ",5,1,5"))
    assert page.locator("main .notice").is_visible()
    page.goto("/hr/outcomes/scores/?agent=A-002&period_to=2026-02-28")
    assert f"{ids}-2" in page.locator("main").inner_text()
    _check(page, problems, "imported scores")
    page.goto("/hr/outcomes/report/")
    page.locator("#id_completed_from").fill("2000-01-01")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    assert page.locator("main h2").is_visible()
    assert page.locator("#outcomes-caveat").is_visible()
    _check(page, problems, "report")
    assert problems == {}
    assert csp_violations(page) == []
