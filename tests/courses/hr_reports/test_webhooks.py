"""Webhooks: registration, signatures checked by a real receiver on loopback, retries, switching off,
replay, the reconciler, and a worker killed mid-delivery."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.hr_reports.models import WebhookDelivery, WebhookEndpoint
from courses.hr_reports.services import webhooks as webhook_services
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.certificates.conftest import private_queue, wait_for  # noqa: F401 (fixture)
from tests.courses.hr_reports.conftest import complete
from tests.courses.hr_reports.receiver import receiver
from tests.helpers import assert_error

URL = "/api/v1/reports/webhooks/"
SECRET = "a-shared-secret-of-enough-length-0123"
pytestmark = pytest.mark.django_db


def check_signature(request, secret: str = SECRET) -> dict:
    """What an HR system does with a delivery, written from the README's description."""
    parts = dict(item.split("=", 1) for item in request.headers["x-empathy-signature"].split(","))
    assert abs(time.time() - int(parts["t"])) < 300
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"])
    payload = json.loads(request.body)
    assert str(payload["id"]) == request.headers["x-empathy-delivery"]
    assert payload["type"] == request.headers["x-empathy-event"]
    return payload


def _endpoint(world, url: str, events=None) -> WebhookEndpoint:
    endpoint, _ = webhook_services.webhook_endpoint_create(
        organization=world.acme, url=url, event_types=events or list(WebhookEndpoint.Event.values), secret=SECRET)
    return endpoint


@pytest.fixture
def nudges(monkeypatch) -> list:
    """Deliveries the code asked a worker to send (no worker in these unit tests)."""
    sent: list = []
    monkeypatch.setattr(webhook_services, "webhook_delivery_schedule", lambda pk, countdown=0: sent.append(pk))
    return sent


# --- registration --------------------------------------------------------------------------

def test_register_an_endpoint_secret_is_shown_once(world, client_for):
    client = client_for(world.hr)
    created = client.post(URL, {"url": "https://hr.example.com/hook", "event_types": ["certificate.issued"]},
                          format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] not in endpoint.secret_encrypted  # stored encrypted
    assert webhook_services.decrypt_secret(endpoint.secret_encrypted) == body["secret"]
    listed = client.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in client.get(f"{URL}{body['id']}/").json()
    patched = client.patch(f"{URL}{body['id']}/", {"event_types": ["certificate.revoked"], "is_active": False},
                           format="json").json()
    assert patched["event_types"] == ["certificate.revoked"] and patched["is_active"] is False
    assert client.delete(f"{URL}{body['id']}/").status_code == 204


@pytest.mark.parametrize(("payload", "field", "status"), [
    ({"url": "http://hr.example.com/hook", "event_types": ["certificate.issued"]}, "url", 422),
    ({"url": "https://user:pw@hr.example.com/", "event_types": ["certificate.issued"]}, "url", 422),
    ({"url": "ftp://hr.example.com/", "event_types": ["certificate.issued"]}, "url", 422),
    ({"url": "https://hr.example.com/", "event_types": ["course.deleted"]}, "event_types", 422),
    ({"url": "https://hr.example.com/", "event_types": []}, "event_types", 422),
    ({"url": "https://hr.example.com/", "event_types": ["certificate.issued"], "secret": "short"}, "secret", 422),
])
def test_bad_registrations_are_refused_and_write_nothing(world, client_for, payload, field, status):
    error = assert_error(client_for(world.hr).post(URL, payload, format="json"), status)
    assert field in error["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_loopback_http_only_for_an_allow_listed_test_receiver(world, client_for):
    payload = {"url": "http://127.0.0.1:9/hook", "event_types": ["certificate.issued"]}
    assert_error(client_for(world.hr).post(URL, payload, format="json"), 422, "invalid_webhook_url")


def test_webhooks_are_scoped_and_not_for_api_keys_or_learners(world, client_for, api_client):
    theirs = webhook_services.webhook_endpoint_create(organization=world.globex, url="https://globex.example/h",
                                                      event_types=["certificate.issued"])[0]
    client = client_for(world.hr)
    assert client.get(URL).json()["results"] == []
    assert_error(client.get(f"{URL}{theirs.pk}/"), 404)
    assert_error(client.delete(f"{URL}{theirs.pk}/"), 404)
    assert_error(client.get(f"{URL}{theirs.pk}/deliveries/"), 404)
    assert_error(client_for(world.alice).get(URL), 403)
    _, raw = people.api_key_for(world.acme)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_error(api_client.get(URL), 403)
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()


# --- events and signatures -----------------------------------------------------------------

def test_completion_certificate_and_revocation_reach_the_receiver_signed(world, nudges,
                                                                         django_capture_on_commit_callbacks):
    with receiver() as hook:
        endpoint = _endpoint(world, hook.url)
        with django_capture_on_commit_callbacks(execute=True):
            enrollment = complete(world.enrollments["alice"])
        with django_capture_on_commit_callbacks(execute=True):
            certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk)
        with django_capture_on_commit_callbacks(execute=True):
            certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="mistake")
        deliveries = list(WebhookDelivery.objects.order_by("id"))
        assert [d.event_type for d in deliveries] == ["enrollment.completed", "certificate.issued",
                                                      "certificate.revoked"]
        assert nudges == [d.pk for d in deliveries]  # rows first, then the nudge
        for delivery in deliveries:
            assert webhook_services.webhook_deliver(delivery_id=delivery.pk) == "delivered"
        requests = hook.received()
    assert len(requests) == 3 and {r.path for r in requests} == {"/hooks/lms"}
    payloads = [check_signature(r) for r in requests]
    assert payloads[0]["data"]["enrollment_id"] == enrollment.pk and payloads[0]["data"]["employee_id"] == "E-2"
    assert payloads[1]["data"]["certificate"]["code"] == certificate.code
    assert payloads[2]["data"]["certificate"]["status"] == "revoked"
    assert all(d.status == "succeeded" for d in WebhookDelivery.objects.all())
    assert endpoint.deliveries.filter(attempts=1).count() == 3
    # A wrong secret does not verify.
    with pytest.raises(AssertionError):
        check_signature(requests[0], secret="not-the-secret-at-all-000000")


def test_only_subscribed_active_endpoints_of_the_organization_get_the_event(world, nudges,
                                                                            django_capture_on_commit_callbacks):
    subscribed = _endpoint(world, "https://a.example/h", ["enrollment.completed"])
    _endpoint(world, "https://b.example/h", ["certificate.issued"])
    off = _endpoint(world, "https://c.example/h", ["enrollment.completed"])
    webhook_services.webhook_endpoint_update(endpoint=off, is_active=False)
    webhook_services.webhook_endpoint_create(organization=world.globex, url="https://g.example/h",
                                             event_types=["enrollment.completed"])
    with django_capture_on_commit_callbacks(execute=True):
        complete(world.enrollments["alice"])
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [subscribed.pk]
    # Reporting the same event again records nothing new.
    assert webhook_services.webhook_events_emit(event_type="enrollment.completed",
                                                object_id=world.enrollments["alice"].pk) == []


def test_failures_back_off_then_give_up_and_switch_the_endpoint_off(world, nudges, settings):
    settings.REPORTS_WEBHOOK_MAX_ATTEMPTS = 3
    settings.REPORTS_WEBHOOK_DISABLE_AFTER = 4
    with receiver(script=[500]) as hook:
        endpoint = _endpoint(world, hook.url, ["enrollment.completed"])
        first, second = complete(world.enrollments["alice"]), complete(world.enrollments["bob"])
        ids = [webhook_services.webhook_events_emit(event_type="enrollment.completed", object_id=e.pk)[0]
               for e in (first, second)]
        outcomes, waits = [], []
        for delivery_id in [ids[0]] * 3 + [ids[1]]:
            before = timezone.now()
            outcomes.append(webhook_services.webhook_deliver(delivery_id=delivery_id))
            row = WebhookDelivery.objects.get(pk=delivery_id)
            waits.append(round((row.next_attempt_at - before).total_seconds()))
            assert webhook_services.webhook_deliver(delivery_id=delivery_id) in ("not due", "not pending",
                                                                                 "endpoint disabled")
            WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
        assert len(hook.received()) == 4
    assert outcomes == ["will retry", "will retry", "gave up", "will retry"]
    assert waits[:3] == [30, 60, 120]  # exponential
    gave_up = WebhookDelivery.objects.get(pk=ids[0])
    assert (gave_up.status, gave_up.attempts, gave_up.last_status_code) == ("failed", 3, 500)
    assert [entry["status_code"] for entry in gave_up.log] == [500, 500, 500]
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.consecutive_failures == 4 and endpoint.disabled_reason
    assert webhook_services.webhook_deliver(delivery_id=ids[1]) == "endpoint disabled"


def test_replay_sends_the_same_delivery_again(world, client_for, nudges, django_capture_on_commit_callbacks):
    with receiver() as hook:
        endpoint = _endpoint(world, hook.url, ["enrollment.completed"])
        complete(world.enrollments["alice"])
        [delivery_id] = webhook_services.webhook_events_emit(event_type="enrollment.completed",
                                                             object_id=world.enrollments["alice"].pk)
        webhook_services.webhook_deliver(delivery_id=delivery_id)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.hr).post(f"{URL}{endpoint.pk}/deliveries/{delivery_id}/replay/")
        assert response.status_code == 202 and response.json()["status"] == "pending"
        assert nudges[-1] == delivery_id
        assert webhook_services.webhook_deliver(delivery_id=delivery_id) == "delivered"
        first, second = hook.received()
    assert json.loads(first.body)["id"] == json.loads(second.body)["id"] == delivery_id
    check_signature(second)
    listed = client_for(world.hr).get(f"{URL}{endpoint.pk}/deliveries/").json()["results"]
    assert listed[0]["replays"] == 1 and listed[0]["attempts"] == 2 and len(listed[0]["log"]) == 2


def test_reconciler_records_events_the_hook_missed_and_resends_due_ones(world, nudges):
    from courses.hr_reports import reconcilers

    old = complete(world.enrollments["bob"])  # before the endpoint existed: not sent
    from courses.enrollments.models import Enrollment

    Enrollment.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(minutes=5))
    endpoint = _endpoint(world, "https://hr.example.com/h", ["enrollment.completed"])
    missed = complete(world.enrollments["alice"])  # on-commit hooks do not run here: the hook "crashed"
    assert not WebhookDelivery.objects.exists()
    assert reconcilers.webhooks_unrecorded() == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.object_id) == (endpoint, missed.pk)
    assert reconcilers.webhooks_unrecorded() == 0
    nudges.clear()
    assert reconcilers.webhooks_due() == 1 and nudges == [delivery.pk]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=1))
    assert reconcilers.webhooks_due() == 0


# --- with a real worker --------------------------------------------------------------------

@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_500_is_retried_by_the_worker_until_delivered(private_queue, settings,  # noqa: F811
                                                        django_capture_on_commit_callbacks):
    settings.REPORTS_WEBHOOK_RETRY_BASE_SECONDS = 0.5
    from lms.models import Organization
    from tests.courses.factories import build_course
    from tests.courses.hr_reports.conftest import add_member, enroll

    org = Organization.objects.create(slug="hooks-org", name="Hooks")
    course = build_course(slug="hooks-course", activities=[{"title": "Read"}])
    enrollment = enroll(add_member(org).user, course, org)
    with receiver(script=[500, 200]) as hook:
        webhook_services.webhook_endpoint_create(organization=org, url=hook.url, secret=SECRET,
                                                 event_types=["enrollment.completed"])
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[private_queue],
                          shutdown_timeout=30.0):
            with django_capture_on_commit_callbacks(execute=True):
                complete(enrollment)
            wait_for(lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), timeout=60,
                     what="the retry to be delivered")
        requests = hook.received()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, [e["status_code"] for e in delivery.log]) == (2, [500, 200])
    assert len(requests) == 2
    assert [check_signature(r)["id"] for r in requests] == [delivery.pk, delivery.pk]


def test_an_unreadable_secret_is_a_logged_failed_attempt_not_a_crash(world, nudges):
    endpoint = _endpoint(world, "https://hr.example.com/h", ["enrollment.completed"])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_encrypted="not a token")
    complete(world.enrollments["alice"])
    [delivery_id] = webhook_services.webhook_events_emit(event_type="enrollment.completed",
                                                         object_id=world.enrollments["alice"].pk)
    assert webhook_services.webhook_deliver(delivery_id=delivery_id) == "will retry"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert "secret" in delivery.last_error and delivery.log[0]["status_code"] is None
