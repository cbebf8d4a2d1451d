"""Announcements: who receives them, each learner's one mail however often the sending runs or the form is sent,
bad input refused with nothing written, who may announce, and the notice on the learners' pages."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.announcements import reconcilers, services, tasks
from courses.announcements.models import Announcement, AnnouncementDelivery
from courses.enrollments.models import Enrollment
from courses.workshops.models import Registration, WorkshopSession
from tests.courses.factories import EnrollmentFactory
from tests.courses.workshops.conftest import make_session, make_workshop, workshop_course
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

WORDS = {"subject": "Room change", "body": "We meet in room 4 from now on.\nBring a notebook."}


@pytest.fixture(autouse=True)
def _quiet_queue(monkeypatch):
    """Record what the services enqueue instead of sending it to a broker; tests run the task themselves."""
    enqueued: list[tuple[str, list]] = []
    monkeypatch.setattr(services, "task_enqueue", lambda name, args=(): enqueued.append((name, list(args))))
    return enqueued


@pytest.fixture
def course(org):
    course = workshop_course(slug="listening", organization=org)
    return course


@pytest.fixture
def instructor(org, course):
    person = member(org, "instructor")
    course.instructors.add(person)
    return person


def _learners(course, org):
    active = [member(org, "learner") for _ in range(2)]
    for person in active:
        EnrollmentFactory(user=person, course=course, organization=org)
    done = member(org, "learner")
    EnrollmentFactory(user=done, course=course, status=Enrollment.Status.COMPLETED, completed_at=timezone.now())
    gone = member(org, "learner")
    EnrollmentFactory(user=gone, course=course, status=Enrollment.Status.WITHDRAWN, withdrawn_at=timezone.now())
    locked = UserFactory(is_active=False)
    EnrollmentFactory(user=locked, course=course)
    member(org, "learner")  # not enrolled at all
    return active


def _page(course):
    return reverse("pages:teach-course-announcements", args=[course.slug])


def test_only_active_learners_get_it_once_however_often_it_is_sent(client, org, course, instructor, mailoutbox,
                                                                    _quiet_queue, django_capture_on_commit_callbacks):
    active = _learners(course, org)
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_page(course), WORDS).status_code == 302
        assert client.post(_page(course), WORDS).status_code == 302  # the form sent again
    announcement = Announcement.objects.get()
    assert _quiet_queue == [("courses.announcement_send", [announcement.pk])]
    tasks.announcement_send(announcement.pk)
    tasks.announcement_send(announcement.pk)  # a duplicate message, a retry
    assert sorted(message.to[0] for message in mailoutbox) == sorted(person.email for person in active)
    assert AnnouncementDelivery.objects.filter(sent_at__isnull=False).count() == 2
    message = mailoutbox[0]
    assert message.subject == "Listening: Room change"
    assert "Bring a notebook." in message.body
    assert "room 4" in message.alternatives[0][0]


def test_the_mail_speaks_the_learners_language(org, course, instructor, mailoutbox):
    learner = UserFactory(language="pt-BR")
    EnrollmentFactory(user=learner, course=course)
    announcement, _ = services.announcement_create(author=instructor, course=course, **WORDS)
    services.announcement_send_batch(announcement_id=announcement.pk)
    assert "Um aviso para os alunos de" in mailoutbox[0].body


def test_mails_go_in_batches_each_enqueueing_the_next(org, course, instructor, mailoutbox, _quiet_queue,
                                                      django_capture_on_commit_callbacks):
    _learners(course, org)
    with django_capture_on_commit_callbacks(execute=True):
        announcement, _ = services.announcement_create(author=instructor, course=course, **WORDS)
    assert services.announcement_send_batch(announcement_id=announcement.pk, batch_size=1) == 1
    assert len(_quiet_queue) == 2  # after the create, then the next batch
    assert services.announcement_send_batch(announcement_id=announcement.pk, batch_size=1) == 1
    assert services.announcement_send_batch(announcement_id=announcement.pk, batch_size=1) == 0
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("data, field", [({"subject": "", "body": "Hi"}, "subject"),
                                         ({"subject": "Hi", "body": "   "}, "body"),
                                         ({"subject": "x" * 201, "body": "Hi"}, "subject")])
def test_a_bad_form_answers_400_with_the_error_by_its_field_and_writes_nothing(client, org, course, instructor,
                                                                               data, field):
    _learners(course, org)
    client.force_login(instructor)
    response = client.post(_page(course), data)
    assert response.status_code == 400
    assert f'id="id_{field}_errors"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Announcement.objects.exists() and not AnnouncementDelivery.objects.exists()


def test_the_api_announces_lists_and_refuses_bad_input(client_for, org, course, instructor, _quiet_queue):
    active = _learners(course, org)
    url = f"/api/v1/courses/{course.slug}/announcements/"
    bad = client_for(instructor).post(url, {"subject": "", "body": "x" * 6000}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"subject", "body"}
    assert not Announcement.objects.exists()
    first = client_for(instructor).post(url, WORDS, format="json")
    assert first.status_code == 201 and first.json()["subject"] == "Room change"
    again = client_for(instructor).post(url, WORDS, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert AnnouncementDelivery.objects.count() == 2
    assert [row["subject"] for row in client_for(instructor).get(url).json()["results"]] == ["Room change"]
    assert client_for(active[0]).get(url).json()["results"][0]["body"] == WORDS["body"]
    assert client_for(active[0]).post(url, WORDS, format="json").status_code == 404


def test_someone_elses_course_is_absent(client, client_for, org, other_org, course, instructor):
    stranger = member(other_org, "instructor")
    colleague = member(org, "instructor")  # same organization, does not teach the course
    for person in (stranger, colleague):
        client.force_login(person)
        assert client.get(_page(course)).status_code == 404
        assert client.post(_page(course), WORDS).status_code == 404
        assert client_for(person).post(f"/api/v1/courses/{course.slug}/announcements/", WORDS,
                                       format="json").status_code == 404
    client.force_login(member(org, "learner"))
    assert client.get(_page(course)).status_code == 403
    assert not Announcement.objects.exists()


def _session_with_people(course, instructor):
    workshop = make_workshop(course=course, instructors=[instructor])
    session = make_session(workshop, capacity=5)
    people = {}
    for status in ("booked", "waitlisted", "cancelled"):
        person = UserFactory()
        enrollment = EnrollmentFactory(user=person, course=course)
        Registration.objects.create(session=session, user=person, enrollment=enrollment, status=status,
                                    ticket=len(people) + 1)
        people[status] = person
    return session, people


def test_a_session_announcement_reaches_its_participants_only(client, org, course, instructor, mailoutbox):
    session, people = _session_with_people(course, instructor)
    EnrollmentFactory(course=course)  # a learner of the course, not of the session
    client.force_login(instructor)
    url = reverse("pages:teach-session-announcements", args=[session.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, WORDS).status_code == 302
    tasks.announcement_send(Announcement.objects.get().pk)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([people["booked"].email, people["waitlisted"].email])
    assert session.display_title in mailoutbox[0].body


def test_a_cancelled_session_answers_409_and_nothing_is_written(client, org, course, instructor):
    session, _people = _session_with_people(course, instructor)
    WorkshopSession.objects.filter(pk=session.pk).update(status=WorkshopSession.Status.CANCELLED)
    client.force_login(instructor)
    response = client.post(reverse("pages:teach-session-announcements", args=[session.pk]), WORDS)
    assert response.status_code == 409
    assert "cancelled" in response.text
    assert not Announcement.objects.exists()


def test_another_organizations_instructor_gets_404_for_a_session(client, other_org, course, instructor):
    session, _people = _session_with_people(course, instructor)
    client.force_login(member(other_org, "instructor"))
    assert client.get(reverse("pages:teach-session-announcements", args=[session.pk])).status_code == 404


def test_learners_see_the_notice_on_the_course_page_and_in_my_learning(client, org, course, instructor):
    learner = _learners(course, org)[0]
    services.announcement_create(author=instructor, course=course, **WORDS)
    client.force_login(learner)
    for url in (reverse("pages:course", args=[course.slug]), reverse("pages:my-learning")):
        text = client.get(url).text
        assert "Announcements" in text and "Room change" in text and "Bring a notebook." in text
    client.force_login(member(org, "learner"))  # not enrolled: nothing addressed to them
    assert "Room change" not in client.get(reverse("pages:course", args=[course.slug])).text


def test_the_reconciler_sends_what_the_broker_lost(org, course, instructor, mailoutbox, monkeypatch):
    _learners(course, org)
    services.announcement_create(author=instructor, course=course, **WORDS)
    assert reconcilers.announcements_unsent_requeue() == 0  # too fresh: the first task has its chance
    AnnouncementDelivery.objects.update(created_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(reconcilers.announcement_send, "apply_async",
                        lambda args, retry: tasks.announcement_send(*args))
    assert reconcilers.announcements_unsent_requeue() == 1
    assert len(mailoutbox) == 2
    assert reconcilers.announcements_unsent_requeue() == 0


def test_the_page_speaks_portuguese(client, org, course, instructor):
    client.force_login(instructor)
    text = client.get(_page(course), HTTP_ACCEPT_LANGUAGE="pt-BR").text
    assert "Novo aviso" in text and "Enviar aos alunos" in text and "Nenhum aviso ainda." in text
