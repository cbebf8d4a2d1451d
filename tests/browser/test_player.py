"""The lesson player and the phone header in a real browser: the header fits in 64 px on a phone and its Menu
button unfolds the menu; the course outline is beside the activity on a wide screen and folded above it on a phone."""
from __future__ import annotations

import pytest

from assessments.demo import QUIZZES
from courses.demo_content import EMPATHY_SLUG_EN
from tests.browser.conftest import new_page
from tests.browser.test_accessibility import _sign_in


def _quiz(page) -> str:
    page.goto(f"/courses/{EMPATHY_SLUG_EN}/", wait_until="domcontentloaded")
    return page.get_by_role("link", name=QUIZZES[EMPATHY_SLUG_EN][0][1], exact=True).first.get_attribute("href")


def test_the_phone_header_folds_its_menu_behind_a_button(demo_stack, chromium):
    page = new_page(chromium, demo_stack, width=375)
    _sign_in(page, "learner@acme.example")
    page.goto(_quiz(page), wait_until="domcontentloaded")
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    menu_button = page.get_by_role("button", name="Menu")
    assert menu_button.get_attribute("aria-expanded") == "false"
    my_learning = page.get_by_role("navigation", name="Main").get_by_role("link", name="My learning")
    assert not my_learning.is_visible()
    menu_button.click()
    assert menu_button.get_attribute("aria-expanded") == "true"
    assert my_learning.is_visible() and my_learning.get_attribute("aria-current") == "page"
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.keyboard.press("Escape")
    assert menu_button.get_attribute("aria-expanded") == "false" and not my_learning.is_visible()
    assert page.problems == []


@pytest.mark.parametrize(("width", "unfolded"), [(1280, True), (375, False)])
def test_the_outline_sits_beside_the_activity_or_folds_above_it(demo_stack, chromium, width, unfolded):
    page = new_page(chromium, demo_stack, width=width)
    _sign_in(page, "learner@acme.example")
    quiz = _quiz(page)
    page.goto(quiz, wait_until="domcontentloaded")
    outline = page.locator("details.player-outline")
    assert outline.evaluate("node => node.open") is unfolded
    current = page.locator(f'.player-outline a[href="{quiz}"]')
    assert current.get_attribute("aria-current") == "page"
    heading = page.get_by_role("heading", level=1).bounding_box()
    box = outline.bounding_box()
    if unfolded:  # a column to the left of the activity
        assert box["x"] + box["width"] <= heading["x"] and current.is_visible()
    else:  # folded above it, and opened on request
        assert box["y"] + box["height"] <= heading["y"] and not current.is_visible()
        page.locator(".player-outline summary").click()
        assert current.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.problems == []
