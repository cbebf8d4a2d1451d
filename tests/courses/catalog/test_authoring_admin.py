"""The admin as an instructor: the Modules inline on their course and the Lesson inline on an activity show, and
saving a module works; another organization's course stays out of reach."""
from __future__ import annotations

import pytest

from lms.models import User
from tests import factories as people
from tests.courses.catalog.conftest import browser
from tests.courses.factories import activities_of, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(org):
    user = people.member(org, "instructor")
    User.objects.filter(pk=user.pk).update(is_staff=True)  # as the membership service sets it
    user.refresh_from_db()
    return user


@pytest.fixture
def course(org, instructor):
    course = build_course(slug="admin-inline", publish=False, organization=org, activities=[{"title": "Read"}])
    course.instructors.add(instructor)
    return course


def test_the_module_inline_shows_and_saves_for_the_instructor(instructor, course):
    client = browser(instructor)
    page = client.get(f"/admin/courses/course/{course.pk}/change/").content.decode()
    assert 'id="modules-group"' in page and 'name="modules-0-title"' in page
    module = course.modules.get()
    response = client.post(f"/admin/courses/course/{course.pk}/change/", {
        "title": course.title, "slug": course.slug, "language": "en", "status": course.status,
        "hours_credited": "0", "passing_score": "0", "summary": "", "description": "", "cover_alt": "",
        "organization": course.organization_id, "instructors": [instructor.pk],
        "modules-TOTAL_FORMS": "1", "modules-INITIAL_FORMS": "1", "modules-MIN_NUM_FORMS": "0",
        "modules-MAX_NUM_FORMS": "1000", "modules-0-id": module.pk, "modules-0-course": course.pk,
        "modules-0-title": "Renamed in the admin", "modules-0-position": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    module.refresh_from_db()
    assert module.title == "Renamed in the admin"


def test_the_lesson_inline_shows_for_the_instructor(instructor, course):
    activity = activities_of(course)[0]
    page = browser(instructor).get(f"/admin/courses/activity/{activity.pk}/change/").content.decode()
    assert 'name="lesson-0-body"' in page


def test_another_organizations_course_is_out_of_reach(other_org, instructor):
    foreign = build_course(slug="foreign", publish=False, organization=other_org, activities=[{"title": "Theirs"}])
    client = browser(instructor)
    for url in (f"/admin/courses/course/{foreign.pk}/change/",
                f"/admin/courses/activity/{activities_of(foreign)[0].pk}/change/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        assert "Theirs" not in response.content.decode()
