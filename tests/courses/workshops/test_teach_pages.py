"""The instructor's workshop pages at /teach/workshops/: who may open them, the list, creating a workshop and a
session, and managing a session (edit, capacity, waitlist, cancel, messages), with bad input refused."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.workshops import tasks
from courses.workshops.models import (
    Registration,
    SessionMessage,
    SessionMessageDelivery,
    Workshop,
    WorkshopEmail,
    WorkshopSession,
)
from courses.workshops.services import sessions as services
from tests import factories as people
from tests.courses.workshops.conftest import at, enrolled, make_session, make_workshop, workshop_course
from tests.helpers import page_text as text
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def staff(org):
    instructor = people.member(org, "instructor", user__first_name="Iris", user__last_name="Teach")
    course = workshop_course(organization=org)
    course.instructors.add(instructor)
    workshop = make_workshop(course=course, instructors=[instructor])
    session = make_session(workshop, capacity=2, timezone="UTC")
    return instructor, course, workshop, session


def book(session, count, org):
    course = session.workshop.activity.course
    learners = [enrolled(course, people.member(org, "learner")) for _ in range(count)]
    return [services.registration_create(session=session, user=learner)[0] for learner in learners]


def session_urls(session, registration) -> list[tuple[str, str]]:
    return [
        ("get", reverse("pages:teach-session", args=[session.pk])),
        ("post", reverse("pages:teach-session-edit", args=[session.pk])),
        ("post", reverse("pages:teach-session-capacity", args=[session.pk])),
        ("post", reverse("pages:teach-session-cancel", args=[session.pk])),
        ("post", reverse("pages:teach-session-message", args=[session.pk])),
        ("post", reverse("pages:teach-registration-approve", args=[session.pk, registration.pk])),
        ("post", reverse("pages:teach-registration-decline", args=[session.pk, registration.pk])),
        ("post", reverse("pages:teach-registration-move", args=[session.pk, registration.pk])),
        ("get", reverse("pages:teach-session-new", args=[session.workshop_id])),
        ("post", reverse("pages:teach-session-new", args=[session.workshop_id])),
    ]


# --- who may open what -----------------------------------------------------------------------------

def test_an_instructor_of_another_organization_finds_nothing(staff, org, other_org):
    _, _, _, session = staff
    registration = book(session, 3, org)[2]
    stranger = people.member(other_org, "instructor")
    browser = signed_in(stranger)
    for method, url in session_urls(session, registration):
        assert getattr(browser, method)(url).status_code == 404, url
    assert session.display_title not in text(browser.get(reverse("pages:teach-workshops")))
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.WAITLISTED


def test_an_instructor_of_the_same_organization_who_does_not_teach_the_course_finds_nothing(staff, org):
    _, _, _, session = staff
    registration = book(session, 1, org)[0]
    browser = signed_in(people.member(org, "instructor"))
    for method, url in session_urls(session, registration):
        assert getattr(browser, method)(url).status_code == 404, url


def test_learners_and_hr_are_refused(staff, org):
    _, _, _, session = staff
    registration = book(session, 1, org)[0]
    for role in ("learner", "hr"):
        browser = signed_in(people.member(org, role))
        for method, url in [*session_urls(session, registration), ("get", reverse("pages:teach-workshops")),
                            ("get", reverse("pages:teach-workshop-new"))]:
            assert getattr(browser, method)(url).status_code == 403, (role, url)


# --- the list --------------------------------------------------------------------------------------

def test_the_list_shows_upcoming_sessions_first_with_their_counts_then_past_ones(staff, org):
    instructor, _, workshop, session = staff
    book(session, 3, org)
    past = make_session(workshop, start=at(-10, hour=9), title="Last month's round")
    page = text(signed_in(instructor).get(reverse("pages:teach-workshops")))
    assert page.index(session.display_title) < page.index("Past and cancelled sessions") < page.index(past.title)
    assert "2 of 2" in page


def test_a_course_manager_sees_the_sessions_of_their_courses(staff, org):
    _, _course, _workshop, session = staff
    admin = people.member(org, "org_admin")
    other_teacher = people.member(org, "instructor")
    services.session_update(session=session, instructors=[other_teacher])
    assert session.display_title in text(signed_in(admin).get(reverse("pages:teach-workshops")))


# --- creating a workshop and a session ---------------------------------------------------------------

def test_an_instructor_creates_a_workshop_then_a_session(staff, org):
    instructor, course, _, _ = staff
    colleague = people.member(org, "instructor", user__first_name="Caio", user__email="caio@example.com")
    browser = signed_in(instructor)
    response = browser.post(reverse("pages:teach-workshop-new"), {"course": course.slug, "title": "Hard calls lab"})
    workshop = Workshop.objects.get(activity__title="Hard calls lab")
    assert response.status_code == 302 and workshop.activity.course == course
    form = browser.get(response["Location"])
    assert "caio@example.com" in text(form)
    start = at(5, hour=14)
    response = browser.post(response["Location"], {
        "title": "", "timezone": "America/Sao_Paulo", "venue": "Room 4", "online_url": "", "capacity": "3",
        "waitlist_enabled": "on", "cancellation_cutoff_hours": "24", "instructors": [colleague.pk],
        "part_1_start": start.strftime(LOCAL), "part_1_end": (start + timedelta(hours=2)).strftime(LOCAL)})
    session = WorkshopSession.objects.get(workshop=workshop)
    assert response.status_code == 302
    assert session.timezone == "America/Sao_Paulo" and session.capacity == 3
    assert session.starts_at == start.replace(tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert list(session.instructors.all()) == [colleague]


def test_instructors_come_only_from_the_courses_organization(staff, other_org):
    instructor, _, workshop, _ = staff
    outsider = people.member(other_org, "instructor", user__email="out@example.com")
    browser = signed_in(instructor)
    url = reverse("pages:teach-session-new", args=[workshop.pk])
    assert "out@example.com" not in text(browser.get(url))
    start = at(5, hour=14)
    response = browser.post(url, {"timezone": "UTC", "capacity": "3", "cancellation_cutoff_hours": "24",
                                  "instructors": [outsider.pk], "part_1_start": start.strftime(LOCAL),
                                  "part_1_end": (start + timedelta(hours=1)).strftime(LOCAL)})
    assert response.status_code == 400
    assert response.context["form"].errors["instructors"]
    assert WorkshopSession.objects.filter(workshop=workshop).count() == 1


@pytest.mark.parametrize("data, field", [
    ({"course": "", "title": "A"}, "course"),
    ({"course": "not-mine", "title": "A"}, "course"),
    ({"title": ""}, "title"),
])
def test_a_bad_new_workshop_is_refused_beside_its_field(staff, data, field):
    instructor, course, _, _ = staff
    data = {"course": course.slug, "title": "Lab", **data}
    before = Workshop.objects.count()
    response = signed_in(instructor).post(reverse("pages:teach-workshop-new"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Workshop.objects.count() == before


@pytest.mark.parametrize("change, field", [
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"part_1_start": "tomorrow"}, "part_1_start"),
    ({"part_1_end": ""}, "part_1_end"),
    ({"online_url": "not a url"}, "online_url"),
    ({"swap": True}, "part_1_end"),
])
def test_a_bad_new_session_is_refused_beside_its_field(staff, change, field):
    instructor, _, workshop, _ = staff
    start = at(5, hour=14)
    data = {"timezone": "UTC", "capacity": "3", "cancellation_cutoff_hours": "24",
            "part_1_start": start.strftime(LOCAL), "part_1_end": (start + timedelta(hours=1)).strftime(LOCAL)}
    if change.pop("swap", False):
        data["part_1_start"], data["part_1_end"] = data["part_1_end"], data["part_1_start"]
    data.update(change)
    response = signed_in(instructor).post(reverse("pages:teach-session-new", args=[workshop.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert WorkshopSession.objects.filter(workshop=workshop).count() == 1


# --- managing a session -----------------------------------------------------------------------------

def test_the_manage_page_shows_the_roster_the_waitlist_and_the_csv_link(staff, org):
    instructor, _, _, session = staff
    registrations = book(session, 3, org)
    page = signed_in(instructor).get(reverse("pages:teach-session", args=[session.pk]))
    assert page.status_code == 200
    body = text(page)
    assert registrations[2].user.email in body and "On the waitlist" in body
    assert reverse("v1:workshop-session-roster-csv", args=[session.pk]) in page.content.decode()


def test_a_larger_capacity_books_the_waitlist_at_once_and_mails_them(staff, org, mailoutbox):
    instructor, _, _, session = staff
    waiting = book(session, 4, org)[2:]
    response = signed_in(instructor).post(reverse("pages:teach-session-capacity", args=[session.pk]),
                                          {"capacity": "3"})
    assert response.status_code == 302
    assert [Registration.objects.get(pk=r.pk).status for r in waiting] == ["booked", "waitlisted"]
    email = WorkshopEmail.objects.get(registration=waiting[0], kind="promoted")
    assert tasks.workshop_email_send(email.pk)
    assert any(waiting[0].user.email in message.to for message in mailoutbox)


def test_a_capacity_below_the_bookings_is_a_conflict_and_changes_nothing(staff, org):
    instructor, _, _, session = staff
    book(session, 2, org)
    response = signed_in(instructor).post(reverse("pages:teach-session-capacity", args=[session.pk]),
                                          {"capacity": "1"})
    assert response.status_code == 409
    assert response.context["capacity_form"].errors["capacity"]
    assert WorkshopSession.objects.get(pk=session.pk).capacity == 2


def test_approve_decline_and_move_waitlisted_learners(staff, org):
    instructor, _, workshop, session = staff
    first, _second, third, fourth = book(session, 4, org)
    other = make_session(workshop, start=at(8, hour=10), capacity=5)
    browser = signed_in(instructor)
    full = browser.post(reverse("pages:teach-registration-approve", args=[session.pk, third.pk]))
    assert full.status_code == 409 and "raise the capacity" in text(full)
    response = browser.post(reverse("pages:teach-registration-move", args=[session.pk, third.pk]),
                            {"to_session": other.pk})
    assert response.status_code == 302
    assert Registration.objects.get(pk=third.pk).status == "cancelled"
    assert Registration.objects.get(session=other, user=third.user).status == "booked"
    response = browser.post(reverse("pages:teach-registration-decline", args=[session.pk, fourth.pk]),
                            {"reason": "Team rota"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=fourth.pk).status == "declined"
    again = browser.post(reverse("pages:teach-registration-decline", args=[session.pk, fourth.pk]), {})
    assert again.status_code == 409
    not_waiting = browser.post(reverse("pages:teach-registration-approve", args=[session.pk, first.pk]))
    assert not_waiting.status_code == 409


def test_a_move_to_a_session_of_another_workshop_is_refused(staff, org):
    instructor, _course, _workshop, session = staff
    registration = book(session, 3, org)[2]
    response = signed_in(instructor).post(reverse("pages:teach-registration-move",
                                                  args=[session.pk, registration.pk]), {"to_session": "999999"})
    assert response.status_code == 400
    assert Registration.objects.get(pk=registration.pk).status == "waitlisted"


def test_cancelling_needs_a_reason_and_then_releases_every_place(staff, org):
    instructor, _, _, session = staff
    booked = book(session, 2, org)
    browser = signed_in(instructor)
    url = reverse("pages:teach-session-cancel", args=[session.pk])
    refused = browser.post(url, {"reason": ""})
    assert refused.status_code == 400 and refused.context["cancel_form"].errors["reason"]
    assert WorkshopSession.objects.get(pk=session.pk).status == "scheduled"
    assert browser.post(url, {"reason": "Trainer ill"}).status_code == 302
    assert WorkshopSession.objects.get(pk=session.pk).status == "cancelled"
    assert set(WorkshopEmail.objects.filter(kind="session_cancelled").values_list("method", flat=True)) == {"CANCEL"}
    assert {Registration.objects.get(pk=r.pk).status for r in booked} == {"cancelled"}
    assert browser.post(url, {"reason": "Again"}).status_code == 409


def test_a_message_goes_once_to_each_booked_learner_even_when_the_form_is_sent_twice(
        staff, org, mailoutbox):
    instructor, _, _, session = staff
    booked = book(session, 3, org)
    browser = signed_in(instructor)
    url = reverse("pages:teach-session-message", args=[session.pk])
    data = {"subject": "Bring headphones", "body": "We will listen to calls.", "key": "a" * 32}
    assert browser.post(url, data).status_code == 302
    assert browser.post(url, data).status_code == 302
    for delivery in SessionMessageDelivery.objects.all():  # a task run twice sends it once
        assert tasks.workshop_message_send(delivery.pk)
        assert not tasks.workshop_message_send(delivery.pk)
    assert SessionMessage.objects.count() == 1
    deliveries = SessionMessageDelivery.objects.all()
    assert sorted(d.to for d in deliveries) == sorted(r.user.email for r in booked[:2])
    sent = [m for m in mailoutbox if "X-LMS-Session-Message" in m.extra_headers]
    assert len(sent) == 2 and "We will listen to calls." in sent[0].body
    page = text(browser.get(reverse("pages:teach-session", args=[session.pk])))
    assert "Bring headphones" in page and "2 recipients" in page


def test_a_message_can_include_the_waitlist(staff, org):
    instructor, _, _, session = staff
    book(session, 3, org)
    signed_in(instructor).post(reverse("pages:teach-session-message", args=[session.pk]), {
        "subject": "Hello", "body": "Hi all", "key": "b" * 32, "include_waitlisted": "on"})
    assert SessionMessageDelivery.objects.count() == 3


@pytest.mark.parametrize("change, field", [
    ({"subject": ""}, "subject"), ({"body": ""}, "body"), ({"key": "x"}, "key"), ({"subject": "s" * 201}, "subject"),
])
def test_a_bad_message_is_refused_and_nothing_is_logged(staff, org, change, field):
    instructor, _, _, session = staff
    book(session, 1, org)
    data = {"subject": "Hello", "body": "Hi", "key": "c" * 32, **change}
    response = signed_in(instructor).post(reverse("pages:teach-session-message", args=[session.pk]), data)
    assert response.status_code == 400
    assert field in response.context["message_form"].errors
    assert not SessionMessage.objects.exists()


def test_a_bad_edit_is_refused_beside_its_field_and_changes_nothing(staff):
    instructor, _, _, session = staff
    browser = signed_in(instructor)
    form = browser.get(reverse("pages:teach-session", args=[session.pk])).context["edit_form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"capacity": "-3", "instructors": []})
    response = browser.post(reverse("pages:teach-session-edit", args=[session.pk]), data)
    assert response.status_code == 400 and response.context["edit_form"].errors["capacity"]
    assert WorkshopSession.objects.get(pk=session.pk).sequence == session.sequence


# --- query counts ------------------------------------------------------------------------------------

def _count_queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return len(queries)


def test_the_manage_page_reads_a_roster_of_20_and_200_in_the_same_number_of_queries(staff, org):
    instructor, _, _, session = staff
    services.session_update(session=session, capacity=300)
    browser = signed_in(instructor)
    url = reverse("pages:teach-session", args=[session.pk])
    book(session, 20, org)
    small = _count_queries(browser, url)
    book(session, 180, org)
    assert _count_queries(browser, url) == small


def test_the_list_reads_10_and_60_sessions_in_the_same_number_of_queries(staff, org):
    instructor, _, workshop, _ = staff
    browser = signed_in(instructor)
    url = reverse("pages:teach-workshops")
    for day in range(9):
        make_session(workshop, start=at(10 + day, hour=9))
    small = _count_queries(browser, url)
    for day in range(50):
        make_session(workshop, start=at(30 + day, hour=9))
    assert _count_queries(browser, url) == small


def test_the_pages_speak_portuguese(staff, org):
    instructor, _, workshop, session = staff
    book(session, 3, org)
    browser = signed_in(instructor)
    browser.post("/i18n/setlang/", {"language": "pt-br"})
    listing = text(browser.get(reverse("pages:teach-workshops")))
    assert "Próximas sessões" in listing and "2 de 2" in listing
    page = text(browser.get(reverse("pages:teach-session", args=[session.pk])))
    assert "Lista de espera" in page and "Enviar mensagem aos participantes" in page
    assert "Na lista de espera" in page or "lista de espera" in page
    refused = browser.post(reverse("pages:teach-session-capacity", args=[session.pk]), {"capacity": "0"})
    assert refused.status_code == 400 and "Nova capacidade" in text(refused)
    new = text(browser.get(reverse("pages:teach-session-new", args=[workshop.pk])))
    assert "Início da parte 1" in new and "Fuso horário" in new


def test_a_full_target_session_puts_the_moved_learner_on_its_waitlist(staff, org):
    instructor, _, workshop, session = staff
    waiting = book(session, 3, org)[2]
    other = make_session(workshop, start=at(9, hour=10), capacity=1)
    book(other, 1, org)
    response = signed_in(instructor).post(reverse("pages:teach-registration-move", args=[session.pk, waiting.pk]),
                                          {"to_session": other.pk})
    assert response.status_code == 302
    assert Registration.objects.get(session=other, user=waiting.user).status == "waitlisted"


def test_a_too_long_decline_reason_is_refused_and_the_learner_still_waits(staff, org):
    instructor, _, _, session = staff
    waiting = book(session, 3, org)[2]
    response = signed_in(instructor).post(reverse("pages:teach-registration-decline", args=[session.pk, waiting.pk]),
                                          {"reason": "x" * 501})
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    assert Registration.objects.get(pk=waiting.pk).status == "waitlisted"
