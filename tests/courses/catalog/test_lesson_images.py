"""Pictures in articles: upload through the API, the service and the admin, the checks on the picture, the
Markdown that shows them, and the view that serves them to whoever may read the lesson."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from courses.catalog import lesson_content, services
from courses.catalog.lesson_images import ImageRef
from courses.catalog.models import Lesson, LessonImage
from courses.enrollments import services as enrollment_services
from tests import factories as people
from tests.courses.catalog.conftest import browser
from tests.courses.catalog.test_covers import GPS_IFD, animated_png, picture, png_bomb
from tests.courses.factories import activities_of, build_course, words
from tests.helpers import assert_error, request_property

ALT = "Two colleagues listening to a customer on the phone"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course(instructor, org):
    return build_course(slug="listening", organization=org, created_by=instructor, activities=[
        {"title": "Article", "lesson": {"content_type": "article",
                                        "body": words(238) + "\n\n![](image:desk)\n\n![A call](image:desk)"}},
    ])


@pytest.fixture
def article(course):
    return activities_of(course)[0]


def images_url(activity) -> str:
    return f"/api/v1/activities/{activity.pk}/lesson/images/"


def upload(client, activity, data: bytes, alt: str = ALT, name: str | None = "desk", filename: str = "desk.png"):
    body = {"file": SimpleUploadedFile(filename, data), "alt": alt}
    if name is not None:
        body["name"] = name
    return client.post(images_url(activity), body, format="multipart")


def imgs(html: str) -> list[str]:
    return re.findall(r"<img [^>]+>", html)


# --- upload and rendering ----------------------------------------------------------------------------


def test_an_uploaded_picture_shows_where_the_article_names_it(client_for, instructor, article, org):
    response = upload(client_for(instructor), article, picture(800, 450, "PNG"))
    assert response.status_code == 201, response.content
    image = response.json()
    assert (image["name"], image["alt"], image["width"], image["height"]) == ("desk", ALT, 800, 450)
    assert image["markdown"] == "![](image:desk)"
    assert image["url"] == f"/courses/listening/activities/{article.pk}/images/{image['id']}.png"

    learner = people.member(org)
    enrollment_services.enrollment_create(user=learner, course=article.course)
    lesson = client_for(learner).get(f"/api/v1/activities/{article.pk}/lesson/").json()
    first, second = imgs(lesson["body_html"])
    assert first == (f'<img src="{image["url"]}" alt="{ALT}" width="800" height="450" loading="lazy" '
                     'decoding="async">')
    assert 'alt="A call"' in second and f'src="{image["url"]}"' in second  # the Markdown's own alt wins
    assert lesson["images"] == [image]
    assert lesson["word_count"] == 238 and lesson["reading_minutes"] == 1  # pictures and their alt add no time


def test_the_picture_is_served_to_readers_only(client_for, instructor, article, org, other_org):
    url = upload(client_for(instructor), article, picture(640, 360)).json()["url"]
    learner = people.member(org)
    assert browser(learner).get(url).status_code == 404  # not enrolled
    assert browser(people.member(other_org)).get(url).status_code == 404
    assert browser().get(url).status_code == 404
    assert browser(learner).get(url.replace("/listening/", "/other/")).status_code == 404
    assert browser(learner).get(url.replace(".jpeg", ".png")).status_code == 404
    enrollment_services.enrollment_create(user=learner, course=article.course)
    response = browser(learner).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
        assert served.format == "JPEG" and served.size == (640, 360)


def test_exif_and_gps_are_stripped(client_for, instructor, article, media):
    data = picture(exif=True)
    with Image.open(io.BytesIO(data)) as sent:
        assert sent.getexif().get_ifd(GPS_IFD)
    assert upload(client_for(instructor), article, data, filename="desk.jpg").status_code == 201
    [stored] = stored_files(media)
    raw = stored.read_bytes()
    assert b"Exif" not in raw and b"Camera maker" not in raw
    with Image.open(stored) as kept:
        assert not kept.getexif() and "exif" not in kept.info


def test_a_wide_picture_is_kept_at_most_1600_pixels_wide(client_for, instructor, article):
    image = upload(client_for(instructor), article, picture(3200, 1000, "WEBP"), filename="wide.webp").json()
    assert (image["width"], image["height"], image["url"][-5:]) == (1600, 500, ".webp")


@pytest.mark.parametrize(("data", "filename", "code"), [
    (b"%PDF-1.4 not a picture at all", "photo.png", "invalid_image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "desk.svg", "invalid_image"),
    (b"<html><script>alert(1)</script></html>", "desk.png", "invalid_image"),
    (png_bomb(), "bomb.png", "image_too_large"),
    (png_bomb(7000, 7000), "bomb.png", "image_too_large"),
    (animated_png(), "moving.png", "invalid_image"),
    (picture(1200, 800)[:2000], "cut.jpg", "invalid_image"),
], ids=["pdf", "svg", "html", "png-bomb", "png-bomb-49-megapixels", "animated", "cut-short"])
def test_refused_pictures_answer_422_and_store_nothing(client_for, instructor, article, media, data, filename, code):
    error = assert_error(upload(client_for(instructor), article, data, filename=filename), 422, code)
    assert "file" in error["fields"]
    assert stored_files(media) == [] and not LessonImage.objects.exists()


def test_too_many_bytes_are_refused(client_for, instructor, article, media, settings):
    settings.IMAGE_MAX_BYTES = 1000
    assert_error(upload(client_for(instructor), article, picture()), 422, "image_too_large")
    assert stored_files(media) == []


def test_a_blank_alt_is_422_and_a_missing_one_400(client_for, instructor, article, media):
    client = client_for(instructor)
    error = assert_error(upload(client, article, picture(), alt="  \n "), 422, "image_alt_required")
    assert "alt" in error["fields"]
    missing = client.post(images_url(article), {"file": SimpleUploadedFile("a.png", picture())}, format="multipart")
    assert_error(missing, 400)
    assert stored_files(media) == []


def test_the_schema_says_a_picture_needs_its_text(client_for, instructor, article, media):
    """As for a course's cover: an empty alt text was valid by the schema yet refused; the schema now says
    minLength 1, and an empty one is a 422 that stores nothing."""
    assert request_property("POST", "/api/v1/activities/{activity_id}/lesson/images/", "alt")["minLength"] == 1
    assert "alt" in assert_error(upload(client_for(instructor), article, picture(), alt=""), 422)["fields"]
    assert stored_files(media) == []


def test_a_name_is_made_from_the_file_and_used_once(client_for, instructor, article, media):
    client = client_for(instructor)
    assert upload(client, article, picture(), name=None, filename="Front Desk.jpg").json()["name"] == "front-desk"
    assert_error(upload(client, article, picture(), name="front-desk"), 409, "image_name_taken")
    assert len(stored_files(media)) == 1


def test_only_course_staff_upload_and_remove(client_for, instructor, article, org):
    learner = people.member(org)
    enrollment_services.enrollment_create(user=learner, course=article.course)
    assert_error(upload(client_for(learner), article, picture()), 403)
    assert_error(upload(client_for(people.member(org)), article, picture()), 404)
    image = upload(client_for(instructor), article, picture()).json()
    detail = f"{images_url(article)}{image['id']}/"
    assert_error(client_for(learner).delete(detail), 403)
    assert_error(client_for(instructor).delete(f"{images_url(article)}{image['id'] + 1}/"), 404)


def test_removing_a_picture_takes_it_out_of_the_article(client_for, instructor, article, media,
                                                        django_capture_on_commit_callbacks):
    client = client_for(instructor)
    image = upload(client, article, picture()).json()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{images_url(article)}{image['id']}/").status_code == 204
    lesson = Lesson.objects.get(activity=article)
    assert "<img" not in lesson.body_html and stored_files(media) == []
    assert browser(instructor).get(image["url"]).status_code == 404


# --- the renderer -------------------------------------------------------------------------------------


REF = {"desk": ImageRef(url="/courses/c/activities/3/images/7.png", alt="A desk", width=80, height=45)}


@pytest.mark.parametrize("markdown", [
    "![x](https://example.com/a.png)",
    "![x](//example.com/a.png)",
    "![x](http://127.0.0.1/a.png)",
    "![x](/media/lessons/images/a.png)",
    "![x](image:unknown)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[![x](https://example.com/a.png)](https://example.com)",
])
def test_every_other_picture_address_is_dropped(markdown):
    html = lesson_content.render_markdown(markdown, REF)
    assert "<img" not in html and "example.com/a.png" not in html.replace('href="https://example.com"', "")


def test_the_sanitizer_keeps_only_served_picture_addresses():
    served = '<img src="/courses/c/activities/3/images/7.png" alt="A desk" loading="lazy" width="80">'
    assert lesson_content.sanitize_html(served) == served
    outside = lesson_content.sanitize_html('<img src="https://example.com/a.png" alt="x" loading="eager">')
    assert "example.com" not in outside and "eager" not in outside


def test_reading_time_ignores_pictures():
    assert lesson_content.count_words("One two three ![a long description of a picture](image:desk)") == 3


# --- the admin ----------------------------------------------------------------------------------------


def _admin_post(client, lesson, **row):
    prefix = "images"
    form = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000", **{f"{prefix}-0-{key}": value for key, value in row.items()},
            # the lesson page's other inline, its caption tracks: none sent
            "caption_tracks-TOTAL_FORMS": "0", "caption_tracks-INITIAL_FORMS": "0"}
    return client.post(f"/admin/courses/lesson/{lesson.pk}/change/", form)


def test_the_admin_adds_a_picture_through_the_service(article, media):
    lesson = Lesson.objects.get(activity=article)
    client = browser(people.UserFactory(is_staff=True, is_superuser=True))
    response = _admin_post(client, lesson, name="desk", alt=ALT,
                           upload=SimpleUploadedFile("desk.jpg", picture(exif=True)))
    assert response.status_code == 302, response.content.decode()[:3000]
    image = LessonImage.objects.get(lesson=lesson)
    assert (image.name, image.alt) == ("desk", ALT)
    lesson.refresh_from_db()
    assert f"/images/{image.pk}.jpeg" in lesson.body_html
    assert all(b"Exif" not in path.read_bytes() for path in stored_files(media))


def test_the_admin_refuses_a_non_picture_with_a_form_error(article, media):
    lesson = Lesson.objects.get(activity=article)
    client = browser(people.UserFactory(is_staff=True, is_superuser=True))
    response = _admin_post(client, lesson, name="desk", alt=ALT,
                           upload=SimpleUploadedFile("desk.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    assert response.status_code == 200 and "is not a JPEG, PNG or WebP picture" in response.content.decode()
    assert stored_files(media) == [] and not LessonImage.objects.exists()


def test_the_service_renders_pictures_uploaded_after_the_text(article):
    lesson = Lesson.objects.get(activity=article)
    assert "<img" not in lesson.body_html
    image = services.lesson_image_add(lesson=lesson, data=picture(400, 300, "PNG"), alt=ALT, name="desk")
    lesson.refresh_from_db()
    assert len(imgs(lesson.body_html)) == 2 and f"/images/{image.pk}.png" in lesson.body_html


def test_reading_a_lesson_costs_the_same_queries_with_more_pictures(client_for, instructor, article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(instructor)
    counts = []
    for name in ("one", "two", "three"):
        upload(client, article, picture(400, 300), name=name)
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(f"/api/v1/activities/{article.pk}/lesson/").json()["images"]) == len(counts) + 1
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2]
