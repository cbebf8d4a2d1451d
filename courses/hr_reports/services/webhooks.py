"""Webhooks: HR systems hear about completions and certificates of their organization.

The rules that keep deliveries honest:
- an event becomes one ``WebhookDelivery`` row per subscribed endpoint, unique per (endpoint, event,
  object), written in the database *before* anything is sent, and the send is only enqueued on commit;
- a worker claims an attempt with one conditional UPDATE that also moves ``next_attempt_at`` to the
  retry time, so a worker killed mid-send leaves a row the reconciler re-enqueues once that time has
  passed (at least once: receivers deduplicate by the ``X-Empathy-Delivery`` header);
- failures back off exponentially (REPORTS_WEBHOOK_RETRY_BASE_SECONDS * 2^(attempt-1), capped), a
  delivery gives up after REPORTS_WEBHOOK_MAX_ATTEMPTS, and an endpoint is switched off after
  REPORTS_WEBHOOK_DISABLE_AFTER failed attempts in a row;
- the reconciler also looks for events the hooks never recorded (a crash between the commit and the
  hook), by comparing recent completions, issues and revocations with the delivery rows.

Signature: ``X-Empathy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the
endpoint's secret>``.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from courses.certificates.links import verify_url
from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.hr_reports.errors import ReportError, ReportErrorCode
from courses.hr_reports.models import WebhookDelivery, WebhookEndpoint
from lms import encryption, outbound
from lms.models import Membership, Organization
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

EVENTS = WebhookEndpoint.Event.values
SIGNATURE_HEADER = "X-Empathy-Signature"
LOG_KEEP = 20
MIN_SECRET_LENGTH = 24


# --- secrets -------------------------------------------------------------------------------

SECRET_KEY_SALT, SECRET_KEY_VALUE = "courses.webhooks.secret", "endpoint-secret"


def encrypt_secret(secret: str) -> str:
    return encryption.encrypt_text(secret, key_salt=SECRET_KEY_SALT, value=SECRET_KEY_VALUE)


def decrypt_secret(token: str) -> str:
    try:
        return encryption.decrypt_text(token, key_salt=SECRET_KEY_SALT, value=SECRET_KEY_VALUE)
    except encryption.Unreadable:
        raise ReportError("The endpoint's secret cannot be read (SECRET_KEY changed?); set a new one.",
                          code=ReportErrorCode.WEBHOOK_SECRET_UNREADABLE) from None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (the README shows the same steps)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- endpoints -----------------------------------------------------------------------------

def _check_url(url: str) -> str:
    """A URL a webhook may be registered with: https (plain http only for an allow-listed test receiver),
    no credentials, and a host that is, or resolves to, public addresses only (lms.outbound). A name that
    does not resolve yet is accepted: every delivery checks again before it connects."""
    url = (url or "").strip()
    if len(url) > 500:
        raise ReportError("The URL is too long.", code=ReportErrorCode.INVALID_WEBHOOK_URL,
                          fields={"url": ["At most 500."]})
    try:
        outbound.check_registered_url(url, allow=settings.WEBHOOKS_TEST_TARGETS)
    except outbound.OutboundRefused as refused:
        if refused.kind in ("invalid", "insecure"):
            raise ReportError("A webhook URL must be https:// with a host name and no credentials.",
                              code=ReportErrorCode.INVALID_WEBHOOK_URL, fields={"url": ["Use an https:// URL."]}
                              ) from None
        raise ReportError(f"Webhooks can only be sent to public addresses: {refused.message}",
                          code=ReportErrorCode.WEBHOOK_TARGET_REFUSED,
                          fields={"url": [f"Not a public address ({refused.kind})."]}) from None
    return url


def _check_events(event_types: list[str]) -> list[str]:
    if not isinstance(event_types, list) or not event_types or not all(isinstance(e, str) for e in event_types):
        raise ReportError("Choose at least one event type.", code=ReportErrorCode.INVALID_EVENT_TYPES,
                          fields={"event_types": [f"A list of: {', '.join(EVENTS)}."]})
    unknown = sorted(set(event_types) - set(EVENTS))
    if unknown:
        raise ReportError(f"Unknown event type(s): {', '.join(unknown)}.", code=ReportErrorCode.INVALID_EVENT_TYPES,
                          fields={"event_types": [f"Choose from {', '.join(EVENTS)}."]})
    return sorted(set(event_types))


@sensitive_variables("secret")
def webhook_endpoint_create(*, organization: Organization, url: str, event_types: list[str], secret: str = "",
                            description: str = "", created_by=None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (generated if not given). The secret is shown to the caller once."""
    url = _check_url(url)
    event_types = _check_events(event_types)
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise ReportError(f"A secret has at least {MIN_SECRET_LENGTH} characters.",
                          code=ReportErrorCode.WEAK_WEBHOOK_SECRET,
                          fields={"secret": [f"At least {MIN_SECRET_LENGTH} characters, or leave it out."]})
    secret = secret or "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization, url=url, event_types=event_types, secret_encrypted=encrypt_secret(secret),
            description=description[:200], created_by=created_by)
    return endpoint, secret


@sensitive_variables("secret")
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, url: str | None = None, event_types: list[str] | None = None,
                            description: str | None = None, is_active: bool | None = None,
                            secret: str | None = None) -> WebhookEndpoint:
    if url is not None:
        endpoint.url = _check_url(url)
    if event_types is not None:
        endpoint.event_types = _check_events(event_types)
    if description is not None:
        endpoint.description = description[:200]
    if secret is not None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ReportError(f"A secret has at least {MIN_SECRET_LENGTH} characters.",
                              code=ReportErrorCode.WEAK_WEBHOOK_SECRET,
                              fields={"secret": [f"At least {MIN_SECRET_LENGTH} characters."]})
        endpoint.secret_encrypted = encrypt_secret(secret)
    if is_active is not None and is_active != endpoint.is_active:
        endpoint.is_active = is_active
        if is_active:  # switched back on: start counting failures afresh
            endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
        else:
            endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), "switched off by a person"
    with transaction.atomic():
        endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        endpoint.delete()


# --- events --------------------------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _enrollment_data(enrollment: Enrollment) -> dict[str, Any]:
    organization = enrollment.organization
    assert organization is not None  # _event_payload passes only enrollments of an organization
    member = Membership.objects.filter(user_id=enrollment.user_id, organization_id=organization.id
                                       ).select_related("department").first()
    return {
        "enrollment_id": enrollment.pk, "organization": organization.slug,
        "employee_id": member.employee_id if member else "", "email": enrollment.user.email,
        "name": enrollment.user.display_name, "department": member.department.name if member and member.department
        else "", "course_slug": enrollment.course.slug, "course_title": enrollment.course.title,
        "status": enrollment.status, "completed_at": _iso(enrollment.completed_at),
        "final_score": str(enrollment.final_score) if enrollment.final_score is not None else None,
    }


def _event_payload(event_type: str, object_id: int) -> tuple[int, dict] | None:
    """(organization id, data) of an event, or None if its object is gone or belongs to no organization."""

    if event_type == WebhookEndpoint.Event.ENROLLMENT_COMPLETED:
        enrollment = Enrollment.objects.select_related("user", "course", "organization").filter(pk=object_id).first()
        if enrollment is None or enrollment.organization_id is None or enrollment.completed_at is None:
            return None
        return enrollment.organization_id, _enrollment_data(enrollment)
    certificate = Certificate.objects.select_related("enrollment__user", "enrollment__course",
                                                     "enrollment__organization").filter(pk=object_id).first()
    if certificate is None or certificate.enrollment.organization_id is None:
        return None
    if event_type == WebhookEndpoint.Event.CERTIFICATE_REVOKED and certificate.status != Certificate.Status.REVOKED:
        return None
    data = _enrollment_data(certificate.enrollment)
    data["certificate"] = {
        "code": certificate.code, "verify_url": verify_url(certificate.code), "issued_at": _iso(certificate.issued_at),
        "expires_at": _iso(certificate.expires_at), "status": certificate.effective_status,
        "revoked_at": _iso(certificate.revoked_at), "revoked_reason": certificate.revoked_reason,
    }
    return certificate.enrollment.organization_id, data


def webhook_events_emit(*, event_type: str, object_id: int) -> list[int]:
    """Record the deliveries of one event for every active endpoint subscribed to it, then nudge workers
    (after commit). Safe to call twice: the unique constraint keeps one row per endpoint."""
    if not WebhookEndpoint.objects.filter(is_active=True).exists():
        return []  # the usual case on a site without webhooks: one cheap query, no reads of the event's rows
    found = _event_payload(event_type, object_id)
    if found is None:
        return []
    organization_id, data = found
    endpoints = [e for e in WebhookEndpoint.objects.filter(organization_id=organization_id, is_active=True)
                 if event_type in e.event_types]
    created: list[int] = []
    for endpoint in endpoints:
        delivery = _delivery_create(endpoint, event_type, object_id, data)
        if delivery is not None:
            created.append(delivery.pk)
    return created


def _delivery_create(endpoint: WebhookEndpoint, event_type: str, object_id: int, data: dict) -> WebhookDelivery | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event_type=event_type, object_id=object_id, next_attempt_at=now,
                payload={"type": event_type, "created_at": _iso(now), "data": data})
            delivery_id = delivery.pk
            transaction.on_commit(lambda: webhook_delivery_schedule(delivery_id))
    except IntegrityError:
        return None  # already recorded
    return delivery


def webhook_delivery_schedule(delivery_id: int, countdown: float = 0) -> None:
    try:
        task_enqueue("courses.webhook_deliver", args=[delivery_id], countdown=countdown or None, retry=False)
    except Exception:  # a broker outage must not fail the writer; the reconciler sends it later
        logger.warning("could not enqueue webhook delivery %s; the reconciler will", delivery_id, exc_info=True)


def webhook_completion_emit(enrollment_id: int) -> None:
    """Completion hook (courses.enrollments.services.on_enrollment_completed)."""
    webhook_events_emit(event_type=WebhookEndpoint.Event.ENROLLMENT_COMPLETED, object_id=enrollment_id)


# --- delivering ----------------------------------------------------------------------------

def backoff(attempt: int) -> timedelta:
    seconds = settings.REPORTS_WEBHOOK_RETRY_BASE_SECONDS * (2 ** max(attempt - 1, 0))
    return timedelta(seconds=min(seconds, settings.REPORTS_WEBHOOK_RETRY_MAX_SECONDS))


def webhook_deliver(*, delivery_id: int) -> str:
    """Make one attempt if the delivery is due; returns what happened (for logs and tests)."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "not pending"
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return "endpoint disabled"
    attempt = delivery.attempts + 1
    # The claim: one worker wins, and the row already says when to try again should this one die.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, attempts=delivery.attempts, next_attempt_at__lte=now,
    ).update(attempts=attempt, last_attempt_at=now, next_attempt_at=now + backoff(attempt))
    if not claimed:
        return "not due"
    body = json.dumps({"id": delivery.pk, **delivery.payload}, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    started = time.monotonic()
    status_code, error = None, ""
    try:
        headers = {
            "Content-Type": "application/json", "User-Agent": "EmpathyLMS-Webhooks/1",
            "X-Empathy-Event": delivery.event_type, "X-Empathy-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: sign(decrypt_secret(endpoint.secret_encrypted), timestamp, body),
        }
        # Checked again now, and the connection pinned to the addresses checked: DNS may have changed since.
        target = outbound.check_target(endpoint.url, allow=settings.WEBHOOKS_TEST_TARGETS)
        status_code = outbound.post(target, body, headers, timeout=settings.REPORTS_WEBHOOK_TIMEOUT_SECONDS)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"  # a redirect too: never followed
    except ReportError as exc:
        error = exc.message
    except outbound.OutboundRefused as exc:
        error = f"Refused, nothing sent: {exc.message}"[:500]
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _record_attempt(delivery, attempt, status_code, error, time.monotonic() - started)


def _record_attempt(delivery: WebhookDelivery, attempt: int, status_code: int | None, error: str,
                    seconds: float) -> str:
    now = timezone.now()
    entry = {"attempt": attempt, "at": _iso(now), "status_code": status_code, "error": error,
             "ms": round(seconds * 1000)}
    succeeded = not error
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        row.log = [*row.log, entry][-LOG_KEEP:]
        row.last_status_code, row.last_error = status_code, error
        fields = ["log", "last_status_code", "last_error"]
        if succeeded:
            row.status, row.delivered_at = WebhookDelivery.Status.SUCCEEDED, now
            fields += ["status", "delivered_at"]
        elif attempt >= settings.REPORTS_WEBHOOK_MAX_ATTEMPTS:
            row.status = WebhookDelivery.Status.FAILED
            fields.append("status")
        row.save(update_fields=fields)
        if succeeded:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        else:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
                consecutive_failures=F("consecutive_failures") + 1)
            WebhookEndpoint.objects.filter(
                pk=delivery.endpoint_id, is_active=True,
                consecutive_failures__gte=settings.REPORTS_WEBHOOK_DISABLE_AFTER,
            ).update(is_active=False, disabled_at=now,
                     disabled_reason=f"{settings.REPORTS_WEBHOOK_DISABLE_AFTER} failed attempts in a row")
    if succeeded:
        logger.info("webhook delivery %s attempt %s: %s", delivery.pk, attempt, status_code)
        return "delivered"
    logger.warning("webhook delivery %s attempt %s failed: %s", delivery.pk, attempt, error)
    if row.status == WebhookDelivery.Status.PENDING:
        delay = backoff(attempt).total_seconds()
        if delay <= settings.REPORTS_WEBHOOK_RETRY_INLINE_MAX_SECONDS:  # longer waits are the reconciler's
            webhook_delivery_schedule(delivery.pk, countdown=delay)
        return "will retry"
    return "gave up"


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same id and payload), whatever happened to it before."""
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        row.status, row.next_attempt_at, row.delivered_at = WebhookDelivery.Status.PENDING, timezone.now(), None
        row.replays += 1
        row.save(update_fields=["status", "next_attempt_at", "delivered_at", "replays"])
        delivery_id = row.pk
        transaction.on_commit(lambda: webhook_delivery_schedule(delivery_id))
    return row
