"""The demo instructor's journey through /teach/, in a real browser, in English and in Portuguese: author a course
from nothing to published (a module, an article previewed before it is saved, an imported quiz, a workshop), give
the workshop a session of two seats, see four learners register (two on the waitlist), reschedule the session (each
booked learner's mail carries the updated invitation: same UID, higher SEQUENCE, METHOD:REQUEST, the new start),
take attendance on a phone and undo a wrong mark, override a quiz score in the gradebook, and watch the learner's
completion and certificate follow.

Every /teach/ page the journey visits is checked with axe-core (no serious or critical violation); the attendance
screen at 375 px must not scroll sideways.
"""
from __future__ import annotations

import email
import json
import os
import random
import re
import uuid
import zoneinfo
from datetime import datetime, timedelta
from email import policy

import icalendar
import pytest
from django.utils import translation
from playwright.sync_api import expect

from courses.enrollments.gradebook_export import enrollment_status_label
from tests.browser.conftest import Steps, axe_serious, csp_violations, new_page
from tests.browser.test_learner_journey import Words
from tests.courses.certificates.conftest import wait_for

INSTRUCTOR = "instructor@acme.example"
DEMO_PASSWORD = "empathy-demo-2026"
ZONE = "America/Sao_Paulo"  # the demo organization's zone; the session is held in it
# Demo learners of Acme Support, in the order they register: the first two get the seats, the last two wait.
LEARNERS = ["learner@acme.example", "learner2@acme.example", "learner3@acme.example", "learner4@acme.example"]
ARTICLE = {
    "en": "# Listen first\n\nLet the caller finish before you answer. "
          + "Repeat what you heard in your own words. " * 80,
    "pt-br": "# Ouça primeiro\n\nDeixe o cliente terminar antes de responder. "
             + "Repita com suas palavras o que ouviu. " * 80,
}
HEADING = {"en": "Listen first", "pt-br": "Ouça primeiro"}


def _quiz_document(language: str) -> dict:
    """A quiz file in the format the quiz import takes (assessments/quizzes/services/transfer.py)."""
    english = language == "en"
    return {
        "format": "empathy-lms/quiz", "version": 1, "title": "Listening check" if english else "Teste de escuta",
        "passing_score": 100, "max_attempts": 3, "shuffle_questions": False, "shuffle_choices": False,
        "questions": [
            {"kind": "single_choice", "points": 1,
             "prompt": "What comes first on an angry call?" if english else "O que vem primeiro numa ligação difícil?",
             "choices": [{"text": "Listening" if english else "Ouvir", "correct": True},
                         {"text": "The refund policy" if english else "A política de reembolso", "correct": False}]},
            {"kind": "true_false", "points": 1,
             "prompt": "Interrupting shows you care." if english else "Interromper mostra interesse.",
             "choices": [{"text": "True" if english else "Verdadeiro", "correct": False},
                         {"text": "False" if english else "Falso", "correct": True}]},
        ],
    }


class Journey:
    """The instructor's page(s), the words of the run's language, and what was found on the way: a screenshot of
    each step, axe-core's serious/critical findings on every /teach/ page (asserted at the end)."""

    def __init__(self, page, stack, language: str) -> None:
        self.page = page
        self.stack = stack
        self.language = language
        self.words = Words(language)
        self.steps = Steps(page, f"instructor-{language}")
        self.problems: dict[str, list[str]] = {}
        self.visited: set[str] = set()
        self.tag = uuid.uuid4().hex[:6]  # in the titles, so the mail of this run is told from another's

    def t(self, text: str) -> str:
        return self.words(text, "teach")

    def check(self, label: str, page=None) -> None:
        page = page or self.page
        self.steps.page = page
        self.steps.shot(label)
        path = "/" + page.url.split("://", 1)[-1].split("/", 1)[-1]
        if not path.startswith("/teach/"):
            return
        self.visited.add(path.split("?")[0])
        found = axe_serious(page)
        if found:
            self.problems[f"{label} ({path})"] = found
        blocked = csp_violations(page)
        if blocked:
            self.problems[f"{label} ({path}): CSP"] = blocked

    def submit(self, button, page=None) -> None:
        with (page or self.page).expect_navigation():
            button.click()


def _sign_in(page, language: str, email_address: str = INSTRUCTOR, *, phone: bool = False) -> None:
    page.goto("/sign-in/")
    if language != "en" and phone:  # on a phone the language selector is folded in the menu: the cookie it sets
        origin = page.url.split("/sign-in/")[0] + "/"
        page.context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
        page.reload()
    elif language != "en":
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR" if language != "en" else "en")
    page.locator("#id_username").fill(email_address)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _local(moment: datetime) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")


def create_course(j: Journey) -> str:
    """/teach/courses/new/ -> the new course's structure page. Returns its slug."""
    page, t = j.page, j.t
    title = f"{'Calm calls' if j.language == 'en' else 'Ligações calmas'} {j.tag}"
    page.goto("/teach/courses/new/")
    expect(page.get_by_role("heading", level=1, name=t("New course"))).to_be_visible()
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("Keep a hard call calm." if j.language == "en" else "Mantenha a calma na ligação.")
    page.locator("#id_language").fill(j.language)
    page.locator("#id_organization").select_option(label="Acme Support")
    j.check("new course form")
    j.submit(page.get_by_role("button", name=t("Create the course")))
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    slug = page.url.rstrip("/").split("/")[-1]
    assert page.url.endswith(f"/teach/courses/{slug}/")
    j.check("course structure, empty")
    return slug


def add_activity(j: Journey, module, title: str, kind: str, *, required: bool) -> None:
    module.locator("details > summary").click()
    form = module.locator("form[action$='/activities/']")
    form.locator("input[name$='-title']").fill(title)
    form.locator("select[name$='-kind']").select_option(kind)
    form.locator("input[name$='-required']").set_checked(required)
    j.submit(form.get_by_role("button", name=j.t("Add the activity")))


def write_article(j: Journey, slug: str, module) -> None:
    """An optional article lesson: written, previewed as the learner will see it (heading, reading time), saved."""
    page, t = j.page, j.t
    title = "Hear them out" if j.language == "en" else "Escute até o fim"
    add_activity(j, module, title, "lesson", required=False)
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()  # the lesson editor opened
    assert re.search(rf"/teach/courses/{slug}/activities/\d+/$", page.url), page.url
    j.check("lesson editor")
    page.locator("textarea[name=body]").fill(ARTICLE[j.language])
    j.submit(page.get_by_role("button", name=t("Preview"), exact=True))
    expect(page.locator("#article-preview").get_by_role("heading", name=HEADING[j.language])).to_be_visible()
    with translation.override(j.language):
        read = translation.ngettext("%(minutes)s min read", "%(minutes)s min read", 3) % {"minutes": "NN"}
    minutes = page.locator("#reading-time").inner_text().strip()
    assert re.fullmatch(re.escape(read).replace("NN", r"([2-9]|\d\d)"), minutes), minutes  # ~500 words
    j.check("lesson preview")
    j.submit(page.get_by_role("button", name=t("Save article")))
    expect(page.locator("textarea[name=body]")).to_have_value(ARTICLE[j.language])
    j.check("lesson saved")


def import_quiz(j: Journey, slug: str, module, tmp_path) -> str:
    """A required quiz, its questions imported from a quiz file. Returns its title."""
    page, t = j.page, j.t
    title = "Listening check" if j.language == "en" else "Teste de escuta"
    page.goto(f"/teach/courses/{slug}/")
    add_activity(j, page.locator("section.teach-module").first, title, "quiz", required=True)
    with page.expect_navigation():
        page.get_by_role("link", name=title, exact=True).click()
    j.check("quiz activity")
    j.submit(page.get_by_role("link", name=t("Edit the quiz")))
    assert re.search(r"/teach/quizzes/\d+/$", page.url), page.url
    j.check("quiz editor, empty")
    document = _quiz_document(j.language)
    path = tmp_path / f"quiz-{j.language}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    page.locator("#import input[type=file]").set_input_files(str(path))
    j.submit(page.get_by_role("button", name=t("Import quiz")))
    rows = page.locator("#questions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(document["questions"][0]["prompt"])
    j.check("quiz imported")
    return title


def create_workshop(j: Journey, slug: str) -> int:
    """/teach/workshops/new/ on the new course (a required workshop activity). Returns the workshop's id."""
    page, t = j.page, j.t
    page.goto("/teach/workshops/new/")
    j.check("new workshop form")
    page.locator("#id_course").select_option(slug)
    page.locator("#id_title").fill(workshop_title(j))
    page.locator("#id_required").check()
    j.submit(page.get_by_role("button", name=t("Create the workshop")))
    found = re.search(r"/teach/workshops/(\d+)/sessions/new/$", page.url)
    assert found, page.url
    return int(found.group(1))


def workshop_title(j: Journey) -> str:
    return f"{'Practice calls' if j.language == 'en' else 'Ligações de treino'} {j.tag}"


def publish(j: Journey, slug: str) -> None:
    page, t = j.page, j.t
    page.goto(f"/teach/courses/{slug}/")
    status = page.locator("main h1 + p .badge")
    expect(status).to_have_text(t("Draft"))
    checks = page.locator("ul.teach-checks > li")
    assert checks.count() >= 1
    expect(page.locator("ul.teach-checks .badge.bad")).to_have_count(0)
    expect(page.locator("ul.teach-checks .badge.good")).to_have_count(checks.count())
    j.check("course ready to publish")
    j.submit(page.get_by_role("button", name=t("Publish"), exact=True))
    expect(status).to_have_text(t("Published"))
    expect(page.get_by_role("button", name=t("Publish"), exact=True)).to_have_count(0)
    j.check("course published")


def create_session(j: Journey, workshop_id: int, start: datetime) -> int:
    """A session of two seats with a waitlist, one part. Returns its id."""
    page, t = j.page, j.t
    assert page.url.endswith(f"/teach/workshops/{workshop_id}/sessions/new/")
    j.check("new session form")
    page.locator("#id_timezone").select_option(ZONE)
    page.locator("#id_capacity").fill("2")
    page.locator("#id_waitlist_enabled").check()
    page.get_by_label(re.compile(re.escape(f"<{INSTRUCTOR}>"))).check()  # the session's instructor takes attendance
    page.locator("#id_part_1_start").fill(_local(start))
    page.locator("#id_part_1_end").fill(_local(start + timedelta(hours=2)))
    j.submit(page.get_by_role("button", name=t("Schedule the session")))
    found = re.search(r"/teach/workshops/sessions/(\d+)/$", page.url)
    assert found, page.url
    j.check("session created")
    return int(found.group(1))


def register_learners(j: Journey, slug: str, session_id: int) -> None:
    """The learners' own part, done through the services (the same the learners' pages call): each enrolls in the
    new course and registers for the session."""
    j.stack.shell(
        "from courses.catalog.models import Course\n"
        "from courses.enrollments.services import enrollment_create\n"
        "from courses.workshops.models import WorkshopSession\n"
        "from courses.workshops.services.sessions import registration_create\n"
        "from lms.models import User\n"
        f"course = Course.objects.get(slug={slug!r})\n"
        f"session = WorkshopSession.objects.get(pk={session_id})\n"
        f"for address in {LEARNERS!r}:\n"
        "    user = User.objects.get(email=address)\n"
        "    enrollment_create(user=user, course=course)\n"
        "    registration_create(session=session, user=user)\n"
    )


def _invitations(stack, address: str, title: str) -> list[tuple[email.message.EmailMessage, icalendar.Calendar]]:
    """The learner's mails about the session titled ``title`` that carry a calendar part, oldest first. Read as
    bytes: the calendar part may be 8-bit UTF-8, which a text read would garble."""
    folder = stack.var_dir / "mail"
    found = []
    for path in sorted(folder.iterdir(), key=os.path.getmtime) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address.lower() not in str(message["To"]).lower():
            continue
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                if str(_event(calendar).get("SUMMARY", "")).startswith(title):
                    found.append((message, calendar))
    return found


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    return next(iter(calendar.walk("VEVENT")))


def reschedule(j: Journey, session_id: int, title: str, start: datetime) -> None:
    """The session's manage page: the roster has two booked, two waiting; the edit form moves it to ``start``. Each
    booked learner's new mail holds the same UID as their first invitation, a higher SEQUENCE, the new start."""
    page, t = j.page, j.t
    page.goto(f"/teach/workshops/sessions/{session_id}/")
    seats = t("%(booked)s of %(capacity)s booked, %(waiting)s on the waitlist") % {
        "booked": 2, "capacity": 2, "waiting": 2}
    expect(page.locator("dl.facts")).to_contain_text(seats)
    expect(page.locator("section[aria-labelledby=roster-heading] tbody tr")).to_have_count(4)
    expect(page.locator("ul.registrations > li")).to_have_count(2)  # the waitlist
    j.check("session with a waitlist")
    booked = LEARNERS[:2]
    first = {address: wait_for(lambda a=address: _invitations(j.stack, a, title), timeout=60,
                               what=f"the booking mail to {address}")[0] for address in booked}
    form = page.locator(f"form[action='/teach/workshops/sessions/{session_id}/edit/']")
    form.locator("[name=part_1_start]").fill(_local(start))
    form.locator("[name=part_1_end]").fill(_local(start + timedelta(minutes=70)))
    j.submit(form.get_by_role("button", name=t("Save the session")))
    assert page.url.endswith(f"/teach/workshops/sessions/{session_id}/"), page.url
    j.check("session rescheduled")
    for address in booked:
        old = _event(first[address][1])
        uid, old_start = str(old["UID"]), old.decoded("DTSTART")

        def updated(address=address, uid=uid, old_start=old_start):
            return [(message, calendar) for message, calendar in _invitations(j.stack, address, title)
                    if str(_event(calendar)["UID"]) == uid and _event(calendar).decoded("DTSTART") != old_start]

        message, calendar = wait_for(updated, timeout=60, what=f"the rescheduled invitation to {address}")[-1]
        event = _event(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == str(old["UID"])
        assert int(event["SEQUENCE"]) > int(old["SEQUENCE"])
        assert event.decoded("DTSTART") == start
        if j.language != "en" and address == LEARNERS[0]:  # this run made the first learner a Portuguese reader
            with translation.override("pt-br"):
                subject = translation.gettext("Session rescheduled: {title}").split("{")[0].strip()
            assert subject != "Session rescheduled:"
            assert str(message["Subject"]).strip().startswith(subject), message["Subject"]


def take_attendance(j: Journey, chromium, session_id: int) -> None:
    """On a phone: everyone booked marked present one tap each, then a wrong tap (absent) undone."""
    phone = new_page(chromium, j.stack, width=375)
    _sign_in(phone, j.language, phone=True)
    t = j.t
    phone.goto(f"/teach/workshops/sessions/{session_id}/attendance/")
    rows = phone.locator("ul.attendance-roster > li")
    expect(rows).to_have_count(2)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the attendance screen scrolls sideways by {overflow} px"
    j.check("attendance at 375 px", phone)
    for index in range(2):
        row = phone.locator("ul.attendance-roster > li").nth(index)
        j.submit(row.locator("button[name=status][value=attended]"), phone)
        expect(phone.locator("ul.attendance-roster > li").nth(index).locator("button[value=attended]")
               ).to_have_attribute("aria-pressed", "true")
    j.check("everyone present", phone)
    # A wrong tap on the second learner, then Undo puts the mark back.
    second = phone.locator("ul.attendance-roster > li").nth(1)
    j.submit(second.locator("button[name=status][value=absent]"), phone)
    expect(phone.locator("ul.attendance-roster > li").nth(1).locator("button[value=absent]")
           ).to_have_attribute("aria-pressed", "true")
    j.check("a wrong mark", phone)
    j.submit(phone.get_by_role("button", name=t("Undo")), phone)
    for index in range(2):
        expect(phone.locator("ul.attendance-roster > li").nth(index).locator("button[value=attended]")
               ).to_have_attribute("aria-pressed", "true")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the attendance screen scrolls sideways by {overflow} px"
    j.check("mark undone", phone)
    assert phone.problems == []
    phone.context.close()


def _certificate(stack, address: str, slug: str) -> str:
    """The learner's valid certificate code on the course, or "" (asked of the stack's own database)."""
    out = stack.shell(
        "from courses.certificates.models import Certificate\n"
        f"found = Certificate.objects.filter(enrollment__user__email={address!r}, enrollment__course__slug={slug!r}, "
        "status='valid').values_list('code', flat=True).first()\n"
        "print('CODE=' + (found or ''))\n")
    return out.rsplit("CODE=", 1)[-1].strip()


def override_and_complete(j: Journey, slug: str, quiz_title: str) -> None:
    """Gradebook: the first learner's quiz score overridden, with a reason; with the attendance mark the course is
    complete, the gradebook says so and the worker issues the certificate."""
    page, t = j.page, j.t
    learner = LEARNERS[0]
    with translation.override(j.language):
        completed = str(enrollment_status_label("completed"))
    page.goto(f"/teach/courses/{slug}/gradebook/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(LEARNERS))
    row = rows.filter(has=page.get_by_text(learner, exact=True))
    expect(row).not_to_contain_text(completed)
    j.check("gradebook")
    with page.expect_navigation():
        row.locator("th a").click()
    assert re.search(rf"/teach/courses/{slug}/gradebook/\d+/$", page.url), page.url
    learner_url = page.url
    j.check("gradebook learner")
    page.locator("#id_override-activity").select_option(label=quiz_title)
    page.locator("#id_override-score").fill("100")
    # A score alone is recorded as it is (the override service keeps "failed" unless told): mark it passed too.
    page.locator("#id_override-passed").check()
    page.locator("#id_override-reason").fill(
        "Answered every question aloud in the practice call." if j.language == "en"
        else "Respondeu a todas as perguntas em voz alta na ligação de treino.")
    j.submit(page.get_by_role("button", name=t("Save the result")))
    assert page.url == learner_url, page.url
    history = page.locator("table", has=page.locator("caption", has_text=t("Changed results")))
    expect(history).to_contain_text(quiz_title)
    expect(page.locator("dl.facts")).to_contain_text(completed)
    j.check("score overridden")
    page.goto(f"/teach/courses/{slug}/gradebook/")
    expect(page.locator("main table tbody tr").filter(has=page.get_by_text(learner, exact=True))
           ).to_contain_text(completed)
    j.check("gradebook with a completion")
    code = wait_for(lambda: _certificate(j.stack, learner, slug), timeout=90,
                    what="the worker to issue the certificate")
    assert code


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_instructor_journey(demo_stack, chromium, language, tmp_path):
    reader = f"from lms.models import User\nreader = User.objects.filter(email={LEARNERS[0]!r})\n"
    if language != "en":  # a Portuguese reader among the booked, to see their mail in Portuguese
        own_language = demo_stack.shell(reader + "print('LANG=' + reader.get().language)").rsplit("LANG=", 1)[-1]
        demo_stack.shell(reader + "reader.update(language='pt-br')\n")
    page = new_page(chromium, demo_stack)
    j = Journey(page, demo_stack, language)
    try:
        _sign_in(page, language)
        slug = create_course(j)
        module_title = "Listening" if language == "en" else "Escuta"
        add_module = page.locator(f"form[action='/teach/courses/{slug}/modules/']")
        add_module.locator("input[name$='title']").fill(module_title)
        j.submit(add_module.get_by_role("button", name=j.t("Add the module")))
        module = page.locator("section.teach-module").filter(
            has=page.get_by_role("heading", level=3, name=module_title))
        expect(module).to_have_count(1)
        write_article(j, slug, module)
        page.goto(f"/teach/courses/{slug}/")
        quiz_title = import_quiz(j, slug, page.locator("section.teach-module").first, tmp_path)
        workshop_id = create_workshop(j, slug)
        # A day of its own weeks ahead: a learner cannot hold two overlapping places (another run's session).
        first_start = datetime.now().astimezone() + timedelta(days=random.randint(14, 400))
        session_id = create_session(j, workshop_id, first_start)
        publish(j, slug)
        register_learners(j, slug, session_id)
        session_title = workshop_title(j)
        # Attendance can only be taken once a part has started: the reschedule moves the session to one that began
        # ten minutes ago (the service allows it), so the phone can take attendance right after.
        reschedule(j, session_id, session_title,
                   (datetime.now().astimezone() - timedelta(minutes=10)).replace(second=0, microsecond=0))
        take_attendance(j, chromium, session_id)
        override_and_complete(j, slug, quiz_title)
    finally:
        if language != "en":
            demo_stack.shell(reader + f"reader.update(language={own_language.strip()!r})\n")
    # Every kind of /teach/ screen the journey went through was checked with axe-core.
    shapes = {re.sub(r"/\d+/", "/#/", re.sub(rf"/{slug}/", "/<slug>/", path)) for path in j.visited}
    assert {"/teach/courses/new/", "/teach/courses/<slug>/", "/teach/courses/<slug>/activities/#/",
            "/teach/quizzes/#/", "/teach/workshops/new/", "/teach/workshops/#/sessions/new/",
            "/teach/workshops/sessions/#/", "/teach/workshops/sessions/#/attendance/",
            "/teach/courses/<slug>/gradebook/", "/teach/courses/<slug>/gradebook/#/"} <= shapes, shapes
    assert j.problems == {}
    assert page.problems == []
