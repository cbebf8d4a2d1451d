"""The API of a course's structure: change, reorder, delete (409 once learners have progress) and the publish
checks (publishing answers 409 listing the unmet ones), for the course's managers only."""
from __future__ import annotations

import pytest

from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Module
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress
from tests import factories as people
from tests.courses.factories import EnrollmentFactory, activities_of, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course(org, instructor):
    course = build_course(slug="api-structure", publish=False, organization=org, modules=2,
                          activities=[{"title": "One"}, {"title": "Two"}, {"title": "Three", "module": 1}])
    course.instructors.add(instructor)
    return course


def test_change_reorder_and_delete(client_for, instructor, course):
    api = client_for(instructor)
    first, second = course.modules.order_by("position")
    one, two = activities_of(course)[:2]
    base = f"/api/v1/courses/{course.slug}"
    assert api.patch(f"{base}/modules/{first.pk}/", {"title": "Opening"}, format="json").json()["title"] == "Opening"
    response = api.patch(f"{base}/activities/{one.pk}/", {"required": False, "weight": 3}, format="json")
    assert response.status_code == 200 and response.json()["required"] is False and response.json()["weight"] == 3
    assert api.post(f"{base}/modules/order/", {"order": [second.pk, first.pk]}, format="json").status_code == 204
    assert list(Module.objects.filter(course=course).order_by("position").values_list("pk", flat=True)) == [
        second.pk, first.pk]
    assert api.post(f"{base}/modules/{first.pk}/activities/order/", {"order": [two.pk, one.pk]},
                    format="json").status_code == 204
    assert [a.title for a in activities_of(course)] == ["Three", "Two", "One"]
    stale = api.post(f"{base}/modules/order/", {"order": [first.pk]}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "order_stale"
    assert api.delete(f"{base}/activities/{two.pk}/").status_code == 204
    assert api.delete(f"{base}/modules/{second.pk}/").status_code == 204
    assert [a.title for a in activities_of(course)] == ["One"]


def test_delete_with_progress_is_a_409_saying_why(client_for, org, instructor, course):
    activity = activities_of(course)[0]
    enrollment = EnrollmentFactory(course=course, user=people.member(org, "learner"))
    ActivityProgress.objects.create(enrollment=enrollment, activity=activity, status="passed")
    api = client_for(instructor)
    response = api.delete(f"/api/v1/courses/{course.slug}/activities/{activity.pk}/")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "activity_has_progress", "fields": {},
        "message": "1 learner has progress in this activity; archive the course or make it optional instead."}
    response = api.delete(f"/api/v1/courses/{course.slug}/modules/{activity.module_id}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "module_has_progress"
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_publish_lists_the_unmet_checks(client_for, instructor, course):
    api = client_for(instructor)
    module = course.modules.order_by("position").first()
    api.post(f"/api/v1/courses/{course.slug}/modules/{module.pk}/activities/", {"title": "Live", "kind": "workshop"},
             format="json")
    checks = api.get(f"/api/v1/courses/{course.slug}/publish-checks/").json()
    unmet = {check["code"]: check["titles"] for check in checks if not check["met"]}
    assert unmet == {"workshops_linked": ["Live"]}
    response = api.post(f"/api/v1/courses/{course.slug}/publish/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "course_not_ready" and error["fields"] == {"checks": ["workshops_linked"]}
    assert "Every workshop activity has a workshop. (Live)" in error["message"]
    for activity in Activity.objects.filter(course=course):
        api.patch(f"/api/v1/courses/{course.slug}/activities/{activity.pk}/", {"required": False}, format="json")
    api.delete(f"/api/v1/courses/{course.slug}/activities/{Activity.objects.get(title='Live').pk}/")
    response = api.post(f"/api/v1/courses/{course.slug}/publish/")
    assert response.status_code == 409 and response.json()["error"]["fields"] == {"checks": ["has_required"]}


def test_an_empty_course_keeps_its_code(client_for, org, instructor):
    course = build_course(slug="empty", publish=False, organization=org)
    course.instructors.add(instructor)
    response = client_for(instructor).post("/api/v1/courses/empty/publish/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "course_empty"


def test_outside_scope(client_for, org, other_org, course):
    module, activity = course.modules.first(), activities_of(course)[0]
    base = f"/api/v1/courses/{course.slug}"
    outsider = client_for(people.member(other_org, "instructor"))
    assert outsider.delete(f"{base}/activities/{activity.pk}/").status_code == 404
    assert outsider.patch(f"{base}/modules/{module.pk}/", {"title": "X"}, format="json").status_code == 404
    assert outsider.get(f"{base}/publish-checks/").status_code == 404
    learner = client_for(people.member(org, "learner"))
    assert learner.delete(f"{base}/activities/{activity.pk}/").status_code in (403, 404)
    other = build_course(slug="not-mine", publish=False, organization=org)
    mine = client_for(course.instructors.first())
    assert mine.delete(f"{base}/activities/{activities_of(other)[0].pk if activities_of(other) else 999}/"
                       ).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_a_quiz_attempt_counts_as_progress(client_for, org, instructor, course):
    quiz = quiz_authoring.quiz_activity_create(module=course.modules.order_by("position").first(), title="Check")
    quiz_authoring.question_create(quiz=quiz, kind="single_choice", prompt="First?", choices=[
        {"text": "Listen", "correct": True}, {"text": "Talk", "correct": False}])
    catalog_services.course_publish(course=course)
    enrollment, _ = enrollment_services.enrollment_create(user=people.member(org, "learner"), course=course)
    quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    response = client_for(instructor).delete(f"/api/v1/courses/{course.slug}/activities/{quiz.activity_id}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "activity_has_progress"
