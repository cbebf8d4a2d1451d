"""The role-play pages: the scenario and rubric at the activity address, sending a performance, the results."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from assessments.roleplays.models import Performance, ReviewAssignment
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from tests.assessments.activity_pages import _activity_address  # noqa: F401 (an autouse fixture: the activity address)
from tests.assessments.roleplays.factories import criteria_of, perform, scores, world
from tests.factories import member
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32


@pytest.fixture
def w(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return world(org, learners=4)


def activity_url(scenario) -> str:
    return reverse("pages:activity", args=[scenario.activity.course.slug, scenario.activity_id])


def submit_url(scenario) -> str:
    return reverse("pages:roleplay-submit", args=[scenario.pk])



def test_anonymous_visitors_are_sent_to_sign_in(w, client):
    performance = perform(w, 0)
    response = client.get(reverse("pages:roleplay-result", args=[performance.pk]))
    assert response.status_code == 302 and reverse("pages:sign-in") in response["Location"]
    response = client.post(submit_url(w.scenario), {"transcript": "Hello"})
    assert response.status_code == 302 and Performance.objects.count() == 1


def test_the_scenario_page_shows_the_scenario_rubric_and_form(w):
    response = signed_in(w.learners[0]).get(activity_url(w.scenario))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1 [^>]*>Broken birthday gift</h1>", html)
    assert "A parent whose gift arrived broken." in html and "The party is tomorrow." in html
    assert "The gift is for a party tomorrow." in html  # an empathic opportunity's cue
    # The rubric as a table: criteria as row headers, levels as column headers, descriptors in the cells.
    criteria = criteria_of(w.scenario)
    for criterion in criteria:
        assert f'<th scope="row">{criterion.title}' in html
        for level in criterion.levels.all():
            assert level.descriptor.replace("'", "&#x27;") in html
    assert '<th scope="col">4 · Exemplary</th>' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_transcript">Transcript</label>' in html
    assert '<button type="submit">Submit role-play</button>' in html


def test_outsiders_get_404(w, other_org):
    outsider = member(other_org)
    client = signed_in(outsider)
    assert client.get(activity_url(w.scenario)).status_code == 404
    assert client.post(submit_url(w.scenario), {"transcript": "Hi"}).status_code == 404
    assert not Performance.objects.exists()


def test_a_transcript_is_submitted_and_awaits_reviews(w):
    client = signed_in(w.learners[0])
    response = client.post(submit_url(w.scenario), {"transcript": "Agent: I hear the party is tomorrow."})
    performance = Performance.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:roleplay-result", args=[performance.pk])
    assert (performance.kind, performance.enrollment_id) == ("transcript", w.enrollments[0].pk)
    html = client.get(response["Location"]).content.decode()
    assert "Waiting for reviewers" in html and "Agent: I hear the party is tomorrow." in html
    assert "Review your own performance" in html and "Scores by criterion" not in html
    # The scenario page now shows the status and no second form.
    html = client.get(activity_url(w.scenario)).content.decode()
    assert "Submit role-play" not in html and "waiting for its reviews" in html
    # A second send while the first waits is refused, and nothing more is stored.
    response = client.post(submit_url(w.scenario), {"transcript": "Again"}, follow=True)
    assert "still being reviewed" in response.content.decode()
    assert Performance.objects.count() == 1


def test_a_recording_is_stored(w):
    client = signed_in(w.learners[0])
    upload = SimpleUploadedFile("my call.wav", WAV, content_type="audio/wav")
    response = client.post(submit_url(w.scenario), {"transcript": "", "media": upload, "recording_consent": "on",
                                                      "recording_consent_version": str(CONSENT_VERSION)})
    assert response.status_code == 302
    performance = Performance.objects.get()
    assert (performance.kind, performance.media_type, performance.media_size) == ("media", "audio/wav", len(WAV))
    html = client.get(response["Location"]).content.decode()
    assert f'src="/api/v1/roleplays/performances/{performance.pk}/media/"' in html and "<audio" in html


@pytest.mark.parametrize("case", ["empty", "not_a_recording", "too_large", "transcript_too_long"])
def test_bad_submissions_show_the_error_with_400_and_store_nothing(w, settings, tmp_path, case):
    settings.ROLEPLAY_MEDIA_MAX_BYTES = 1024 * 1024
    client = signed_in(w.learners[0])
    data: dict = {"transcript": "", "recording_consent": "on", "recording_consent_version": str(CONSENT_VERSION)}
    if case == "not_a_recording":
        data["media"] = SimpleUploadedFile("call.mp3", b"<html>not audio at all</html>", content_type="audio/mpeg")
    elif case == "too_large":
        data["media"] = SimpleUploadedFile("call.wav", WAV + b"\x00" * (1024 * 1024), content_type="audio/wav")
    elif case == "transcript_too_long":
        data["transcript"] = "x" * 50_001
    response = client.post(submit_url(w.scenario), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    expected = {"empty": "Paste a transcript or choose a recording.",
                "not_a_recording": "This file is not an audio or video recording.",
                "too_large": "The recording is larger than 1 MB.",
                "transcript_too_long": "Keep the transcript to 50000 characters or fewer."}[case]
    assert expected in html
    if case in ("not_a_recording", "too_large"):
        assert 'id="id_media_errors"' in html
    assert not Performance.objects.exists() and not ReviewAssignment.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_csrf_is_enforced_on_submit(w):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(w.learners[0])
    assert browser.post(submit_url(w.scenario), {"transcript": "Hi"}).status_code == 403
    assert not Performance.objects.exists()


def _scored(w):
    """Four performances, peers allocated, every review in: the first learner's performance is scored."""
    performances = [perform(w, i) for i in range(4)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=7)
    for assignment in ReviewAssignment.objects.filter(status="pending").select_related("performance"):
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, 3), role=assignment.role,
                                       comments="<script>alert('x')</script> Nice opening.")
    return performances[0]


def test_results_show_scores_self_gap_and_anonymous_peers(w):
    performance = _scored(w)
    roleplay_reviews.review_submit(performance=performance, reviewer=w.learners[0], scores=scores(w.scenario, 4))
    performance.refresh_from_db()
    assert performance.status == "scored"
    html = signed_in(w.learners[0]).get(reverse("pages:roleplay-result", args=[performance.pk])).content.decode()
    assert "Scores by criterion" in html and "Passed, 75%" in html
    assert "+25 <span class=\"muted\">(you rated yourself higher)</span>" in html
    assert "<h3>Peer 1</h3>" in html and "<h3>Self-review</h3>" in html
    for peer in ReviewAssignment.objects.filter(performance=performance, role="peer"):
        assert peer.reviewer.display_name not in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "Review your own performance" not in html  # done already


def test_results_are_the_performers_and_staffs_only(w):
    performance = _scored(w)
    url = reverse("pages:roleplay-result", args=[performance.pk])
    peer = ReviewAssignment.objects.filter(performance=performance, role="peer").first().reviewer
    assert signed_in(peer).get(url).status_code == 404
    assert signed_in(w.supervisor).get(url).status_code == 200
    assert signed_in(member(w.course.organization)).get(url).status_code == 404


def test_transcript_is_escaped(w):
    client = signed_in(w.learners[0])
    client.post(submit_url(w.scenario), {"transcript": "<script>alert(1)</script>\nAgent: hi"})
    html = client.get(reverse("pages:roleplay-result", args=[Performance.objects.get().pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;<br>Agent: hi" in html


def test_portuguese_interface(w):
    client = signed_in(w.learners[0])
    client.post("/i18n/setlang/", {"language": "pt-br"})
    html = client.get(activity_url(w.scenario)).content.decode()
    assert "Enviar role-play" in html and "Transcrição" in html and "Como você será avaliado" in html


def test_scenario_page_query_count(w, django_assert_max_num_queries):
    for _ in range(3):
        performance = perform(w, 0)
        Performance.objects.filter(pk=performance.pk).update(status="scored", final_score=50, passed=False)
    client = signed_in(w.learners[0])
    with django_assert_max_num_queries(16):  # with the lesson player's and the resume pointer's (first visit)
        html = client.get(activity_url(w.scenario)).content.decode()
    assert len(re.findall("Results of the performance sent on ", html)) == 3
