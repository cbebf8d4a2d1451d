"""The outbox without a real LRS: nothing is written without an endpoint, ids derive from events, actors are
pseudonymous by default, and the sender's answers to an LRS (sent, duplicate, refused, down) against a
loopback receiver."""
from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings

from courses.enrollments import services as enrollment_services
from courses.xapi import statements as xs
from courses.xapi.models import XapiStatement
from courses.xapi.services import endpoints as endpoint_services
from courses.xapi.services.backfill import xapi_backfill
from courses.xapi.services.outbox import xapi_outbox_send, xapi_statements_retry
from tests.courses.factories import activities_of, build_course
from tests.courses.hr_reports.receiver import receiver
from tests.courses.xapi.conftest import configure

pytestmark = pytest.mark.django_db


def _course(org):
    return build_course(slug="listening", title="Listening", activities=[{"title": "Read"}, {"title": "Reflect"}],
                        organization=org.organization)


def _receiver_settings(hook):
    return override_settings(XAPI_TEST_TARGETS=[hook.target])


def test_without_an_endpoint_nothing_is_written(org):
    enrollment, _ = enrollment_services.enrollment_create(user=org.learner, course=_course(org))
    enrollment_services.lesson_complete(enrollment=enrollment, activity=activities_of(enrollment.course)[0])
    assert XapiStatement.objects.count() == 0


def test_events_write_statements_with_ids_derived_from_the_event(org, django_capture_on_commit_callbacks):
    with receiver() as hook, _receiver_settings(hook):
        configure(org.organization, f"http://{hook.target}/xapi")
        with django_capture_on_commit_callbacks() as callbacks:
            enrollment, _ = enrollment_services.enrollment_create(user=org.learner, course=_course(org))
        assert callbacks  # the send is enqueued after the commit
        first, second = activities_of(enrollment.course)
        enrollment_services.activity_heartbeat(enrollment=enrollment, activity=first, seconds=30)
        enrollment_services.lesson_complete(enrollment=enrollment, activity=first)
        enrollment_services.lesson_complete(enrollment=enrollment, activity=second)
    rows = {row.event: row for row in XapiStatement.objects.all()}
    progress = {p.activity_id: p.pk for p in enrollment.progress.all()}
    assert set(rows) == {
        f"enrollment:{enrollment.pk}:registered", f"progress:{progress[first.pk]}:launched",
        f"progress:{progress[first.pk]}:experienced", f"progress:{progress[second.pk]}:launched",
        f"progress:{progress[second.pk]}:experienced", f"enrollment:{enrollment.pk}:completed"}
    for event, row in rows.items():
        assert row.statement_id == uuid.uuid5(xs.NAMESPACE, f"statement:{event}")
        assert row.statement["id"] == str(row.statement_id)
        assert row.statement["timestamp"].endswith("+00:00")
    completed = rows[f"enrollment:{enrollment.pk}:completed"].statement
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["object"]["id"] == "http://testserver/courses/listening/" or completed["object"]["id"].endswith(
        "/courses/listening/")
    assert completed["result"] == {"score": {"scaled": 1.0, "raw": 100.0, "min": 0, "max": 100},
                                   "success": True, "completion": True}
    assert completed["context"]["registration"] == xs.registration_id(enrollment.pk)
    # Default actor: an account with a pseudonym, never the e-mail.
    actor = completed["actor"]
    assert set(actor["account"]) == {"homePage", "name"} and "mbox" not in actor
    assert "learner@xapi.example" not in json.dumps([row.statement for row in rows.values()])
    # The backfill finds every event already recorded: nothing new.
    assert xapi_backfill(organization=org.organization) == 0


def test_pseudonyms_are_stable_per_organization_and_mbox_only_when_chosen(org):
    one = xs.actor(mode="account", organization_id=1, user_id=7, email="a@example.com")
    assert one == xs.actor(mode="account", organization_id=1, user_id=7, email="a@example.com")
    assert one["account"]["name"] != xs.actor(mode="account", organization_id=2, user_id=7,
                                              email="a@example.com")["account"]["name"]
    assert xs.actor(mode="mbox", organization_id=1, user_id=7, email="A@Example.com") == {
        "objectType": "Agent", "mbox": "mailto:a@example.com"}
    sha = xs.actor(mode="mbox_sha1sum", organization_id=1, user_id=7, email="a@example.com")
    assert len(sha["mbox_sha1sum"]) == 40 and "a@example.com" not in json.dumps(sha)


def test_backfill_writes_history_once(org):
    course = _course(org)
    enrollment, _ = enrollment_services.enrollment_create(user=org.learner, course=course)
    for activity in activities_of(course):
        enrollment_services.lesson_complete(enrollment=enrollment, activity=activity)
    assert XapiStatement.objects.count() == 0  # no endpoint yet: nothing recorded
    with receiver() as hook, _receiver_settings(hook):
        configure(org.organization, f"http://{hook.target}/xapi")
        assert xapi_backfill(organization=org.organization) == 6
        assert xapi_backfill(organization=org.organization) == 0  # ids derive from the events


def _pending(org, count: int) -> list[XapiStatement]:
    return [XapiStatement.objects.create(
        statement_id=xs.statement_id(f"test:{n}"), organization=org.organization, event=f"test:{n}", verb="launched",
        statement={"id": str(xs.statement_id(f"test:{n}"))}) for n in range(count)]


@pytest.mark.parametrize("answer", [200, 204, 409])
def test_batches_are_posted_and_a_duplicate_answer_counts_as_sent(org, settings, answer):
    settings.XAPI_BATCH_SIZE = 3
    with receiver(script=[answer]) as hook, _receiver_settings(hook):
        endpoint = configure(org.organization, f"http://{hook.target}/lrs/xAPI/", version="2.0.0")
        _pending(org, 7)
        assert xapi_outbox_send(organization_id=org.organization.pk) == {"sent": 7, "not_sent": 0}
        requests = hook.received()
    sizes = [len(json.loads(r.body)) for r in requests]
    assert sizes == [3, 3, 1] if answer != 409 else sum(sizes) >= 7
    assert {r.path for r in requests} == {"/lrs/xAPI/statements"}
    headers = requests[0].headers
    assert headers["x-experience-api-version"] == "2.0.0" and headers["authorization"].startswith("Basic ")
    assert set(XapiStatement.objects.values_list("status", flat=True)) == {"sent"}
    assert endpoint.credentials_encrypted and "a-long-lrs-password" not in endpoint.credentials_encrypted


def test_a_refusal_fails_with_the_lrs_message_and_an_outage_backs_off(org, settings):
    with receiver(script=[503]) as hook, _receiver_settings(hook):
        configure(org.organization, f"http://{hook.target}/xapi")
        row = _pending(org, 1)[0]
        assert xapi_outbox_send(organization_id=org.organization.pk) == {"sent": 0, "not_sent": 1}
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 503, "HTTP 503: ok")
        assert row.next_attempt_at > row.last_attempt_at  # backed off
        hook.script[:] = [401]
        type(row).objects.filter(pk=row.pk).update(next_attempt_at=row.last_attempt_at)
        xapi_outbox_send(organization_id=org.organization.pk)
        row.refresh_from_db()
        assert (row.status, row.last_status_code) == ("failed", 401)
        assert settings.XAPI_TEST_TARGETS and "password" not in row.last_error
        assert xapi_statements_retry(organization_id=org.organization.pk) == 1
        hook.script[:] = [200]
        xapi_outbox_send(organization_id=org.organization.pk)
        row.refresh_from_db()
        assert row.status == "sent"


def test_lrs_urls_must_be_public_https(org):
    for url, code in [("http://lrs.example.com/xapi", "invalid_lrs_endpoint"),
                      ("https://user:pw@lrs.example.com/xapi", "invalid_lrs_endpoint"),
                      ("https://127.0.0.1/xapi", "lrs_target_refused"),
                      ("https://10.1.2.3/xapi", "lrs_target_refused")]:
        with pytest.raises(endpoint_services.XapiError) as refused:
            configure(org.organization, url)
        assert refused.value.code == code
