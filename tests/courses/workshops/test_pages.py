"""The workshop pages: upcoming sessions, the session page, registering, cancelling, calendar links."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.workshops.models import CalendarFeedToken, Registration, WorkshopSession
from courses.workshops.services import sessions as services
from tests import factories as people
from tests.courses.workshops.conftest import at, enrolled, make_session, make_workshop, workshop_course
from tests.helpers import page_text as text
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def page_of(session: WorkshopSession) -> str:
    return reverse("pages:workshop-session", args=[session.pk])


def register_url(session: WorkshopSession) -> str:
    return reverse("pages:workshop-register", args=[session.pk])


def cancel_url(session: WorkshopSession) -> str:
    return reverse("pages:workshop-cancel", args=[session.pk])




def places(session) -> list[tuple[str, str]]:
    return sorted(Registration.objects.filter(session=session).values_list("user__email", "status"))


@pytest.fixture
def workshop(db):
    return make_workshop()


@pytest.fixture
def course(workshop):
    return workshop.activity.course


@pytest.fixture
def learner(course):
    return enrolled(course, people.UserFactory(email="ana@example.com", timezone="UTC"))


# --- who sees what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, method", [("workshops", "get"), ("workshop-session", "get"),
                                          ("workshop-register", "post"), ("workshop-cancel", "post"),
                                          ("workshop-calendar-feed", "post")])
def test_anonymous_visitors_are_sent_to_sign_in(client, workshop, name, method):
    session = make_session(workshop)
    url = reverse(f"pages:{name}", args=[] if name in ("workshops", "workshop-calendar-feed") else [session.pk])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("pages:sign-in") + "?next=")
    assert not Registration.objects.exists() and not CalendarFeedToken.objects.exists()


def test_list_shows_upcoming_sessions_in_the_viewers_time_zone(workshop, learner):
    learner.timezone = "Asia/Tokyo"
    learner.save(update_fields=["timezone"])
    start = (timezone.now() + timedelta(days=5)).replace(hour=1, minute=0, second=0, microsecond=0)
    soon = make_session(workshop, start=start, venue="Room 7", capacity=3)
    services.registration_create(session=soon, user=learner)
    past = make_session(workshop, start=at(4, hour=20))
    services.session_update(session=past, parts=[{"starts_at": at(-3, hour=10), "ends_at": at(-3, hour=12)}])
    gone = make_session(workshop, start=at(6, hour=9))
    services.session_cancel(session=gone)
    hidden = make_session(make_workshop(course=workshop_course(publish=False)), start=at(7, hour=9))

    response = signed_in(learner).get(reverse("pages:workshops"))
    assert response.status_code == 200
    body = text(response)
    assert "Live practice" in body and "Room 7" in body
    assert body.count("Live practice") == 1  # not the past, cancelled or out-of-scope ones
    assert f'href="{page_of(hidden)}"' not in response.content.decode()
    assert "Asia/Tokyo" in body
    assert f"{start.astimezone(timezone.get_fixed_timezone(9 * 60)):%H}:00" in body  # 10:00 in Tokyo
    assert "2 seats left" in body and "You: Booked" in body


def test_a_session_with_its_own_title_names_its_workshop_and_course(workshop, learner):
    make_session(workshop, title="Evening round")
    body = text(signed_in(learner).get(reverse("pages:workshops")))
    assert "Evening round" in body and f"Live practice · {workshop.activity.course.title}" in body


def test_the_organizations_time_zone_is_used_when_the_person_has_none(workshop, org):
    org.timezone = "America/Sao_Paulo"
    org.save(update_fields=["timezone"])
    person = enrolled(workshop.activity.course, people.member(org))
    person.timezone = ""
    person.save(update_fields=["timezone"])
    make_session(workshop)
    assert "America/Sao_Paulo" in text(signed_in(person).get(reverse("pages:workshops")))


def test_list_queries_stay_flat(workshop, learner, django_assert_max_num_queries):
    for day in range(1, 26):
        session = make_session(workshop, start=at(day, hour=9), capacity=2, parts=[
            {"starts_at": at(day, hour=9), "ends_at": at(day, hour=10)},
            {"starts_at": at(day, hour=11), "ends_at": at(day, hour=12)}])
        session.instructors.add(people.UserFactory())
        if day % 3 == 0:
            services.registration_create(session=session, user=learner)
    client = signed_in(learner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("pages:workshops"))
    assert response.status_code == 200
    assert text(response).count("Live practice") == 20  # one page
    assert text(signed_in(learner).get(reverse("pages:workshops") + "?page=2")).count("Live practice") == 5
    assert signed_in(learner).get(reverse("pages:workshops") + "?page=zzz").status_code == 200


def test_session_page_shows_details_and_the_register_button(workshop, learner):
    start = at(3, hour=14)
    session = make_session(workshop, venue="Room 7", parts=[
        {"starts_at": start, "ends_at": start + timedelta(hours=2)},
        {"starts_at": start + timedelta(days=1), "ends_at": start + timedelta(days=1, hours=1), "required": False}])
    response = signed_in(learner).get(page_of(session))
    assert response.status_code == 200
    page, body = response.content.decode(), text(response)
    assert "<h1>Live practice</h1>" in page
    assert "Part 1:" in body and "Part 2:" in body and "optional" in body
    assert workshop.instructors.get().display_name in body and "Practise hard calls." in body
    assert "Room 7" in body and "10 seats left" in body
    assert f'action="{register_url(session)}"' in page and ">Register</button>" in page
    assert f'href="/api/v1/workshops/sessions/{session.pk}/ics/"' in page and "Add to calendar" in page


def test_the_add_to_calendar_link_serves_the_sessions_ics(workshop, learner):
    session = make_session(workshop)
    client = signed_in(learner)
    link = re.search(r'href="([^"]+)"[^>]*>Add to calendar', client.get(page_of(session)).content.decode()).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content and b"Live practice" in response.content


def test_someone_not_enrolled_is_told_to_enroll_first(workshop):
    outsider = people.UserFactory()
    session = make_session(workshop)
    response = signed_in(outsider).get(page_of(session))
    assert response.status_code == 200
    assert "Enroll in the course before registering" in text(response)
    assert f'href="{reverse("pages:course", args=[workshop.activity.course.slug])}"' in response.content.decode()
    assert ">Register</button>" not in response.content.decode()
    response = signed_in(outsider).post(register_url(session))
    assert response.status_code == 409
    assert "Enroll in the course before registering" in text(response)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("name", ["workshop-session", "workshop-register", "workshop-cancel"])
def test_sessions_out_of_scope_are_404(workshop, learner, name):
    hidden = make_session(make_workshop(course=workshop_course(publish=False)))
    client = signed_in(learner)
    for session_id in (hidden.pk, hidden.pk + 1000):
        url = reverse(f"pages:{name}", args=[session_id])
        response = client.get(url) if name == "workshop-session" else client.post(url)
        assert response.status_code == 404
    assert not Registration.objects.exists()


def test_register_books_a_seat(workshop, learner):
    session = make_session(workshop)
    client = signed_in(learner)
    response = client.post(register_url(session))
    assert response.status_code == 302 and response["Location"] == page_of(session)
    assert places(session) == [("ana@example.com", "booked")]
    body = text(client.get(page_of(session)))
    assert "You are booked: your seat is confirmed." in body
    assert "You have a seat in this session." in body and "Cancel registration" in body
    assert "You can cancel a booked seat until 24 hours before the start." in body


def test_registering_when_full_shows_the_waitlist_position(workshop, learner):
    session = make_session(workshop, capacity=1)
    for _ in range(2):  # one booked, one already waiting
        services.registration_create(session=session, user=enrolled(workshop.activity.course))
    client = signed_in(learner)
    response = client.post(register_url(session))
    assert response.status_code == 302
    assert Registration.objects.get(session=session, user=learner).status == "waitlisted"
    page = client.get(page_of(session))
    body = text(page)
    assert "You are number 2 on the waitlist." in body
    assert "Full: waitlist open" in body and "2 people on the waitlist" in body
    assert ">Register</button>" not in page.content.decode() and "Cancel registration" in body
    assert "You are number 2 on the waitlist." in text(client.get(reverse("pages:my-learning")))


def test_once_the_session_starts_a_waitlisted_learner_sees_no_position_and_no_cancel_button(workshop, learner):
    session = make_session(workshop, capacity=1, start=timezone.now() + timedelta(hours=2))
    services.registration_create(session=session, user=enrolled(workshop.activity.course))
    services.registration_create(session=session, user=learner)
    client = signed_in(learner)
    assert "You are number 1 on the waitlist." in text(client.get(page_of(session)))
    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    body = text(client.get(page_of(session)))
    assert "The session has started without a seat freeing up for you." in body
    assert "on the waitlist." not in body.split("seats taken")[1] and "Cancel registration" not in body


def test_a_booked_seat_past_the_cutoff_shows_no_cancel_button(workshop, learner):
    session = make_session(workshop, start=timezone.now() + timedelta(hours=5), cancellation_cutoff_hours=24)
    services.registration_create(session=session, user=learner)
    body = text(signed_in(learner).get(page_of(session)))
    assert "You have a seat in this session." in body and "Cancel registration" not in body


def test_registering_twice_is_harmless(workshop, learner):
    session = make_session(workshop)
    client = signed_in(learner)
    client.post(register_url(session))
    ticket = Registration.objects.get(session=session, user=learner).ticket
    response = client.post(register_url(session), follow=True)
    assert response.status_code == 200
    assert "You are already registered for this session." in text(response)
    assert places(session) == [("ana@example.com", "booked")]
    assert Registration.objects.get(session=session, user=learner).ticket == ticket


def test_cancelling_gives_the_seat_to_the_first_on_the_waitlist(workshop, learner):
    session = make_session(workshop, capacity=1)
    services.registration_create(session=session, user=learner)
    waiting = enrolled(workshop.activity.course, people.UserFactory(email="bo@example.com"))
    services.registration_create(session=session, user=waiting)
    assert "You are number 1 on the waitlist." in text(signed_in(waiting).get(page_of(session)))

    client = signed_in(learner)
    assert 'data-confirm="Cancel your registration for this session?"' in client.get(page_of(session)).content.decode()
    response = client.post(cancel_url(session), follow=True)
    assert response.status_code == 200
    body = text(response)
    assert "Your registration is cancelled." in body and "You have no place in this session now." in body
    assert ">Register</button>" in response.content.decode()  # may take a place again
    assert places(session) == [("ana@example.com", "cancelled"), ("bo@example.com", "booked")]
    assert "You have a seat in this session." in text(signed_in(waiting).get(page_of(session)))


def test_waiting_for_approval_is_shown(db):
    workshop = make_workshop(course=workshop_course(), requires_approval=True)
    person = enrolled(workshop.activity.course)
    session = make_session(workshop)
    response = signed_in(person).post(register_url(session), follow=True)
    assert "Your registration is waiting for approval." in text(response)
    assert "Waiting for approval" in text(response)


def test_the_online_link_is_for_booked_people(workshop, learner):
    session = make_session(workshop, online_url="https://meet.example.com/room-1")
    client = signed_in(learner)
    assert "https://meet.example.com/room-1" not in client.get(page_of(session)).content.decode()
    client.post(register_url(session))
    assert 'href="https://meet.example.com/room-1"' in client.get(page_of(session)).content.decode()


# --- refusals: a clear message, a 409, nothing written -----------------------------------------------

def _full_without_waitlist(workshop, learner):
    session = make_session(workshop, capacity=1, waitlist_enabled=False)
    services.registration_create(session=session, user=enrolled(workshop.activity.course))
    return session


def _closed(workshop, learner):
    return make_session(workshop, registration_closes_at=timezone.now() - timedelta(hours=1),
                        registration_opens_at=timezone.now() - timedelta(days=2))


def _not_open_yet(workshop, learner):
    return make_session(workshop, registration_opens_at=timezone.now() + timedelta(days=1))


def _overlapping(workshop, learner):
    other = make_session(workshop, start=at(3, hour=10))
    services.registration_create(session=other, user=learner)
    return make_session(workshop, start=at(3, hour=10) + timedelta(minutes=30))


@pytest.mark.parametrize("build, message", [
    (_full_without_waitlist, "This session is full and has no waitlist."),
    (_closed, "Registration for this session has closed."),
    (_not_open_yet, "Registration for this session is not open yet."),
    (_overlapping, "You already have a place in another session at an overlapping time."),
])
def test_refused_registrations_say_why_and_write_nothing(workshop, learner, build, message):
    session = build(workshop, learner)
    before = places(session)
    response = signed_in(learner).post(register_url(session))
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode() and message in text(response)
    assert places(session) == before


def test_a_closed_session_says_so_without_a_register_button(workshop, learner):
    session = _closed(workshop, learner)
    response = signed_in(learner).get(page_of(session))
    assert "Registration for this session has closed." in text(response)
    assert ">Register</button>" not in response.content.decode()


def test_cancelling_without_a_place_is_409(workshop, learner):
    session = make_session(workshop)
    response = signed_in(learner).post(cancel_url(session))
    assert response.status_code == 409
    assert "You have no place in this session to cancel." in text(response)
    services.registration_create(session=session, user=learner)
    client = signed_in(learner)
    client.post(cancel_url(session))
    response = client.post(cancel_url(session))  # twice
    assert response.status_code == 409 and "You have no place in this session to cancel." in text(response)


def test_cancelling_a_booked_seat_after_the_cutoff_is_refused(workshop, learner):
    session = make_session(workshop, start=timezone.now() + timedelta(hours=5), cancellation_cutoff_hours=24)
    services.registration_create(session=session, user=learner)
    response = signed_in(learner).post(cancel_url(session))
    assert response.status_code == 409
    assert "Booked places can be cancelled until 24 hours before the start." in text(response)
    assert places(session) == [("ana@example.com", "booked")]


def test_writes_need_post(workshop, learner):
    session = make_session(workshop)
    client = signed_in(learner)
    assert client.get(register_url(session)).status_code == 405
    assert client.get(cancel_url(session)).status_code == 405
    assert client.post(page_of(session)).status_code == 405
    assert not Registration.objects.exists()


def test_csrf_is_enforced(workshop, learner):
    session = make_session(workshop)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(register_url(session)).status_code == 403
    assert not Registration.objects.exists()
    page = browser.get(page_of(session)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(register_url(session), {"csrfmiddlewaretoken": token}).status_code == 302
    assert places(session) == [("ana@example.com", "booked")]


# --- calendar feed ------------------------------------------------------------------------------------

def test_calendar_feed_address_is_shown_once_and_works(workshop, learner):
    session = make_session(workshop)
    services.registration_create(session=session, user=learner)
    client = signed_in(learner)
    response = client.post(reverse("pages:workshop-calendar-feed"))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    url = re.search(r"<code>([^<]+)</code>", response.content.decode()).group(1)
    path = "/" + url.split("/", 3)[3]
    assert path.startswith("/api/v1/workshops/feed/") and path.endswith(".ics")
    feed = Client().get(path)
    assert feed.status_code == 200 and b"Live practice" in feed.content
    listing = client.get(reverse("pages:workshops")).content.decode()
    assert url not in listing and "Stop my calendar feed" in listing

    response = client.post(reverse("pages:workshop-calendar-feed-revoke"), follow=True)
    assert "Your calendar feed address no longer works." in text(response)
    assert Client().get(path).status_code == 404


# --- language and escaping ----------------------------------------------------------------------------

def test_pages_speak_portuguese(workshop, learner):
    session = make_session(workshop, capacity=3)
    client = signed_in(learner)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    listing = text(client.get(reverse("pages:workshops")))
    assert "Próximas oficinas" in listing and "3 vagas disponíveis" in listing
    page = client.get(page_of(session)).content.decode()
    assert ">Inscrever-se</button>" in page and "Adicionar à agenda" in page and "Sua vaga" in page
    response = client.post(register_url(session), follow=True)
    assert "Inscrição feita: sua vaga está confirmada." in text(response)
    assert "Cancelar inscrição" in text(response) and "Você tem uma vaga nesta sessão." in text(response)


def test_user_text_is_escaped(workshop, learner):
    activity = workshop.activity
    activity.title = "<script>alert('x')</script> Practice"
    activity.save(update_fields=["title"])
    session = make_session(workshop, venue="<b>Room</b>", title="")
    for url in (reverse("pages:workshops"), page_of(session)):
        page = signed_in(learner).get(url).content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Practice" in page
        assert "<b>Room</b>" not in page and "&lt;b&gt;Room&lt;/b&gt;" in page


def test_times_are_written_as_machine_readable_dates(workshop, learner):
    start = datetime(2030, 1, 15, 13, 0, tzinfo=UTC)
    session = make_session(workshop, start=start)
    page = signed_in(learner).get(page_of(session)).content.decode()
    assert '<time datetime="2030-01-15T13:00:00+00:00">' in page
