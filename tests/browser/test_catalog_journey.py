"""A new learner's visit to the catalog, in a real browser, in English and in Portuguese, on a desktop
(1280 px) and on a phone (375 px): find a course by a word that only its lesson text holds (and by the
same word typed without accents), see the covers, share it on WhatsApp, enroll, follow the outline
through every kind of activity with previous/next, play the demo video with captions in the page's
language, rate the course and see the review, then leave it.

Every page the visit touches is checked with axe-core (no serious or critical violations), for
sideways scrolling on the phone, and for anything the Content Security Policy blocked.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from courses.demo_content import COURSES, EMPATHY_SLUG_EN
from tests.browser.conftest import Steps, axe_serious, csp_violations, new_page
from tests.browser.test_learner_journey import Words

PASSWORD = "a-catalog-passphrase-2026"
REVIEW = {"en": "Clear examples I could use on my next shift.",
          "pt-br": "Exemplos claros que usei já no turno seguinte."}
WORD = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _course_spec(language: str) -> dict:
    if language == "en":
        return next(c for c in COURSES if c["slug"] == EMPATHY_SLUG_EN)
    return next(c for c in COURSES if c.get("translation_of") == EMPATHY_SLUG_EN and c["language"].startswith("pt"))


def _words_of(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text or "")}


def _lesson_only_word(spec: dict) -> str:
    """A long word of the course's lesson text that no course shows in its title, summary,
    description, tags, module or activity titles, and no other course's lessons hold; one with
    an accent when there is one, so the search can be tried without it."""
    shown: set[str] = set()
    elsewhere: set[str] = set()
    for course in COURSES:
        for key in ("title", "summary", "description"):
            shown |= _words_of(course.get(key, ""))
        shown |= {t.lower() for t in course.get("tags", [])}
        for module in course.get("modules", []):
            shown |= _words_of(module["title"])
            for activity in module["activities"]:
                shown |= _words_of(activity["title"])
                if course["slug"] != spec["slug"]:
                    lesson = activity.get("lesson") or {}
                    elsewhere |= _words_of(lesson.get("body", "")) | _words_of(lesson.get("transcript", ""))
    own: set[str] = set()
    for module in spec["modules"]:
        for activity in module["activities"]:
            own |= _words_of((activity.get("lesson") or {}).get("body", ""))
    folded_shown = {_fold(w) for w in shown | elsewhere}
    candidates = sorted(w for w in own if len(w) >= 8 and _fold(w) not in folded_shown)
    assert candidates, f"no lesson-only word in {spec['slug']}"
    accented = [w for w in candidates if _fold(w) != w]
    return (accented or candidates)[0]


def _check_page(page, steps: Steps, label: str, *, width: int) -> None:
    steps.shot(label)
    assert axe_serious(page) == [], label
    if width < 600:
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{label}: scrolls sideways by {overflow} px"
    assert csp_violations(page) == [], label


def _sign_in(page, email: str) -> None:
    page.goto("/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/my/")


def _covers_drawn(page) -> int:
    """How many course-card covers the browser decoded (lazy ones are scrolled into view first)."""
    return page.evaluate("""async () => {
        const images = [...document.querySelectorAll('.card img')];
        for (const image of images) { image.scrollIntoView(); }
        await Promise.all(images.map(image => image.complete ? null : new Promise(done => {
            image.addEventListener('load', done); image.addEventListener('error', done); })));
        window.scrollTo(0, 0);
        return images.filter(image => image.naturalWidth > 0).length;
    }""")


def _play_video(page, language: str) -> None:
    """The video lesson: its caption track in the page's language shows and has cues; it plays."""
    video = page.locator("video")
    expect(video).to_have_count(1)
    video.scroll_into_view_if_needed()
    state = page.evaluate("""async (language) => {
        const video = document.querySelector('video');
        video.muted = true;
        await video.play();
        const tracks = [...video.textTracks];
        const showing = tracks.filter(track => track.mode === 'showing');
        for (let i = 0; i < 50 && !(showing[0] && showing[0].cues && showing[0].cues.length); i++) {
            await new Promise(done => setTimeout(done, 100));
        }
        await new Promise(done => setTimeout(done, 600));
        video.pause();
        return {first: tracks[0] && tracks[0].mode, showing: showing.map(t => t.language),
                cues: showing[0] && showing[0].cues ? showing[0].cues.length : 0,
                played: video.currentTime};
    }""", language)
    page_language = "pt" if language.startswith("pt") else "en"
    assert state["first"] == "showing", state
    assert [lang.lower().split("-")[0] for lang in state["showing"]] == [page_language], state
    assert state["cues"] > 0, state
    assert state["played"] > 0, state


def visit(page, steps: Steps, words: Words, *, language: str, width: int) -> None:
    spec = _course_spec(language)
    title = spec["title"]

    # The catalog shows a cover on every card.
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name=words("Course catalog"))).to_be_visible()
    cards = page.locator(".card").count()
    assert cards >= 6
    assert _covers_drawn(page) == cards
    _check_page(page, steps, "catalog with covers", width=width)

    # Search by a word only the lesson text holds, as written and without its accents.
    word = _lesson_only_word(spec)
    for typed in dict.fromkeys([word, _fold(word)]):
        search = page.get_by_label(words("Search courses"))
        search.fill(typed)
        search.press("Enter")
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    _check_page(page, steps, f"search for {_fold(word)}", width=width)

    # The course page: WhatsApp share carries the course's address.
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    course_url = page.url
    whatsapp = page.get_by_role("link", name=words("Share on WhatsApp")).get_attribute("href")
    assert urlsplit(whatsapp).netloc == "wa.me"
    assert course_url in parse_qs(urlsplit(whatsapp).query)["text"][0]
    _check_page(page, steps, "course page", width=width)
    page.get_by_role("button", name=words("Enroll")).click()
    expect(page.get_by_role("button", name=words("Enroll"))).to_have_count(0)

    # The outline, from the first activity to the last by "Next".
    expected_kinds = {a["kind"] for m in spec["modules"] for a in m["activities"]}
    first = spec["modules"][0]["activities"][0]["title"]
    page.get_by_role("main").get_by_role("link", name=first, exact=True).first.click()
    seen_kinds: set[str] = set()
    visited: list[str] = []
    while True:
        heading = page.get_by_role("heading", level=1).inner_text().strip()
        visited.append(heading)
        folder = page.locator("details.player-outline")
        if width < 600:  # on a phone the outline starts folded above the activity; the reader opens it
            expect(folder).not_to_have_attribute("open", "")
            folder.locator("summary").click()
        outline = page.get_by_role("navigation", name=words("Course outline"))
        expect(outline).to_have_count(1)
        current = outline.locator("[aria-current]")
        expect(current).to_have_count(1)
        assert current.inner_text().strip().startswith(heading) or heading in current.inner_text()
        expect(page.locator(".progress, [role=progressbar], progress").first).to_be_attached()
        kind = page.locator("[data-activity-kind]").first.get_attribute("data-activity-kind")
        seen_kinds.add(kind)
        if page.locator("video").count():
            _play_video(page, language)
        _check_page(page, steps, f"activity {len(visited)} {kind}", width=width)
        complete = page.get_by_role("button", name=words("Mark as complete"))
        if complete.count():
            complete.click()
            page.wait_for_load_state("domcontentloaded")
            if page.get_by_role("heading", level=1).inner_text().strip() != heading:
                continue  # marking it complete moved on to the next activity
        following = page.locator("nav.pager a[rel=next]")
        if not following.count():
            break
        following.click()
        page.wait_for_load_state("domcontentloaded")
    assert seen_kinds == expected_kinds, (seen_kinds, expected_kinds)
    assert len(visited) == sum(len(m["activities"]) for m in spec["modules"])

    # Rate the course and see the review on its page.
    page.goto(course_url)
    page.get_by_label("4", exact=False).first.check()
    page.get_by_label(words("Review"), exact=False).first.fill(REVIEW[language])
    page.get_by_role("button", name=words("Save my rating")).click()
    reviews = page.locator("section[aria-labelledby=reviews-heading]")
    expect(reviews).to_contain_text(REVIEW[language])
    _check_page(page, steps, "rated", width=width)

    # Leave the course (the page asks first).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=words("Leave the course")).click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        words("You left the course. Your progress is kept if you enroll again."))
    expect(page.get_by_role("button", name=words("Enroll"))).to_be_visible()
    _check_page(page, steps, "left the course", width=width)
    assert page.problems == []


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_catalog_journey(demo_stack, chromium, language, width):
    email = f"explorer-{language}-{width}@acme.example"
    demo_stack.add_learner(email, "Lia" if language == "en" else "Rui", "Explorer", language=language)
    demo_stack.shell(f"from lms.models import User\nu = User.objects.get(email={email!r})\n"
                     f"u.set_password({PASSWORD!r})\nu.save()\n")
    page = new_page(chromium, demo_stack, width=width, locale="pt-BR" if language == "pt-br" else "en-US")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": demo_stack.base_url}])
    _sign_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR" if language == "pt-br" else "en")
    visit(page, Steps(page, f"catalog-{language}-{width}"), Words(language), language=language, width=width)
