"""The instructor's workspace frame: who gets in, and the Teaching link in the site's navigation."""
import pytest
from django.urls import reverse

from tests.courses.factories import build_course
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_an_instructor_sees_the_workspace_and_their_course(client, org):
    instructor = member(org, "instructor")
    course = build_course(slug="listening-basics", publish=False)
    course.organization = org
    course.save()
    course.instructors.add(instructor)
    client.force_login(instructor)
    response = client.get(reverse("pages:teach"))
    assert response.status_code == 200
    assert course.title in response.text
    assert 'href="/teach/" aria-current="page"' in response.text


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learners_and_hr_are_refused(client, org, role):
    client.force_login(member(org, role))
    for name in ("pages:teach", "pages:teach-courses", "pages:teach-workshops"):
        assert client.get(reverse(name)).status_code == 403
    assert 'href="/teach/"' not in client.get(reverse("pages:catalog")).text


def test_signing_in_comes_first(client):
    response = client.get(reverse("pages:teach"))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"] or "login" in response["Location"]


def test_a_named_course_instructor_without_a_staff_role_gets_in(client, org):
    person = member(org, "learner")
    course = build_course(slug="named", publish=False)
    course.instructors.add(person)
    client.force_login(person)
    assert client.get(reverse("pages:teach-courses")).status_code == 200
