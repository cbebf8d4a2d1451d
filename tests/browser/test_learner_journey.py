"""A learner's whole journey through the demo empathy course, in a real browser, in English and in
Portuguese: sign in, enroll, read the lessons, pass the quizzes, submit the role-play, register for
the workshop, finish, download the certificate and see the public verify page call it valid.

Buttons and links are found by role and accessible name in the page's language, so the Portuguese
run also proves the interface is translated.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.utils import translation
from playwright.sync_api import expect

from assessments.demo import QUIZZES
from courses.demo_content import EMPATHY_SLUG_EN
from tests.browser.conftest import Steps, csp_violations, new_page
from tests.courses.certificates.conftest import wait_for

COURSE_TITLE = "The Power of Empathy in Customer Service"
PASSWORD = "a-journey-passphrase-2026"
ROLEPLAY_TRANSCRIPT = (
    "Customer: The gift arrived broken and the party is tomorrow.\n"
    "Agent: A broken gift the day before a birthday is awful. I'm sending a new one by express today, "
    "and I'll call you when it leaves the warehouse."
)


@dataclass(frozen=True)
class Words:
    """The interface strings the journey clicks, in one language (gettext of the English source)."""

    language: str

    def __call__(self, text: str, context: str = "") -> str:
        with translation.override(self.language):
            return translation.pgettext(context, text) if context else translation.gettext(text)


def _answers(slug: str = EMPATHY_SLUG_EN) -> dict[str, dict]:
    """Question prompt -> what to answer, from the demo's own quiz data for the course ``slug``."""
    answers = {}
    for _module, _title, _settings, questions in QUIZZES[slug]:
        for question in questions:
            if question["kind"] == "short_text":
                answers[question["prompt"]] = {"text": question["accepted_answers"][0]}
            else:
                answers[question["prompt"]] = {"choices": [c["text"] for c in question["choices"] if c["correct"]]}
    return answers


def answer_quiz(page, words: Words, slug: str = EMPATHY_SLUG_EN) -> None:
    """Answer the quiz on the page right, from the demo's answers, and send it."""
    answers = _answers(slug)
    questions = page.locator("fieldset")
    questions.first.wait_for()  # the attempt's page, once "Start quiz" has loaded it
    assert questions.count() > 0
    for index in range(questions.count()):
        fieldset = questions.nth(index)
        legend = fieldset.locator("legend").inner_text()
        prompt = next(p for p in answers if p.strip() in legend or legend.strip() in p)
        answer = answers[prompt]
        if "text" in answer:
            fieldset.locator("input[type=text], textarea").first.fill(answer["text"])
        else:
            for choice in answer["choices"]:
                fieldset.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name=words("Submit answers")).click()


def journey(page, steps: Steps, words: Words, stack, *, email: str, reset_password: bool) -> None:
    if reset_password:
        page.goto("/sign-in/")
        steps.shot("sign-in page")
        page.get_by_role("link", name=words("Forgot your password?")).click()
        page.get_by_label(words("Email address")).fill(email)
        page.get_by_role("button", name=words("Send the link")).click()
        expect(page.get_by_role("heading", name=words("Check your email"))).to_be_visible()
        steps.shot("reset link sent")
        mail = wait_for(lambda: stack.mail_to(email), timeout=30, what="the password reset mail")[-1]
        link = re.search(r"https?://\S+/password-reset/\S+/", mail.replace("=\n", "")).group(0)
        page.goto(re.sub(r"^https?://[^/]+", "", link))
        page.locator("#id_new_password1").fill(PASSWORD)
        page.locator("#id_new_password2").fill(PASSWORD)
        steps.shot("choose a new password")
        page.get_by_role("button", name=words("Save the new password")).click()
        expect(page.get_by_role("heading", name=words("Password changed"))).to_be_visible()
        page.get_by_role("main").get_by_role("link", name=words("Sign in")).click()
    else:
        page.goto("/sign-in/")
    page.get_by_label(words("Email address")).fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=words("Sign in")).click()
    expect(page.get_by_role("link", name=words("My learning"))).to_be_visible()
    steps.shot("signed in")

    # Catalog -> course -> enroll.
    page.get_by_role("link", name=words("Catalog")).first.click()
    page.get_by_label(words("Search courses")).fill("empathy")
    page.get_by_label(words("Search courses")).press("Enter")
    steps.shot("catalog search")
    page.get_by_role("link", name=COURSE_TITLE, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=COURSE_TITLE)).to_be_visible()
    steps.shot("course page")
    page.get_by_role("button", name=words("Enroll")).click()
    expect(page.get_by_role("button", name=words("Enroll"))).to_have_count(0)
    steps.shot("enrolled")
    course_url = page.url

    # Module by module, in course order: each required lesson marked complete, then the module's
    # quiz answered right (later modules may wait for earlier ones).
    from courses.demo_content import COURSES

    spec = next(c for c in COURSES if c["slug"] == EMPATHY_SLUG_EN)
    quizzes = [title for _module, title, _settings, _questions in QUIZZES[EMPATHY_SLUG_EN]]
    for number, (module, quiz_title) in enumerate(zip(spec["modules"], quizzes, strict=True), start=1):
        lessons = [a["title"] for a in module["activities"] if a["kind"] == "lesson" and a["required"]]
        for title in lessons:
            page.goto(course_url, wait_until="domcontentloaded")
            page.get_by_role("link", name=title, exact=True).click()
            expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
            if steps.count < 9:
                steps.shot("lesson reader")
            lesson_url = page.url
            button = page.get_by_role("button", name=words("Mark as complete"))
            button.scroll_into_view_if_needed()
            if page.locator("iframe").count():
                # The lazy video frame starts loading as it scrolls into view; a click racing its
                # first load is lost in Chromium, so let it settle as a reader's eyes would.
                page.frame_locator("iframe").locator("body").wait_for()
            button.click()
            expect(page).not_to_have_url(lesson_url)  # moved on to the next activity
        page.goto(course_url, wait_until="domcontentloaded")
        page.get_by_role("link", name=quiz_title, exact=True).click()
        if number == 1:
            steps.shot("quiz start")
        page.get_by_role("button", name=words("Start quiz")).click()
        if number == 1:
            steps.shot("quiz questions")
        answer_quiz(page, words)
        expect(page.get_by_text(words("Passed"), exact=False).first).to_be_visible()
        if number == 1:
            steps.shot("quiz result")
    page.goto(course_url, wait_until="domcontentloaded")
    steps.shot("course complete")

    # The optional role-play: submit a transcript.
    page.goto(course_url, wait_until="domcontentloaded")
    page.get_by_role("link", name="Role-play: the broken birthday gift", exact=True).click()
    steps.shot("role-play")
    page.get_by_label(words("Transcript")).fill(ROLEPLAY_TRANSCRIPT)
    page.get_by_role("button", name=words("Submit role-play")).click()
    steps.shot("role-play submitted")

    # The optional workshop: register for the upcoming session (the demo leaves one seat).
    page.get_by_role("link", name=words("Workshops")).first.click()
    steps.shot("workshops")
    page.locator("a[href*='/workshops/sessions/']").first.click()
    page.get_by_role("button", name=words("Register", "workshops")).click()
    expect(page.get_by_role("button", name=words("Cancel registration", "workshops"))).to_be_visible()
    steps.shot("registered for the workshop")

    # Finished: the worker issues the certificate; My learning shows it.
    def certificate_listed() -> bool:
        page.goto("/my/")
        return page.get_by_role("link", name=words("Download PDF", "my learning")).count() > 0

    wait_for(certificate_listed, timeout=90, what="the worker to issue the certificate")
    steps.shot("my learning with the certificate")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=words("Download PDF", "my learning")).first.click()
    pdf = download_info.value
    data = open(pdf.path(), "rb").read()
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert COURSE_TITLE in " ".join(text.split())

    page.get_by_role("link", name=words("Verify", "my learning")).first.click()
    expect(page.get_by_role("status")).to_contain_text(words("Valid", "verify"))
    steps.shot("public verify page")

    assert csp_violations(page) == []
    assert page.problems == []


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_learner_journey(demo_stack, chromium, language):
    email = f"journey-{language}@acme.example"
    demo_stack.add_learner(email, "Bea" if language == "en" else "Caio", "Journey", language=language)
    page = new_page(chromium, demo_stack)
    steps = Steps(page, f"journey-{language}")
    words = Words(language)
    if language == "pt-br":
        page.goto("/sign-in/")
        page.get_by_label("Language").select_option("pt-br")
        expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
        assert page.get_by_role("link", name="Esqueceu a senha?").count() == 1
        demo_stack.shell(f"from lms.models import User\nu = User.objects.get(email={email!r})\n"
                         f"u.set_password({PASSWORD!r})\nu.save()\n")
    journey(page, steps, words, demo_stack, email=email, reset_password=language == "en")
