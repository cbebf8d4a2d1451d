"""360° feedback in the browser, on the demo: three of the demo supervisor's team answer the open round (the rule
shown first), HR closes it, and the supervisor sees the round's results, the team's group shown once three have
answered. Every page axe-clean, in English and Portuguese, at desktop and phone width, none scrolling sideways."""
from __future__ import annotations

from tests.browser.conftest import axe_serious, csp_violations, new_page

DEMO_PASSWORD = "empathy-demo-2026"
ROUND = "360° round · next"
KEYS = ("asks_before_advising", "repeats_back", "no_interrupting", "notices_strain", "calm_in_escalation",
        "adjusts_workload", "feedback_private", "names_strengths", "asks_my_view", "admits_mistakes",
        "customer_feelings", "models_tone")


def _signed_in(chromium, demo_stack, email: str, *, language: str, width: int):
    page = new_page(chromium, demo_stack, width=width)
    page.goto("/sign-in/")
    if language != "en":
        toggle = page.locator(".menu-toggle")
        if toggle.is_visible():
            toggle.click()
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return page


def _check(page, width: int, problems: dict) -> None:
    found = axe_serious(page)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if found or scroll > width:
        problems[f"{page.url} at {width}"] = (found, scroll)
    assert csp_violations(page) == []


def test_raters_answer_then_the_manager_sees_results(demo_stack, chromium):
    problems: dict = {}
    rule = {"en": "nothing of that group is shown", "pt-br": "nada desse grupo aparece"}
    for email, language, width, value in [("learner@acme.example", "en", 1280, "4"),
                                          ("learner2@acme.example", "pt-br", 375, "5"),
                                          ("learner3@acme.example", "en", 375, "3")]:
        page = _signed_in(chromium, demo_stack, email, language=language, width=width)
        page.goto("/feedback/")
        _check(page, width, problems)
        with page.expect_navigation():
            page.locator("main a.button").first.click()
        assert rule[language] in page.locator("main").inner_text()
        _check(page, width, problems)
        for key in KEYS:
            page.locator(f"input[name='b-{key}'][value='{value}']").check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.url.endswith("/feedback/")
        _check(page, width, problems)
        page.context.close()

    manager = _signed_in(chromium, demo_stack, "supervisor@acme.example", language="pt-br", width=375)
    manager.goto("/feedback/results/")
    assert "ainda está aberta" in manager.locator("main").inner_text()  # the round is still open
    _check(manager, 375, problems)

    hr = _signed_in(chromium, demo_stack, "hr@acme.example", language="en", width=1280)
    hr.goto("/hr/leadership/")
    _check(hr, 1280, problems)
    with hr.expect_navigation():
        hr.get_by_role("link", name=ROUND).click()
    _check(hr, 1280, problems)
    with hr.expect_navigation():
        hr.get_by_role("button", name="Close the round now").click()
    assert "Closed" in hr.locator("main").inner_text()
    hr.context.close()

    manager.goto("/feedback/results/")
    section = manager.locator("section", has=manager.get_by_role("heading", name=ROUND))
    text = section.inner_text()
    assert "n = 3" in text and "4,00" in text  # the team's mean: (4 + 5 + 3) / 3
    _check(manager, 375, problems)
    assert problems == {}
