"""The gradebook (/teach/courses/<slug>/gradebook/ and its API): what a course manager sees, filters and sorts,
who may open it, and overrides of a result through completion, with their audit rows."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress, Enrollment, GradeOverride
from tests.courses.factories import activities_of, build_course
from tests.factories import DepartmentFactory, MembershipFactory, member
from tests.helpers import assert_error, request_property

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    """A course of org with three activities (two required lessons, one optional), its instructor, and
    three learners: Ana (Care, half done, overdue), Bruno (Sales, done), Clara (no department, untouched)."""
    instructor = member(org, "instructor")
    course = build_course(slug="hearing-people", organization=org, passing_score=50, activities=[
        {"title": "Open questions"}, {"title": "Reflecting back"}, {"title": "Extra reading", "required": False}])
    course.instructors.add(instructor)
    care = DepartmentFactory(organization=org, name="Care")
    sales = DepartmentFactory(organization=org, name="Sales")
    people = {}
    for first, last, department in (("Ana", "Alves", care), ("Bruno", "Borges", sales), ("Clara", "Costa", None)):
        membership = MembershipFactory(organization=org, department=department, user__first_name=first,
                                       user__last_name=last)
        people[first] = enrollment_services.enrollment_create(user=membership.user, course=course,
                                                              organization=org)[0]
    first, second, _ = activities_of(course)
    enrollment_services.activity_record_result(enrollment=people["Ana"], activity=first, passed=True, score=80)
    Enrollment.objects.filter(pk=people["Ana"].pk).update(due_at=timezone.now() - timedelta(days=1))
    for activity in (first, second):
        enrollment_services.activity_record_result(enrollment=people["Bruno"], activity=activity, passed=True,
                                                   score=90)
    return {"org": org, "course": course, "instructor": instructor, "people": people, "care": care,
            "activities": activities_of(course)}


def _url(world, name="pages:teach-gradebook", *args):
    return reverse(name, args=[world["course"].slug, *args])


def _names(text: str, world) -> list[str]:
    """The learners in the order the page lists them."""
    found = [(text.find(f">{name} "), name) for name in world["people"]]
    return [name for position, name in sorted(found) if position >= 0]


def test_the_gradebook_shows_each_learner_by_activity(client, world):
    client.force_login(world["instructor"])
    response = client.get(_url(world))
    assert response.status_code == 200
    text = response.text
    assert _names(text, world) == ["Ana", "Bruno", "Clara"]
    for activity in world["activities"]:
        assert activity.title in text
    assert "Passed · 80.00" in text and "Not started" in text and "Overdue" in text
    assert "Care" in text and "Sales" in text
    assert "<caption" in text and 'class="table-scroll"' in text


@pytest.mark.parametrize(("query", "expected"), [
    ("department={care}", ["Ana"]),
    ("status=completed", ["Bruno"]),
    ("overdue=yes", ["Ana"]),
    ("overdue=no", ["Bruno", "Clara"]),
    ("sort=-name", ["Clara", "Bruno", "Ana"]),
    ("sort=-progress", ["Bruno", "Ana", "Clara"]),
    ("sort=-final_score", ["Bruno", "Ana", "Clara"]),
    ("sort=due", ["Ana", "Bruno", "Clara"]),
    ("status=nonsense", ["Ana", "Bruno", "Clara"]),  # not a choice: that filter is off
])
def test_filters_and_sorting(client, world, query, expected):
    client.force_login(world["instructor"])
    response = client.get(_url(world) + "?" + query.format(care=world["care"].pk))
    assert response.status_code == 200
    assert _names(response.text, world) == expected


def test_the_api_answers_the_same_rows_under_the_same_filters(client_for, world):
    api = client_for(world["instructor"])
    body = api.get(f"/api/v1/courses/{world['course'].slug}/gradebook/?overdue=false&sort=-final_score").json()
    assert body["count"] == 2
    names = [row["learner"]["name"] for row in body["results"]]
    assert names[0].startswith("Bruno") and names[1].startswith("Clara")
    bruno = body["results"][0]
    assert bruno["status"] == "completed" and bruno["progress_percent"] == 100
    assert [cell["status"] for cell in bruno["cells"]] == ["passed", "passed", "not_started"]
    assert api.get(f"/api/v1/courses/{world['course'].slug}/gradebook/?sort=height").status_code == 400


def test_pages_of_fifty_learners(client, world):
    course = world["course"]
    extra = [member(world["org"], "learner") for _ in range(52)]
    Enrollment.objects.bulk_create([Enrollment(user=user, course=course, organization=world["org"]) for user in extra])
    client.force_login(world["instructor"])
    first = client.get(_url(world)).text
    assert "Page 1 of 2" in first and "55 learners" in first
    second = client.get(_url(world) + "?page=2").text
    assert "Page 2 of 2" in second and second.count('scope="row"') == 5


def test_a_learners_page_lists_every_activity_with_attempts(client, world):
    client.force_login(world["instructor"])
    ana = world["people"]["Ana"]
    response = client.get(_url(world, "pages:teach-gradebook-learner", ana.pk))
    assert response.status_code == 200
    for activity in world["activities"]:
        assert activity.title in response.text
    assert "Change a result" in response.text and "Grant an extension" in response.text


# --- who may open it ---------------------------------------------------------------------------------------

def test_an_instructor_of_another_organization_gets_404(client, client_for, world, other_org):
    stranger = member(other_org, "instructor")
    client.force_login(stranger)
    ana = world["people"]["Ana"]
    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, "pages:teach-gradebook-learner", ana.pk)).status_code == 404
    assert client.get(_url(world, "pages:teach-gradebook-csv")).status_code == 404
    assert client.post(_url(world, "pages:teach-gradebook-override", ana.pk),
                       {"override-activity": world["activities"][1].pk, "override-passed": "on",
                        "override-reason": "x"}).status_code == 404
    api = client_for(stranger)
    slug = world["course"].slug
    assert api.get(f"/api/v1/courses/{slug}/gradebook/").status_code == 404
    assert api.get(f"/api/v1/courses/{slug}/gradebook/{ana.pk}/").status_code == 404
    assert api.post(f"/api/v1/courses/{slug}/gradebook/{ana.pk}/overrides/",
                    {"activity": world["activities"][1].pk, "passed": True, "reason": "x"},
                    format="json").status_code == 404
    assert not GradeOverride.objects.exists()


def test_an_instructor_who_does_not_teach_the_course_finds_nothing(client, world):
    """In the workspace a course one does not teach is absent, though the catalog shows it."""
    client.force_login(member(world["org"], "instructor"))
    assert client.get(_url(world)).status_code == 404


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learners_and_hr_get_403_on_the_pages(client, world, role):
    client.force_login(member(world["org"], role))
    ana = world["people"]["Ana"]
    assert client.get(_url(world)).status_code == 403
    assert client.get(_url(world, "pages:teach-gradebook-learner", ana.pk)).status_code == 403
    assert client.get(_url(world, "pages:teach-gradebook-xlsx")).status_code == 403


def test_an_enrollment_of_another_course_is_404(client, world):
    other = build_course(slug="other-course", organization=world["org"], activities=[{"title": "Only"}])
    stranger = enrollment_services.enrollment_create(user=member(world["org"], "learner"), course=other,
                                                     organization=world["org"])[0]
    client.force_login(world["instructor"])
    assert client.get(_url(world, "pages:teach-gradebook-learner", stranger.pk)).status_code == 404


# --- overrides -----------------------------------------------------------------------------------------------

@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(certificate_services, "task_enqueue", lambda name, **kwargs: calls.append((name, kwargs)))
    return calls


def test_an_override_of_the_last_required_activity_completes_and_schedules_the_certificate(
        client, world, enqueued, django_capture_on_commit_callbacks):
    ana = world["people"]["Ana"]
    second = world["activities"][1]
    client.force_login(world["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world, "pages:teach-gradebook-override", ana.pk), {
            "override-activity": second.pk, "override-score": "75", "override-passed": "on",
            "override-reason": "Did the exercise on paper in the workshop."})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.status == Enrollment.Status.COMPLETED and ana.progress_percent == 100
    assert ana.final_score == Decimal("77.50")
    assert enqueued == [("courses.certificate_issue", {"args": [ana.pk], "retry": False})]
    audit = GradeOverride.objects.get()
    assert (audit.enrollment_id, audit.activity_id, audit.changed_by_id) == (ana.pk, second.pk,
                                                                             world["instructor"].pk)
    assert (audit.old_status, audit.old_score, audit.new_status, audit.new_score) == (
        "not_started", None, "passed", Decimal("75.00"))
    assert audit.reason == "Did the exercise on paper in the workshop."
    page = client.get(response["Location"]).text
    assert "Did the exercise on paper in the workshop." in page and world["instructor"].display_name in page


def test_an_override_without_a_reason_is_400_with_the_error_beside_the_field(client, world):
    ana = world["people"]["Ana"]
    client.force_login(world["instructor"])
    response = client.post(_url(world, "pages:teach-gradebook-override", ana.pk), {
        "override-activity": world["activities"][1].pk, "override-passed": "on", "override-reason": "  "})
    assert response.status_code == 400
    assert 'id="id_override-reason_errors"' in response.text
    assert not GradeOverride.objects.exists()
    assert not ActivityProgress.objects.filter(enrollment=ana, activity=world["activities"][1]).exists()


def test_the_api_refuses_an_override_without_a_reason_and_writes_nothing(client_for, world):
    ana = world["people"]["Ana"]
    url = f"/api/v1/courses/{world['course'].slug}/gradebook/{ana.pk}/overrides/"
    response = client_for(world["instructor"]).post(url, {"activity": world["activities"][1].pk, "passed": True},
                                                    format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = client_for(world["instructor"]).post(url, {"activity": world["activities"][1].pk, "passed": True,
                                                          "reason": " "}, format="json")
    assert response.status_code == 422  # the shape is right (a string); the rule refuses an empty one
    assert "reason" in response.json()["error"]["fields"]
    assert not GradeOverride.objects.exists()
    assert not ActivityProgress.objects.filter(enrollment=ana, activity=world["activities"][1]).exists()


def test_the_api_override_writes_its_audit_row(client_for, world):
    clara = world["people"]["Clara"]
    first = world["activities"][0]
    url = f"/api/v1/courses/{world['course'].slug}/gradebook/{clara.pk}/overrides/"
    response = client_for(world["instructor"]).post(url, {"activity": first.pk, "score": "60.00",
                                                          "reason": "Scored on paper."}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["old_status"], body["new_status"], body["new_score"]) == ("not_started", "failed", "60.00")
    detail = client_for(world["instructor"]).get(f"/api/v1/courses/{world['course'].slug}/gradebook/{clara.pk}/")
    assert detail.json()["overrides"][0]["reason"] == "Scored on paper."
    assert detail.json()["activities"][0]["score"] == "60.00"


def test_the_schema_bounds_an_override_score_at_100(client_for, world):
    """The API fuzzer sent score "715", valid by the schema's pattern then (three whole digits), and met a 400:
    the pattern now stops at 100, and 100 itself is taken."""
    pattern = re.compile(request_property("POST", "/api/v1/courses/{slug}/gradebook/{enrollment_id}/overrides/",
                                          "score")["pattern"])
    assert [text for text in ("0", "7.5", "99.99", "100", "100.00", ".5") if not pattern.fullmatch(text)] == []
    assert [text for text in ("715", "100.01", "101", "-1", "1000") if pattern.fullmatch(text)] == []
    clara = world["people"]["Clara"]
    url = f"/api/v1/courses/{world['course'].slug}/gradebook/{clara.pk}/overrides/"
    client = client_for(world["instructor"])
    assert_error(client.post(url, {"activity": world["activities"][0].pk, "score": "715", "reason": "Typo."},
                             format="json"), 400)
    response = client.post(url, {"activity": world["activities"][0].pk, "score": "100", "reason": "On paper."},
                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["new_score"] == "100.00"


def test_an_override_that_would_change_nothing_is_409(client, world):
    bruno = world["people"]["Bruno"]
    client.force_login(world["instructor"])
    response = client.post(_url(world, "pages:teach-gradebook-override", bruno.pk), {
        "override-activity": world["activities"][0].pk, "override-score": "50", "override-reason": "Lower it."})
    assert response.status_code == 409
    assert "never lowers the best score" in response.text
    assert not GradeOverride.objects.exists()


def test_a_withdrawn_enrollment_takes_no_override(client_for, world):
    clara = world["people"]["Clara"]
    enrollment_services.enrollment_withdraw(enrollment=clara)
    url = f"/api/v1/courses/{world['course'].slug}/gradebook/{clara.pk}/overrides/"
    response = client_for(world["instructor"]).post(url, {"activity": world["activities"][0].pk, "passed": True,
                                                          "reason": "Please."}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "enrollment_not_active"
    assert not GradeOverride.objects.exists()


def test_the_pages_speak_brazilian_portuguese(client, world):
    client.force_login(world["instructor"])
    ana = world["people"]["Ana"]
    text = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="pt-BR").text
    assert "Notas: " in text and "Baixar CSV" in text and "Aprovado · 80,00" in text and "3 participantes" in text
    text = client.get(_url(world, "pages:teach-gradebook-learner", ana.pk), HTTP_ACCEPT_LANGUAGE="pt-BR").text
    assert "Alterar um resultado" in text and "Conceder uma extensão" in text and "Motivo" in text
