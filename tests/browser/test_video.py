"""The demo's self-hosted video lesson in Chromium: the caption track in the page's language is the first one,
showing, with its cues loaded; a line of the transcript seeks the video and is marked as the one spoken; the
parts played are reported for the learner's progress. In English and in Brazilian Portuguese."""
from __future__ import annotations

import pytest

from courses.demo_content import EMPATHY_SLUG_EN, EMPATHY_SLUG_PT
from tests.browser.conftest import Steps, axe_serious, csp_violations, new_page

DEMO_PASSWORD = "empathy-demo-2026"
# (page language, learner enrolled in the course, course, the video lesson's title, a line of its transcript)
CASES = {
    "en": ("learner@acme.example", EMPATHY_SLUG_EN, "Sympathy, empathy and the space between",
           "Repeat the customer's own words."),
    "pt-br": ("learner2@acme.example", EMPATHY_SLUG_PT, "Simpatia, empatia e o espaço entre elas",
              "Repita as palavras do próprio cliente."),
}
TRACK = """() => {
  const video = document.querySelector('video');
  const track = video && video.textTracks[0];
  return track && track.mode === 'showing' && track.cues && track.cues.length > 0
    ? {language: track.language, mode: track.mode, cues: track.cues.length, count: video.textTracks.length}
    : null;
}"""


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_the_demo_video_plays_with_captions_in_the_page_language(demo_stack, chromium, language):
    email, slug, title, line = CASES[language]
    page = new_page(chromium, demo_stack)
    steps = Steps(page, f"video-{language}")
    page.goto("/sign-in/")
    if language != "en":
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/my/")
    page.goto(f"/courses/{slug}/", wait_until="domcontentloaded")
    page.get_by_role("link", name=title, exact=True).first.click()
    page.wait_for_load_state("load")

    track = page.wait_for_function(TRACK).json_value()
    assert track["language"] == ("en" if language == "en" else "pt-BR")
    assert track["mode"] == "showing" and track["cues"] >= 10 and track["count"] == 2
    assert page.evaluate("document.querySelector('video').textTracks[1].mode") != "showing"
    steps.shot("video lesson")

    cue = page.locator("ol.video-transcript button.cue", has_text=line)
    start = float(cue.get_attribute("data-start"))
    cue.click()
    page.wait_for_function("start => document.querySelector('video').currentTime >= start", arg=start)
    page.wait_for_function("el => el.getAttribute('aria-current') === 'true'", arg=cue.element_handle())
    assert page.locator("ol.video-transcript [aria-current]").count() == 1
    page.wait_for_function("start => document.querySelector('video').currentTime > start + 1", arg=start)
    with page.expect_response(lambda response: response.url.endswith("/watch/")) as answer:
        page.evaluate("document.querySelector('video').pause()")
    assert answer.value.status == 200 and answer.value.json()["seconds_watched"] >= 1
    steps.shot("transcript follows the video")
    assert csp_violations(page) == [] and page.problems == []
    assert axe_serious(page) == []
