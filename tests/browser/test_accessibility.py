"""axe-core on the main learner pages (no serious or critical WCAG 2.1 A/AA violations), at desktop and
phone width, in both interface languages; and no page scrolls sideways at 375 px.

axe-core comes from the npm registry (tests/browser/package.json, installed by `make install-dev`).
"""
from __future__ import annotations

import pytest

from assessments.demo import QUIZZES
from assessments.demo_roleplays import SCENARIO
from courses.demo import WORKSHOP_TITLE
from courses.demo_content import EMPATHY_SLUG_EN
from tests.browser.conftest import axe_serious, csp_violations, new_page

DEMO_PASSWORD = "empathy-demo-2026"


def _sign_in(page, email: str) -> None:
    page.goto("/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/my/")


def _main_pages(page) -> list[tuple[str, str]]:
    """(name, path) of the pages a learner uses, found by following the demo's links."""
    course = f"/courses/{EMPATHY_SLUG_EN}/"
    page.goto(course, wait_until="domcontentloaded")

    def link(name: str) -> str:
        return page.get_by_role("link", name=name, exact=True).first.get_attribute("href")

    pages = [
        ("catalog", "/"),
        ("course", course),
        ("course reviews", f"{course}reviews/"),
        ("lesson", link("What empathy means at the service desk")),
        ("video lesson", link("Sympathy, empathy and the space between")),
        ("survey", link("Before you start: how you listen today")),
        ("quiz", link(QUIZZES[EMPATHY_SLUG_EN][0][1])),
        ("role-play", link(SCENARIO["title"])),
        ("workshop activity", link(WORKSHOP_TITLE)),
        ("ebook lesson", link("The Empathy at Work handbook")),
    ]
    page.goto("/workshops/", wait_until="domcontentloaded")
    session = page.locator("main a[href*='/workshops/sessions/']").first.get_attribute("href")
    pages += [("workshops", "/workshops/"), ("workshop session", session), ("my learning", "/my/"),
              ("notifications", "/my/notifications/"), ("reviews", "/reviews/")]
    page.goto("/my/", wait_until="domcontentloaded")
    mine = page.locator("main a[href*='/my/certificates/']")
    if mine.count():  # the learner's own certificate page: logo, facts, share and add-to-profile links
        pages.append(("certificate", mine.first.get_attribute("href")))
    verify = page.locator("main a[href*='/verify/']")
    if verify.count():  # a certificate is issued, so its course's Open Badges achievement is public
        pages += [("verify", verify.first.get_attribute("href")),
                  ("achievement", f"/api/v1/credentials/achievements/{EMPATHY_SLUG_EN}/")]
    pages.append(("issuer profile", "/api/v1/credentials/issuer.json"))
    return pages


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_main_pages_have_no_serious_accessibility_violations(demo_stack, chromium, language):
    page = new_page(chromium, demo_stack)
    public = [("sign in", "/sign-in/"), ("password reset", "/password-reset/")]
    if language != "en":
        page.goto("/sign-in/")
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    found = {}
    for name, path in public:
        page.goto(path, wait_until="domcontentloaded")
        found[name] = axe_serious(page)
    _sign_in(page, "learner@acme.example")
    pages = _main_pages(page)
    assert len(pages) >= 12
    for name, path in pages:
        page.goto(path, wait_until="domcontentloaded")
        found[name] = axe_serious(page)
    assert {name: problems for name, problems in found.items() if problems} == {}
    assert csp_violations(page) == []
    assert page.problems == []


def test_no_page_scrolls_sideways_at_phone_width(demo_stack, chromium):
    page = new_page(chromium, demo_stack, width=375)
    _sign_in(page, "learner@acme.example")
    overflowing = {}
    for name, path in [("sign in", "/sign-in/"), *_main_pages(page)]:
        page.goto(path, wait_until="domcontentloaded")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            overflowing[name] = width
        problems = axe_serious(page)
        if problems:
            overflowing[f"{name} (axe)"] = problems
    assert overflowing == {}


@pytest.mark.parametrize("width", [1280, 375])
def test_the_instructors_review_moderation_page(demo_stack, chromium, width):
    """The course's staff moderate its reviews: axe-clean, and no sideways scrolling on a phone."""
    page = new_page(chromium, demo_stack, width=width)
    page.goto("/sign-in/")
    page.locator("#id_username").fill("instructor@acme.example")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    page.goto(f"/courses/{EMPATHY_SLUG_EN}/reviews/?view=moderation", wait_until="domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Moderate reviews")
    assert axe_serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.problems == []
