"""HR's journey in the browser, as the demo HR user, nothing mocked: filter the overview, read the chart's data
table, download the filtered CSV and an XLSX (opened with openpyxl: typed cells), remind an overdue learner twice
(one mail reaches them); and every /hr/ page, found by following the workspace's links, is axe-clean in English
and Portuguese, at desktop and phone width, without sideways scrolling."""
from __future__ import annotations

import csv
import email
import io
import time
from datetime import datetime
from email import policy
from urllib.parse import urlsplit

import openpyxl
import pytest

from tests.browser.conftest import axe_serious, csp_violations, new_page
from tests.browser.crawl import crawl

DEMO_PASSWORD = "empathy-demo-2026"
HR = "hr@acme.example"
OVERDUE_LEARNER = "supervisor@acme.example"  # the demo places their enrollment two days past due
NOT_PAGES = (".csv", ".xlsx", "/download/", "/remind/")
LIMIT = 40


def _sign_in(page, language: str) -> None:
    if language != "en":
        page.goto("/sign-in/")
        toggle = page.locator(".menu-toggle")
        if toggle.is_visible():  # on a phone the language menu is folded behind the Menu button
            toggle.click()
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    page.goto("/sign-in/")
    page.locator("#id_username").fill(HR)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _crawl(page) -> list[str]:
    """The /hr/ pages reachable from HR's home (whatever sections exist), one per address shape."""
    return crawl(page, "/hr/", not_pages=NOT_PAGES, limit=LIMIT)


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("pt-br", 1280), ("en", 375), ("pt-br", 375)])
def test_every_hr_page_is_accessible(demo_stack, chromium, language, width):
    page = new_page(chromium, demo_stack, width=width)
    _sign_in(page, language)
    pages = _crawl(page)
    assert {"/hr/", "/hr/people/", "/hr/exports/", "/hr/empathy/"} <= {p.split("?")[0] for p in pages}, pages
    assert any(p.startswith("/hr/people/") and p.split("/")[3].isdigit() for p in pages), pages  # a drill-down
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


def _hr_mails(stack) -> list[str]:
    subjects = []
    for text in stack.mail_to(OVERDUE_LEARNER):
        subject = email.message_from_string(text, policy=policy.default)["subject"] or ""
        if "HR team" in subject or "equipe de RH" in subject:
            subjects.append(subject)
    return subjects


def _wait(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("pt-br", 375)])
def test_hr_journey(demo_stack, chromium, language, width):
    page = new_page(chromium, demo_stack, width=width)
    _sign_in(page, language)
    page.goto("/hr/")
    # Filter by a course: the page, its tables and the downloads carry the same query.
    course = page.locator("#id_course option").nth(1).get_attribute("value")
    page.locator("#id_course").select_option(course)
    with page.expect_navigation():
        page.locator("form.hr-filters button[type=submit]").click()
    assert f"course={course}" in page.url
    # The chart's data table: a caption, months in words, a figure per department.
    page.goto("/hr/")
    table = page.locator("table.hr-months")
    assert table.locator("caption").is_visible() or table.locator("caption").count() == 1
    month = table.locator("tbody th[scope=row]").first.inner_text()
    assert any(ch.isalpha() for ch in month) and not month[:2].isdigit(), month
    # CSV of what is filtered.
    page.goto(f"/hr/?course={course}")
    with page.expect_download() as download:
        page.locator("a[href*='format=csv']").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows and {row["course_slug"] for row in rows} == {course}
    # XLSX through the export job: the worker prepares it, the history links it.
    with page.expect_navigation():
        page.locator(".hr-downloads form button[type=submit]").click()
    assert urlsplit(page.url).path == "/hr/exports/"

    def ready():
        page.reload()
        link = page.locator("table a[download]").first
        return link.get_attribute("href") if link.count() else None

    href = _wait(ready, timeout=90, what="the XLSX export")
    answer = page.request.get(demo_stack.base_url + urlsplit(href).path + "?" + urlsplit(href).query)
    assert answer.ok
    book = openpyxl.load_workbook(io.BytesIO(answer.body()))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    first = [cell.value for cell in sheet[2]]
    assert isinstance(first[header.index("enrolled_at")], datetime)
    assert isinstance(first[header.index("progress_percent")], int | float)
    # Remind an overdue learner, twice: one mail.
    page.goto("/hr/people/?status=active&overdue=on")
    row = page.locator("table.hr-people tbody tr", has_text=OVERDUE_LEARNER)
    for _ in range(2):
        with page.expect_navigation():
            row.locator("button").click()
        row = page.locator("table.hr-people tbody tr", has_text=OVERDUE_LEARNER)
    assert page.locator("[role=status]").count() == 1
    _wait(lambda: _hr_mails(demo_stack), timeout=60, what="the reminder mail")
    time.sleep(3)
    assert len(_hr_mails(demo_stack)) == 1
    assert csp_violations(page) == []
