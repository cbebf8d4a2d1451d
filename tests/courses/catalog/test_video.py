"""Self-hosted lesson videos: the upload checks, caption tracks, byte ranges, who may read them, the page's
player and transcript, and the demo's video lessons."""
from __future__ import annotations

import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import demo, demo_content
from courses.catalog import webvtt
from courses.catalog.errors import ContentError
from courses.catalog.models import Lesson, LessonCaption
from courses.catalog.services import video as video_services
from courses.catalog.video_files import video_inspect
from courses.enrollments import services as enrollment_services
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.factories import activities_of, build_course
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

EN_VTT = (b"WEBVTT\n\n1\n00:00.000 --> 00:02.500\n<v Ana>Hello, and thanks for waiting.\n\n"
          b"00:42.000 --> 00:44.000\nBye &amp; thanks.\n")
PT_VTT = "WEBVTT\n\n00:00.000 --> 00:02.500\nOlá, obrigada por esperar.\n\n00:42.000 --> 00:44.000\nTchau.\n".encode()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload) + 8) + kind + payload


def mp4(seconds: int = 42, timescale: int = 600) -> bytes:
    """A minimal MP4: ftyp, the media data, then the movie header (moov after mdat, as many encoders write)."""
    mvhd = box(b"mvhd", b"\0\0\0\0" + struct.pack(">IIII", 0, 0, timescale, seconds * timescale) + b"\0" * 80)
    return box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + box(b"mdat", bytes(range(256)) * 8) + box(b"moov", mvhd)


DEMO_WEBM = (demo_content.DATA_DIR / "media" / "sympathy-empathy-space-between.webm").read_bytes()


def upload(data: bytes, name: str = "clip.mp4", content_type: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def course(instructor, media):
    return build_course(created_by=instructor, language="en", activities=[
        {"title": "A call replayed", "lesson": {"content_type": "video", "transcript": "Hello."}},
        {"title": "Reading", "lesson": {"content_type": "article", "body": "Words."}},
    ])


@pytest.fixture
def activity(course):
    return activities_of(course)[0]


@pytest.fixture
def learner(org, course):
    user = people.member(org)
    enrollment_services.enrollment_create(user=user, course=course)
    return user


def with_video(activity, data: bytes = DEMO_WEBM, tracks: bool = True) -> Lesson:
    lesson = Lesson.objects.get(activity=activity)
    video_services.lesson_video_set(lesson=lesson, file=upload(data, "talk.webm", "video/webm"), filename="talk.webm")
    if tracks:
        video_services.lesson_caption_set(lesson=lesson, language="en", data=EN_VTT)
        video_services.lesson_caption_set(lesson=lesson, language="pt-br", data=PT_VTT)
    return lesson


def page(name: str, activity, *extra) -> str:
    return reverse(f"pages:{name}", args=[activity.course.slug, activity.pk, *extra])


# --- what a lesson accepts ----------------------------------------------------------------------

def test_mp4_and_webm_are_told_by_their_content_and_their_length_read():
    import io

    assert video_inspect(io.BytesIO(mp4(42)), max_bytes=10**6).duration_seconds == 42
    info = video_inspect(io.BytesIO(DEMO_WEBM), max_bytes=10**7)
    assert (info.kind, info.content_type, info.size) == ("webm", "video/webm", len(DEMO_WEBM))
    assert 50 <= info.duration_seconds <= 65


def test_instructor_uploads_a_video_and_the_lesson_takes_its_length(client_for, instructor, activity):
    response = client_for(instructor).put(f"/api/v1/activities/{activity.pk}/lesson/video/",
                                          {"file": upload(mp4(95))}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["video"]["kind"] == "mp4" and body["video_duration_seconds"] == 95
    activity.refresh_from_db()
    assert activity.estimated_minutes == 2


@pytest.mark.parametrize(("data", "name"), [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "clip.mp4"),  # a picture named like a video
    (b"<html><script>alert(1)</script></html>", "clip.webm"),
    (box(b"ftyp", b"M4A \0\0\0\0M4A ") + box(b"mdat", b"\0" * 32), "song.mp4"),  # audio only
    (box(b"ftyp", b"isom\0\0\2\0isom") + box(b"mdat", b"\0" * 32), "cut.mp4"),  # no movie header: incomplete
    (b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska" + b"\0" * 16, "film.webm"),  # Matroska, not WebM
])
def test_files_that_are_not_mp4_or_webm_videos_are_refused_and_nothing_is_kept(client_for, instructor, activity,
                                                                               media, data, name):
    response = client_for(instructor).put(f"/api/v1/activities/{activity.pk}/lesson/video/",
                                          {"file": upload(data, name)}, format="multipart")
    error = assert_error(response, 422, "invalid_video")
    assert error["fields"] == {"video": [error["message"]]}
    assert not Lesson.objects.get(activity=activity).video
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_video_over_the_limit_is_refused(client_for, instructor, activity, settings):
    settings.VIDEO_MAX_BYTES = 1024
    response = client_for(instructor).put(f"/api/v1/activities/{activity.pk}/lesson/video/",
                                          {"file": upload(mp4())}, format="multipart")
    assert_error(response, 422, "video_too_large")


def test_learners_cannot_upload_and_the_video_can_be_removed(client_for, instructor, learner, activity, media):
    path = f"/api/v1/activities/{activity.pk}/lesson/video/"
    assert_error(client_for(learner).put(path, {"file": upload(mp4())}, format="multipart"), 403)
    with_video(activity, mp4(), tracks=False)
    assert_error(client_for(learner).delete(path), 403)
    assert client_for(instructor).delete(path).status_code == 204
    assert not Lesson.objects.get(activity=activity).video
    assert_error(client_for(instructor).delete(path), 404)


# --- caption tracks -----------------------------------------------------------------------------

def test_a_bad_webvtt_file_is_refused_with_the_line_at_fault():
    cases = {
        b"WEBVTT\n\n00:01.000 --> 00:02.000\nFine.\n\n00:03.000 -> 00:04.000\nBroken arrow.\n": "Line 6:",
        b"WEBVTT\n\n00:05.000 --> 00:02.000\nBackwards.\n": "Line 3: the cue ends before it starts.",
        b"WEBVTT\n\nJust a sentence.\nAnd another.\n": "Line 3:",
        b"Hello\n\n00:01.000 --> 00:02.000\nNo signature.\n": "Line 1:",
        b"WEBVTT\n\n00:01.000 --> 00:02.000\nCaf\xe9\n": "Line 4:",
    }
    for data, message in cases.items():
        with pytest.raises(ContentError) as refused:
            webvtt.captions_parse(data)
        assert refused.value.code == "invalid_captions" and refused.value.message.startswith(message), data


def test_cues_keep_their_times_and_words_without_markup():
    cues = webvtt.captions_parse(b"WEBVTT\nKind: captions\n\nNOTE a remark\n\n" + EN_VTT.removeprefix(b"WEBVTT\n\n"))
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [
        (0.0, 2.5, "Hello, and thanks for waiting."), (42.0, 44.0, "Bye & thanks.")]
    assert [webvtt.time_label(s) for s in (0, 42.9, 605, 3729)] == ["0:00", "0:42", "10:05", "1:02:09"]


def test_tracks_are_one_per_language_added_replaced_and_removed_through_the_api(client_for, instructor, learner,
                                                                               activity):
    client = client_for(instructor)
    base = f"/api/v1/activities/{activity.pk}/lesson/captions"
    response = client.put(f"{base}/pt-br/", {"file": upload(PT_VTT, "pt.vtt", "text/vtt")}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() | {"updated_at": None} == {"language": "pt-BR", "label": "Português Brasileiro",
                                                      "kind": "captions", "updated_at": None}
    replaced = client.put(f"{base}/pt-BR/", {"file": upload(PT_VTT, "pt.vtt", "text/vtt"), "label": "Português",
                                              "kind": "subtitles"}, format="multipart")
    assert replaced.json()["label"] == "Português"
    assert LessonCaption.objects.filter(lesson__activity=activity).count() == 1
    read = client_for(learner).get(f"{base}/pt-BR/")
    assert read.status_code == 200 and b"".join(read.streaming_content) == PT_VTT
    assert client_for(learner).get(f"/api/v1/activities/{activity.pk}/lesson/").json()["captions"] == [
        {"language": "pt-BR", "label": "Português", "kind": "subtitles",
         "url": f"/api/v1/activities/{activity.pk}/lesson/captions/pt-BR/"}]
    bad = client.put(f"{base}/en/", {"file": upload(b"WEBVTT\n\n00:01 --> 00:02\nx\n", "en.vtt", "text/vtt")},
                     format="multipart")
    assert assert_error(bad, 422, "invalid_captions")["message"].startswith("Line 3:")
    assert_error(client.put(f"{base}/english-please/", {"file": upload(EN_VTT, "en.vtt", "text/vtt")},
                            format="multipart"), 422, "invalid_language")
    assert_error(client.put(f"{base}/en/", {"file": upload(EN_VTT, "en.vtt", "text/vtt"), "kind": "chapters"},
                            format="multipart"), 400)
    assert_error(client_for(learner).delete(f"{base}/pt-BR/"), 403)
    assert client.delete(f"{base}/pt-BR/").status_code == 204
    assert_error(client.delete(f"{base}/pt-BR/"), 404)


# --- sending the video: byte ranges and who may read it -----------------------------------------

def test_the_video_is_sent_whole_or_by_byte_range(learner, activity):
    with_video(activity)
    client, path, size = browser(learner), page("lesson-video", activity), len(DEMO_WEBM)
    whole = client.get(path)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/webm"
    assert b"".join(whole.streaming_content) == DEMO_WEBM
    first = client.get(path, HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206 and first["Content-Range"] == f"bytes 0-99/{size}"
    assert first["Content-Length"] == "100" and b"".join(first.streaming_content) == DEMO_WEBM[:100]
    tail = client.get(path, HTTP_RANGE="bytes=-10")
    assert tail["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert b"".join(tail.streaming_content) == DEMO_WEBM[-10:]
    rest = client.get(path, HTTP_RANGE=f"bytes={size - 5}-")
    assert rest.status_code == 206 and b"".join(rest.streaming_content) == DEMO_WEBM[-5:]
    past = client.get(path, HTTP_RANGE=f"bytes={size}-")
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{size}"
    several = client.get(path, HTTP_RANGE="bytes=0-1,5-6")  # one range only: the whole file instead
    assert several.status_code == 200 and b"".join(several.streaming_content) == DEMO_WEBM


def test_the_video_and_its_tracks_reach_only_people_who_may_read_the_lesson(client_for, org, other_org, instructor,
                                                                            learner, activity):
    with_video(activity)
    paths = [page("lesson-video", activity), page("lesson-caption-track", activity, "en")]
    for path in paths:
        assert browser().get(path).status_code == 302  # anonymous: to the sign-in page
        assert browser(people.member(org)).get(path).status_code == 404  # not enrolled
        assert browser(people.member(other_org)).get(path).status_code == 404
        assert browser(instructor).get(path).status_code == 200
        assert browser(learner).get(path).status_code == 200
    track = browser(learner).get(page("lesson-caption-track", activity, "pt-br"))
    assert track["Content-Type"] == "text/vtt; charset=utf-8" and b"".join(track.streaming_content) == PT_VTT
    assert browser(learner).get(page("lesson-caption-track", activity, "fr")).status_code == 404
    assert_error(client_for(people.member(org)).get(f"/api/v1/activities/{activity.pk}/lesson/video/"), 404)
    api = client_for(learner).get(f"/api/v1/activities/{activity.pk}/lesson/video/", HTTP_RANGE="bytes=0-3")
    assert api.status_code == 206 and b"".join(api.streaming_content) == DEMO_WEBM[:4]


# --- the page -----------------------------------------------------------------------------------

def test_the_page_plays_the_video_with_the_track_in_the_page_language_first_and_default(learner, activity):
    lesson = with_video(activity)
    html = main_html(browser(learner).get(page("activity", activity)))
    assert f'<video id="lesson-video-{lesson.pk}" controls preload="metadata"' in html
    assert f'<source src="{page("lesson-video", activity)}" type="video/webm">' in html
    en = (f'<track kind="captions" src="{page("lesson-caption-track", activity, "en")}" srclang="en" '
          f'label="English" default>')
    pt = (f'<track kind="captions" src="{page("lesson-caption-track", activity, "pt-BR")}" srclang="pt-BR" '
          f'label="Português Brasileiro">')
    assert en in html and pt in html and html.index(en) < html.index(pt)
    assert ('<button type="button" class="cue" data-start="42.000" data-end="44.000"><span class="cue-time">0:42'
            '</span> <span class="cue-text">Bye &amp; thanks.</span></button>') in html
    assert f'data-transcript-for="lesson-video-{lesson.pk}"' in html and 'lang="en"' in html
    assert "Open the video on its own site" not in html
    assert reverse("v1:video-watch", args=[learner.enrollments.get().pk, activity.pk]) in html


def test_in_portuguese_the_portuguese_track_is_first_default_and_the_transcript(learner, activity):
    with_video(activity)
    html = main_html(portuguese(browser(learner)).get(page("activity", activity)))
    pt = (f'<track kind="captions" src="{page("lesson-caption-track", activity, "pt-BR")}" srclang="pt-BR" '
          f'label="Português Brasileiro" default>')
    en = 'srclang="en" label="English">'
    assert pt in html and en in html and html.index(pt) < html.index(en)
    assert "Olá, obrigada por esperar." in html and "Hello, and thanks for waiting." not in html
    assert 'class="video-transcript" lang="pt-BR"' in html
    assert "Escolha uma linha para tocar o vídeo a partir dali." in html


def test_a_page_language_without_a_track_falls_back_to_the_course_language(learner, activity):
    lesson = with_video(activity, tracks=False)
    video_services.lesson_caption_set(lesson=lesson, language="es", data=PT_VTT)
    video_services.lesson_caption_set(lesson=lesson, language="en", data=EN_VTT)
    html = main_html(portuguese(browser(learner)).get(page("activity", activity)))
    assert 'srclang="en" label="English" default>' in html and 'srclang="es" label="español">' in html


def test_staff_see_the_player_without_reporting_watch_time(instructor, activity):
    with_video(activity)
    html = main_html(browser(instructor).get(page("activity", activity)))
    assert "<video " in html and "data-watch-url" not in html


# --- the demo -----------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", [demo_content.EMPATHY_SLUG_EN, demo_content.EMPATHY_SLUG_PT])
def test_the_demo_video_lessons_play_the_committed_videos_with_both_tracks(media, slug):
    if slug == demo_content.EMPATHY_SLUG_PT:
        demo._build_course(next(s for s in demo_content.COURSES if s["slug"] == demo_content.EMPATHY_SLUG_EN), None)
    course = demo._build_course(next(s for s in demo_content.COURSES if s["slug"] == slug), None)
    videos = Lesson.objects.filter(activity__course=course, content_type="video").order_by("activity__module__position")
    assert len(videos) == 3
    for lesson in videos:
        assert lesson.video and lesson.video_kind == "webm" and not lesson.video_url
        assert 40 <= lesson.video_duration_seconds <= 70
        tracks = {track.language: len(track.cues) for track in lesson.caption_tracks.all()}
        assert set(tracks) == {"en", "pt-BR"} and tracks["en"] == tracks["pt-BR"] > 5


# --- the admin ----------------------------------------------------------------------------------

def test_the_admin_adds_a_track_on_the_lesson_page_through_the_service(activity, media):
    admin = people.UserFactory(is_staff=True, is_superuser=True)
    client = browser(admin)
    lesson = Lesson.objects.get(activity=activity)
    path = reverse("admin:courses_lesson_change", args=[lesson.pk])
    assert client.get(path).status_code == 200
    management = {"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "caption_tracks-TOTAL_FORMS": "1",
                  "caption_tracks-INITIAL_FORMS": "0"}
    refused = client.post(path, {**management, "caption_tracks-0-language": "en", "caption_tracks-0-kind": "captions"})
    assert refused.status_code == 200 and "Choose the WebVTT file to upload." in refused.content.decode()
    response = client.post(path, {**management, "caption_tracks-0-language": "pt-br", "caption_tracks-0-label": "",
                                  "caption_tracks-0-kind": "captions",
                                  "caption_tracks-0-upload": upload(PT_VTT, "pt.vtt", "text/vtt")})
    assert response.status_code == 302, response.content[:2000]
    track = LessonCaption.objects.get(lesson=lesson)
    assert (track.language, track.label, len(track.cues)) == ("pt-BR", "Português Brasileiro", 2)
    assert client.get(reverse("admin:courses_activity_change", args=[activity.pk])).status_code == 200


def test_the_page_reads_the_tracks_in_the_same_queries_however_many_there_are(learner, activity,
                                                                             django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lesson = with_video(activity)
    client = browser(learner)
    client.get(page("activity", activity))  # the session and caches warm
    with CaptureQueriesContext(connection) as two:
        client.get(page("activity", activity))
    for language in ("es", "fr", "de", "it"):
        video_services.lesson_caption_set(lesson=lesson, language=language, data=PT_VTT)
    with django_assert_num_queries(len(two.captured_queries)):
        html = main_html(client.get(page("activity", activity)))
    assert html.count("<track ") == 6
