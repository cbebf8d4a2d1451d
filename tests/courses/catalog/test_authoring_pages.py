"""Authoring at /teach/courses/: a course from nothing to published and archived, the forms' 400s, the 409s of
delete-with-progress and publish-with-unmet-checks, who may use it, and the structure page's query count."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.quizzes.services import authoring as quiz_authoring
from courses.catalog.models import Activity, Course, Module
from courses.enrollments.models import ActivityProgress
from tests import factories as people
from tests.courses.catalog.conftest import browser, portuguese
from tests.courses.factories import EnrollmentFactory, activities_of, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor", user__first_name="Ana", user__last_name="Lima")


@pytest.fixture
def course(org, instructor):
    course = build_course(slug="hard-calls", publish=False, organization=org, modules=2,
                          activities=[{"title": "Read first"}, {"title": "Then this"}, {"title": "Later", "module": 1}])
    course.instructors.add(instructor)
    return course


def _order(html: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=html.index)


def test_from_nothing_to_published_and_archived(org, instructor):
    client = browser(instructor)
    assert client.get("/teach/courses/new/").status_code == 200
    response = client.post("/teach/courses/new/", {
        "title": "Listening on the phone", "summary": "Short and kind.", "description": "# Why\nBecause.",
        "language": "en", "category": "Service", "tags": "listening, phone", "organization": org.pk,
        "passing_score": "70", "due_days": "30", "validity_months": "12"})
    assert response.status_code == 302 and response["Location"] == "/teach/courses/listening-on-the-phone/"
    course = Course.objects.get(slug="listening-on-the-phone")
    assert course.organization == org and instructor in course.instructors.all() and course.passing_score == 70
    assert sorted(course.tags.values_list("name", flat=True)) == ["listening", "phone"]

    assert client.post(f"/teach/courses/{course.slug}/modules/", {"module-title": "First steps"}).status_code == 302
    module = course.modules.get()
    add = f"/teach/courses/{course.slug}/modules/{module.pk}/activities/"
    response = client.post(add, {f"add{module.pk}-title": "Why listen", f"add{module.pk}-kind": "lesson",
                                 f"add{module.pk}-required": "on", f"add{module.pk}-weight": "1"})
    lesson = Activity.objects.get(title="Why listen")
    assert response["Location"] == f"/teach/courses/{course.slug}/activities/{lesson.pk}/"  # the lesson editor
    client.post(add, {f"add{module.pk}-title": "Check", f"add{module.pk}-kind": "quiz", f"add{module.pk}-weight": "2"})
    quiz_activity = Activity.objects.get(title="Check")
    assert quiz_activity.kind == "quiz" and not quiz_activity.required

    page = client.get(f"/teach/courses/{course.slug}/").content.decode()
    assert "Not met" in page and "Why listen" in page and "Every quiz has questions." in page

    response = client.post(f"/teach/courses/{course.slug}/publish/")
    assert response.status_code == 409 and "cannot be published yet" in response.content.decode()
    course.refresh_from_db()
    assert course.status == "draft"

    lesson.lesson.body = "Listen before you answer."
    lesson.lesson.save()
    quiz = quiz_authoring.quiz_create(activity=quiz_activity)  # the quiz editor's import does this on the page
    quiz_authoring.question_create(quiz=quiz, kind="single_choice", prompt="First?", choices=[
        {"text": "Listen", "correct": True}, {"text": "Talk", "correct": False}])
    assert "Not met" not in client.get(f"/teach/courses/{course.slug}/").content.decode()
    assert client.post(f"/teach/courses/{course.slug}/publish/").status_code == 302
    course.refresh_from_db()
    assert course.status == "published"

    assert client.post(f"/teach/courses/{course.slug}/archive/").status_code == 302
    course.refresh_from_db()
    assert course.status == "archived"


def test_edit_names_instructors_of_the_organization_only(client, org, other_org, instructor, course):
    colleague = people.member(org, "instructor", user__first_name="Bia", user__last_name="Reis")
    stranger = people.member(other_org, "instructor")
    learner = people.member(org, "learner")
    client = browser(instructor)
    page = client.get(f"/teach/courses/{course.slug}/edit/").content.decode()
    assert f"Bia Reis &lt;{colleague.email}&gt;" in page
    assert stranger.email not in page and learner.email not in page
    form = {"title": "Hard calls, kindly", "language": "pt-BR", "passing_score": "50", "instructors": [
        instructor.pk, colleague.pk]}
    assert client.post(f"/teach/courses/{course.slug}/edit/", form).status_code == 302
    course.refresh_from_db()
    assert course.title == "Hard calls, kindly" and course.language == "pt-BR"
    assert set(course.instructors.all()) == {instructor, colleague}
    response = client.post(f"/teach/courses/{course.slug}/edit/", {**form, "instructors": [stranger.pk]})
    assert response.status_code == 400 and set(course.instructors.all()) == {instructor, colleague}


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "", "language": "en", "passing_score": "0"}, "title"),
    ({"title": "T", "language": "not a language!", "passing_score": "0"}, "language"),
    ({"title": "T", "language": "en", "passing_score": "101"}, "passing_score"),
    ({"title": "T", "language": "en", "passing_score": "0", "due_days": "0"}, "due_days"),
    ({"title": "T", "language": "en", "passing_score": "0", "cover_alt": "x" * 251}, "cover_alt"),
], ids=["no-title", "language", "score", "due-days", "alt"])
def test_course_forms_refuse_with_field_errors_and_write_nothing(org, instructor, course, data, field):
    client = browser(instructor)
    before = Course.objects.count()
    response = client.post("/teach/courses/new/", data)
    assert response.status_code == 400, response.content.decode()[:500]
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert Course.objects.count() == before
    response = client.post(f"/teach/courses/{course.slug}/edit/", data)
    assert response.status_code == 400 and f'id="id_{field}_errors"' in response.content.decode()
    course.refresh_from_db()
    assert course.title == "Hard Calls" and course.language == "en"


def test_a_taken_address_is_a_field_error(org, instructor, course):
    response = browser(instructor).post("/teach/courses/new/", {"title": "Other", "slug": course.slug,
                                                                "language": "en", "passing_score": "0"})
    assert response.status_code == 400 and 'id="id_slug_errors"' in response.content.decode()


def test_structure_forms_refuse_with_field_errors_and_write_nothing(instructor, course):
    client = browser(instructor)
    module = course.modules.first()
    activity = activities_of(course)[0]
    base = f"/teach/courses/{course.slug}"
    cases = [
        (f"{base}/modules/", {"module-title": ""}, 'id="id_module-title_errors"'),
        (f"{base}/modules/{module.pk}/", {f"m{module.pk}-title": ""}, f'id="id_m{module.pk}-title_errors"'),
        (f"{base}/modules/{module.pk}/activities/", {f"add{module.pk}-title": "X", f"add{module.pk}-kind": "poem",
                                                     f"add{module.pk}-weight": "1"},
         f'id="id_add{module.pk}-kind_errors"'),
        (f"{base}/activities/{activity.pk}/settings/", {f"a{activity.pk}-title": "Y", f"a{activity.pk}-weight": "999"},
         f'id="id_a{activity.pk}-weight_errors"'),
        (f"{base}/modules/order/", {"order": ["x"]}, "The new order could not be read."),
    ]
    for url, data, marker in cases:
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert marker in response.content.decode(), url
    assert Module.objects.filter(course=course).count() == 2 and Activity.objects.filter(course=course).count() == 3
    activity.refresh_from_db()
    assert activity.title == "Read first" and activity.weight == 1


def test_reorder_modules_and_activities_with_the_buttons(instructor, course):
    client = browser(instructor)
    first, second = course.modules.order_by("position")
    a, b = activities_of(course)[:2]
    page = client.get(f"/teach/courses/{course.slug}/").content.decode()
    assert _order(page, ["Module 1", "Module 2"]) == ["Module 1", "Module 2"]
    # The first module's "Move down" form holds the order it asks for.
    moves = re.findall(r'action="/teach/courses/hard-calls/modules/order/".*?</form>', page, re.S)
    assert [int(pk) for pk in re.findall(r'name="order" value="(\d+)"', moves[0])] == [second.pk, first.pk]
    assert client.post(f"/teach/courses/{course.slug}/modules/order/", {"order": [second.pk, first.pk]}
                       ).status_code == 302
    assert client.post(f"/teach/courses/{course.slug}/modules/{first.pk}/activities/order/",
                       {"order": [b.pk, a.pk]}).status_code == 302
    page = client.get(f"/teach/courses/{course.slug}/").content.decode()
    assert _order(page, ["Module 1", "Module 2"]) == ["Module 2", "Module 1"]
    assert _order(page, ["Read first", "Then this"]) == ["Then this", "Read first"]
    stale = client.post(f"/teach/courses/{course.slug}/modules/order/", {"order": [first.pk]})
    assert stale.status_code == 409 and "changed since this page was loaded" in stale.content.decode()


def test_delete_is_refused_once_learners_have_progress(org, instructor, course):
    client = browser(instructor)
    activity = activities_of(course)[0]
    for _ in range(2):
        enrollment = EnrollmentFactory(course=course, user=people.member(org, "learner"))
        ActivityProgress.objects.create(enrollment=enrollment, activity=activity, status="in_progress")
    response = client.post(f"/teach/courses/{course.slug}/activities/{activity.pk}/delete/")
    assert response.status_code == 409
    assert "2 learners have progress in this activity; archive the course or make it optional instead." in \
        response.content.decode()
    response = client.post(f"/teach/courses/{course.slug}/modules/{activity.module_id}/delete/")
    assert response.status_code == 409 and "2 learners have progress in this module" in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    portuguese(client)
    response = client.post(f"/teach/courses/{course.slug}/activities/{activity.pk}/delete/")
    assert response.status_code == 409 and "2 pessoas" in response.content.decode()
    untouched = activities_of(course)[1]
    assert client.post(f"/teach/courses/{course.slug}/activities/{untouched.pk}/delete/").status_code == 302
    assert not Activity.objects.filter(pk=untouched.pk).exists()


def test_the_list_shows_counts_and_links(org, instructor, course):
    EnrollmentFactory(course=course, user=people.member(org, "learner"))
    page = browser(instructor).get("/teach/courses/").content.decode()
    assert "/teach/courses/hard-calls/edit/" in page and "/teach/courses/hard-calls/gradebook/" in page
    assert "New course" in page and "Draft" in page
    row = re.search(r"<tr>\s*<td><a href=\"/teach/courses/hard-calls/\">.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "2", "3"]


def test_preview_as_learner_opens_the_draft_course_page(instructor, course):
    client = browser(instructor)
    assert 'href="/courses/hard-calls/"' in client.get("/teach/courses/hard-calls/").content.decode()
    assert client.get("/courses/hard-calls/").status_code == 200


def test_someone_elses_course_is_absent_and_learners_and_hr_are_refused(org, other_org, course):
    outsider = people.member(other_org, "instructor")
    colleague = people.member(org, "instructor")  # same organization, does not teach it
    activity, module = activities_of(course)[0], course.modules.first()
    urls = [f"/teach/courses/{course.slug}/", f"/teach/courses/{course.slug}/edit/"]
    posts = [f"/teach/courses/{course.slug}/publish/", f"/teach/courses/{course.slug}/archive/",
             f"/teach/courses/{course.slug}/modules/", f"/teach/courses/{course.slug}/modules/order/",
             f"/teach/courses/{course.slug}/modules/{module.pk}/",
             f"/teach/courses/{course.slug}/modules/{module.pk}/delete/",
             f"/teach/courses/{course.slug}/modules/{module.pk}/activities/",
             f"/teach/courses/{course.slug}/activities/{activity.pk}/settings/",
             f"/teach/courses/{course.slug}/activities/{activity.pk}/delete/"]
    for person in (outsider, colleague):
        client = browser(person)
        assert all(client.get(url).status_code == 404 for url in urls)
        assert all(client.post(url).status_code == 404 for url in posts)
    for role in ("learner", "hr"):
        client = browser(people.member(org, role))
        assert all(client.get(url).status_code == 403 for url in [*urls, "/teach/courses/new/"])
        assert all(client.post(url).status_code == 403 for url in posts)
    assert Activity.objects.filter(pk=activity.pk).exists()
    course.refresh_from_db()
    assert course.status == "draft"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_structure_page_and_list_take_as_many_queries_for_50_activities_as_for_5(org, instructor):
    small = build_course(slug="small", publish=False, organization=org, modules=2,
                         activities=[{"module": n % 2} for n in range(5)])
    large = build_course(slug="large", publish=False, organization=org, modules=2,
                         activities=[{"module": n % 2} for n in range(50)])
    for course in (small, large):
        course.instructors.add(instructor)
    client = browser(instructor)
    assert _queries(client, "/teach/courses/small/") == _queries(client, "/teach/courses/large/")
    one = _queries(client, "/teach/courses/")
    for n in range(5):
        build_course(slug=f"more-{n}", publish=False, organization=org).instructors.add(instructor)
    assert _queries(client, "/teach/courses/") == one


def test_the_pages_speak_portuguese(instructor, course):
    client = portuguese(browser(instructor))
    page = client.get(f"/teach/courses/{course.slug}/").content.decode()
    for text in ("Módulos e atividades", "Mover para baixo", "Cumprido", "Toda lição tem conteúdo",
                 "Adicionar um módulo", "Arquivar", "Ver como aluno"):
        assert text in page, text
    for text in ("Move down", "Met<", "Add a module", "Learners with progress"):
        assert text not in page, text
    form = client.get(f"/teach/courses/{course.slug}/edit/").content.decode()
    assert "Nota mínima para aprovação (%)" in form and "Passing score" not in form
    listing = client.get("/teach/courses/").content.decode()
    assert "Novo curso" in listing and "Rascunho" in listing


def test_another_organization_and_a_bad_picture_are_field_errors(other_org, instructor):
    client = browser(instructor)
    before = Course.objects.count()
    response = client.post("/teach/courses/new/", {"title": "Elsewhere", "language": "en", "passing_score": "0",
                                                   "organization": other_org.pk})
    assert response.status_code == 400 and 'id="id_organization_errors"' in response.content.decode()
    response = client.post("/teach/courses/new/", {
        "title": "Pictured", "language": "en", "passing_score": "0", "cover_alt": "A desk",
        "cover": SimpleUploadedFile("desk.jpg", b"<html>not a picture</html>")})
    assert response.status_code == 400 and 'id="id_cover_errors"' in response.content.decode()
    assert Course.objects.count() == before
