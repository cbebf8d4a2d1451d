"""lms.files.file_response: how every file-serving view sends a stored file once it has checked the caller,
as PROTECTED_MEDIA_REDIRECT says (Django streams it, nginx's X-Accel-Redirect, X-Sendfile, the storage's URL)."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from courses.catalog.models import Lesson, LessonCaption
from courses.enrollments import services as enrollment_services
from lms.files import file_response
from tests import factories as people
from tests.assessments.roleplays.factories import world
from tests.courses.catalog.test_api_lessons import make_pdf
from tests.courses.factories import activities_of, build_course, words
from tests.lms.test_settings_deploy import _manage

pytestmark = pytest.mark.django_db

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32


@pytest.fixture
def stored(settings, tmp_path):
    """A lesson's captions file, stored under MEDIA_ROOT as an upload would be."""
    settings.MEDIA_ROOT = tmp_path / "media"
    track = LessonCaption()
    track.file.save("talk.vtt", ContentFile(b"WEBVTT\n"), save=False)
    return track.file


def test_by_default_django_streams_the_file(settings, stored):
    settings.PROTECTED_MEDIA_REDIRECT = ""
    response = file_response(stored, as_attachment=True, filename="talk.vtt", content_type="text/vtt")
    assert b"".join(response.streaming_content) == b"WEBVTT\n"
    assert response["Content-Disposition"] == 'attachment; filename="talk.vtt"'
    assert (response["Cache-Control"], response["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    assert "X-Accel-Redirect" not in response and "X-Sendfile" not in response


def test_a_missing_file_is_a_404(settings, stored):
    settings.PROTECTED_MEDIA_REDIRECT = ""
    stored.storage.delete(stored.name)
    with pytest.raises(Http404):
        file_response(stored, content_type="text/vtt")


def test_x_accel_redirect_names_the_internal_location_and_sends_nothing(settings, stored):
    settings.PROTECTED_MEDIA_REDIRECT = "x-accel-redirect"
    response = file_response(stored, as_attachment=True, filename="Talk captions.vtt", content_type="text/vtt")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{stored.name}"
    assert response["Content-Type"] == "text/vtt"
    assert response["Content-Disposition"] == 'attachment; filename="Talk captions.vtt"'
    assert response["Cache-Control"] == "private, no-store"


def test_x_accel_redirect_quotes_the_name(settings, stored):
    settings.PROTECTED_MEDIA_REDIRECT = "x-accel-redirect"
    stored.name = "lessons/captions/a b?c#d.vtt"
    assert file_response(stored, content_type="text/vtt")["X-Accel-Redirect"] == (
        "/protected-media/lessons/captions/a%20b%3Fc%23d.vtt")


def test_x_sendfile_names_the_path_on_disk(settings, stored):
    settings.PROTECTED_MEDIA_REDIRECT = "x-sendfile"
    response = file_response(stored, content_type="text/vtt")
    assert response.content == b""
    assert Path(response["X-Sendfile"]) == Path(settings.MEDIA_ROOT) / stored.name
    assert response["Content-Disposition"] == 'inline; filename="talk.vtt"'


def test_storage_url_redirects_to_the_storages_own_address(settings, stored, monkeypatch):
    settings.PROTECTED_MEDIA_REDIRECT = "storage-url"
    monkeypatch.setattr(FileSystemStorage, "url", lambda self, name: f"https://bucket.example/{name}?X-Sig=1")
    response = file_response(stored, content_type="text/vtt")
    assert response.status_code == 302
    assert response["Location"] == f"https://bucket.example/{stored.name}?X-Sig=1"
    assert response["Cache-Control"] == "private, no-store"


def test_the_checked_views_hand_the_file_to_the_web_server_only_for_the_right_people(settings, tmp_path, org,
                                                                                      client_for):
    """The e-book (API and page) and a role-play recording: the check runs first, then nginx sends the file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    instructor = people.member(org, "instructor")
    course = build_course(slug="nginx-book", created_by=instructor, activities=[
        {"title": "Handbook", "lesson": {"content_type": "article", "body": words(80)}}])
    article = activities_of(course)[0]
    upload = SimpleUploadedFile("book.pdf", make_pdf(1), content_type="application/pdf")
    assert client_for(instructor).put(f"/api/v1/activities/{article.pk}/lesson/ebook/upload/", {"file": upload},
                                      format="multipart").status_code == 200
    learner, stranger = people.member(org), people.member(org)
    enrollment_services.enrollment_create(user=learner, course=course)
    w = world(org, learners=1)
    media = SimpleUploadedFile("call.bin", WAV, content_type="application/octet-stream")
    performance = client_for(w.learners[0]).post(f"/api/v1/roleplays/scenarios/{w.scenario.pk}/performances/",
                                                  {"media": media, "recording_consent": CONSENT_VERSION},
                                                  format="multipart").json()["id"]

    settings.PROTECTED_MEDIA_REDIRECT = "x-accel-redirect"
    ebook = Lesson.objects.get(activity=article).ebook.name
    cases = [(f"/api/v1/activities/{article.pk}/lesson/ebook/", learner, ebook),
             (f"/api/v1/roleplays/performances/{performance}/media/", w.learners[0], None)]
    for url, owner, name in cases:
        response = client_for(owner).get(url)
        assert response.status_code == 200, url
        assert response["X-Accel-Redirect"].startswith("/protected-media/") and response.content == b""
        assert name is None or response["X-Accel-Redirect"] == f"/protected-media/{name}"
        refused = client_for(stranger).get(url)
        assert refused.status_code == 404 and "X-Accel-Redirect" not in refused, url


def test_an_unknown_mode_refuses_to_start(tmp_path):
    result = _manage(tmp_path, "check", PROTECTED_MEDIA_REDIRECT="nginx-please")
    assert result.returncode != 0
    assert "PROTECTED_MEDIA_REDIRECT must be" in result.stderr
