"""/api/v1/courses/ and /api/v1/courses/{slug}/: the catalog and authoring."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from courses.catalog.models import Activity, Course, Module
from courses.enrollments import services
from tests import factories as people
from tests.courses.factories import CategoryFactory, CourseFactory, TagFactory, build_course
from tests.helpers import assert_error


def key_client(organization) -> APIClient:
    _, raw = people.api_key_for(organization)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def _slugs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def catalog(org, other_org, instructor):
    return {
        "public": build_course(slug="public", activities=[{"title": "One"}]),
        "draft": build_course(slug="draft", publish=False, created_by=instructor, activities=[{"title": "One"}]),
        "ours": build_course(slug="ours", organization=org, activities=[{"title": "One"}]),
        "theirs": build_course(slug="theirs", organization=other_org, activities=[{"title": "One"}]),
    }


def test_anonymous_is_refused(api_client, catalog):
    assert_error(api_client.get("/api/v1/courses/"), 401)
    assert_error(api_client.get("/api/v1/courses/public/"), 401)


def test_drafts_are_invisible_to_learners(client_for, catalog, org):
    client = client_for(people.member(org))
    assert _slugs(client.get("/api/v1/courses/")) == {"public", "ours"}
    assert_error(client.get("/api/v1/courses/draft/"), 404)
    assert_error(client.get("/api/v1/courses/draft/ratings/"), 404)


def test_drafts_are_visible_to_the_courses_instructor(client_for, catalog, instructor):
    client = client_for(instructor)
    assert _slugs(client.get("/api/v1/courses/")) == {"public", "ours", "draft"}
    detail = client.get("/api/v1/courses/draft/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "draft"
    # Another instructor of the same organization does not manage it.
    other_instructor = client_for(people.member(instructor.memberships.get().organization, "instructor"))
    assert_error(other_instructor.get("/api/v1/courses/draft/"), 404)


def test_private_courses_are_invisible_to_other_organizations(client_for, catalog, org, other_org):
    client = client_for(people.member(other_org))
    assert _slugs(client.get("/api/v1/courses/")) == {"public", "theirs"}
    assert_error(client.get("/api/v1/courses/ours/"), 404)
    assert client_for(people.member(org)).get("/api/v1/courses/ours/").status_code == 200


def test_private_courses_are_invisible_to_other_organizations_api_keys(catalog, org, other_org):
    assert _slugs(key_client(org).get("/api/v1/courses/")) == {"public", "ours"}
    other = key_client(other_org)
    assert _slugs(other.get("/api/v1/courses/")) == {"public", "theirs"}
    assert_error(other.get("/api/v1/courses/ours/"), 404)
    assert other.get("/api/v1/courses/theirs/").status_code == 200


def test_api_key_writes_are_forbidden(catalog, org):
    client = key_client(org)
    before = Course.objects.count()
    assert_error(client.post("/api/v1/courses/", {"slug": "new", "title": "New"}, format="json"), 403)
    assert_error(client.patch("/api/v1/courses/ours/", {"title": "Changed"}, format="json"), 403)
    assert_error(client.post("/api/v1/courses/ours/enroll/"), 403)
    assert_error(client.put("/api/v1/courses/ours/rating/", {"stars": 5}, format="json"), 403)
    assert Course.objects.count() == before
    assert Course.objects.get(slug="ours").title != "Changed"


def test_unknown_slug_is_a_404_everywhere(client_for, catalog, instructor):
    client = client_for(instructor)
    for method, path in [("get", "/api/v1/courses/nope/"), ("patch", "/api/v1/courses/nope/"),
                         ("post", "/api/v1/courses/nope/publish/"), ("post", "/api/v1/courses/nope/modules/"),
                         ("get", "/api/v1/courses/nope/ratings/"), ("get", "/api/v1/courses/nope/rating/"),
                         ("post", "/api/v1/courses/nope/enroll/")]:
        assert_error(getattr(client, method)(path, {}, format="json"), 404)


def test_detail_shape(client_for, org):
    category = CategoryFactory(slug="listening")
    course = build_course(slug="detail", title="Detail & Tone", category=category, tags=["Calm", "Tone"],
                          modules=2, description="**Bold** <script>x</script>",
                          activities=[{"title": "Read", "module": 0},
                                      {"title": "Quiz", "kind": "quiz", "estimated_minutes": 7, "module": 1}])
    CourseFactory(slug="sibling", title="Sibling", category=category)
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    body = client_for(learner).get("/api/v1/courses/detail/").json()
    assert body["slug"] == "detail" and body["category"] == "listening"
    assert body["tags"] == ["calm", "tone"]
    assert [m["title"] for m in body["modules"]] == ["Module 1", "Module 2"]
    assert [[a["title"] for a in m["activities"]] for m in body["modules"]] == [["Read"], ["Quiz"]]
    assert body["modules"][0]["activities"][0]["lesson_type"] == "article"
    assert body["modules"][1]["activities"][0]["lesson_type"] is None
    assert body["estimated_minutes"] == 1 + 7
    assert body["related"] == [{"slug": "sibling", "title": "Sibling", "language": "en", "estimated_minutes": 0}]
    assert body["enrollment"] == {"id": enrollment.pk, "status": "active", "progress_percent": 0}
    assert "<strong>Bold</strong>" in body["description_html"] and "<script>" not in body["description_html"]
    share = body["share"]
    assert share["url"] == "http://127.0.0.1:8000/courses/detail/"
    assert parse_qs(urlsplit(share["linkedin"]).query) == {"url": [share["url"]]}
    assert parse_qs(urlsplit(share["whatsapp"]).query) == {"text": [f"Detail & Tone {share['url']}"]}


def test_list_filters_and_ordering(client_for, org):
    tone = TagFactory(slug="tone")
    CourseFactory(slug="b-fr", title="B", language="fr", tags=[tone])
    CourseFactory(slug="a-en", title="A", language="en", category=CategoryFactory(slug="listening"))
    CourseFactory(slug="c-pt", title="C", language="pt-BR", summary="Calm voices")
    client = client_for(people.member(org))
    assert [r["slug"] for r in client.get("/api/v1/courses/").json()["results"]] == ["a-en", "b-fr", "c-pt"]
    assert [r["slug"] for r in client.get("/api/v1/courses/?ordering=-title").json()["results"]] == [
        "c-pt", "b-fr", "a-en"]
    assert _slugs(client.get("/api/v1/courses/?language=FR")) == {"b-fr"}
    assert _slugs(client.get("/api/v1/courses/?tag=tone")) == {"b-fr"}
    assert _slugs(client.get("/api/v1/courses/?category=listening")) == {"a-en"}
    assert _slugs(client.get("/api/v1/courses/?search=calm")) == {"c-pt"}
    assert _slugs(client.get("/api/v1/courses/?organization=public")) == {"a-en", "b-fr", "c-pt"}
    assert_error(client.get("/api/v1/courses/?status=bogus"), 400)


def test_is_enrolled_flag(client_for, org):
    course = build_course(slug="taken", activities=[{"title": "One"}])
    CourseFactory(slug="not-taken")
    learner = people.member(org)
    services.enrollment_create(user=learner, course=course)
    rows = client_for(learner).get("/api/v1/courses/").json()["results"]
    assert {row["slug"]: row["is_enrolled"] for row in rows} == {"taken": True, "not-taken": False}


# --- authoring ------------------------------------------------------------------------------------

def test_instructor_creates_a_draft_and_becomes_its_instructor(client_for, instructor, org):
    response = client_for(instructor).post("/api/v1/courses/", {
        "slug": "new-course", "title": "New course", "language": "pt-BR", "tags": ["Active listening"],
        "category": "soft-skills", "organization": org.slug, "passing_score": 70,
    }, format="json")
    assert response.status_code == 201, response.content
    course = Course.objects.get(slug="new-course")
    assert (course.status, course.organization, course.passing_score, course.language) == ("draft", org, 70, "pt-BR")
    assert list(course.instructors.all()) == [instructor]
    assert list(course.tags.values_list("slug", flat=True)) == ["active-listening"]
    assert course.category.slug == "soft-skills"


def test_learner_cannot_create_courses(client_for, org):
    assert_error(client_for(people.member(org)).post("/api/v1/courses/", {"slug": "x", "title": "X"},
                                                     format="json"), 403)
    assert not Course.objects.exists()


@pytest.mark.parametrize(("payload", "field", "status"), [
    ({"slug": "x", "title": "X", "passing_score": "abc"}, "passing_score", 400),
    ({"slug": "x", "title": "X", "passing_score": 101}, "passing_score", 400),
    ({"slug": "x", "title": "X", "tags": "calm"}, "tags", 400),
    ({"slug": "x y", "title": "X"}, "slug", 400),
    # The schema says "a string"; that it is a language tag is a rule: 422.
    ({"slug": "x", "title": "X", "language": "english!"}, "language", 422),
    ({"slug": "x", "title": ""}, "title", 422),  # blank: a rule (" " is blank too, once trimmed)
    ({"slug": "x", "title": "X", "hours_credited": -1}, "hours_credited", 400),
])
def test_create_rejects_bad_fields(client_for, instructor, payload, field, status):
    error = assert_error(client_for(instructor).post("/api/v1/courses/", payload, format="json"), status)
    assert field in error["fields"]
    assert not Course.objects.exists()


def test_duplicate_slug_is_a_409(client_for, instructor):
    CourseFactory(slug="taken")
    assert_error(client_for(instructor).post("/api/v1/courses/", {"slug": "taken", "title": "T"}, format="json"),
                 409, "slug_taken")
    assert Course.objects.count() == 1


def test_creating_in_another_organization_is_a_404(client_for, instructor, other_org):
    response = client_for(instructor).post("/api/v1/courses/", {"slug": "x", "title": "X",
                                                                "organization": other_org.slug}, format="json")
    assert_error(response, 404, "organization_not_found")
    assert not Course.objects.exists()


def test_authoring_a_course_end_to_end(client_for, instructor):
    client = client_for(instructor)
    client.post("/api/v1/courses/", {"slug": "built", "title": "Built"}, format="json")
    assert_error(client.post("/api/v1/courses/built/publish/"), 409, "course_empty")
    module = client.post("/api/v1/courses/built/modules/", {"title": "Basics"}, format="json")
    assert module.status_code == 201
    module_id = module.json()["id"]
    activity = client.post(f"/api/v1/courses/built/modules/{module_id}/activities/", {
        "title": "Why listen", "lesson": {"content_type": "video", "video_url": "https://youtu.be/dQw4w9WgXcQ",
                                          "video_duration_seconds": 125}}, format="json")
    assert activity.status_code == 201, activity.content
    assert activity.json()["activities"][0]["estimated_minutes"] == 3
    published = client.post("/api/v1/courses/built/publish/")
    assert published.status_code == 200
    assert (published.json()["status"], published.json()["estimated_minutes"]) == ("published", 3)
    patched = client.patch("/api/v1/courses/built/", {"title": "Built well"}, format="json")
    assert patched.json()["title"] == "Built well"


@pytest.mark.parametrize(("payload", "status"), [
    ({"title": "No lesson", "lesson": {"content_type": "podcast"}}, 400),
    ({"title": "Bad video", "lesson": {"content_type": "video", "video_url": "javascript:alert(1)"}}, 422),
    ({"title": "Bad weight", "kind": "quiz", "weight": 101}, 400),
    ({"title": "Bad kind", "kind": "dance"}, 400),
    ({"title": "Bad lesson", "lesson": "article"}, 400),
])
def test_activity_create_rejects_bad_input(client_for, instructor, payload, status):
    course = build_course(slug="c", publish=False, created_by=instructor, activities=[{"title": "One"}])
    module = Module.objects.get(course=course)
    response = client_for(instructor).post(f"/api/v1/courses/c/modules/{module.pk}/activities/", payload,
                                           format="json")
    assert_error(response, status)
    assert Activity.objects.filter(course=course).count() == 1


def test_only_managers_change_a_course(client_for, catalog, org):
    learner_client = client_for(people.member(org))
    assert_error(learner_client.patch("/api/v1/courses/public/", {"title": "Hacked"}, format="json"), 403)
    assert_error(learner_client.post("/api/v1/courses/public/archive/"), 403)
    assert Course.objects.get(slug="public").title != "Hacked"
    assert Course.objects.get(slug="public").status == "published"


def test_org_admin_manages_the_organizations_courses(client_for, catalog, org):
    response = client_for(people.member(org, "org_admin")).post("/api/v1/courses/ours/archive/")
    assert response.status_code == 200
    assert Course.objects.get(slug="ours").status == "archived"


# --- bad input never reaches a 500 ------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "payload", "status"), [
    ("get", "/api/v1/courses/%20odd/", None, 404),
    ("get", "/api/v1/courses/public/nothing-here/", None, 404),
    ("get", "/api/v1/courses/?page=abc", None, 404),
    ("get", "/api/v1/courses/?page=999", None, 404),
    ("get", "/api/v1/courses/?search=" + "x" * 201, None, 400),
    ("get", "/api/v1/enrollments/abc/", None, 404),
    ("post", "/api/v1/courses/public/enroll/", {"organization": "not a slug"}, 400),
    ("post", "/api/v1/courses/public/enroll/", {"organization": "no-such-org"}, 404),
    ("post", "/api/v1/courses/public/enrollments/bulk/", {"emails": ["a@b.example"] * 5001}, 400),
    ("post", "/api/v1/courses/public/enrollments/bulk/", {"emails": [{"email": "a@b.example"}]}, 400),
    ("post", "/api/v1/courses/public/enrollments/bulk/", {"emails": ["a@b.example"], "organization": "nope"}, 404),
    ("put", "/api/v1/courses/public/rating/", {"stars": {"value": 5}}, 400),
    ("post", "/api/v1/courses/", {"slug": ["x"], "title": {"t": 1}}, 400),
])
def test_bad_requests_are_4xx_with_the_error_shape(client_for, catalog, org, method, path, payload, status):
    client = client_for(people.member(org, "hr"))
    response = getattr(client, method)(path, payload, format="json") if payload is not None else \
        getattr(client, method)(path)
    assert_error(response, status)


def test_ebook_upload_as_json_is_refused(client_for, catalog, instructor):
    activity = Activity.objects.get(course__slug="draft")
    response = client_for(instructor).put(f"/api/v1/activities/{activity.pk}/lesson/ebook/upload/",
                                          {"file": "not a file"}, format="json")
    assert_error(response, 415)
