"""/api/v1/courses/{slug}/enroll/, bulk enrollment, /api/v1/enrollments/... and completing activities."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from courses.enrollments import services
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.models import Membership
from tests import factories as people
from tests.courses.factories import activities_of, build_course, completion_hook
from tests.helpers import assert_error


def key_client(organization) -> APIClient:
    _, raw = people.api_key_for(organization)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def course(db):
    return build_course(slug="listening", activities=[{"title": "One"}, {"title": "Two"}])


def _enroll_url(slug: str) -> str:
    return f"/api/v1/courses/{slug}/enroll/"


def _complete_url(enrollment_id: int, activity_id: int) -> str:
    return f"/api/v1/enrollments/{enrollment_id}/activities/{activity_id}/complete/"


# --- self-enrollment ------------------------------------------------------------------------------

def test_self_enroll_is_idempotent(client_for, course, org):
    client = client_for(people.member(org))
    first = client.post(_enroll_url(course.slug))
    second = client.post(_enroll_url(course.slug))
    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["status"] == "active"
    assert first.json()["organization"] == org.slug
    assert Enrollment.objects.count() == 1


def test_withdraw_then_reenroll_reactivates_the_same_row(client_for, course, org):
    learner = people.member(org)
    client = client_for(learner)
    enrollment_id = client.post(_enroll_url(course.slug)).json()["id"]
    one, _ = activities_of(course)
    assert client.post(_complete_url(enrollment_id, one.pk)).status_code == 200

    withdrawn = client.post(f"/api/v1/enrollments/{enrollment_id}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"

    again = client.post(_enroll_url(course.slug))
    assert again.status_code == 201
    body = again.json()
    assert (body["id"], body["status"], body["progress_percent"], body["withdrawn_at"]) == (
        enrollment_id, "active", 50, None)
    assert Enrollment.objects.count() == 1
    assert ActivityProgress.objects.filter(enrollment_id=enrollment_id, status="passed").count() == 1


def test_completed_enrollment_cannot_be_withdrawn(client_for, course, org):
    learner = people.member(org)
    client = client_for(learner)
    enrollment_id = client.post(_enroll_url(course.slug)).json()["id"]
    for activity in activities_of(course):
        client.post(_complete_url(enrollment_id, activity.pk))
    assert Enrollment.objects.get(pk=enrollment_id).status == "completed"
    assert_error(client.post(f"/api/v1/enrollments/{enrollment_id}/withdraw/"), 409, "cannot_withdraw")
    assert Enrollment.objects.get(pk=enrollment_id).status == "completed"


def test_enrolling_in_a_draft_is_not_found_for_learners(client_for, org):
    draft = build_course(slug="draft", publish=False, activities=[{"title": "One"}])
    assert_error(client_for(people.member(org)).post(_enroll_url(draft.slug)), 404)
    assert not Enrollment.objects.exists()


def test_enrolling_in_an_unknown_course_is_not_found(client_for, org):
    assert_error(client_for(people.member(org)).post(_enroll_url("no-such-course")), 404)


def test_enrolling_in_another_organizations_private_course_is_not_found(client_for, org, other_org):
    private = build_course(slug="private", organization=org, activities=[{"title": "One"}])
    assert_error(client_for(people.member(other_org)).post(_enroll_url(private.slug)), 404)
    assert client_for(people.member(org)).post(_enroll_url(private.slug)).status_code == 201
    assert Enrollment.objects.count() == 1


def test_api_keys_cannot_enroll(course, org):
    assert_error(key_client(org).post(_enroll_url(course.slug)), 403)
    assert not Enrollment.objects.exists()


def test_enroll_body_must_be_an_object(client_for, course, org):
    response = client_for(people.member(org)).post(_enroll_url(course.slug), data=[1, 2], format="json")
    assert_error(response, 400, "invalid")
    assert not Enrollment.objects.exists()


def test_malformed_json_is_a_400(client_for, course, org):
    response = client_for(people.member(org)).post(_enroll_url(course.slug), data=b"{not json",
                                                   content_type="application/json")
    assert_error(response, 400)
    assert not Enrollment.objects.exists()


# --- completing activities ------------------------------------------------------------------------

def test_completing_lessons_through_the_api(client_for, course, org, django_capture_on_commit_callbacks):
    learner = people.member(org)
    client = client_for(learner)
    enrollment_id = client.post(_enroll_url(course.slug)).json()["id"]
    one, two = activities_of(course)

    response = client.post(_complete_url(enrollment_id, one.pk), {"time_spent_seconds": 120})
    assert response.status_code == 200
    body = response.json()
    assert body["activity"]["status"] == "passed" and body["activity"]["attempts"] == 1
    assert (body["enrollment"]["status"], body["enrollment"]["progress_percent"]) == ("active", 50)

    with completion_hook() as calls, django_capture_on_commit_callbacks(execute=True):
        body = client.post(_complete_url(enrollment_id, two.pk)).json()
    assert (body["enrollment"]["status"], body["enrollment"]["progress_percent"]) == ("completed", 100)
    assert Decimal(body["enrollment"]["final_score"]) == Decimal("100.00")
    assert body["enrollment"]["time_spent_seconds"] == 120
    assert calls == [enrollment_id]

    detail = client.get(f"/api/v1/enrollments/{enrollment_id}/").json()
    assert [row["status"] for row in detail["activities"]] == ["passed", "passed"]
    assert detail["next_activity"] is None


def test_a_failing_completion_hook_does_not_break_the_request(client_for, org, django_capture_on_commit_callbacks):
    course = build_course(activities=[{"title": "Only"}])
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)

    def explode(enrollment_id: int) -> None:
        raise ConnectionError("broker unreachable")

    with completion_hook(explode), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(learner).post(_complete_url(enrollment.pk, activities_of(course)[0].pk))
    assert len(callbacks) == 1
    assert response.status_code == 200
    assert response.json()["enrollment"]["status"] == "completed"
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"


def test_withdrawn_enrollment_cannot_complete(client_for, course, org):
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    services.enrollment_withdraw(enrollment=enrollment)
    assert_error(client_for(learner).post(_complete_url(enrollment.pk, activities_of(course)[0].pk)), 409,
                 "enrollment_not_active")
    assert not ActivityProgress.objects.exists()


def test_activity_from_another_course_is_not_found(client_for, course, org):
    other = build_course(activities=[{"title": "Elsewhere"}])
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    assert_error(client_for(learner).post(_complete_url(enrollment.pk, activities_of(other)[0].pk)), 404,
                 "activity_not_found")
    assert_error(client_for(learner).post(_complete_url(enrollment.pk, 999_999)), 404)
    assert not ActivityProgress.objects.exists()


def test_a_quiz_cannot_be_marked_done(client_for, org):
    course = build_course(activities=[{"title": "Quiz", "kind": "quiz"}])
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    assert_error(client_for(learner).post(_complete_url(enrollment.pk, activities_of(course)[0].pk)), 409,
                 "not_a_lesson")
    assert not ActivityProgress.objects.exists()


@pytest.mark.parametrize("value", [-1, "abc", None, 86_401, [1]])
def test_bad_time_spent_is_a_400(client_for, course, org, value):
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    response = client_for(learner).post(_complete_url(enrollment.pk, activities_of(course)[0].pk),
                                        {"time_spent_seconds": value}, format="json")
    error = assert_error(response, 400, "invalid")
    assert "time_spent_seconds" in error["fields"]
    assert not ActivityProgress.objects.exists()


@pytest.mark.parametrize("value", [-1, "soon", 3601])
def test_bad_heartbeat_is_a_400(client_for, course, org, value):
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    response = client_for(learner).post(
        f"/api/v1/enrollments/{enrollment.pk}/activities/{activities_of(course)[0].pk}/heartbeat/",
        {"seconds": value}, format="json")
    assert "seconds" in assert_error(response, 400, "invalid")["fields"]
    assert not ActivityProgress.objects.exists()


# --- whose enrollments ----------------------------------------------------------------------------

@pytest.fixture
def team(course, org, other_org):
    """In org A: a supervisor managing ``mine``; ``theirs`` outside the team; HR; an org-B HR."""
    supervisor = people.MembershipFactory(organization=org, roles=["supervisor"])
    mine = people.MembershipFactory(organization=org, manager=supervisor)
    theirs = people.MembershipFactory(organization=org)
    enrollments = {
        "mine": services.enrollment_create(user=mine.user, course=course)[0],
        "theirs": services.enrollment_create(user=theirs.user, course=course)[0],
    }
    return {
        "supervisor": supervisor.user, "mine": mine.user, "theirs": theirs.user,
        "hr": people.member(org, "hr"), "other_hr": people.member(other_org, "hr"),
        "enrollments": enrollments,
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_someone_elses_enrollment_is_not_found(client_for, team, course):
    theirs = team["enrollments"]["theirs"]
    client = client_for(team["mine"])
    assert_error(client.get(f"/api/v1/enrollments/{theirs.pk}/"), 404)
    assert_error(client.post(_complete_url(theirs.pk, activities_of(course)[0].pk)), 404)
    assert_error(client.post(f"/api/v1/enrollments/{theirs.pk}/withdraw/"), 404)
    theirs.refresh_from_db()
    assert theirs.status == "active"
    assert not ActivityProgress.objects.exists()
    assert _ids(client.get("/api/v1/enrollments/")) == {team["enrollments"]["mine"].pk}


def test_hr_sees_the_organizations_enrollments(client_for, team):
    client = client_for(team["hr"])
    expected = {e.pk for e in team["enrollments"].values()}
    assert _ids(client.get("/api/v1/enrollments/")) == expected
    theirs = team["enrollments"]["theirs"]
    detail = client.get(f"/api/v1/enrollments/{theirs.pk}/")
    assert detail.status_code == 200
    assert detail.json()["learner"]["email"] == team["theirs"].email
    assert len(detail.json()["activities"]) == 2
    # HR may see, but progress is recorded by the learner alone.
    assert_error(client.post(_complete_url(theirs.pk, detail.json()["activities"][0]["activity_id"])), 404)

    other = client_for(team["other_hr"])
    assert _ids(other.get("/api/v1/enrollments/")) == set()
    assert_error(other.get(f"/api/v1/enrollments/{theirs.pk}/"), 404)
    assert_error(other.post(f"/api/v1/enrollments/{theirs.pk}/withdraw/"), 404)


def test_supervisor_sees_the_team_only(client_for, team):
    client = client_for(team["supervisor"])
    assert _ids(client.get("/api/v1/enrollments/")) == {team["enrollments"]["mine"].pk}
    assert client.get(f"/api/v1/enrollments/{team['enrollments']['mine'].pk}/").status_code == 200
    assert_error(client.get(f"/api/v1/enrollments/{team['enrollments']['theirs'].pk}/"), 404)


def test_supervisor_of_a_moved_team_member_no_longer_sees_them(client_for, team):
    Membership.objects.filter(user=team["mine"]).update(manager=None)
    client = client_for(team["supervisor"])
    assert _ids(client.get("/api/v1/enrollments/")) == set()


def test_api_keys_read_their_organizations_enrollments_and_cannot_write(team, org, other_org):
    theirs = team["enrollments"]["theirs"]
    client = key_client(org)
    assert _ids(client.get("/api/v1/enrollments/")) == {e.pk for e in team["enrollments"].values()}
    assert client.get(f"/api/v1/enrollments/{theirs.pk}/").status_code == 200
    assert_error(client.post(f"/api/v1/enrollments/{theirs.pk}/withdraw/"), 403)
    theirs.refresh_from_db()
    assert theirs.status == "active"

    other = key_client(other_org)
    assert _ids(other.get("/api/v1/enrollments/")) == set()
    assert_error(other.get(f"/api/v1/enrollments/{theirs.pk}/"), 404)


def test_hr_may_withdraw_an_organization_enrollment(client_for, team):
    theirs = team["enrollments"]["theirs"]
    response = client_for(team["hr"]).post(f"/api/v1/enrollments/{theirs.pk}/withdraw/")
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == "withdrawn"


def test_supervisor_sees_but_may_not_withdraw(client_for, team):
    mine = team["enrollments"]["mine"]
    assert_error(client_for(team["supervisor"]).post(f"/api/v1/enrollments/{mine.pk}/withdraw/"), 403)
    mine.refresh_from_db()
    assert mine.status == "active"


def test_enrollment_filters(client_for, team, course):
    client = client_for(team["hr"])
    services.enrollment_withdraw(enrollment=team["enrollments"]["theirs"])
    assert _ids(client.get("/api/v1/enrollments/?status=active")) == {team["enrollments"]["mine"].pk}
    assert _ids(client.get(f"/api/v1/enrollments/?course={course.slug}")) == {
        e.pk for e in team["enrollments"].values()}
    assert _ids(client.get("/api/v1/enrollments/?mine=true")) == set()
    assert_error(client.get("/api/v1/enrollments/?status=bogus"), 400)


def test_unknown_enrollment_is_a_404(client_for, org):
    assert_error(client_for(people.member(org)).get("/api/v1/enrollments/999999/"), 404)


# --- bulk -----------------------------------------------------------------------------------------

def _bulk_url(slug: str) -> str:
    return f"/api/v1/courses/{slug}/enrollments/bulk/"


@pytest.fixture
def roster(org, other_org):
    people.member(org, user__email="ana@a.example")
    people.member(org, user__email="ben@a.example")
    people.member(other_org, user__email="stranger@b.example")
    return people.member(org, "hr")


def test_bulk_json_with_bad_rows(client_for, course, roster):
    emails = ["ana@a.example", "nope", "", "ana@a.example", "ghost@a.example", "stranger@b.example", "ben@a.example"]
    response = client_for(roster).post(_bulk_url(course.slug), {"emails": emails}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["enrolled"], body["already_enrolled"], body["reactivated"], body["errors"]) == (2, 0, 0, 5)
    assert [row["result"] for row in body["rows"]] == [
        "enrolled", "error", "error", "error", "error", "error", "enrolled"]
    assert [row["error"] for row in body["rows"]][1:4] == [
        "Not a valid email address.", "Email is missing.", "Repeats row 1."]
    assert set(Enrollment.objects.values_list("user__email", flat=True)) == {"ana@a.example", "ben@a.example"}

    again = client_for(roster).post(_bulk_url(course.slug), {"emails": emails}, format="json").json()
    assert (again["enrolled"], again["already_enrolled"], again["errors"]) == (0, 2, 5)
    assert Enrollment.objects.count() == 2


def test_bulk_csv_upload(client_for, course, roster):
    upload = SimpleUploadedFile("people.csv", b"Name,Email\r\nAna,ana@a.example\r\nBen,BEN@a.example\r\nNo one,\r\n",
                                content_type="text/csv")
    response = client_for(roster).post(_bulk_url(course.slug), {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["enrolled"], body["errors"]) == (2, 1)
    assert body["rows"][2]["error"] == "Email is missing."
    assert Enrollment.objects.count() == 2


def test_bulk_csv_not_utf8_is_a_422(client_for, course, roster):
    upload = SimpleUploadedFile("people.csv", "email\nj\u00e9r\u00f4me@a.example\nana@a.example\n".encode("cp1252"),
                                content_type="text/csv")
    response = client_for(roster).post(_bulk_url(course.slug), {"file": upload}, format="multipart")
    assert_error(response, 422, "invalid_encoding")
    assert not Enrollment.objects.exists()


def test_bulk_needs_emails_or_file(client_for, course, roster):
    assert_error(client_for(roster).post(_bulk_url(course.slug), {}, format="json"), 422, "invalid")
    assert_error(client_for(roster).post(_bulk_url(course.slug), {"emails": "ana@a.example"}, format="json"), 400)
    assert not Enrollment.objects.exists()


def test_a_learner_calling_bulk_is_forbidden(client_for, course, roster, org):
    response = client_for(people.member(org)).post(_bulk_url(course.slug), {"emails": ["ana@a.example"]},
                                                   format="json")
    assert_error(response, 403, "permission_denied")
    assert not Enrollment.objects.exists()


def test_api_key_calling_bulk_is_forbidden(course, roster, org):
    response = key_client(org).post(_bulk_url(course.slug), {"emails": ["ana@a.example"]}, format="json")
    assert_error(response, 403)
    assert not Enrollment.objects.exists()


def test_bulk_into_an_unpublished_course_conflicts(client_for, roster, org):
    instructor = people.member(org, "instructor")
    draft = build_course(slug="draft", publish=False, created_by=instructor, activities=[{"title": "One"}])
    response = client_for(instructor).post(_bulk_url(draft.slug), {"emails": ["ana@a.example"]}, format="json")
    assert_error(response, 409, "course_not_published")
    assert not Enrollment.objects.exists()
    # HR does not manage the draft, so to them it does not exist.
    assert_error(client_for(roster).post(_bulk_url(draft.slug), {"emails": ["ana@a.example"]}, format="json"), 404)


def test_bulk_into_an_unknown_course_is_a_404(client_for, roster):
    assert_error(client_for(roster).post(_bulk_url("nope"), {"emails": ["ana@a.example"]}, format="json"), 404)


@pytest.mark.parametrize("content", [b"Name;Email\r\nAna;ana@a.example\r\nBen;BEN@a.example\r\n",
                                     b"Name\tEmail\nAna\tana@a.example\nBen\tBEN@a.example\n",
                                     b"\xef\xbb\xbfName;Email\r\nAna;ana@a.example\r\nBen;BEN@a.example\r\n"],
                         ids=["semicolon", "tab", "bom-semicolon"])
def test_bulk_csv_upload_with_semicolons_or_tabs(client_for, course, roster, content):
    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    response = client_for(roster).post(_bulk_url(course.slug), {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["enrolled"] == 2
