"""The lesson editor at /teach/courses/<slug>/activities/<id>/: who may open it, the article's preview drawn exactly
as the learner's page draws it with its reading time, pictures, the video's address, file and captions, the ebook,
and refused forms that answer 400 with the error beside its field and write nothing."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.catalog.models import Activity, Lesson, LessonCaption, LessonImage
from courses.enrollments import services as enrollment_services
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.catalog.test_covers import picture
from tests.courses.catalog.test_ebook_safety import _names_javascript, _rewrite
from tests.courses.catalog.test_lesson_content import make_pdf
from tests.courses.factories import activities_of, build_course, words

pytestmark = pytest.mark.django_db

MARKDOWN = ("# Listening first\n\nAsk **one** question, then [wait](https://example.com/wait).\n\n"
            "| a | b |\n|:-|-:|\n| 1 | 2 |")
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.500\nHello, and thanks for waiting.\n"
BAD_VTT = b"WEBVTT\n\n00:01.000 --> 00:02.000\nFine.\n\n00:03.000 -> 00:04.000\nBroken arrow.\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course(instructor, org):
    return build_course(slug="listening", organization=org, created_by=instructor, activities=[
        {"title": "Article", "lesson": {"content_type": "article", "body": MARKDOWN}},
        {"title": "Video", "lesson": {"content_type": "video", "video_url": "https://youtu.be/dQw4w9WgXcQ"}},
        {"title": "Handbook", "lesson": {"content_type": "ebook"}},
        {"title": "Check", "kind": Activity.Kind.QUIZ},
    ])


@pytest.fixture
def steps(course):
    return dict(zip(["article", "video", "ebook", "quiz"], activities_of(course), strict=True))


def url(activity, suffix: str = "") -> str:
    return reverse("pages:teach-activity", args=[activity.course.slug, activity.pk]) + suffix


def article_of(html: str) -> str:
    match = re.search(r"<article class=\"article\"[^>]*>(.*?)</article>", html, re.S)
    assert match, html[:300]
    return match.group(1)


def test_the_preview_is_the_learners_article(instructor, org, steps):
    article = steps["article"]
    learner = people.member(org, "learner")
    enrollment_services.enrollment_create(user=learner, course=article.course)
    learner_page = main_html(browser(learner).get(reverse("pages:activity", args=[article.course.slug, article.pk])))
    editor = browser(instructor)
    page = main_html(editor.get(url(article)))
    assert article_of(page) == article_of(learner_page)
    assert "<h1>Listening first</h1>" in article_of(page)
    assert 'class="align-right"' in article_of(page)
    # The script's endpoint and the no-JavaScript Preview button answer the same fragment for what is typed.
    typed = MARKDOWN + "\n\nOne more line."
    answer = editor.post(url(article, "preview/"), {"body": typed}).json()
    previewed = main_html(editor.post(url(article), {"action": "preview", "body": typed}))
    assert article_of(answer["html"]) == article_of(previewed)
    assert "One more line." in answer["html"]
    Lesson.objects.filter(pk=article.lesson.pk).update(body=typed)
    lesson = Lesson.objects.get(pk=article.lesson.pk)
    assert lesson.body_html != article_of(answer["html"])  # previews write nothing


def test_reading_time_is_shown_and_follows_the_text(instructor, steps):
    article = steps["article"]
    editor = browser(instructor)
    assert "1 min read" in main_html(editor.get(url(article)))
    answer = editor.post(url(article, "preview/"), {"body": words(238 * 3 + 1)}).json()
    assert answer["minutes"] == 4 and answer["reading_time"] == "4 min read"
    page = main_html(editor.post(url(article), {"action": "preview", "body": words(238 * 3 + 1)}))
    assert "4 min read" in page and "Not saved yet" in page
    assert 'src="/static/courses/lesson_editor.js"' in editor.get(url(article)).text


def test_reading_time_in_portuguese(instructor, steps):
    editor = portuguese(browser(instructor))
    page = main_html(editor.get(url(steps["article"])))
    assert "Prévia: o que os alunos veem" in page and "Salvar artigo" in page
    assert editor.post(url(steps["article"], "preview/"), {"body": words(10)}).json()["reading_time"] == \
        "1 min de leitura"


def test_a_script_in_markdown_never_reaches_the_preview(instructor, steps):
    editor = browser(instructor)
    body = "Hello <script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))"
    answer = editor.post(url(steps["article"], "preview/"), {"body": body}).json()
    page = main_html(editor.post(url(steps["article"]), {"action": "preview", "body": body}))
    for html in (answer["html"], article_of(page)):
        assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
        assert "&lt;script&gt;" in html  # shown as text, as the learner's page shows it


def test_saving_the_article_and_the_details(instructor, steps):
    article = steps["article"]
    editor = browser(instructor)
    response = editor.post(url(article), {"action": "article", "body": words(500)})
    assert response.status_code == 302
    article.lesson.refresh_from_db()
    assert article.lesson.word_count == 500 and article.lesson.reading_minutes == 3
    response = editor.post(url(article), {"action": "details", "title": "  Listening, first  ", "required": ""})
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.required) == ("Listening, first", False)


def test_details_without_a_title_answer_400_beside_the_field(instructor, steps):
    article = steps["article"]
    response = browser(instructor).post(url(article), {"action": "details", "title": "   ", "required": "on"})
    assert response.status_code == 400
    assert 'id="id_title_errors"' in response.text
    article.refresh_from_db()
    assert article.title == "Article"


def test_a_picture_is_uploaded_and_shown_in_the_preview(instructor, steps):
    article = steps["article"]
    editor = browser(instructor)
    response = editor.post(url(article), {"action": "image", "alt": "A desk", "name": "desk",
                                          "file": SimpleUploadedFile("desk.png", picture(64, 48, "PNG"))})
    assert response.status_code == 302
    image = LessonImage.objects.get(lesson=article.lesson)
    answer = editor.post(url(article, "preview/"), {"body": "![A desk](image:desk)"}).json()
    assert f"/images/{image.pk}." in answer["html"]
    missing_alt = editor.post(url(article), {"action": "image", "alt": "", "name": "other",
                                             "file": SimpleUploadedFile("o.png", picture(64, 48, "PNG"))})
    assert missing_alt.status_code == 400 and 'id="id_alt_errors"' in missing_alt.text
    not_a_picture = editor.post(url(article), {"action": "image", "alt": "Text", "name": "text",
                                               "file": SimpleUploadedFile("t.png", b"plain text")})
    assert not_a_picture.status_code == 400 and 'id="id_file_errors"' in not_a_picture.text
    assert LessonImage.objects.filter(lesson=article.lesson).count() == 1
    editor.post(url(article), {"action": "image-remove", "image": image.pk})
    assert not LessonImage.objects.filter(lesson=article.lesson).exists()


def test_a_bad_video_address_answers_400_beside_the_field(instructor, steps):
    video = steps["video"]
    editor = browser(instructor)
    response = editor.post(url(video), {"action": "video-url", "video_url": "http://youtu.be/dQw4w9WgXcQ"})
    assert response.status_code == 400
    errors = re.search(r'id="id_video_url_errors">(.*?)</ul>', response.text, re.S)
    assert errors and "https://" in errors.group(1)
    video.lesson.refresh_from_db()
    assert video.lesson.video_url == "https://youtu.be/dQw4w9WgXcQ"
    good = editor.post(url(video), {"action": "video-url", "video_url": "https://vimeo.com/76979871",
                                    "duration_minutes": "5"})
    assert good.status_code == 302
    video.lesson.refresh_from_db()
    assert (video.lesson.video_url, video.lesson.video_duration_seconds) == ("https://vimeo.com/76979871", 300)


def test_a_file_that_is_no_video_is_refused(instructor, steps):
    response = browser(instructor).post(url(steps["video"]), {
        "action": "video-file", "file": SimpleUploadedFile("clip.mp4", b"not a video at all")})
    assert response.status_code == 400 and 'id="id_file_errors"' in response.text


def test_captions_good_and_bad(instructor, steps):
    video = steps["video"]
    editor = browser(instructor)
    good = editor.post(url(video), {"action": "caption", "language": "pt-br", "label": "", "kind": "captions",
                                    "file": SimpleUploadedFile("pt.vtt", VTT)})
    assert good.status_code == 302
    assert LessonCaption.objects.get(lesson=video.lesson).language == "pt-BR"
    bad = editor.post(url(video), {"action": "caption", "language": "en", "kind": "captions",
                                   "file": SimpleUploadedFile("en.vtt", BAD_VTT)})
    assert bad.status_code == 400
    errors = re.search(r'id="id_file_errors">(.*?)</ul>', bad.text, re.S)
    assert errors and "Line 6:" in errors.group(1)
    assert not LessonCaption.objects.filter(lesson=video.lesson, language="en").exists()
    assert "pt-BR" in main_html(editor.get(url(video)))
    editor.post(url(video), {"action": "caption-remove", "language": "pt-BR"})
    assert not LessonCaption.objects.filter(lesson=video.lesson).exists()


def test_an_ebook_is_uploaded_and_one_with_javascript_refused(instructor, steps):
    ebook = steps["ebook"]
    editor = browser(instructor)
    bad = editor.post(url(ebook), {"action": "ebook",
                                   "file": SimpleUploadedFile("evil.pdf", _rewrite(_names_javascript))})
    assert bad.status_code == 400
    errors = re.search(r'id="id_file_errors">(.*?)</ul>', bad.text, re.S)
    assert errors and "JavaScript" in errors.group(1)
    ebook.lesson.refresh_from_db()
    assert not ebook.lesson.ebook
    good = editor.post(url(ebook), {"action": "ebook", "file": SimpleUploadedFile("guide.pdf", make_pdf(3))})
    assert good.status_code == 302
    ebook.lesson.refresh_from_db()
    assert ebook.lesson.ebook_pages == 3


def test_a_quiz_activity_links_to_its_editor(instructor, steps):
    quiz = steps["quiz"]
    page = browser(instructor).get(url(quiz))
    assert page.status_code == 200
    assert reverse("pages:teach-quiz", args=[quiz.pk]) in page.text


def test_who_may_open_the_editor(org, other_org, instructor, steps):
    article = steps["article"]
    outsider = people.member(other_org, "instructor")
    colleague = people.member(org, "instructor")  # same organization, does not teach this course
    learner = people.member(org, "learner")
    enrollment_services.enrollment_create(user=learner, course=article.course)
    for user, status in ((outsider, 404), (learner, 403), (people.member(org, "hr"), 403)):
        client = browser(user)
        assert client.get(url(article)).status_code == status
        assert client.post(url(article), {"action": "details", "title": "Mine"}).status_code == status
        assert client.post(url(article, "preview/"), {"body": "x"}).status_code == status
    # A published course is visible to a colleague of the organization, who may still not change it.
    assert browser(colleague).get(url(article)).status_code in (403, 404)
    assert browser(instructor).get(url(article)).status_code == 200
    article.refresh_from_db()
    assert article.title == "Article"


def test_an_activity_of_another_course_is_404(instructor, org, steps):
    other = build_course(slug="other", organization=org, created_by=instructor, activities=[{"title": "Elsewhere"}])
    wrong = reverse("pages:teach-activity", args=["listening", activities_of(other)[0].pk])
    assert browser(instructor).get(wrong).status_code == 404


def test_an_unknown_action_is_400(instructor, steps):
    assert browser(instructor).post(url(steps["article"]), {"action": "nope"}).status_code == 400
    body = json.loads(browser(instructor).post(url(steps["article"], "preview/"), {"body": "x" * 200_001}).content)
    assert "body" in body["errors"]
