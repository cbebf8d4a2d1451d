"""Reads for the HR reports' views: who reads reports, the exports and webhooks they see.

The report rows themselves are built in ``queries``; these are the small reads the API and the
dashboard need, scoped like the reports (HR and org admins of an organization; superusers: all).
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from courses.hr_reports.models import ReportExport, WebhookDelivery, WebhookEndpoint
from courses.hr_reports.queries import report_organization_ids
from lms.errors import NotFound
from lms.models import Organization


def reports_can_read(*, actor: Any) -> bool:
    """HR or org admin of at least one organization, an organization API key, or a superuser."""
    ids = report_organization_ids(actor)
    return ids is None or bool(ids)


def report_organizations(*, actor: Any) -> QuerySet[Organization]:
    """The organizations whose report the actor reads (not ordered)."""
    allowed = report_organization_ids(actor)
    return Organization.objects.all() if allowed is None else Organization.objects.filter(pk__in=allowed)


def _in_report_scope(queryset: QuerySet[Any], actor: Any) -> QuerySet[Any]:
    """``queryset`` (rows with an ``organization``) narrowed to the organizations whose report ``actor`` reads."""
    allowed = report_organization_ids(actor)
    return queryset if allowed is None else queryset.filter(organization_id__in=allowed)


def exports_visible_to(actor: Any) -> QuerySet[ReportExport]:
    return _in_report_scope(ReportExport.objects.select_related("organization"), actor)


def export_get(*, actor: Any, export_id: int) -> ReportExport:
    return get_object_or_404(exports_visible_to(actor), pk=export_id)


def endpoints_visible_to(actor: Any) -> QuerySet[WebhookEndpoint]:
    return _in_report_scope(WebhookEndpoint.objects.select_related("organization"), actor)


def endpoint_get(*, actor: Any, endpoint_id: int) -> WebhookEndpoint:
    return get_object_or_404(endpoints_visible_to(actor), pk=endpoint_id)


def deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint)


def delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    return get_object_or_404(deliveries_of(endpoint=endpoint), pk=delivery_id)


def endpoints_of(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    """The organization's webhook endpoints, oldest first (the /hr/webhooks/ page)."""
    return WebhookEndpoint.objects.filter(organization=organization).select_related("organization").order_by("id")


def endpoint_of(*, organization: Organization, endpoint_id: int) -> WebhookEndpoint:
    """One of the organization's endpoints; another organization's (or none) is NotFound."""
    endpoint = endpoints_of(organization=organization).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def delivery_of(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = deliveries_of(endpoint=endpoint).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("No such delivery.")
    return delivery
