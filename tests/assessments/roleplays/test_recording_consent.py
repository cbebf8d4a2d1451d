"""Recording consent: no recording is stored without the current consent, the consent is recorded with its
version, the learner withdraws it (the file goes, the transcript review stays), reviewers see it, and nobody
else reads or withdraws it."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.roleplays import consent
from assessments.roleplays.consent_export import consents_for
from assessments.roleplays.models import Performance, RecordingConsent
from assessments.roleplays.services import reviews as roleplay_reviews
from tests.assessments.activity_pages import _activity_address  # noqa: F401 (an autouse fixture: the activity address)
from tests.assessments.roleplays.factories import perform, scores, world
from tests.helpers import assert_error, signed_in

pytestmark = pytest.mark.django_db

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32
TRANSCRIPT = "Agent: I hear the party is tomorrow. Let's fix this today."


@pytest.fixture
def w(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return world(org, learners=3)


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _api_url(w) -> str:
    return f"/api/v1/roleplays/scenarios/{w.scenario.pk}/performances/"


def _upload(name: str = "call.wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, WAV, content_type="audio/wav")


def _activity_url(w) -> str:
    return reverse("pages:activity", args=[w.scenario.activity.course.slug, w.scenario.activity_id])


def _recorded(w, client_for, index: int = 0) -> dict:
    response = client_for(w.learners[index]).post(_api_url(w), {
        "media": _upload(), "transcript": TRANSCRIPT, "recording_consent": consent.CURRENT_VERSION},
        format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_api_refuses_a_recording_without_the_current_consent(w, client_for, settings):
    client = client_for(w.learners[0])
    error = assert_error(client.post(_api_url(w), {"media": _upload()}, format="multipart"), 422,
                         "recording_consent_required")
    assert "recording_consent" in error["fields"]
    outdated = consent.CURRENT_VERSION + 1
    assert_error(client.post(_api_url(w), {"media": _upload(), "recording_consent": outdated}, format="multipart"),
                 422, "recording_consent_required")
    assert not Performance.objects.exists() and not RecordingConsent.objects.exists() and not _files(settings)
    # A transcript alone needs no consent.
    assert client.post(_api_url(w), {"transcript": TRANSCRIPT}, format="json").status_code == 201


def test_a_link_to_a_recording_kept_elsewhere_needs_the_consent_too_and_withdrawing_removes_it(w, client_for):
    client = client_for(w.learners[0])
    link = "https://video.example/take-1"
    assert_error(client.post(_api_url(w), {"link": link}, format="json"), 422, "recording_consent_required")
    assert not Performance.objects.exists() and not RecordingConsent.objects.exists()
    body = client.post(_api_url(w), {"link": link, "transcript": TRANSCRIPT,
                                     "recording_consent": consent.CURRENT_VERSION}, format="json").json()
    assert body["kind"] == "link" and body["recording_consent"]["version"] == consent.CURRENT_VERSION
    stored = RecordingConsent.objects.get()
    mine = client.get("/api/v1/roleplays/recording-consents/").json()["results"]
    assert [(c["id"], c["has_recording"]) for c in mine] == [(stored.pk, True)]
    withdrawn = client.post(f"/api/v1/roleplays/recording-consents/{stored.pk}/withdraw/")
    assert withdrawn.status_code == 200 and not withdrawn.json()["has_recording"]
    kept = Performance.objects.get(pk=body["id"])
    assert kept.link == "" and kept.transcript == TRANSCRIPT  # reviewers go on with the transcript


def test_the_current_text_covers_a_link_as_well_as_a_file():
    text = consent.current()
    assert "link" in " ".join(text.paragraphs("en")) and "link" in " ".join(text.paragraphs("pt-br"))
    assert consent.text_of(1) is not None  # the text earlier consents were given to stays readable


def test_the_api_stores_a_recording_with_consent_and_records_the_version(w, client_for, settings):
    body = _recorded(w, client_for)
    assert body["kind"] == "media" and body["media_type"] == "audio/wav"
    assert body["recording_consent"]["version"] == consent.CURRENT_VERSION
    assert body["recording_consent"]["withdrawn_at"] is None
    stored = RecordingConsent.objects.get()
    assert (stored.user, stored.performance_id, stored.version) == (w.learners[0], body["id"],
                                                                    consent.CURRENT_VERSION)
    assert len(_files(settings)) == 1
    mine = client_for(w.learners[0]).get("/api/v1/roleplays/recording-consents/").json()["results"]
    assert [(c["id"], c["performance"], c["has_recording"]) for c in mine] == [(stored.pk, body["id"], True)]


def test_the_current_text_says_what_who_how_long_and_withdrawal_in_both_languages(w, client_for):
    client = client_for(w.learners[0])
    english = client.get("/api/v1/roleplays/recording-consent/").json()
    assert english["version"] == consent.CURRENT_VERSION and english["language"] == "en"
    text = " ".join(english["paragraphs"])
    for words in ("What we record", "instructors of this course", "90 days after the performance is scored",
                  "withdraw"):
        assert words in text
    portuguese = client.get("/api/v1/roleplays/recording-consent/", HTTP_ACCEPT_LANGUAGE="pt-BR").json()
    assert portuguese["language"] == "pt-BR"
    assert "90 dias depois que a atuação recebe a nota" in " ".join(portuguese["paragraphs"])
    assert "retirar o seu consentimento" in " ".join(portuguese["paragraphs"])


def test_the_page_shows_the_consent_before_the_upload_and_refuses_without_it(w, settings):
    client = signed_in(w.learners[0])
    html = client.get(_activity_url(w)).content.decode()
    assert "What we record" in html and 'data-needs-consent="id_recording_consent"' in html
    assert '<label for="id_recording_consent">' in html
    assert html.index('id="id_recording_consent"') < html.index('id="id_media"')
    submit = reverse("pages:roleplay-submit", args=[w.scenario.pk])
    response = client.post(submit, {"transcript": "", "media": _upload()})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick the consent box to send a recording" in page and 'id="id_recording_consent_errors"' in page
    assert not Performance.objects.exists() and not _files(settings)


def test_the_page_stores_a_recording_with_consent(w, settings):
    client = signed_in(w.learners[0])
    response = client.post(reverse("pages:roleplay-submit", args=[w.scenario.pk]), {
        "transcript": TRANSCRIPT, "media": _upload(), "recording_consent": "on",
        "recording_consent_version": str(consent.CURRENT_VERSION)})
    assert response.status_code == 302
    performance = Performance.objects.get()
    assert performance.media and performance.recording_consent.version == consent.CURRENT_VERSION
    html = client.get(response["Location"]).content.decode()
    assert "Recording consent given on" in html and "Withdraw consent and delete the recording" in html


def test_the_page_in_portuguese_shows_the_consent_text(w):
    client = signed_in(w.learners[0])
    client.post("/i18n/setlang/", {"language": "pt-br"})
    html = client.get(_activity_url(w)).content.decode()
    assert "O que gravamos" in html and "Você pode retirar o seu consentimento" in html
    assert "Antes de enviar uma gravação" in html
    assert f"Texto de consentimento, versão {consent.CURRENT_VERSION}." in html
    assert "Li o texto de consentimento acima" in html
    response = client.post(reverse("pages:roleplay-submit", args=[w.scenario.pk]), {"media": _upload()})
    assert "Marque a caixa de consentimento para enviar uma gravação" in response.content.decode()


def test_withdrawing_on_the_page_deletes_the_file_and_keeps_the_transcript_review(w, client_for, settings,
                                                                              django_capture_on_commit_callbacks):
    body = _recorded(w, client_for)
    Performance.objects.filter(pk=body["id"]).update(status=Performance.Status.SCORED, final_score=80, passed=True)
    assert len(_files(settings)) == 1
    client = signed_in(w.learners[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pages:roleplay-consent-withdraw", args=[body["id"]]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Consent withdrawn: the recording is deleted." in html
    assert "Consent to the recording withdrawn on" in html and "<audio" not in html and TRANSCRIPT[:20] in html
    performance = Performance.objects.get()
    assert not performance.media and performance.media_size == 0 and performance.transcript == TRANSCRIPT
    assert (performance.status, performance.final_score) == (Performance.Status.SCORED, 80)  # the score stays
    assert performance.recording_consent.withdrawn_at is not None and not _files(settings)
    media = client_for(w.learners[0]).get(f"/api/v1/roleplays/performances/{body['id']}/media/")
    assert_error(media, 404, "no_media")
    # The reviewer goes on with the text: sees the withdrawal beside the transcript and can still review.
    review_url = reverse("pages:review", args=[body["id"]])
    reviewer = signed_in(w.instructor)
    review_html = reviewer.get(review_url).content.decode()
    assert "Consent to the recording withdrawn on" in review_html and TRANSCRIPT[:20] in review_html
    review = roleplay_reviews.review_submit(performance=performance, reviewer=w.instructor, role="supervisor",
                                            scores=scores(w.scenario))
    assert review.pk


def test_withdrawing_over_the_api_deletes_the_file_at_commit(w, client_for, settings,
                                                             django_capture_on_commit_callbacks):
    body = _recorded(w, client_for)
    consent_id = RecordingConsent.objects.get().pk
    client = client_for(w.learners[0])
    url = f"/api/v1/roleplays/recording-consents/{consent_id}/withdraw/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
        assert len(_files(settings)) == 1  # nothing is deleted before the commit
    assert response.status_code == 200 and response.json()["withdrawn_at"] and not response.json()["has_recording"]
    for callback in callbacks:
        callback()
    assert not _files(settings)
    detail = client.get(f"/api/v1/roleplays/performances/{body['id']}/").json()
    assert detail["recording_consent"]["withdrawn_at"] and detail["transcript"] == TRANSCRIPT
    assert detail["media_size"] == 0
    again = client.post(url)  # withdrawing twice answers the same
    assert again.status_code == 200 and again.json()["withdrawn_at"] == response.json()["withdrawn_at"]


def test_reviewers_see_the_consent_version_and_date(w, client_for):
    body = _recorded(w, client_for)
    detail = client_for(w.instructor).get(f"/api/v1/roleplays/performances/{body['id']}/").json()
    assert detail["recording_consent"]["version"] == consent.CURRENT_VERSION
    assert detail["recording_consent"]["given_at"] and detail["recording_consent"]["withdrawn_at"] is None
    html = signed_in(w.instructor).get(reverse("pages:review", args=[body["id"]])).content.decode()
    assert f"consent text version {consent.CURRENT_VERSION}" in html and "Recording consent given on" in html
    assert "Withdraw consent" not in html  # only the performer withdraws
    plain = perform(w, 1)
    assert client_for(w.instructor).get(f"/api/v1/roleplays/performances/{plain.pk}/").json()[
        "recording_consent"] is None


def test_nobody_else_reads_or_withdraws_a_consent(w, client_for, settings):
    body = _recorded(w, client_for)
    consent_id = RecordingConsent.objects.get().pk
    for other in (w.learners[1], w.instructor, w.supervisor):
        client = client_for(other)
        assert_error(client.get(f"/api/v1/roleplays/recording-consents/{consent_id}/"), 404,
                     "recording_consent_not_found")
        assert_error(client.post(f"/api/v1/roleplays/recording-consents/{consent_id}/withdraw/"), 404,
                     "recording_consent_not_found")
        assert client.get("/api/v1/roleplays/recording-consents/").json()["results"] == []
        page = signed_in(other).post(reverse("pages:roleplay-consent-withdraw", args=[body["id"]]))
        assert page.status_code == 404
    assert RecordingConsent.objects.get().withdrawn_at is None and len(_files(settings)) == 1


def test_the_export_lists_the_persons_consents_with_their_words(w, client_for):
    body = _recorded(w, client_for)
    _recorded(w, client_for, index=1)
    rows = consents_for(w.learners[0])
    assert [(r["performance"], r["version"], r["withdrawn_at"], r["recording_kept"]) for r in rows] == [
        (body["id"], consent.CURRENT_VERSION, None, True)]
    assert rows[0]["text"]["en"][0].startswith("What we record")
    assert rows[0]["text"]["pt-BR"][0].startswith("O que gravamos")
    assert consents_for(w.instructor) == []


@pytest.mark.parametrize(("language", "offered", "withdrawn", "told"), [
    ("en", "Withdraw consent and remove the link", "the link to it is removed",
     "Consent withdrawn: the link to your recording is removed."),
    ("pt-br", "Retirar o consentimento e remover o link", "o link para ela foi removido",
     "Consentimento retirado: o link para a sua gravação foi removido."),
])
def test_the_performers_page_speaks_of_removing_a_link_not_deleting_a_file(w, client_for, language, offered,
                                                                           withdrawn, told):
    body = client_for(w.learners[0]).post(_api_url(w), {
        "link": "https://video.example/take-2", "transcript": TRANSCRIPT,
        "recording_consent": consent.CURRENT_VERSION}, format="json").json()
    client = signed_in(w.learners[0])
    client.cookies["django_language"] = language
    page = client.get(reverse("pages:roleplay-result", args=[body["id"]])).content.decode()
    assert offered in page and 'data-confirm=""' not in page  # the question asked before withdrawing is there
    response = client.post(reverse("pages:roleplay-consent-withdraw", args=[body["id"]]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and told in html and withdrawn in html
    assert Performance.objects.get(pk=body["id"]).link == ""
