"""The lesson player: the course outline beside every activity (ticks, the current one marked, counts per module),
previous and next, the progress bar, resuming where the learner left off, the header's one rule and the phone
menu, for every kind of activity."""
from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.catalog.models import Activity, Course
from courses.catalog.pages.player import course_nav
from courses.demo_content import EMPATHY_SLUG_EN
from courses.enrollments import services as enrollment_services
from courses.enrollments.errors import ProgressError
from courses.enrollments.models import Enrollment
from courses.enrollments.services.resume import enrollment_activity_open
from lms.models import User
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.factories import activities_of, build_course

pytestmark = pytest.mark.django_db


def url(course, activity) -> str:
    return reverse("pages:activity", args=[course.slug, activity.pk])


def outline_html(html: str) -> str:
    match = re.search(r'<details class="player-outline".*?</details>', html, re.S)
    assert match, "no course outline on the page"
    return match.group(0)


def steps_in(outline: str) -> list[tuple[str, str, str]]:
    """(state class, link, title) of each activity in the outline, in order."""
    return re.findall(r'<li class="step ([a-z_]+)[^"]*"[^>]*>\s*<a href="([^"]+)"[^>]*>'
                      r'.*?class="step-title"[^>]*>([^<]+)<', outline, re.S)


def current_link(html: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" aria-current="page">\s*<span class="tick"', html)
    return match.group(1) if match else None


def nav_current(response) -> str:
    """The main-nav item the header highlights."""
    header = response.content.decode().split("</header>")[0]
    found = re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', header)
    assert len(found) == 1, found
    return found[0]


def two_module_course():
    return build_course(modules=2, activities=[
        {"title": "Noticing feelings"}, {"title": "Naming them"},
        {"title": "Saying it back", "module": 1}, {"title": "Further reading", "module": 1, "required": False},
    ])


# --- the outline ------------------------------------------------------------------------------

def test_the_outline_lists_every_activity_by_module_with_ticks_and_the_current_one_marked(org):
    learner = people.member(org)
    course = two_module_course()
    steps = activities_of(course)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    enrollment_services.lesson_complete(enrollment=enrollment, activity=steps[0])
    html = main_html(browser(learner).get(url(course, steps[1])))
    outline = outline_html(html)
    assert steps_in(outline) == [
        ("passed", url(course, steps[0]), "Noticing feelings"), ("not_started", url(course, steps[1]), "Naming them"),
        ("not_started", url(course, steps[2]), "Saying it back"),
        ("not_started", url(course, steps[3]), "Further reading"),
    ]
    assert current_link(outline) == url(course, steps[1]) and outline.count('aria-current="page"') == 1
    # The tick is drawn; its meaning is in words for screen readers.
    assert '<span class="visually-hidden">, Done</span>' in outline
    assert outline.count('<span class="visually-hidden">, Not started</span>') == 3
    # Modules as groups with what is done in each, and the course as a whole.
    assert re.search(r"Module 1</span>\s*<span class=\"count\">1 of 2 done</span>", outline)
    assert re.search(r"Module 2</span>\s*<span class=\"count\">0 of 2 done</span>", outline)
    assert "1 of 4 done" in outline and 'aria-label="Course outline"' in outline


def test_people_browsing_see_the_outline_without_ticks_and_are_invited_to_enroll():
    course = two_module_course()
    steps = activities_of(course)
    response = browser().get(url(course, steps[2]))
    html = main_html(response)
    outline = outline_html(html)
    assert [state for state, _link, _title in steps_in(outline)] == ["browsing"] * 4
    assert "visually-hidden" not in outline and "done" not in outline
    assert "2 activities" in outline and current_link(outline) == url(course, steps[2])
    assert "Course progress" not in html and "Enroll to read this lesson" in html
    assert nav_current(response) == "Catalog"


def test_previous_and_next_cross_modules_and_stop_at_the_ends(org):
    learner = people.member(org)
    course = two_module_course()
    steps = activities_of(course)
    enrollment_services.enrollment_create(user=learner, course=course)
    client = browser(learner)
    middle = main_html(client.get(url(course, steps[1])))
    assert f'<a href="{url(course, steps[0])}" rel="prev"' in middle
    assert f'<a href="{url(course, steps[2])}" rel="next"' in middle
    first = main_html(client.get(url(course, steps[0])))
    last = main_html(client.get(url(course, steps[3])))
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="prev"' in last and 'rel="next"' not in last


# --- resume -------------------------------------------------------------------------------------

def test_the_course_page_and_my_learning_resume_the_activity_opened_last_until_it_is_done(org):
    learner = people.member(org)
    course = two_module_course()
    steps = activities_of(course)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    client = browser(learner)
    course_page = main_html(client.get(reverse("pages:course", args=[course.slug])))
    assert f'href="{url(course, steps[0])}" aria-describedby="next-activity-title">Continue</a>' in course_page
    client.get(url(course, steps[2]))  # the learner jumps ahead, then leaves
    course_page = main_html(client.get(reverse("pages:course", args=[course.slug])))
    assert f'href="{url(course, steps[2])}" aria-describedby="next-activity-title">Resume</a>' in course_page
    assert "Where you left off: Saying it back" in course_page
    my_learning = main_html(client.get(reverse("pages:my-learning")))
    assert re.search(rf'href="{url(course, steps[2])}"[^>]*>Resume</a>', my_learning)
    assert "Where you left off: Saying it back" in my_learning
    # Once that activity is done, both go on to the next one to do.
    enrollment_services.lesson_complete(enrollment=enrollment, activity=steps[2])
    course_page = main_html(client.get(reverse("pages:course", args=[course.slug])))
    assert f'href="{url(course, steps[0])}" aria-describedby="next-activity-title">Continue</a>' in course_page
    my_learning = main_html(client.get(reverse("pages:my-learning")))
    assert re.search(rf'href="{url(course, steps[0])}"[^>]*>Continue</a>', my_learning)
    assert "Next: Noticing feelings" in my_learning


def test_opening_an_activity_writes_only_when_the_place_changes(org):
    learner = people.member(org)
    course = two_module_course()
    steps = activities_of(course)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    stamp = Enrollment.objects.get(pk=enrollment.pk).updated_at
    client = browser(learner)
    with CaptureQueriesContext(connection) as first:
        client.get(url(course, steps[1]))
    with CaptureQueriesContext(connection) as again:
        client.get(url(course, steps[1]))
    updates = [q["sql"] for q in first.captured_queries if q["sql"].startswith('UPDATE "courses_enrollment"')]
    assert len(updates) == 1 and "last_activity_id" in updates[0]
    assert not [q for q in again.captured_queries if q["sql"].startswith("UPDATE")]
    stored = Enrollment.objects.get(pk=enrollment.pk)
    assert stored.last_activity_id == steps[1].pk
    assert stored.updated_at == stamp  # no change the HR reports sync


def test_the_resume_pointer_is_kept_for_open_enrollments_of_the_course_only(org):
    learner = people.member(org)
    course = two_module_course()
    other = build_course(activities=[{"title": "Elsewhere"}])
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    with pytest.raises(ProgressError) as refused:
        enrollment_activity_open(enrollment=enrollment, activity=activities_of(other)[0])
    assert refused.value.code == "activity_not_in_course"
    enrollment = enrollment_services.enrollment_withdraw(enrollment=enrollment)
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert enrollment_activity_open(enrollment=enrollment, activity=activities_of(course)[1]) is False
    assert Enrollment.objects.get(pk=enrollment.pk).last_activity_id is None
    browser(learner).get(url(course, activities_of(course)[1]))
    assert Enrollment.objects.get(pk=enrollment.pk).last_activity_id is None


# --- header -------------------------------------------------------------------------------------

def test_the_header_has_a_menu_button_for_phones_and_one_rule_for_the_highlighted_item(org):
    learner = people.member(org)
    course = two_module_course()
    steps = activities_of(course)
    outsider = browser(people.member(org))
    assert nav_current(outsider.get(url(course, steps[0]))) == "Catalog"
    assert nav_current(outsider.get(reverse("pages:course", args=[course.slug]))) == "Catalog"
    enrollment_services.enrollment_create(user=learner, course=course)
    client = browser(learner)
    response = client.get(url(course, steps[0]))
    assert nav_current(response) == "My learning"
    assert nav_current(client.get(reverse("pages:course", args=[course.slug]))) == "My learning"
    header = response.content.decode().split("</header>")[0]
    button = re.search(r'<button type="button" class="menu-toggle[^"]*" aria-expanded="false" '
                       r'aria-controls="([a-z-]+)">Menu</button>', header)
    assert button, header
    menu = header[header.index(f'id="{button.group(1)}"'):]
    assert 'aria-label="Main"' in menu and "Sign out" in menu  # the nav and the account fold behind it
    portuguese(client)
    assert ">Menu</button>" in client.get(url(course, steps[0])).content.decode()


def test_course_nav_rule():
    from courses.catalog.pages.outline import Outline

    assert course_nav(Outline(enrollment=None)) == "catalog"
    assert course_nav(Outline(enrollment=Enrollment(status=Enrollment.Status.WITHDRAWN))) == "my-learning"


# --- every kind, in the demo ----------------------------------------------------------------------

@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())


def test_every_kind_of_activity_is_drawn_in_the_player(demo):
    """Lesson (article, video, ebook), quiz, role-play, survey and workshop: the outline with the current one
    marked, where it sits, the progress bar, previous and next, and the same highlighted header item."""
    course = Course.objects.get(slug=EMPATHY_SLUG_EN)
    learner = User.objects.get(email="learner2@acme.example")
    assert Enrollment.objects.filter(user=learner, course=course).exists()
    client = browser(learner)
    activities = activities_of(course)
    seen = set()
    for index, activity in enumerate(activities):
        response = client.get(url(course, activity))
        assert response.status_code == 200, (activity.kind, activity.title)
        html = main_html(response)
        outline = outline_html(html)
        assert len(steps_in(outline)) == len(activities)
        assert current_link(outline) == url(course, activity), activity.title
        assert 'class="breadcrumb"' in html and '<progress id="course-progress"' in html, activity.title
        assert html.count("<h1") == 1
        assert ('rel="prev"' in html) == (index > 0) and ('rel="next"' in html) == (index < len(activities) - 1)
        assert nav_current(response) == "My learning"
        kind = activity.kind if activity.kind != Activity.Kind.LESSON else f"lesson ({activity.lesson.content_type})"
        seen.add(kind)
    assert seen >= {"lesson (article)", "lesson (video)", "lesson (ebook)", "quiz", "roleplay", "survey", "workshop"}


# --- queries --------------------------------------------------------------------------------------

# session, user, roles; course, tags, modules, activities (+lesson), instructors; enrollment, progress
ACTIVITY_PAGE_QUERIES = 10


@pytest.mark.parametrize("size", [10, 100])
def test_the_players_queries_do_not_grow_with_the_course(org, size):
    learner = people.member(org)
    course = build_course(modules=5, activities=[{"title": f"Step {n}", "module": n % 5} for n in range(size)])
    steps = activities_of(course)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    for step in steps[: size // 2]:
        enrollment_services.lesson_complete(enrollment=enrollment, activity=step)
    client = browser(learner)
    client.get(url(course, steps[size // 2]))  # the first visit also records the resume point
    with CaptureQueriesContext(connection) as captured:
        html = main_html(client.get(url(course, steps[size // 2])))
    assert len(steps_in(outline_html(html))) == size
    assert len(captured) == ACTIVITY_PAGE_QUERIES, [q["sql"][:80] for q in captured.captured_queries]
