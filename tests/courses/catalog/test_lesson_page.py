"""The activity page: lesson reader, marking complete, ebook and captions downloads, workshops, other kinds."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Course
from courses.catalog.pages import activities as activity_pages
from courses.catalog.services import video as video_services
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.workshops.services import sessions as workshop_sessions
from tests import factories as people
from tests.courses.catalog.conftest import browser, lesson_course, main_html, make_pdf, portuguese
from tests.courses.factories import CourseFactory, activities_of, build_course

pytestmark = pytest.mark.django_db

VTT = b"WEBVTT\n\n00:00.000 --> 00:04.000\nHello, and thanks for waiting.\n"


def url(name: str, course, activity) -> str:
    return reverse(f"pages:{name}", args=[course.slug, activity.pk])


def test_enrolled_learner_reads_an_article(course, steps, learner, enrolled):
    response = browser(learner).get(url("activity", course, steps[0]))
    assert response.status_code == 200
    html = main_html(response)
    assert html.count("<h1") == 1 and "Noticing feelings</h1>" in html
    assert "<h2>Cues</h2>" in html and "2 min read" in html
    assert ">Mark as complete</button>" in html
    assert "0% complete" in html and '<label for="course-progress">' in html
    assert f'<a href="{url("activity", course, steps[1])}" rel="next"' in html and ">Next</a>" in html
    assert ">Previous</a>" not in html  # the first activity


def test_previous_and_next_follow_course_order_across_modules(course, steps, learner, enrolled):
    html = main_html(browser(learner).get(url("activity", course, steps[1])))
    assert f'<a href="{url("activity", course, steps[0])}" rel="prev"' in html
    assert f'<a href="{url("activity", course, steps[2])}" rel="next"' in html
    last = main_html(browser(learner).get(url("activity", course, steps[3])))
    assert ">Previous</a>" in last and ">Next</a>" not in last


def test_video_lesson_embeds_the_privacy_friendly_player_with_its_markdown_transcript(course, steps, learner,
                                                                                     enrolled):
    html = main_html(browser(learner).get(url("activity", course, steps[1])))
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abcdefghijk"' in html
    assert 'title="Video: A call replayed"' in html
    assert "Hello, <em>caller</em>." in html and "Transcript" in html and "Length: 3 min." in html
    assert "monospace" not in html and 'class="article video-transcript-text"' in html


def test_an_embedded_video_with_captions_shows_their_transcript_with_links_to_each_time(course, steps, learner,
                                                                                      enrolled, media):
    video_services.lesson_attach_captions(lesson=steps[1].lesson, data=VTT + b"\n01:02.500 --> 01:05.000\nBye.\n")
    client = browser(learner)
    html = main_html(client.get(url("activity", course, steps[1])))
    frame = f"lesson-video-{steps[1].lesson.pk}"
    assert f'<iframe src="https://www.youtube-nocookie.com/embed/abcdefghijk" name="{frame}"' in html
    assert (f'<a class="cue" href="https://www.youtube-nocookie.com/embed/abcdefghijk?start=62&amp;autoplay=1" '
            f'target="{frame}"><span class="cue-time">1:02</span> <span class="cue-text">Bye.</span></a>') in html
    assert "Hello, and thanks for waiting." in html and "Hello, <em>caller</em>." not in html
    captions = client.get(url("lesson-captions", course, steps[1]))
    assert captions.status_code == 200 and captions["Content-Type"].startswith("text/vtt")
    assert b"".join(captions.streaming_content).startswith(VTT)
    assert 'attachment; filename="a-call-replayed.vtt"' == captions["Content-Disposition"]


def test_a_video_that_cannot_be_embedded_is_linked_instead(learner):
    course = build_course(activities=[{"title": "Clip", "lesson": {
        "content_type": "video", "video_url": "https://videos.example.com/clip.mp4"}}])
    enrollment_services.enrollment_create(user=learner, course=course)
    html = main_html(browser(learner).get(url("activity", course, activities_of(course)[0])))
    assert "<iframe" not in html
    assert 'href="https://videos.example.com/clip.mp4"' in html and "Open the video on its own site" in html
    assert "Captions (WebVTT)" not in html


def test_not_enrolled_learner_is_invited_to_enroll_and_sees_no_content(course, steps, learner):
    client = browser(learner)
    response = client.get(url("activity", course, steps[0]))
    assert response.status_code == 200
    html = main_html(response)
    assert "<h2>Cues</h2>" not in html and "Mark as complete" not in html
    assert "Enroll to read this lesson" in html and ">Enroll</button>" in html
    assert f'name="next" value="{url("activity", course, steps[0])}"' in html
    video = main_html(client.get(url("activity", course, steps[1])))
    assert "<iframe" not in video and "caller" not in video


def test_anonymous_visitor_gets_a_sign_in_link_back_to_the_lesson(course, steps):
    html = main_html(browser().get(url("activity", course, steps[0])))
    assert f'href="/sign-in/?next={url("activity", course, steps[0])}"' in html
    assert "<h2>Cues</h2>" not in html


def test_instructors_read_lessons_without_enrolling(org):
    instructor = people.member(org, "instructor")
    course = build_course(created_by=instructor, activities=[{"title": "Staff read"}])
    html = main_html(browser(instructor).get(url("activity", course, activities_of(course)[0])))
    assert "listen listen" in html and "Mark as complete" not in html


def test_withdrawn_learner_sees_no_content(course, steps, learner, enrolled):
    enrollment_services.enrollment_withdraw(enrollment=enrolled)
    html = main_html(browser(learner).get(url("activity", course, steps[0])))
    assert "<h2>Cues</h2>" not in html and "Mark as complete" not in html and ">Enroll</button>" in html


def test_activities_outside_the_course_or_scope_are_404(course, steps, learner, enrolled, org):
    other = lesson_course()
    client = browser(learner)
    assert client.get(url("activity", course, activities_of(other)[0])).status_code == 404
    assert client.get(reverse("pages:activity", args=[course.slug, 999_999])).status_code == 404
    private = lesson_course(organization=people.OrganizationFactory())
    assert client.get(url("activity", private, activities_of(private)[0])).status_code == 404
    Course.objects.filter(pk=course.pk).update(status=Course.Status.DRAFT)
    assert client.get(url("activity", course, steps[0])).status_code == 404


# --- marking complete -------------------------------------------------------------------------

def test_completing_a_lesson_records_progress_once_and_moves_on(course, steps, learner, enrolled):
    client = browser(learner)
    response = client.post(url("lesson-complete", course, steps[0]))
    assert response.status_code == 302 and response["Location"] == url("activity", course, steps[1])
    again = client.post(url("lesson-complete", course, steps[0]), follow=True)
    assert "You had already completed this lesson." in main_html(again)
    progress = ActivityProgress.objects.get(enrollment=enrolled)
    assert (progress.activity_id, progress.status, progress.attempts) == (steps[0].pk, "passed", 1)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 33  # 1 of 3 required
    html = main_html(client.get(url("activity", course, steps[0])))
    assert "Mark as complete" not in html and "You have completed this lesson." in html
    assert "33% complete" in html


def test_completing_the_last_lesson_completes_the_course(course, steps, learner, enrolled):
    enrollment_services.lesson_complete(enrollment=enrolled, activity=steps[0])
    enrollment_services.activity_record_result(enrollment=enrolled, activity=steps[2], passed=True, score=100)
    response = browser(learner).post(url("lesson-complete", course, steps[1]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("pages:course", args=[course.slug])
    assert "you completed the course" in main_html(response)
    enrolled.refresh_from_db()
    assert enrolled.status == Enrollment.Status.COMPLETED


def test_completing_the_last_activity_in_order_returns_to_the_course(course, steps, learner, enrolled):
    response = browser(learner).post(url("lesson-complete", course, steps[3]))
    assert response["Location"] == reverse("pages:course", args=[course.slug])


def test_only_enrolled_learners_complete_lessons(course, steps, learner):
    client = browser(learner)
    response = client.post(url("lesson-complete", course, steps[0]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("pages:course", args=[course.slug])
    assert "Enroll in the course to record your progress." in main_html(response)
    anonymous = browser().post(url("lesson-complete", course, steps[0]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in/?next=")
    assert not ActivityProgress.objects.exists()


def test_withdrawn_learner_cannot_complete(course, steps, learner, enrolled):
    enrollment_services.enrollment_withdraw(enrollment=enrolled)
    browser(learner).post(url("lesson-complete", course, steps[0]))
    assert not ActivityProgress.objects.exists()


def test_a_quiz_is_not_marked_complete_here(course, steps, learner, enrolled):
    client = browser(learner)
    response = client.post(url("lesson-complete", course, steps[2]))
    assert response["Location"] == url("activity", course, steps[2])
    assert "completed through its own page" in main_html(client.get(reverse("pages:course", args=[course.slug])))
    assert not ActivityProgress.objects.exists()


def test_complete_is_post_only_with_csrf_and_in_scope(course, steps, learner, enrolled):
    assert browser(learner).get(url("lesson-complete", course, steps[0])).status_code == 405
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(learner)
    assert guarded.post(url("lesson-complete", course, steps[0])).status_code == 403
    other = lesson_course()
    assert browser(learner).post(url("lesson-complete", course, activities_of(other)[0])).status_code == 404
    assert not ActivityProgress.objects.exists()


# --- ebook ------------------------------------------------------------------------------------

@pytest.fixture
def ebook(course, steps, media):
    lesson = catalog_services.lesson_attach_ebook(lesson=steps[3].lesson, data=make_pdf(3),
                                                  filename="../Hand book?.pdf")
    return lesson.activity


def test_enrolled_learner_downloads_the_ebook(course, learner, enrolled, ebook):
    client = browser(learner)
    html = main_html(client.get(url("activity", course, ebook)))
    assert "PDF, 3 pages" in html
    assert f'href="{url("lesson-ebook", course, ebook)}">Download the ebook</a>' in html
    response = client.get(url("lesson-ebook", course, ebook))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="further-reading.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_ebook_download_is_scoped(course, steps, learner, ebook, org, media):
    download = url("lesson-ebook", course, ebook)
    assert browser(learner).get(download).status_code == 404  # not enrolled
    anonymous = browser().get(download)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in/?next=")
    other = lesson_course()
    enrollment_services.enrollment_create(user=learner, course=other)
    wrong_course = reverse("pages:lesson-ebook", args=[other.slug, ebook.pk])
    assert browser(learner).get(wrong_course).status_code == 404
    enrollment_services.enrollment_create(user=learner, course=course)
    assert browser(learner).get(url("lesson-ebook", course, steps[0])).status_code == 404  # no ebook there
    assert browser(learner).get(download).status_code == 200


def test_course_staff_download_the_ebook_like_the_api_allows(org, media):
    instructor = people.member(org, "instructor")
    course = build_course(created_by=instructor, activities=[{"title": "Book"}])
    activity = activities_of(course)[0]
    catalog_services.lesson_attach_ebook(lesson=activity.lesson, data=make_pdf(1), filename="book.pdf")
    assert browser(instructor).get(url("lesson-ebook", course, activity)).status_code == 200
    assert browser(people.member(org)).get(url("lesson-ebook", course, activity)).status_code == 404


def test_a_missing_ebook_file_is_404_not_500(course, learner, enrolled, ebook, media):
    for path in media.rglob("*.pdf"):
        path.unlink()
    assert browser(learner).get(url("lesson-ebook", course, ebook)).status_code == 404


# --- workshops and other kinds ----------------------------------------------------------------

def test_workshop_activity_lists_its_upcoming_sessions(learner):
    from tests.courses.workshops.conftest import make_session, make_workshop

    workshop = make_workshop()
    course = workshop.activity.course
    enrollment_services.enrollment_create(user=learner, course=course)
    soon = make_session(workshop, start=timezone.now() + timedelta(days=5), capacity=8, timezone="America/Sao_Paulo")
    cancelled = make_session(workshop, start=timezone.now() + timedelta(days=9))
    workshop_sessions.session_cancel(session=cancelled, actor=workshop.instructors.get())
    workshop_sessions.registration_create(session=soon, user=learner)
    html = main_html(browser(learner).get(url("activity", course, workshop.activity)))
    assert "Practise hard calls." in html
    assert f'href="{reverse("pages:workshop-session", args=[soon.pk])}"' in html
    assert f'href="{reverse("pages:workshop-session", args=[cancelled.pk])}"' not in html
    assert "(America/Sao_Paulo)" in html and "1 of 8 seats taken" in html and "You are booked" in html


def test_workshop_without_sessions_says_so(learner):
    from tests.courses.workshops.conftest import make_workshop

    workshop = make_workshop()
    html = main_html(browser().get(url("activity", workshop.activity.course, workshop.activity)))
    assert "No upcoming sessions are scheduled yet." in html and "Sign in to enroll" in html


def test_other_kinds_go_to_the_page_their_app_registers(course, steps, learner, enrolled, monkeypatch):
    seen = []

    def quiz_page(request, course_, activity, enrollment, player):
        seen.append((course_.pk, activity.pk, enrollment.pk))
        # The player around it: the outline, where it sits, its neighbours, the header's rule.
        seen.append((player["activity"].pk, player["previous"].pk, player["following"].pk, player["nav"]))
        return HttpResponse("quiz page")

    monkeypatch.setitem(activity_pages._pages, "quiz", quiz_page)
    response = browser(learner).get(url("activity", course, steps[2]))
    assert response.content == b"quiz page"
    assert seen == [(course.pk, steps[2].pk, enrolled.pk), (steps[2].pk, steps[1].pk, steps[3].pk, "my-learning")]


def test_a_kind_nobody_draws_is_404(course, steps, learner, enrolled, monkeypatch):
    monkeypatch.delitem(activity_pages._pages, "quiz", raising=False)
    assert browser(learner).get(url("activity", course, steps[2])).status_code == 404


# --- escaping and language --------------------------------------------------------------------

def test_titles_are_escaped_in_the_reader(learner):
    course = build_course(title="<script>alert(1)</script>", activities=[
        {"title": '<img src=x onerror="alert(2)">'}, {"title": "<b>next</b>"}])
    enrollment_services.enrollment_create(user=learner, course=course)
    html = browser(learner).get(url("activity", course, activities_of(course)[0])).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>next</b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html


def test_portuguese_reader(course, steps, learner, enrolled, ebook):
    client = portuguese(browser(learner))
    html = main_html(client.get(url("activity", course, steps[0])))
    assert "Marcar como concluída" in html and "2 min de leitura" in html and ">Próxima</a>" in html
    html = main_html(client.get(url("activity", course, ebook)))
    assert "Baixar o e-book" in html and ">Anterior</a>" in html
    response = client.post(url("lesson-complete", course, steps[0]), follow=True)
    assert "Lição marcada como concluída." in main_html(response)


def test_the_reader_works_for_a_course_built_through_the_factories(learner):
    """Bare factory rows (no Lesson row for a lesson activity) render without content, not a 500."""
    from tests.courses.factories import ActivityFactory, ModuleFactory

    course = CourseFactory()
    activity = ActivityFactory(module=ModuleFactory(course=course), kind=Activity.Kind.LESSON)
    enrollment_services.enrollment_create(user=learner, course=course)
    response = browser(learner).get(url("activity", course, activity))
    assert response.status_code == 200 and "This lesson has no content yet." in main_html(response)
    assert re.search(r">Mark as complete<", main_html(response))


@pytest.mark.parametrize("name", ["activity", "lesson-complete", "lesson-ebook", "lesson-captions"])
def test_an_id_too_large_for_the_database_is_404(course, learner, enrolled, name):
    path = reverse(f"pages:{name}", args=[course.slug, 1]).replace("/1/", "/" + "9" * 30 + "/")
    client = browser(learner)
    response = client.post(path) if name == "lesson-complete" else client.get(path)
    assert response.status_code == 404


# session, user, roles, course, tags, modules, activities (+lesson), instructors, enrollment, progress
MAX_LESSON_PAGE_QUERIES = 10


def test_lesson_page_query_count_does_not_grow_with_the_course(course, steps, learner, enrolled,
                                                               django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(count: int) -> None:
        module = catalog_services.module_create(course=course, title=f"More {count}")
        for n in range(count):
            activity = catalog_services.activity_create(module=module, title=f"Extra {n}", kind="lesson",
                                                        lesson={"content_type": "article", "body": "Listen."})
            enrollment_services.lesson_complete(enrollment=enrolled, activity=activity)

    client = browser(learner)
    client.get(url("activity", course, steps[0]))  # the first visit records where the learner is; later ones do not
    counts = []
    for size in (3, 6):
        grow(size)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("activity", course, steps[0])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(MAX_LESSON_PAGE_QUERIES):
        client.get(url("activity", course, steps[0]))
