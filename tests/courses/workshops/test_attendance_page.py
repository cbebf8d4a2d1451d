"""The attendance screen (/teach/workshops/sessions/<id>/attendance/): tap marks, everyone present, late, undo,
corrections that take back completion and certificate, constant queries, who may look and who may mark."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.certificates.models import Certificate
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress
from courses.workshops.models import AttendanceMark, Registration
from courses.workshops.services import sessions as workshop_sessions
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.factories import EnrollmentFactory, activities_of
from tests.courses.workshops.conftest import at, make_session, make_workshop, workshop_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick(settings, tmp_path):
    """Certificates drawn in this test's directory, answers at once, tasks run where they are sent."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VERIFY_MIN_SECONDS = 0
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = previous


def org_course(org):
    course = workshop_course()
    course.organization = org
    course.save()
    return course


@pytest.fixture
def teacher(org):
    return people.member(org, "instructor")


@pytest.fixture
def held(org, teacher):
    """A one-part session of organization A's course, three learners booked, the part running now."""
    course = org_course(org)
    workshop = make_workshop(course=course, instructors=[teacher])
    session = make_session(workshop, capacity=10)
    learners = [people.member(org, "learner", user__first_name=name, user__last_name="Silva")
                for name in ("Ana", "Bruno", "Carla")]
    registrations = []
    for learner in learners:
        enrollment_services.enrollment_create(user=learner, course=course)
        registrations.append(workshop_sessions.registration_create(session=session, user=learner)[0])
    part = session.parts.get()
    workshop_sessions.session_update(session=session, parts=[
        {"id": part.pk, "starts_at": at(-0.05), "ends_at": at(0.05)}])
    return session, registrations, part


def url(session, **query) -> str:
    address = reverse("pages:teach-attendance", args=[session.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def marks_of(session) -> dict[int, str]:
    return dict(AttendanceMark.objects.filter(registration__session=session).values_list("registration_id", "status"))


def tap(client, session, registration, part, status):
    return client.post(url(session), {"action": "mark", "registration": registration.pk, "part": part.pk,
                                      "status": status})


def test_the_screen_lists_the_booked_learners_by_name_with_their_mark_in_words(client, held, teacher):
    session, _regs, _part = held
    client.force_login(teacher)
    response = client.get(url(session))
    assert response.status_code == 200
    text = response.text
    assert "Ana Silva" in text and "Bruno Silva" in text and "Carla Silva" in text
    assert text.count("Not marked") >= 3
    assert "Everyone present" in text
    assert 'name="status" value="late"' in text


def test_one_tap_marks_a_learner_and_late_is_a_mark(client, held, teacher):
    session, regs, part = held
    client.force_login(teacher)
    response = tap(client, session, regs[0], part, "attended")
    assert response.status_code == 302
    tap(client, session, regs[1], part, "late")
    tap(client, session, regs[2], part, "excused")
    assert marks_of(session) == {regs[0].pk: "attended", regs[1].pk: "late", regs[2].pk: "excused"}
    page = client.get(response["Location"]).text
    assert "Present" in page and "Late" in page and "Excused" in page
    assert Registration.objects.get(pk=regs[1].pk).attendance == "completed"  # late counts as there


def test_everyone_present_marks_whoever_has_no_mark(client, held, teacher):
    session, regs, part = held
    client.force_login(teacher)
    tap(client, session, regs[0], part, "absent")
    response = client.post(url(session), {"action": "all_present", "part": part.pk}, follow=True)
    assert response.status_code == 200
    assert marks_of(session) == {regs[0].pk: "absent", regs[1].pk: "attended", regs[2].pk: "attended"}
    assert "Everyone present: 2 marked." in response.text


def test_undo_puts_back_the_previous_mark_and_a_first_mark_is_removed(client, held, teacher):
    session, regs, part = held
    client.force_login(teacher)
    tap(client, session, regs[0], part, "attended")
    tap(client, session, regs[0], part, "absent")
    page = client.get(url(session)).text
    assert "Undo" in page and "Last change: Ana Silva marked absent." in page
    client.post(url(session), {"action": "undo"})
    assert marks_of(session) == {regs[0].pk: "attended"}
    assert "Last change" not in client.get(url(session)).text

    client.post(url(session), {"action": "all_present", "part": part.pk})
    client.post(url(session), {"action": "undo"})
    assert marks_of(session) == {regs[0].pk: "attended"}
    assert Registration.objects.get(pk=regs[1].pk).attendance == "pending"


def completed_lesson(registration):
    enrollment = registration.enrollment
    enrollment_services.lesson_complete(enrollment=enrollment, activity=activities_of(enrollment.course)[0])
    return enrollment


def test_correcting_attended_to_absent_takes_back_completion_and_certificate(client, held, teacher,
                                                                            django_capture_on_commit_callbacks):
    session, regs, part = held
    enrollment = completed_lesson(regs[0])
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        tap(client, session, regs[0], part, "attended")
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    first = Certificate.objects.get(enrollment=enrollment)
    assert first.status == "valid"

    with django_capture_on_commit_callbacks(execute=True):
        assert tap(client, session, regs[0], part, "absent").status_code == 302

    enrollment.refresh_from_db()
    assert enrollment.status == "active" and enrollment.progress_percent == 50
    workshop = session.workshop.activity
    assert ActivityProgress.objects.get(enrollment=enrollment, activity=workshop).status == "failed"
    first.refresh_from_db()
    assert first.status == "revoked" and first.revoked_by == teacher
    assert "Attendance corrected" in first.revoked_reason and "completed -> no_show" in first.revoked_reason
    assert Client().get(f"/api/v1/verify/{first.code}/").json()["status"] == "revoked"
    event = regs[0].events.filter(kind="attendance").order_by("at", "id").last()
    assert event.actor == teacher and event.detail["to"] == "no_show" and "correction" in event.detail

    with django_capture_on_commit_callbacks(execute=True):
        tap(client, session, regs[0], part, "attended")

    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    second = Certificate.objects.get(enrollment=enrollment)
    assert second.status == "valid" and second.code != first.code
    assert Client().get(f"/api/v1/verify/{second.code}/").json()["status"] == "valid"


def test_the_api_corrects_the_same_way(client_for, held, teacher, django_capture_on_commit_callbacks):
    session, regs, part = held
    enrollment = completed_lesson(regs[0])
    api = client_for(teacher)
    address = f"/api/v1/workshops/sessions/{session.pk}/attendance/"
    for status in ("attended", "absent"):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(address, {"marks": [{"registration": regs[0].pk, "part": part.pk, "status": status}]},
                                format="json")
        assert response.status_code == 200, response.content
    enrollment.refresh_from_db()
    assert enrollment.status == "active"
    assert Certificate.objects.get(enrollment=enrollment).status == "revoked"


def _nothing_written(session) -> tuple:
    return (sorted(marks_of(session).items()), sorted(Registration.objects.filter(session=session).values_list(
        "pk", "attendance")), ActivityProgress.objects.count())


@pytest.mark.parametrize("data", [
    {"action": "mark", "registration": "REG", "part": "PART", "status": "present-ish"},
    {"action": "mark", "registration": "abc", "part": "PART", "status": "attended"},
    {"action": "mark", "registration": "OTHER", "part": "PART", "status": "attended"},
    {"action": "mark", "registration": "REG", "part": "999999", "status": "attended"},
    {"action": "all_present", "part": ""},
    {"action": "explode"},
    {"action": "undo"},
])
def test_bad_input_answers_400_and_writes_nothing(client, held, teacher, data):
    session, regs, part = held
    other = make_session(session.workshop, start=at(30, hour=10))
    stranger = people.member(session.workshop.activity.course.organization, "learner")
    enrollment_services.enrollment_create(user=stranger, course=session.workshop.activity.course)
    elsewhere = workshop_sessions.registration_create(session=other, user=stranger)[0]
    values = {"REG": regs[0].pk, "PART": part.pk, "OTHER": elsewhere.pk}
    client.force_login(teacher)
    before = _nothing_written(session)
    response = client.post(url(session), {k: values.get(v, v) for k, v in data.items()})
    assert response.status_code == 400
    assert 'class="form-errors"' in response.text and "Nothing was saved" in response.text
    assert _nothing_written(session) == before


def test_a_part_that_has_not_started_takes_only_excused(client, held, teacher):
    session, regs, part = held
    workshop_sessions.session_update(session=session, parts=[{"id": part.pk, "starts_at": at(2), "ends_at": at(2.1)}])
    client.force_login(teacher)
    page = client.get(url(session)).text
    assert 'value="attended"' not in page and 'value="excused"' in page
    assert tap(client, session, regs[0], part, "attended").status_code == 400
    assert tap(client, session, regs[0], part, "excused").status_code == 302
    assert marks_of(session) == {regs[0].pk: "excused"}


def test_a_session_with_several_parts_opens_on_the_running_one(client, org, teacher):
    course = org_course(org)
    session = make_session(make_workshop(course=course, instructors=[teacher]), parts=[
        {"starts_at": at(3, hour=9), "ends_at": at(3, hour=10)},
        {"starts_at": at(4, hour=9), "ends_at": at(4, hour=10)},
        {"starts_at": at(5, hour=9), "ends_at": at(5, hour=10)}])
    first, second, third = session.parts.order_by("starts_at")
    workshop_sessions.session_update(session=session, parts=[
        {"id": first.pk, "starts_at": at(-1), "ends_at": at(-0.9)},
        {"id": second.pk, "starts_at": at(-0.05), "ends_at": at(0.05)},
        {"id": third.pk, "starts_at": at(1), "ends_at": at(1.1)}])
    client.force_login(teacher)
    page = client.get(url(session)).text
    assert f'href="?part={second.pk}" aria-current="true"' in page
    assert f'href="?part={third.pk}" aria-current="true"' in client.get(url(session, part=third.pk)).text
    assert client.get(url(session, part=999999)).status_code == 404


def booked(session, count: int) -> None:
    """``count`` more booked learners, each with a mark (written directly: this measures reading)."""
    course = session.workshop.activity.course
    part = session.parts.get()
    start = Registration.objects.filter(session=session).count() + 1
    users = people.UserFactory.create_batch(count)
    enrollments = [EnrollmentFactory(user=user, course=course) for user in users]
    registrations = Registration.objects.bulk_create([
        Registration(session=session, user=user, enrollment=enrollment, status="booked", ticket=start + n)
        for n, (user, enrollment) in enumerate(zip(users, enrollments, strict=True))])
    AttendanceMark.objects.bulk_create([AttendanceMark(registration=r, part=part, status="attended")
                                        for r in registrations])


def test_the_roster_takes_the_same_queries_for_20_and_200_learners(client, held, teacher, django_assert_num_queries):
    session, _regs, _part = held
    client.force_login(teacher)
    booked(session, 17)
    client.get(url(session))  # the session and the sign-in are warm, as on any later visit
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(url(session)).status_code == 200
    booked(session, 180)
    with django_assert_num_queries(len(twenty.captured_queries)):
        response = client.get(url(session))
    assert response.text.count('name="action" value="mark"') == 200


def test_organization_b_instructor_gets_404(client, held, other_org):
    session, _regs, part = held
    outsider = people.member(other_org, "instructor")
    client.force_login(outsider)
    assert client.get(url(session)).status_code == 404
    assert client.post(url(session), {"action": "all_present", "part": part.pk}).status_code == 404
    assert marks_of(session) == {}


def test_a_learner_gets_403(client, held):
    session, regs, part = held
    client.force_login(regs[0].user)
    assert client.get(url(session)).status_code == 403
    assert tap(client, session, regs[0], part, "attended").status_code == 403
    assert marks_of(session) == {}


def test_a_course_manager_who_does_not_teach_the_session_may_look_but_not_mark(client, held, org):
    session, regs, part = held
    manager = people.member(org, "instructor")
    session.workshop.activity.course.instructors.add(manager)
    client.force_login(manager)
    page = client.get(url(session))
    assert page.status_code == 200 and "Ana Silva" in page.text
    assert 'name="action" value="mark"' not in page.text
    assert tap(client, session, regs[0], part, "attended").status_code == 403
    assert client.post(url(session), {"action": "all_present", "part": part.pk}).status_code == 403
    assert marks_of(session) == {}


def test_the_screen_in_portuguese(client, held, teacher):
    session, _regs, _part = held
    teacher.language = "pt-br"
    teacher.save()
    client.force_login(teacher)
    text = client.get(url(session), HTTP_ACCEPT_LANGUAGE="pt-BR").text
    assert "Presença" in text and "Todos presentes" in text and "Sem marcação" in text


def test_a_pass_from_another_session_of_the_workshop_is_not_taken_back(client, held, teacher):
    session, regs, part = held
    enrollment = completed_lesson(regs[0])
    other = make_session(session.workshop, start=at(30, hour=10))
    again = workshop_sessions.registration_create(session=other, user=regs[0].user)[0]
    other_part = other.parts.get()
    workshop_sessions.session_update(session=other, parts=[
        {"id": other_part.pk, "starts_at": at(-2), "ends_at": at(-1.9)}])
    client.force_login(teacher)
    client.post(url(other), {"action": "mark", "registration": again.pk, "part": other_part.pk, "status": "attended"})
    tap(client, session, regs[0], part, "attended")
    tap(client, session, regs[0], part, "absent")  # this session's mark was wrong; the other one stands
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert ActivityProgress.objects.get(enrollment=enrollment, activity=session.workshop.activity).status == "passed"
