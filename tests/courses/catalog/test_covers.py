"""Course covers: upload through the API and the service, the checks on the picture, the sizes made once,
the views that serve them to whoever may see the course, and the generated cover."""
from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from courses.catalog import cover_art, cover_images, services
from courses.catalog.errors import ContentError
from courses.catalog.models import Course, CourseCoverRendition
from lms.errors import ApplicationError
from tests import factories as people
from tests.courses.catalog.conftest import browser, portuguese
from tests.courses.factories import CategoryFactory, CourseFactory
from tests.helpers import assert_error, request_property

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()) if media.exists() else []


def picture(width: int = 1200, height: int = 800, fmt: str = "JPEG", mode: str = "RGB", exif: bool = False) -> bytes:
    """A drawn picture: two colour halves, so a cut or a resize is visible."""
    image = Image.new(mode, (width, height), (200, 80, 40) if mode == "RGB" else (200, 80, 40, 128))
    image.paste((30, 90, 160) if mode == "RGB" else (30, 90, 160, 255), (width // 2, 0, width, height))
    buffer = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "Camera maker"
        tags[0x0112] = 1
        tags.get_ifd(GPS_IFD).update({1: "S", 2: (23.0, 33.0, 1.0), 3: "W", 4: (46.0, 38.0, 1.0)})
        image.save(buffer, fmt, exif=tags)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG that declares 900 million pixels of zeros (its data would unpack to about 900 MB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def animated_png() -> bytes:
    frames = [Image.new("RGB", (400, 240), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course(instructor):
    course = CourseFactory(slug="listening", title="Listening well")
    course.instructors.add(instructor)
    return course


def upload(client, slug: str, data: bytes, alt: str = "Two people talking at a table", name: str = "photo.jpg"):
    return client.put(f"/api/v1/courses/{slug}/cover/",
                      {"file": SimpleUploadedFile(name, data), "alt": alt}, format="multipart")


# --- upload -------------------------------------------------------------------------------------------


def test_upload_makes_every_size_once_in_webp_and_jpeg(client_for, instructor, course, media):
    response = upload(client_for(instructor), "listening", picture(1200, 800))
    assert response.status_code == 200, response.content
    cover = response.json()["cover"]
    assert cover["generated"] is False and cover["alt"] == "Two people talking at a table"
    assert [(s["width"], s["height"]) for s in cover["webp"]] == [(320, 180), (640, 360), (960, 540)]
    assert [s["format"] for s in cover["fallback"]] == ["jpeg"] * 3
    assert cover["url"] == cover["fallback"][-1]["url"] and (cover["width"], cover["height"]) == (960, 540)
    rows = list(CourseCoverRendition.objects.filter(course=course).order_by("format", "width"))
    assert [(row.format, row.width) for row in rows] == [("jpeg", 320), ("jpeg", 640), ("jpeg", 960),
                                                         ("webp", 320), ("webp", 640), ("webp", 960)]
    for row in rows:
        with Image.open(row.file.path) as stored:
            assert stored.format == row.format.upper() and stored.size == (row.width, row.height)
    course.refresh_from_db()
    with Image.open(course.cover_image.path) as master:
        assert master.size == (1200, 675)  # cut to 16:9, never enlarged


def test_reading_the_cover_again_does_not_make_the_sizes_again(client_for, instructor, course, media, monkeypatch):
    upload(client_for(instructor), "listening", picture())
    before = stored_files(media), list(CourseCoverRendition.objects.values_list("pk", "file"))

    def never(*args, **kwargs):
        raise AssertionError("the sizes are made once, at upload")
    monkeypatch.setattr(cover_images, "cover_prepare", never)
    monkeypatch.setattr(services.cover_images, "cover_prepare", never)
    client = browser()
    for _ in range(2):
        detail = client_for(instructor).get("/api/v1/courses/listening/").json()["cover"]
        for source in detail["webp"] + detail["fallback"]:
            response = client.get(source["url"])
            assert response.status_code == 200
            assert response["Content-Type"] == f"image/{source['format']}"
            b"".join(response.streaming_content)
    assert (stored_files(media), list(CourseCoverRendition.objects.values_list("pk", "file"))) == before


def test_a_small_picture_gets_only_the_sizes_it_fills(client_for, instructor, course):
    cover = upload(client_for(instructor), "listening", picture(500, 300)).json()["cover"]
    assert [s["width"] for s in cover["webp"]] == [320]


def test_a_transparent_picture_falls_back_to_png(client_for, instructor, course):
    cover = upload(client_for(instructor), "listening", picture(800, 450, "PNG", "RGBA"), name="logo.png").json()
    assert {s["format"] for s in cover["cover"]["fallback"]} == {"png"}


def test_a_new_upload_replaces_the_old_files(client_for, instructor, course, media, django_capture_on_commit_callbacks):
    client = client_for(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(client, "listening", picture()).json()["cover"]
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(client, "listening", picture(1600, 900, "PNG")).json()["cover"]
    assert first["url"] != second["url"]
    assert len(stored_files(media)) == 7  # six sizes and the kept picture, of the second upload only
    assert browser().get(first["url"]).status_code == 404


def test_exif_and_gps_are_stripped(client_for, instructor, course, media):
    data = picture(exif=True)
    with Image.open(io.BytesIO(data)) as sent:
        assert sent.getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    assert upload(client_for(instructor), "listening", data).status_code == 200
    files = stored_files(media)
    assert len(files) == 7
    for name in files:
        raw = (media / name).read_bytes()
        assert b"Exif" not in raw and b"Camera maker" not in raw
        with Image.open(media / name) as stored:
            assert not stored.getexif() and "exif" not in stored.info and "icc_profile" not in stored.info


# --- refused uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"%PDF-1.4 not a picture at all", "photo.jpg", "invalid_cover"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "cover.svg", "invalid_cover"),
    (b"", "empty.png", "invalid"),  # refused by the form field before the service
    (png_bomb(), "bomb.png", "cover_too_large"),
    (png_bomb(7000, 7000), "bomb.png", "cover_too_large"),  # under Pillow's own limit, over ours
    (picture(9000, 400, "PNG"), "wide.png", "cover_too_large"),
    (animated_png(), "moving.png", "invalid_cover"),
    (picture(200, 100), "tiny.jpg", "invalid_cover"),
    (picture(1200, 800)[:2000], "cut.jpg", "invalid_cover"),
], ids=["pdf", "svg", "empty", "png-bomb", "png-bomb-49-megapixels", "too-wide", "animated", "too-small", "cut-short"])
def test_refused_pictures_answer_4xx_and_store_nothing(client_for, instructor, course, media, data, name, code):
    response = upload(client_for(instructor), "listening", data, name=name)
    error = assert_error(response, 422, code)
    assert "file" in error["fields"]
    assert stored_files(media) == [] and not CourseCoverRendition.objects.exists()
    course.refresh_from_db()
    assert not course.cover_image


def test_too_many_bytes_are_refused(client_for, instructor, course, media, settings):
    settings.COVER_MAX_BYTES = 1000
    assert_error(upload(client_for(instructor), "listening", picture()), 422, "cover_too_large")
    assert stored_files(media) == []


def test_a_refused_new_picture_keeps_the_old_cover(client_for, instructor, course, media):
    client = client_for(instructor)
    kept = upload(client, "listening", picture()).json()["cover"]
    assert_error(upload(client, "listening", png_bomb()), 422, "cover_too_large")
    assert client.get("/api/v1/courses/listening/").json()["cover"] == kept
    assert len(stored_files(media)) == 7


def test_alt_text_is_required_with_a_cover(client_for, instructor, course, media):
    client = client_for(instructor)
    error = assert_error(upload(client, "listening", picture(), alt="   "), 422, "cover_alt_required")
    assert "cover_alt" in error["fields"]
    assert stored_files(media) == []
    upload(client, "listening", picture())
    assert_error(client.patch("/api/v1/courses/listening/", {"cover_alt": ""}, format="json"), 422,
                 "cover_alt_required")
    changed = client.patch("/api/v1/courses/listening/", {"cover_alt": "A quiet room"}, format="json")
    assert changed.json()["cover"]["alt"] == "A quiet room"


def test_the_schema_states_what_an_upload_needs(client_for, instructor, course, media):
    """The API fuzzer sent an empty alt text, valid by the schema then, and met a 400: the schema now says the
    text and the file are never empty, and an empty text is a 422 that stores nothing."""
    assert request_property("PUT", "/api/v1/courses/{slug}/cover/", "alt")["minLength"] == 1
    assert request_property("PUT", "/api/v1/courses/{slug}/cover/", "file")["minLength"] == 1
    error = assert_error(upload(client_for(instructor), "listening", picture(), alt=""), 422)
    assert "alt" in error["fields"]
    assert stored_files(media) == []


def test_alt_text_may_be_empty_without_a_cover(client_for, instructor, course):
    response = client_for(instructor).patch("/api/v1/courses/listening/", {"cover_alt": ""}, format="json")
    assert response.status_code == 200 and response.json()["cover"]["generated"] is True


def test_only_the_course_managers_upload(client_for, org, course):
    learner = people.member(org)
    assert_error(upload(client_for(learner), "listening", picture()), 403)
    private = CourseFactory(slug="private", organization=people.OrganizationFactory())
    assert_error(upload(client_for(learner), private.slug, picture()), 404)


def test_removing_the_cover_brings_back_the_generated_one(client_for, instructor, course, media,
                                                          django_capture_on_commit_callbacks):
    client = client_for(instructor)
    upload(client, "listening", picture())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/v1/courses/listening/cover/")
    assert response.json()["cover"]["generated"] is True and response.json()["cover"]["alt"] == ""
    assert stored_files(media) == []


def test_the_service_refuses_without_storing(course, media):
    with pytest.raises(ContentError) as refused:
        services.course_cover_set(course=course, data=b"GIF89a", alt="A picture")
    assert refused.value.code == "invalid_cover" and stored_files(media) == []
    with pytest.raises(ApplicationError):
        services.course_cover_set(course=course, data=picture(), alt="")


# --- who sees a cover ---------------------------------------------------------------------------------


def test_private_course_covers_are_404_for_outsiders(client_for, org, other_org):
    admin = people.member(org, "org_admin")
    course = CourseFactory(slug="ours", organization=org)
    cover = upload(client_for(admin), "ours", picture()).json()["cover"]
    outsider = browser(people.member(other_org))
    for url in (cover["url"], cover["webp"][0]["url"], "/courses/ours/cover.svg"):
        assert outsider.get(url).status_code == 404
        assert browser().get(url).status_code == 404
    member = browser(people.member(org))
    inside = member.get(cover["url"])
    assert inside.status_code == 200 and inside["Cache-Control"] == "private, max-age=3600"
    assert course.pk


def test_draft_covers_are_404_for_learners(client_for, instructor, org):
    draft = CourseFactory(slug="draft", status=Course.Status.DRAFT)
    draft.instructors.add(instructor)
    cover = upload(client_for(instructor), "draft", picture()).json()["cover"]
    assert browser(people.member(org)).get(cover["url"]).status_code == 404
    assert browser(instructor).get(cover["url"]).status_code == 200


def test_public_covers_may_be_cached_by_anyone(client_for, instructor, course):
    cover = upload(client_for(instructor), "listening", picture()).json()["cover"]
    response = browser().get(cover["webp"][1]["url"])
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=86400"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_cover_address_names_its_course_and_format(client_for, instructor, course):
    cover = upload(client_for(instructor), "listening", picture()).json()["cover"]
    other = CourseFactory(slug="other")
    webp = cover["webp"][0]["url"]
    assert browser().get(webp.replace("/listening/", f"/{other.slug}/")).status_code == 404
    assert browser().get(webp.replace(".webp", ".jpeg")).status_code == 404


# --- the generated cover ------------------------------------------------------------------------------


def test_a_course_without_a_picture_has_a_generated_cover(client_for, org):
    CourseFactory(slug="calm", title="Calm voices", category=CategoryFactory(name="Communication"))
    cover = client_for(people.member(org)).get("/api/v1/courses/calm/").json()["cover"]
    assert cover["generated"] is True and cover["alt"] == "" and cover["webp"] == cover["fallback"] == []
    response = browser().get(cover["url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert "COMMUNICATION" in svg and ">CV<" in svg


def test_generated_covers_differ_per_course_and_stay_the_same():
    first = cover_art.cover_svg(slug="calm-voices", title="Calm voices")
    assert first == cover_art.cover_svg(slug="calm-voices", title="Calm voices")
    others = {cover_art.cover_svg(slug=f"course-{n}", title="Calm voices") for n in range(20)}
    assert len(others) == 20 and first not in others
    colours = {re.search(r'stop-color="(#[0-9a-f]{6})"', svg).group(1) for svg in others}
    assert len(colours) > 10  # not one grey for all


def test_generated_covers_keep_white_text_readable():
    for n in range(200):
        svg = cover_art.cover_svg(slug=f"course-{n}", title="Title")
        for colour in re.findall(r'(?:stop-color|fill)="(#[0-9a-f]{6})"', svg):
            if colour != "#ffffff":
                assert (1.05 / (cover_art.luminance(colour) + 0.05)) >= 7, (n, colour)


def test_generated_cover_text_is_escaped():
    svg = cover_art.cover_svg(slug="x", title="<script>alert(1)</script> now", category="A & <B>")
    assert "<script" not in svg and "A &amp; &lt;B&gt;" in svg


# --- the admin ----------------------------------------------------------------------------------------


def _admin_post(client, course, **extra):
    data = {"title": course.title, "slug": course.slug, "language": "en", "status": course.status,
            "hours_credited": "0", "passing_score": "0", "summary": "", "description": "", "cover_alt": "",
            "modules-TOTAL_FORMS": "0", "modules-INITIAL_FORMS": "0", "modules-MIN_NUM_FORMS": "0",
            "modules-MAX_NUM_FORMS": "1000", **extra}
    return client.post(f"/admin/courses/course/{course.pk}/change/", data)


def test_the_admin_uploads_through_the_service(course, media):
    client = browser(people.UserFactory(is_staff=True, is_superuser=True))
    response = _admin_post(client, course, cover_alt="A shared desk",
                           cover_upload=SimpleUploadedFile("desk.jpg", picture(exif=True)))
    assert response.status_code == 302, response.content.decode()[:3000]
    course.refresh_from_db()
    assert course.cover_alt == "A shared desk" and course.cover_renditions.count() == 6
    assert all(b"Exif" not in (media / name).read_bytes() for name in stored_files(media))


@pytest.mark.parametrize(("data", "alt", "message"), [
    (b"<html>not a picture</html>", "A desk", "is not a still JPEG, PNG or WebP picture"),
    (None, "", "Say what the cover picture shows"),
], ids=["not-a-picture", "no-alt"])
def test_the_admin_refuses_with_a_form_error_and_stores_nothing(course, media, data, alt, message):
    client = browser(people.UserFactory(is_staff=True, is_superuser=True))
    response = _admin_post(client, course, cover_alt=alt,
                           cover_upload=SimpleUploadedFile("desk.jpg", data if data is not None else picture()))
    assert response.status_code == 200 and message in response.content.decode()
    assert stored_files(media) == [] and not CourseCoverRendition.objects.exists()


def test_a_long_category_is_shortened_to_fit_the_generated_cover():
    svg = cover_art.cover_svg(slug="x", title="Title", category="Customer service and complaint handling")
    assert "CUSTOMER SERVICE AND CO…" in svg


def test_one_upload_makes_the_sizes_exactly_once(client_for, instructor, course, monkeypatch):
    calls = []
    real = cover_images.cover_prepare

    def counted(data, **kwargs):
        calls.append(len(data))
        return real(data, **kwargs)
    monkeypatch.setattr(services.cover_images, "cover_prepare", counted)
    assert upload(client_for(instructor), "listening", picture()).status_code == 200
    assert len(calls) == 1 and CourseCoverRendition.objects.filter(course=course).count() == 6


def test_covers_behind_a_signed_storage_address_are_not_kept(client_for, instructor, course, settings):
    cover = upload(client_for(instructor), "listening", picture()).json()["cover"]
    settings.PROTECTED_MEDIA_REDIRECT = "x-accel-redirect"
    kept = browser().get(cover["url"])
    assert kept["Cache-Control"] == "public, max-age=86400" and kept["X-Accel-Redirect"]
    settings.PROTECTED_MEDIA_REDIRECT = "storage-url"
    assert browser().get(cover["url"])["Cache-Control"] == "private, no-store"


def test_the_admin_says_it_in_portuguese(course, media):
    client = portuguese(browser(people.UserFactory(is_staff=True, is_superuser=True)))
    response = _admin_post(client, course, cover_upload=SimpleUploadedFile("desk.jpg", b"<html>"))
    html = response.content.decode()
    assert "Diga o que a imagem de capa mostra" in html and "não é uma imagem estática" in html
    assert "Nova imagem de capa" in html and "Texto da capa (alt)" in html
