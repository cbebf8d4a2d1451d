"""Performing a scenario: transcript, audio/video recognised by content and size, https link, live session."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from assessments.roleplays.errors import RoleplayError
from assessments.roleplays.media import sniff_media
from assessments.roleplays.models import Performance, ReviewAssignment
from tests import factories as people
from tests.assessments.roleplays.factories import world
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 32
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 32
MP3 = b"ID3\x04\x00" + b"\x00" * 32


@pytest.mark.parametrize(("data", "expected"), [(WAV, "audio/wav"), (MP4, "video/mp4"), (WEBM, "video/webm"),
                                                (MP3, "audio/mpeg"), (b"OggS" + b"\x00" * 20, "audio/ogg"),
                                                (b"\xff\xfb\x90" + b"\x00" * 20, "audio/mpeg")])
def test_media_is_recognised_by_content(data, expected):
    assert sniff_media(data, max_bytes=1000) == expected


@pytest.mark.parametrize("data", [b"%PDF-1.7" + b"\x00" * 20, b"<html><body>", b"MZ" + b"\x00" * 30, b"short"])
def test_other_content_is_refused_whatever_its_name(data):
    with pytest.raises(RoleplayError) as error:
        sniff_media(data, max_bytes=1000)
    assert error.value.code == "invalid_media"


def _url(w):
    return f"/api/v1/roleplays/scenarios/{w.scenario.pk}/performances/"


def test_perform_with_a_transcript_and_read_it_back(org, client_for):
    w = world(org, learners=1)
    client = client_for(w.learners[0])
    response = client.post(_url(w), {"transcript": "Agent: I hear you.", "cohort": "spring"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["cohort"], body["transcript"]) == (
        "transcript", "submitted", "spring", "Agent: I hear you.")
    assert body["performer"]["id"] == w.learners[0].pk
    assert_error(client.post(_url(w), {"transcript": "Again"}, format="json"), 409, "performance_pending")
    assert client.get("/api/v1/roleplays/performances/?mine=true").json()["results"][0]["id"] == body["id"]


def test_upload_a_recording(org, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world(org, learners=1)
    client = client_for(w.learners[0])
    upload = SimpleUploadedFile("call.bin", WAV, content_type="application/octet-stream")
    response = client.post(_url(w), {"media": upload, "recording_consent": CONSENT_VERSION}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["media_type"], body["media_size"]) == ("media", "audio/wav", len(WAV))
    download = client.get(f"/api/v1/roleplays/performances/{body['id']}/media/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == WAV
    assert download["Content-Type"] == "audio/wav"


def test_bad_uploads_and_inputs_are_422_and_nothing_is_written(org, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ROLEPLAY_MEDIA_MAX_BYTES = 100
    w = world(org, learners=1)
    client = client_for(w.learners[0])
    pdf = SimpleUploadedFile("call.mp3", b"%PDF-1.7" + b"\x00" * 50, content_type="audio/mpeg")
    assert_error(client.post(_url(w), {"media": pdf, "recording_consent": CONSENT_VERSION}, format="multipart"), 422,
                 "invalid_media")
    big = SimpleUploadedFile("call.wav", WAV + b"\x00" * 200, content_type="audio/wav")
    assert_error(client.post(_url(w), {"media": big, "recording_consent": CONSENT_VERSION}, format="multipart"), 422,
                 "media_too_large")
    assert_error(client.post(_url(w), {}, format="json"), 422, "invalid_performance")
    assert_error(client.post(_url(w), {"link": "http://example.com/video"}, format="json"), 422)
    assert_error(client.post(_url(w), {"link": "https://x.example/v", "session_reference": "S1"}, format="json"),
                 422)
    assert_error(client.post(_url(w), {"transcript": "x", "partner": w.learners[0].pk}, format="json"), 422)
    outsider = people.UserFactory()
    assert_error(client.post(_url(w), {"transcript": "x", "partner": outsider.pk}, format="json"), 422)
    assert not Performance.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_link_and_live_performances(org, client_for):
    w = world(org, learners=2)
    link = client_for(w.learners[0]).post(_url(w), {"link": "https://video.example/take-1",
                                                    "recording_consent": CONSENT_VERSION}, format="json")
    assert link.status_code == 201 and link.json()["kind"] == "link"
    live = client_for(w.learners[1]).post(_url(w), {"session_reference": "workshop-session-42",
                                                    "transcript": "Notes from the session",
                                                    "partner": w.learners[0].pk}, format="json")
    assert live.status_code == 201, live.content
    assert (live.json()["kind"], live.json()["session_reference"]) == ("live", "workshop-session-42")
    partner = ReviewAssignment.objects.get(role="partner")
    assert partner.reviewer == w.learners[0]


def test_performing_needs_an_enrollment(org, client_for):
    w = world(org, learners=0)
    colleague = people.member(org)
    assert_error(client_for(colleague).post(_url(w), {"transcript": "x"}, format="json"), 404)
    assert_error(client_for(w.instructor).post(_url(w), {"transcript": "x"}, format="json"), 409,
                 "enrollment_required")
