"""A full learner journey through our API, its statements sent to a real LRS (ralph, started by the test),
read back and validated with ralph's own xAPI statement model; sending everything again adds nothing."""
from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.roleplays.models import Performance
from assessments.roleplays.services import performances as roleplay_performances
from courses.certificates import services as certificate_services
from courses.enrollments.models import Enrollment
from courses.workshops.services import sessions as workshop_sessions
from courses.xapi.models import XapiStatement
from courses.xapi.services.outbox import xapi_outbox_send
from courses.xapi.statements import registration_id
from tests import factories as people
from tests.assessments.factories import quiz_course, right_answers, wrong_answers
from tests.assessments.roleplays.factories import roleplay_course, scores
from tests.courses.factories import activities_of
from tests.courses.workshops.conftest import at, make_session, make_workshop, workshop_course
from tests.courses.xapi.conftest import configure
from tests.courses.xapi.lrs import PASSWORD, USERNAME, validation_problems

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"
# Three courses enrolled (one with a workshop session registered for), a lesson opened and read, two quiz
# attempts, a role-play performed and scored, three courses completed, one certificate.
JOURNEY_VERBS = Counter({"registered": 4, "launched": 1, "experienced": 1, "attended": 1, "completed": 3,
                         "earned": 1, "answered": 2, "failed": 1, "passed": 1, "attempted": 1, "scored": 1})


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def _journey(org, client_for) -> dict[str, int]:
    """Enroll, read a lesson, fail then pass a quiz, perform a role-play and have it scored, register for a
    workshop and attend it, complete the course, earn the certificate. Returns the enrollment ids."""
    learner, supervisor, instructor = org.learner, people.member(org.organization, "supervisor"), people.UserFactory()
    me = client_for(learner)
    # A course with a lesson and a workshop.
    course = workshop_course(organization=org.organization)
    workshop = make_workshop(course=course, instructors=[instructor])
    session = make_session(workshop)
    enrollment_id = _ok(me.post(f"/api/v1/courses/{course.slug}/enroll/"), 201)["id"]
    lesson = activities_of(course)[0]
    _ok(me.post(f"/api/v1/enrollments/{enrollment_id}/activities/{lesson.pk}/heartbeat/", {"seconds": 40}))
    _ok(me.post(f"/api/v1/enrollments/{enrollment_id}/activities/{lesson.pk}/complete/", {}))
    registration = _ok(me.post(f"/api/v1/workshops/sessions/{session.pk}/register/"), 201)
    part = session.parts.get()
    workshop_sessions.session_update(session=session, parts=[{"id": part.pk, "starts_at": at(-1), "ends_at": at(-0.9)}])
    _ok(client_for(instructor).post(f"/api/v1/workshops/sessions/{session.pk}/attendance/", {"marks": [
        {"registration": registration["id"], "part": part.pk, "status": "attended"}]}, format="json"))
    assert Enrollment.objects.get(pk=enrollment_id).status == "completed"
    certificate_services.certificate_issue(enrollment_id=enrollment_id)  # what the queued task does
    # A quiz: failed, then passed.
    quiz_course_, quiz = quiz_course(questions=2, organization=org.organization)
    quiz_enrollment = _ok(me.post(f"/api/v1/courses/{quiz_course_.slug}/enroll/"), 201)["id"]
    for answers in (wrong_answers, right_answers):
        attempt_id = _ok(me.post(f"/api/v1/activities/{quiz.activity_id}/quiz/attempts/"), 201)["id"]
        attempt = quiz.attempts.get(pk=attempt_id)
        _ok(me.post(f"/api/v1/quiz-attempts/{attempt_id}/submit/", {"answers": answers(attempt)}, format="json"))
    # A role-play: performed, then scored by the supervisor (too few peers).
    people.MembershipFactory._meta.model.objects.filter(user=learner, organization=org.organization).update(
        manager=people.MembershipFactory._meta.model.objects.get(user=supervisor, organization=org.organization))
    roleplay_course_, scenario = roleplay_course(organization=org.organization,
                                                 role_weights={"peer": 1, "supervisor": 0})
    roleplay_enrollment = _ok(me.post(f"/api/v1/courses/{roleplay_course_.slug}/enroll/"), 201)["id"]
    performance_id = _ok(me.post(f"/api/v1/roleplays/scenarios/{scenario.pk}/performances/",
                                 {"transcript": "I hear the party is tomorrow; let's fix it today."},
                                 format="json"), 201)["id"]
    roleplay_performances.peer_allocate(scenario=scenario)
    _ok(client_for(supervisor).post(f"/api/v1/roleplays/performances/{performance_id}/reviews/",
                                    {"scores": scores(scenario, 3)}, format="json"), 201)
    assert Performance.objects.get(pk=performance_id).status == "scored"
    return {"course": enrollment_id, "quiz": quiz_enrollment, "roleplay": roleplay_enrollment}


def test_a_learner_journey_reaches_a_real_lrs_valid_and_once(org, lrs, client_for, settings):
    settings.XAPI_BATCH_SIZE = 4  # several requests, several statements each
    admin = client_for(org.admin)
    body = _ok(admin.put(f"/api/v1/organizations/{org.organization.slug}/xapi/endpoint/", {
        "url": lrs.base, "username": USERNAME, "password": PASSWORD}, format="json"), 201)
    assert "password" not in body and "username" not in body and body["actor_mode"] == "account"
    assert _ok(admin.post(f"/api/v1/organizations/{org.organization.slug}/xapi/endpoint/test/"))["ok"] is True

    enrollments = _journey(org, client_for)
    counts = xapi_outbox_send(organization_id=org.organization.pk)
    rows = list(XapiStatement.objects.filter(organization=org.organization))
    assert counts == {"sent": len(rows), "not_sent": 0} and {r.status for r in rows} == {"sent"}
    assert Counter(row.verb for row in rows) == JOURNEY_VERBS

    stored = lrs.statements()
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)) == len(rows)
    assert set(ids) == {str(row.statement_id) for row in rows}
    assert validation_problems(stored) == []
    assert validation_problems([row.statement for row in rows]) == []
    by_verb = {s["verb"]["id"].rsplit("/", 1)[1]: s for s in stored}
    assert by_verb["passed"]["result"]["success"] is True and by_verb["failed"]["result"]["success"] is False
    assert by_verb["scored"]["result"]["score"]["raw"] == 75.0
    assert by_verb["earned"]["object"]["id"].startswith(f"{settings.SITE_URL}/verify/")
    assert by_verb["attended"]["object"]["id"].startswith(f"{settings.SITE_URL}/workshops/sessions/")
    for statement in stored:
        assert statement["verb"]["id"].startswith(ADL) or statement["verb"]["id"].endswith("/earned")
        assert statement["object"]["id"].startswith(settings.SITE_URL)
        assert statement["actor"]["account"]["homePage"] == settings.SITE_URL
        assert statement["context"]["registration"]
    assert "learner@xapi.example" not in json.dumps(stored)
    assert {s["context"]["registration"] for s in stored} == {registration_id(e) for e in enrollments.values()}

    # Everything again (a resend after a lost answer): the LRS keeps one of each.
    XapiStatement.objects.update(status="pending", attempts=0, sent_at=None, next_attempt_at=timezone.now())
    assert xapi_outbox_send(organization_id=org.organization.pk) == {"sent": len(rows), "not_sent": 0}
    again = [s["id"] for s in lrs.statements()]
    assert sorted(again) == sorted(ids)


def test_the_backfill_writes_the_same_history_and_the_lrs_takes_it(org, lrs, client_for, settings):
    _journey(org, client_for)  # before any endpoint: nothing recorded
    assert XapiStatement.objects.count() == 0
    configure(org.organization, lrs.base)
    call_command("xapi_backfill", organization=org.organization.slug, since="2000-01-01", stdout=io.StringIO())
    rows = list(XapiStatement.objects.filter(organization=org.organization))
    assert Counter(row.verb for row in rows) == JOURNEY_VERBS
    out = io.StringIO()
    call_command("xapi_backfill", organization=org.organization.slug, stdout=out)
    assert out.getvalue().startswith("0 statement(s)")  # ids derive from the events
    assert xapi_outbox_send(organization_id=org.organization.pk) == {"sent": len(rows), "not_sent": 0}
    stored = lrs.statements()
    assert sorted(s["id"] for s in stored) == sorted(str(row.statement_id) for row in rows)
    assert validation_problems(stored) == []


@pytest.mark.parametrize(("args", "message"), [
    ({"organization": "nobody"}, "No organization"),
    ({"organization": "xapi-org"}, "no active LRS endpoint"),
])
def test_the_backfill_command_refuses_clearly(org, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("xapi_backfill", **args)
