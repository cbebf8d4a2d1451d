"""Uploads: every file endpoint (lesson ebook, captions, video and pictures, an organization's logo and signature,
role-play recordings, the membership and
enrollment CSV imports, the admin's quiz import and course cover) with hostile file names (`../`,
absolute paths, NUL, 1000 characters, reserved names), oversized files and mislabelled ones (a PNG
named .pdf, HTML labelled as CSV or captions, a zip posing as CSV).

Each answer is a 4xx, or the file is stored under a safe generated name inside MEDIA_ROOT. Nothing
is ever written outside it, and a refused upload leaves every table and the media folder as they were.
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from reportlab.pdfgen import canvas

from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from assessments.roleplays.models import Performance
from courses.catalog.models import Lesson
from tests import factories as people
from tests.reliability.bad_input import bad_inputs as catalogue
from tests.reliability.bad_input.conftest import row_counts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
# The smallest MP4 a lesson takes: ftyp, then a movie header (mvhd) saying 2 seconds.
MP4 = (b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom" + b"\x00\x00\x00\x74moov\x00\x00\x00\x6cmvhd"
       + b"\x00" * 12 + b"\x00\x00\x03\xe8\x00\x00\x07\xd0" + b"\x00" * 80)
CSV_MEMBERS = b"email,first_name,last_name\nnew.upload@example.com,New,Upload\n"
CSV_EMAILS = b"email\nnew.upload@example.com\n"


def _pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "A short book about listening.")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("email.csv", "email\nzip@example.com\n")
    return buffer.getvalue()


def _files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def _around(media: Path) -> set[Path]:
    """Files beside MEDIA_ROOT, where a name with ``..`` would land, but not those of the browser
    tests' running server, whose worker and broker write there on their own while this test runs."""
    return {path for path in _files(media.parent)
            if not path.is_relative_to(media)
            and not path.relative_to(media.parent).parts[0].startswith("browser-stack")}


class Uploader:
    def __init__(self, world, figure):
        self.world = world
        self.figure = figure
        self.media = Path(world.extra["media_root"]).resolve()
        self.problems: list[str] = []
        self.cases = 0

    def send(self, name: str, role: str, method: str, path: str, field: str, filename: str, data: bytes,
             content_type: str, *, extra: dict | None = None, accepted=(200, 201), refuse: bool = False):
        self.cases += 1
        outside_before = _around(self.media)
        media_before = _files(self.media)
        client = self.world.client(role)
        with transaction.atomic():
            counts = row_counts()
            response = client.generic(method, path, **multipart(field, filename, data, content_type, extra or {}))
            status = response.status_code
            if 400 <= status < 500 and row_counts() != counts:
                self.problems.append(f"{name}: {status} but rows changed")
            transaction.set_rollback(True)
        written = _files(self.media) - media_before
        escaped = _around(self.media) - outside_before
        escaped |= set(Path("/tmp").glob("badinput-escape*"))
        if escaped:
            self.problems.append(f"{name}: wrote outside MEDIA_ROOT: {sorted(map(str, escaped))}")
        if status >= 500 or (status not in accepted and not 400 <= status < 500):
            self.problems.append(f"{name}: {status} {response.content[:200]!r}")
        elif refuse and not 400 <= status < 500:
            self.problems.append(f"{name}: expected a 4xx, got {status}")
        if 400 <= status < 500 and written:
            self.problems.append(f"{name}: refused but left files {sorted(map(str, written))}")
        for path in written:
            relative = path.relative_to(self.media)
            stem = relative.name
            if stem.startswith(".") or ".." in relative.parts or len(str(relative)) > 100 or "\x00" in stem \
                    or "<" in stem or stem.split(".")[0].upper() in {"CON", "PRN", "AUX", "NUL"}:
                self.problems.append(f"{name}: stored under an unsafe name {relative}")
            path.unlink()  # the savepoint rolled the row back; the file goes too
        return status

    def finish(self) -> None:
        self.figure("bad-input upload cases", self.cases)
        assert not self.problems, "\n".join(self.problems)


BOUNDARY = "badinput-boundary"


def multipart(field: str, filename: str, data: bytes, content_type: str, extra: dict) -> dict:
    """A multipart body with the file name exactly as given (Django's test helpers would take its
    base name first, hiding the ``../`` a hostile client sends)."""
    quoted = filename.replace('"', '%22')  # backslashes stay raw, as old browsers sent them
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in extra.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{quoted}"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode("utf-8", "surrogateescape") + data + b"\r\n")
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture
def uploader(world, figure, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # larger uploads spill to a temporary file, as in production
    settings.FILE_UPLOAD_TEMP_DIR = str(Path(world.extra["media_root"]).parent / "upload-temp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)
    sender = Uploader(world, figure)
    yield sender
    sender.finish()


def _hostile_names(ext: str) -> dict[str, str]:
    return {name: pattern.replace("{ext}", ext) for name, pattern in catalogue.FILE_NAMES.items()}


def test_lesson_ebook(world, uploader, settings):
    path = f"/api/v1/activities/{world.lesson.pk}/lesson/ebook/upload/"
    pdf = _pdf()
    for name, filename in _hostile_names("pdf").items():
        uploader.send(f"ebook named {name}", "instructor", "PUT", path, "file", filename, pdf, "application/pdf")
    uploader.send("PNG named .pdf", "instructor", "PUT", path, "file", "book.pdf", PNG, "application/pdf", refuse=True)
    uploader.send("HTML named .pdf", "instructor", "PUT", path, "file", "book.pdf", HTML, "application/pdf",
                  refuse=True)
    uploader.send("zip named .epub", "instructor", "PUT", path, "file", "book.epub", _zip(), "application/epub+zip",
                  refuse=True)
    settings.EBOOK_MAX_BYTES = len(pdf) - 1
    uploader.send("ebook over its limit", "instructor", "PUT", path, "file", "book.pdf", pdf, "application/pdf",
                  refuse=True)
    assert Lesson.objects.get(pk=world.lesson.lesson.pk).ebook.name == ""  # every try was rolled back


def _real_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 60)).save(buffer, "PNG")
    return buffer.getvalue()


SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><script>alert(1)</script></svg>"


def test_lesson_images(world, uploader):
    path = f"/api/v1/activities/{world.lesson.pk}/lesson/images/"
    extra = {"alt": "A quiet desk"}
    for name, filename in _hostile_names("png").items():
        uploader.send(f"picture named {name}", "instructor", "POST", path, "file", filename, _real_png(), "image/png",
                      extra=extra)
    for name, data in (("HTML", HTML), ("SVG", SVG), ("a PNG header only", PNG), ("a PDF", _pdf())):
        uploader.send(f"{name} labelled as a picture", "instructor", "POST", path, "file", "a.png", data,
                      "image/png", extra=extra, refuse=True)
    uploader.send("a picture without alt text", "instructor", "POST", path, "file", "a.png", _real_png(),
                  "image/png", extra={"alt": "   "}, refuse=True)


def test_organization_branding(world, uploader):
    path = f"/api/v1/organizations/{world.org.slug}/branding/"
    for field in ("logo", "signature"):
        for name, filename in _hostile_names("png").items():
            uploader.send(f"{field} named {name}", "org_admin", "PATCH", path, field, filename, _real_png(),
                          "image/png")
        for name, data in (("HTML", HTML), ("SVG", SVG), ("a PNG header only", PNG)):
            uploader.send(f"{name} labelled as a {field}", "org_admin", "PATCH", path, field, "a.png", data,
                          "image/png", refuse=True)


def test_lesson_captions(world, uploader):
    path = f"/api/v1/activities/{world.lesson.pk}/lesson/captions/"
    for name, filename in _hostile_names("vtt").items():
        uploader.send(f"captions named {name}", "instructor", "PUT", path, "file", filename, VTT, "text/vtt")
    uploader.send("HTML labelled as captions", "instructor", "PUT", path, "file", "c.vtt", HTML, "text/vtt",
                  refuse=True)
    uploader.send("PNG labelled as captions", "instructor", "PUT", path, "file", "c.vtt", PNG, "text/vtt", refuse=True)
    uploader.send("captions with a NUL", "instructor", "PUT", path, "file", "c.vtt", VTT + b"\x00\n", "text/vtt",
                  refuse=True)
    uploader.send("captions of 3 MB", "instructor", "PUT", path, "file", "c.vtt", VTT + b"x" * 3_000_000,
                  "text/vtt", refuse=True)


def test_lesson_caption_tracks(world, uploader):
    path = f"/api/v1/activities/{world.lesson.pk}/lesson/captions/pt-BR/"
    for name, filename in _hostile_names("vtt").items():
        uploader.send(f"track named {name}", "instructor", "PUT", path, "file", filename, VTT, "text/vtt",
                      extra={"label": "Português"})
    uploader.send("HTML labelled as a track", "instructor", "PUT", path, "file", "c.vtt", HTML, "text/vtt",
                  refuse=True)
    uploader.send("a track with a bad timing", "instructor", "PUT", path, "file", "c.vtt",
                  b"WEBVTT\n\n00:00 -> 00:01\nHello\n", "text/vtt", refuse=True)
    uploader.send("a track in no language", "instructor", "PUT",
                  f"/api/v1/activities/{world.lesson.pk}/lesson/captions/not-a-language/", "file", "c.vtt", VTT,
                  "text/vtt", refuse=True)


def test_lesson_video(world, uploader, settings):
    path = f"/api/v1/activities/{world.lesson.pk}/lesson/video/"
    for name, filename in _hostile_names("mp4").items():
        uploader.send(f"video named {name}", "instructor", "PUT", path, "file", filename, MP4, "video/mp4")
    uploader.send("PNG labelled as a video", "instructor", "PUT", path, "file", "v.mp4", PNG, "video/mp4", refuse=True)
    uploader.send("HTML labelled as a video", "instructor", "PUT", path, "file", "v.webm", HTML, "video/webm",
                  refuse=True)
    uploader.send("WAV labelled as a video", "instructor", "PUT", path, "file", "v.mp4", WAV, "video/mp4", refuse=True)
    settings.VIDEO_MAX_BYTES = len(MP4) - 1
    uploader.send("video over its limit", "instructor", "PUT", path, "file", "v.mp4", MP4, "video/mp4", refuse=True)


def test_roleplay_recordings(world, uploader, settings):
    Performance.objects.filter(pk=world.extra["performance"].pk).delete()  # the learner may perform again
    path = f"/api/v1/roleplays/scenarios/{world.extra['scenario'].pk}/performances/"
    consent = {"recording_consent": str(CONSENT_VERSION)}  # the learner agrees to the current consent text
    for name, filename in _hostile_names("wav").items():
        uploader.send(f"recording named {name}", "learner", "POST", path, "media", filename, WAV, "audio/wav",
                      extra=consent)
    uploader.send("PDF labelled as audio", "learner", "POST", path, "media", "call.mp3", _pdf(), "audio/mpeg",
                  extra=consent, refuse=True)
    uploader.send("HTML labelled as audio", "learner", "POST", path, "media", "call.wav", HTML, "audio/wav",
                  extra=consent, refuse=True)
    uploader.send("recording without consent", "learner", "POST", path, "media", "call.wav", WAV, "audio/wav",
                  refuse=True)
    settings.ROLEPLAY_MEDIA_MAX_BYTES = len(WAV) + 10
    uploader.send("recording over its limit", "learner", "POST", path, "media", "call.wav", WAV + b"\x00" * 100,
                  "audio/wav", extra=consent, refuse=True)


def test_outcome_csv_import(world, uploader):
    path = "/api/v1/outcomes/scores/upload/"
    extra = {"organization": world.org.slug}
    good = (b"external_id,email,metric,period_start,period_end,score,scale_min,scale_max\n"
            + f"zd-1,{world.users['learner'].email},csat,2026-01-01,2026-01-31,4,1,5\n".encode())
    for name, filename in _hostile_names("csv").items():
        uploader.send(f"outcomes CSV named {name}", "hr", "POST", path, "file", filename, good, "text/csv",
                      extra=extra)
    for name, data in (("HTML labelled as CSV", HTML), ("a zip labelled as CSV", _zip()),
                       ("a PNG labelled as CSV", PNG), ("CSV with a NUL", good.replace(b"zd-1", b"z\x00")),
                       ("UTF-16 CSV", good.decode().encode("utf-16"))):
        uploader.send(f"{path}: {name}", "hr", "POST", path, "file", "scores.csv", data, "text/csv", extra=extra,
                      refuse=True)


def test_csv_imports(world, uploader, settings):
    members = f"/api/v1/organizations/{world.org.slug}/memberships/import/"
    enrollments = f"/api/v1/courses/{world.course.slug}/enrollments/bulk/"
    for name, filename in _hostile_names("csv").items():
        uploader.send(f"members CSV named {name}", "org_admin", "POST", members, "file", filename, CSV_MEMBERS,
                      "text/csv", extra={"dry_run": "true"})
        uploader.send(f"emails CSV named {name}", "instructor", "POST", enrollments, "file", filename, CSV_EMAILS,
                      "text/csv", extra={"organization": world.org.slug})
    targets = ((members, "org_admin", {}), (enrollments, "instructor", {"organization": world.org.slug}))
    for path, role, extra in targets:
        uploader.send(f"{path}: HTML labelled as CSV", role, "POST", path, "file", "people.csv", HTML, "text/csv",
                      extra=extra, refuse=True)
        uploader.send(f"{path}: a zip labelled as CSV", role, "POST", path, "file", "people.csv", _zip(), "text/csv",
                      extra=extra, refuse=True)
        uploader.send(f"{path}: a PNG labelled as CSV", role, "POST", path, "file", "people.csv", PNG, "text/csv",
                      extra=extra, refuse=True)
        uploader.send(f"{path}: CSV with a NUL", role, "POST", path, "file", "people.csv",
                      b"email\nnul\x00@example.com\n", "text/csv", extra=extra, refuse=True)
        uploader.send(f"{path}: UTF-16 CSV", role, "POST", path, "file", "people.csv", "email\nx@example.com\n".encode(
            "utf-16"), "text/csv", extra=extra)
    settings.UPLOAD_MAX_BYTES = 10_000
    uploader.send("members CSV over the upload limit", "org_admin", "POST", members, "file", "big.csv",
                  CSV_MEMBERS + b"x@example.com,a,b\n" * 1000, "text/csv", refuse=True)


def test_admin_uploads(world, figure):
    """The admin's quiz import and course cover: hostile names and contents are form errors, not 500s."""
    superuser = people.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    media = Path(world.extra["media_root"]).resolve()
    before = _around(media)
    documents = {
        "not JSON": b"<html>", "nested past the parser": b"[" * 100_000 + b"]" * 100_000,
        "NUL in the title": b'{"format": "empathy-lms/quiz", "version": 1, "title": "a\\u0000b", "questions": []}',
        "lone surrogate": b'{"format": "empathy-lms/quiz", "version": 1, "title": "\\ud800", "questions": []}',
        "a PNG": PNG, "a zip": _zip(),
    }
    cases = 0
    for name, filename in _hostile_names("json").items():
        for label, document in documents.items():
            cases += 1
            body = multipart("file", filename, document, "application/json", {"activity": world.quiz_activity.pk})
            with transaction.atomic():
                counts = row_counts()
                response = client.generic("POST", "/admin/assessments/quiz/import/", **body)
                # The form again, with its errors; a 400 page when the file name passes the header limit.
                assert response.status_code in (200, 400), (name, label, response.status_code)
                assert row_counts() == counts, (name, label)
                transaction.set_rollback(True)
    for name, filename in _hostile_names("png").items():
        cases += 1
        body = multipart("cover_upload", filename, HTML, "image/png", {})
        with transaction.atomic():
            response = client.generic("POST", f"/admin/courses/course/{world.course.pk}/change/", **body)
            transaction.set_rollback(True)
        assert response.status_code in (200, 302, 400), (name, response.status_code)
    assert _around(media) - before == set(), "the admin wrote outside MEDIA_ROOT"
    assert not any(os.path.exists(f"/tmp/badinput-escape.{ext}") for ext in ("json", "png"))
    figure("bad-input upload cases", cases)
