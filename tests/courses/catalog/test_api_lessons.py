"""/api/v1/activities/{id}/lesson/...: reading, editing, e-book upload and download."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.catalog import lesson_content as content
from courses.catalog.models import Course, Lesson
from courses.enrollments import services
from tests import factories as people
from tests.courses.catalog.conftest import make_pdf
from tests.courses.factories import activities_of, build_course, words
from tests.courses.markup import MALICIOUS, assert_safe, parsed
from tests.helpers import assert_error


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course(instructor):
    return build_course(slug="lessons", created_by=instructor, activities=[
        {"title": "Article", "lesson": {"content_type": "article", "body": words(476)}},
        {"title": "Quiz", "kind": "quiz", "estimated_minutes": 5},
    ])


@pytest.fixture
def article(course):
    return activities_of(course)[0]


def _lesson_url(activity) -> str:
    return f"/api/v1/activities/{activity.pk}/lesson/"


def test_enrolled_learner_reads_the_article_with_its_reading_label(client_for, course, article, org):
    learner = people.member(org)
    services.enrollment_create(user=learner, course=course)
    body = client_for(learner).get(_lesson_url(article)).json()
    assert (body["content_type"], body["word_count"], body["reading_minutes"]) == ("article", 476, 2)
    assert body["reading_label"] == "2 min read"
    assert content.WORDS_PER_MINUTE * 2 == 476


def test_lesson_is_hidden_from_learners_who_are_not_enrolled(client_for, article, org, other_org):
    assert_error(client_for(people.member(org)).get(_lesson_url(article)), 404)
    assert_error(client_for(people.member(other_org)).get(_lesson_url(article)), 404)


def test_a_quiz_has_no_lesson(client_for, course, instructor):
    assert_error(client_for(instructor).get(_lesson_url(activities_of(course)[1])), 404)


def test_instructor_edits_the_article_and_the_output_is_sanitised(client_for, course, article, instructor, org):
    response = client_for(instructor).patch(_lesson_url(article), {"body": MALICIOUS}, format="json")
    assert response.status_code == 200, response.content
    html = response.json()["body_html"]
    assert_safe(html)
    assert "<script" not in html and "<img" not in html
    assert [attrs["href"] for tag, attrs in parsed(html) if tag == "a"] == ["https://example.com/a"]

    learner = people.member(org)
    services.enrollment_create(user=learner, course=course)
    assert client_for(learner).get(_lesson_url(article)).json()["body_html"] == html


def test_editing_updates_reading_time_and_the_course_estimate(client_for, course, article, instructor):
    assert Course.objects.get(pk=course.pk).estimated_minutes == 2 + 5
    response = client_for(instructor).patch(_lesson_url(article), {"body": words(content.WORDS_PER_MINUTE * 5)},
                                            format="json")
    assert (response.json()["reading_minutes"], response.json()["reading_label"]) == (5, "5 min read")
    assert Course.objects.get(pk=course.pk).estimated_minutes == 5 + 5


def test_learner_cannot_edit_a_lesson(client_for, course, article, org):
    learner = people.member(org)
    services.enrollment_create(user=learner, course=course)
    assert_error(client_for(learner).patch(_lesson_url(article), {"body": "mine now"}, format="json"), 403)
    assert Lesson.objects.get(activity=article).word_count == 476


@pytest.mark.parametrize("payload", [{"video_duration_seconds": "long"}, {"video_duration_seconds": -5},
                                     {"body": ["list"]}, {"body": None}])
def test_bad_lesson_edits_are_a_400(client_for, article, instructor, payload):
    assert_error(client_for(instructor).patch(_lesson_url(article), payload, format="json"), 400)
    assert Lesson.objects.get(activity=article).word_count == 476


# --- e-books --------------------------------------------------------------------------------------

def _upload(client, activity, data: bytes, name: str):
    return client.put(f"/api/v1/activities/{activity.pk}/lesson/ebook/upload/",
                      {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}, format="multipart")


@pytest.mark.parametrize("data", [b"MZ\x90\x00" + b"\x00" * 200, b"\x7fELF\x02\x01\x01" + b"\x00" * 200],
                         ids=["windows-exe", "elf"])
def test_a_renamed_executable_is_rejected(client_for, article, instructor, media, data):
    error = assert_error(_upload(client_for(instructor), article, data, "x.pdf"), 422, "invalid_ebook")
    assert "ebook" in error["fields"]
    lesson = Lesson.objects.get(activity=article)
    assert (lesson.content_type, lesson.ebook.name, lesson.ebook_pages) == ("article", "", 0)
    assert stored_files(media) == []


def test_a_truncated_pdf_is_rejected(client_for, article, instructor, media):
    pdf = make_pdf(3)
    assert_error(_upload(client_for(instructor), article, pdf[: len(pdf) // 2], "book.pdf"), 422, "invalid_ebook")
    assert Lesson.objects.get(activity=article).ebook.name == ""
    assert stored_files(media) == []


def test_a_valid_pdf_is_stored_with_its_page_count(client_for, course, article, instructor, media):
    pdf = make_pdf(7)
    response = _upload(client_for(instructor), article, pdf, "../../Empathy Handbook.pdf")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["content_type"], body["ebook_kind"], body["ebook_pages"], body["ebook_size"]) == (
        "ebook", "pdf", 7, len(pdf))
    assert body["ebook_download_url"] == f"/api/v1/activities/{article.pk}/lesson/ebook/"
    lesson = Lesson.objects.get(activity=article)
    assert lesson.ebook.name.startswith("lessons/ebooks/") and lesson.ebook.name.endswith(".pdf")
    assert ".." not in lesson.ebook.name
    assert [path.read_bytes() for path in stored_files(media)] == [pdf]
    article.refresh_from_db()
    assert article.estimated_minutes == content.ebook_minutes(7) == 9
    assert Course.objects.get(pk=course.pk).estimated_minutes == 9 + 5


def test_ebook_download(client_for, course, article, instructor, media, org):
    pdf = make_pdf(2)
    assert _upload(client_for(instructor), article, pdf, "book.pdf").status_code == 200
    url = f"/api/v1/activities/{article.pk}/lesson/ebook/"

    learner = people.member(org)
    services.enrollment_create(user=learner, course=course)
    for user in (learner, instructor):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == pdf

    assert_error(client_for(people.member(org)).get(url), 404)


def test_download_without_an_ebook_is_a_404(client_for, course, article, instructor):
    assert_error(client_for(instructor).get(f"/api/v1/activities/{article.pk}/lesson/ebook/"), 404)


def test_learner_cannot_upload(client_for, course, article, org, media):
    learner = people.member(org)
    services.enrollment_create(user=learner, course=course)
    assert_error(_upload(client_for(learner), article, make_pdf(1), "book.pdf"), 403)
    assert stored_files(media) == []


def test_upload_without_a_file_is_a_400(client_for, article, instructor, media):
    response = client_for(instructor).put(f"/api/v1/activities/{article.pk}/lesson/ebook/upload/", {},
                                          format="multipart")
    assert "file" in assert_error(response, 400, "invalid")["fields"]


def test_an_ebook_over_the_limit_is_rejected(client_for, article, instructor, media, settings):
    pdf = make_pdf(2)
    settings.EBOOK_MAX_BYTES = len(pdf) - 1
    assert_error(_upload(client_for(instructor), article, pdf, "book.pdf"), 422, "ebook_too_large")
    assert stored_files(media) == []


def test_replacing_an_ebook_removes_the_old_file_after_commit(client_for, article, instructor, media,
                                                              django_capture_on_commit_callbacks):
    client = client_for(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, article, make_pdf(1), "first.pdf").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        body = _upload(client, article, make_pdf(4), "second.pdf").json()
    assert body["ebook_pages"] == 4
    assert [path.name for path in stored_files(media)] == ["second.pdf"]
