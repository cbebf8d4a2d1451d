"""What HR does from /hr/ to the organization's credentials: API keys (kept in lms) and webhook endpoints.

Each action is the owning service's, plus a rule the pages need (a key's expiry is required and at most
API_KEY_MAX_DAYS away) and a row in the report audit log (ReportAuditEntry), as report requests have.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from courses.hr_reports.errors import ReportError, ReportErrorCode
from courses.hr_reports.models import ReportAuditEntry, WebhookDelivery, WebhookEndpoint
from courses.hr_reports.services import webhooks
from courses.hr_reports.services.exports import report_audit_record
from lms import selectors as people_selectors
from lms import services as people_services
from lms.models import Organization, OrganizationAPIKey

API_KEY_DEFAULT_DAYS = 90
API_KEY_MAX_DAYS = 365


def api_key_expiry(expires_on: date | None, *, organization: Organization) -> datetime:
    """The end of ``expires_on`` in the organization's time zone; required, after today, within a year."""
    today = timezone.localdate()
    if expires_on is None:
        raise ReportError(_("Choose an expiry date."), code=ReportErrorCode.INVALID_KEY_EXPIRY,
                          fields={"expires_on": [_("Choose an expiry date.")]})
    if expires_on <= today:
        raise ReportError(_("The expiry date must be after today."), code=ReportErrorCode.INVALID_KEY_EXPIRY,
                          fields={"expires_on": [_("The expiry date must be after today.")]})
    if expires_on > today + timedelta(days=API_KEY_MAX_DAYS):
        message = _("A key lasts at most %(days)s days.") % {"days": API_KEY_MAX_DAYS}
        raise ReportError(message, code=ReportErrorCode.INVALID_KEY_EXPIRY, fields={"expires_on": [message]})
    return datetime.combine(expires_on, time.max, tzinfo=ZoneInfo(organization.timezone or "UTC"))


@sensitive_variables("raw")
def hr_api_key_create(*, actor: Any, organization: Organization, name: str, scopes: list[str],
                      expires_on: date | None) -> tuple[OrganizationAPIKey, str]:
    """A new key of the organization; the raw key is returned once (only its hash is kept)."""
    expires_at = api_key_expiry(expires_on, organization=organization)
    with transaction.atomic():
        key, raw = people_services.api_key_create(organization=organization, name=name, scopes=scopes,
                                                  expires_at=expires_at)
        report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.KEY_CREATED, organization=organization,
                            filters={"key": key.prefix, "name": key.name, "scopes": key.scopes})
    return key, raw


def hr_api_key_revoke(*, actor: Any, organization: Organization, prefix: str) -> OrganizationAPIKey:
    """Revoke one of the organization's keys (NotFound for another's); it fails authentication at once."""
    key = people_selectors.api_key_get(organization=organization, prefix=prefix)
    with transaction.atomic():
        already = key.revoked
        key = people_services.api_key_revoke(key=key)
        if not already:
            report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.KEY_REVOKED, organization=organization,
                                filters={"key": key.prefix, "name": key.name})
    return key


@sensitive_variables("secret")
def hr_webhook_create(*, actor: Any, organization: Organization, url: str, event_types: list[str],
                      description: str = "") -> tuple[WebhookEndpoint, str]:
    """A new endpoint (its URL checked by the webhook service's outbound rules) and its secret, shown once."""
    with transaction.atomic():
        endpoint, secret = webhooks.webhook_endpoint_create(
            organization=organization, url=url, event_types=event_types, description=description, created_by=actor)
        report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.WEBHOOK_CREATED, organization=organization,
                            filters={"endpoint": endpoint.pk, "url": endpoint.url})
    return endpoint, secret


@sensitive_variables("secret")
def hr_webhook_secret_rotate(*, actor: Any, endpoint: WebhookEndpoint) -> str:
    """A new secret for the endpoint, returned once. The old one stops signing at once: no grace period, as
    the webhook service replaces the secret outright (receivers accept both during their own switch-over)."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        webhooks.webhook_endpoint_update(endpoint=endpoint, secret=secret)
        report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.WEBHOOK_ROTATED,
                            organization=endpoint.organization, filters={"endpoint": endpoint.pk})
    return secret


def hr_webhook_replay(*, actor: Any, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> WebhookDelivery:
    with transaction.atomic():
        row = webhooks.webhook_delivery_replay(delivery=delivery)
        report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.WEBHOOK_REPLAYED,
                            organization=endpoint.organization,
                            filters={"endpoint": endpoint.pk, "delivery": delivery.pk})
    return row
