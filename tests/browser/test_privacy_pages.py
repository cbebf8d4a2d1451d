"""The privacy pages in the browser, nothing mocked: a learner asks for their data and the demo's worker builds
the archive and mails the link, which downloads a ZIP holding their address; and every privacy page of a person
and of an organization admin is axe-clean in English and Portuguese, at desktop and phone width, without
sideways scrolling."""
from __future__ import annotations

import email
import io
import re
import time
import zipfile
from email import policy

import pytest

from tests.browser.conftest import axe_serious, csp_violations, new_page

DEMO_PASSWORD = "empathy-demo-2026"
ADMIN = "admin@acme.example"  # the demo's organization admin (and a learner)
LEARNER = "learner2@acme.example"
PAGES = ("/me/privacy/", "/me/privacy/erase/", "/org/privacy/", "/org/privacy/erasure/",
         "/org/privacy/access-log/")


def _sign_in(page, email: str, language: str = "en") -> None:
    if language != "en":
        page.goto("/sign-in/")
        toggle = page.locator(".menu-toggle")
        if toggle.is_visible():  # on a phone the language menu is folded behind the Menu button
            toggle.click()
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    page.goto("/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("pt-br", 1280), ("en", 375), ("pt-br", 375)])
def test_every_privacy_page_is_accessible(demo_stack, chromium, language, width):
    page = new_page(chromium, demo_stack, width=width)
    _sign_in(page, ADMIN, language)
    problems = {}
    for path in PAGES:
        response = page.goto(path, wait_until="domcontentloaded")
        assert response is not None and response.ok, (path, response and response.status)
        found = axe_serious(page)
        if found:
            problems[page.url] = found
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems[f"{page.url} (scrolls sideways: {scroll} px)"] = scroll
    assert problems == {}
    assert csp_violations(page) == []


def test_a_learner_downloads_their_data(demo_stack, chromium):
    page = new_page(chromium, demo_stack)
    _sign_in(page, LEARNER)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Your data and privacy").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Export my data").click()
    deadline = time.monotonic() + 120
    link = None
    while link is None and time.monotonic() < deadline:  # the demo's worker builds it and mails the link
        for raw in demo_stack.mail_to(LEARNER):
            message = email.message_from_string(raw, policy=policy.default)
            text = message.get_body(preferencelist=("plain",))
            found = re.search(r"/me/privacy/exports/\d+/download/\?token=\S+", text.get_content() if text else "")
            if found:
                link = found.group(0)
        time.sleep(1)
    assert link, "no mail with the download link"
    with page.expect_download() as download:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; document.body.append(a); "
                      "a.click(); }", link)  # the mail's link, opened in the learner's own signed-in browser
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    names = archive.namelist()
    assert "index.html" in names and "README.txt" in names
    everything = "\n".join(archive.read(name).decode("utf-8", "replace") for name in names if name.endswith(".json"))
    assert LEARNER in everything
