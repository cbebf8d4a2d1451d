"""The demo HR user creates an API key at /hr/api-keys/ (its secret shown once), the key reads the reports API,
then revokes it after the confirmation and the key gets 401 at once; the key and webhook pages are axe-clean and
do not scroll sideways, in English and Portuguese, at phone and desktop width."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import axe_serious, csp_violations, new_page

DEMO_PASSWORD = "empathy-demo-2026"
HR_EMAIL = "hr@acme.example"


def _choose_language(page, language: str) -> None:
    page.goto("/sign-in/")
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():  # on a phone the language menu is folded behind the Menu button
        toggle.click()
    with page.expect_navigation():
        page.locator("#language-select").select_option(language)


def _sign_in(page) -> None:
    page.goto("/sign-in/")
    page.locator("#id_username").fill(HR_EMAIL)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _api_status(base_url: str, raw: str) -> int:
    """The reports API asked with the key alone (no browser cookies)."""
    headers = {"Authorization": f"Api-Key {raw}", "Accept": "application/json"}
    request = urllib.request.Request(f"{base_url}/api/v1/reports/completions/", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310 (our own local server)
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _check(page, width: int, problems: dict) -> None:
    found = axe_serious(page)
    if found:
        problems[page.url] = found
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems[f"{page.url} (scrolls sideways: {scroll} px)"] = scroll


@pytest.mark.parametrize(("language", "width"), [("en", 375), ("pt-br", 375), ("en", 1280)])
def test_hr_creates_and_revokes_an_api_key(demo_stack, chromium, language, width):
    page = new_page(chromium, demo_stack, width=width)
    if language != "en":
        _choose_language(page, language)
    _sign_in(page)
    problems: dict = {}
    page.goto("/hr/api-keys/")
    _check(page, width, problems)
    name = f"Payroll {language} {width}"
    page.locator("#id_name").fill(name)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    raw = page.locator("#new-key").input_value()
    assert raw and raw in page.content()
    _check(page, width, problems)
    assert _api_status(demo_stack.base_url, raw) == 200

    page.goto("/hr/api-keys/")
    assert raw not in page.content() and name in page.content()
    page.locator("tr", has_text=name).locator("a").click()
    page.wait_for_url("**/revoke/**")
    _check(page, width, problems)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert _api_status(demo_stack.base_url, raw) == 401
    revoked = "Revogada" if language != "en" else "Revoked"
    assert revoked in page.locator("tr", has_text=name).inner_text()

    page.goto("/hr/webhooks/")
    _check(page, width, problems)
    assert problems == {}
    assert csp_violations(page) == []
    assert page.problems == []
