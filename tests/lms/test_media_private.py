"""Stored files are private in every mode: nothing serves MEDIA_ROOT at /media/, not even with DEBUG on
(the root URLconf decides its routes at import time, so each test loads it afresh with DEBUG on). Every file
goes through a view that checks the caller."""
from __future__ import annotations

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, resolve
from django.urls.exceptions import Resolver404

import lms.urls
from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from courses.enrollments import services as enrollment_services
from tests import factories as people
from tests.assessments.roleplays.factories import world
from tests.courses.catalog.test_api_lessons import make_pdf
from tests.courses.factories import activities_of, build_course, words

pytestmark = pytest.mark.django_db

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32

# One file of each kind, where its model's upload_to puts it.
STORED = {
    "ebook": ("lessons/ebooks/handbook.pdf", b"%PDF-1.7 the handbook"),
    "captions": ("lessons/captions/talk.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello"),
    "video": ("lessons/videos/talk.webm", b"\x1a\x45\xdf\xa3 a lesson video"),
    "certificate PDF": ("certificates/ABCD-1234.pdf", b"%PDF-1.7 a certificate"),
    "export": ("exports/acme-completions-1.csv", b"email,name\nada@example.com,Ada Lovelace\n"),
    "role-play upload": ("roleplays/call.wav", WAV),
}


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The root URLconf as `make run` (DEBUG=1) loads it; restored as the tests load it afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(lms.urls)
    clear_url_caches()


def _callers(org) -> dict[str, Client]:
    signed_in, staff = Client(), Client()
    signed_in.force_login(people.member(org))
    staff.force_login(people.UserFactory(is_staff=True, is_superuser=True))
    return {"anonymous": Client(), "someone else": signed_in, "superuser": staff}


@pytest.mark.parametrize("kind", list(STORED))
def test_no_stored_file_is_served_at_its_media_path(debug_urls, org, kind):
    name, data = STORED[kind]
    stored = default_storage.save(name, ContentFile(data))
    for caller, client in _callers(org).items():
        response = client.get(f"/media/{stored}")
        assert response.status_code == 404, f"{kind}, {caller}: {response.status_code}"
        assert data not in b"".join(getattr(response, "streaming_content", [response.content])), (kind, caller)


@pytest.mark.parametrize("path", ["/media/", "/media/exports/", "/media/certificates/x.pdf", "/media/../x"])
def test_nothing_routes_the_media_prefix(debug_urls, path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_an_uploaded_ebook_is_served_only_through_its_checked_view(debug_urls, org, client_for):
    instructor = people.member(org, "instructor")
    course = build_course(slug="private-book", created_by=instructor, activities=[
        {"title": "Article", "lesson": {"content_type": "article", "body": words(120)}}])
    article = activities_of(course)[0]
    pdf = make_pdf(1)
    upload = SimpleUploadedFile("book.pdf", pdf, content_type="application/pdf")
    assert client_for(instructor).put(f"/api/v1/activities/{article.pk}/lesson/ebook/upload/", {"file": upload},
                                      format="multipart").status_code == 200
    learner = people.member(org)
    enrollment_services.enrollment_create(user=learner, course=course)
    article.lesson.refresh_from_db()
    stored = article.lesson.ebook.name

    url = f"/api/v1/activities/{article.pk}/lesson/ebook/"
    for user in (learner, instructor):
        response = client_for(user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    assert client_for(people.member(org)).get(url).status_code == 404
    for caller, client in _callers(org).items():
        assert client.get(f"/media/{stored}").status_code == 404, caller


def test_a_role_play_upload_is_served_only_through_its_checked_view(debug_urls, org, client_for):
    w = world(org, learners=1)
    performer = client_for(w.learners[0])
    upload = SimpleUploadedFile("call.bin", WAV, content_type="application/octet-stream")
    created = performer.post(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/performances/",
                             {"media": upload, "recording_consent": CONSENT_VERSION},
                             format="multipart")
    assert created.status_code == 201, created.content
    performance_id = created.json()["id"]

    url = f"/api/v1/roleplays/performances/{performance_id}/media/"
    response = performer.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == WAV
    assert client_for(people.member(org)).get(url).status_code == 404
    stored = [path for path in default_storage.listdir("roleplays")[1]]
    assert len(stored) == 1
    for caller, client in _callers(org).items():
        assert client.get(f"/media/roleplays/{stored[0]}").status_code == 404, caller


# --- the back office links to the checked views, never to /media/ -------------------------------

def test_the_admin_never_links_a_stored_file_at_its_media_path(settings, tmp_path, org):
    from courses.catalog.models import Lesson
    from courses.hr_reports.models import ReportExport
    from tests.courses.certificates.conftest import completed_enrollment, issued

    settings.MEDIA_ROOT = tmp_path / "media"
    certificate = issued(completed_enrollment(organization=org))
    assert certificate.pdf
    export = ReportExport.objects.create(organization=org, format="csv", request_key="k", status="done",
                                         file=default_storage.save(*_content("export")))
    instructor = people.member(org, "instructor")
    course = build_course(slug="admin-book", created_by=instructor, activities=[
        {"title": "Article", "lesson": {"content_type": "article", "body": words(50)}}])
    article = activities_of(course)[0]
    Lesson.objects.filter(activity=article).update(ebook=default_storage.save(*_content("ebook")),
                                                   video=default_storage.save(*_content("video")))
    client = Client()
    client.force_login(people.UserFactory(is_staff=True, is_superuser=True))
    pages = {
        f"/admin/courses/certificate/{certificate.pk}/change/": f'href="/api/v1/certificates/{certificate.code}/pdf/"',
        f"/admin/courses/reportexport/{export.pk}/change/": export.file.name.rsplit("/", 1)[-1],
        f"/admin/courses/activity/{article.pk}/change/": "handbook",
    }
    for url, expected in pages.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert settings.MEDIA_URL not in html, f"{url} links a file at its public media path"
        assert expected in html, url
    video = client.get(f"/admin/courses/activity/{article.pk}/change/").content.decode()
    assert f'href="/courses/admin-book/activities/{article.pk}/video/"' in video  # the checking view, not /media/


def _content(kind: str) -> tuple[str, ContentFile]:
    name, data = STORED[kind]
    return name, ContentFile(data)
