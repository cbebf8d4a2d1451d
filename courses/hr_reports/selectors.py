"""Reads for the HR reports' views: who reads reports, the exports and webhooks they see.

The report rows themselves are built in ``queries``; these are the small reads the API and the
dashboard need, scoped like the reports (HR and org admins of an organization; superusers: all).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports import queries as reports
from courses.hr_reports.models import ReportExport, ReportTombstone, WebhookDelivery, WebhookEndpoint
from courses.hr_reports.queries import (
    Filters,
    as_dict,
    decode_cursor,
    encode_position,
    page_rows,
    report_organization_ids,
    reports_database,
    settled_before,
)
from lms.errors import NotFound
from lms.models import Department, Membership, Organization, User


def reports_can_read(*, actor: Any) -> bool:
    """HR or org admin of at least one organization, an organization API key, or a superuser."""
    ids = report_organization_ids(actor)
    return ids is None or bool(ids)


def report_organizations(*, actor: Any) -> QuerySet[Organization]:
    """The organizations whose report the actor reads (not ordered)."""
    allowed = report_organization_ids(actor)
    return Organization.objects.all() if allowed is None else Organization.objects.filter(pk__in=allowed)


def report_read_organization_ids(*, actor: Any, organization: Organization | None) -> set[int]:
    """The organizations one read of the report covers, for the access log: the one asked for, else every one the
    actor reads. A superuser reads every organization, so each one's log shows the read."""
    if organization is not None:
        return {organization.pk}
    allowed = report_organization_ids(actor)  # the roles already loaded: no query
    return set(Organization.objects.values_list("pk", flat=True)) if allowed is None else set(allowed)


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


def tombstones_after(*, actor: Any, filters: Filters, cursor: str | None, limit: int) -> list[tuple]:
    """Deleted rows of the actor's report scope after the cursor, as (enrollment_id, deleted_at) in
    (deleted_at, id) order: the incremental sync's tombstones. Only the organization and the update-time
    filters narrow them (the row they stood for is gone, and with it its course, department or status)."""
    queryset = ReportTombstone.objects.using(reports_database())
    allowed = report_organization_ids(actor)
    if filters.organization is not None:
        queryset = queryset.filter(organization_id=filters.organization.pk)
    elif allowed is not None:
        queryset = queryset.filter(organization_id__in=sorted(allowed))
    for bound in (filters.updated_since, filters.updated_after):
        if bound is not None:
            queryset = queryset.filter(deleted_at__gte=bound)
    if filters.updated_before is not None:
        queryset = queryset.filter(deleted_at__lt=filters.updated_before)
    if cursor:
        moment, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(deleted_at__gt=moment) | Q(deleted_at=moment, enrollment_id__gt=pk))
    queryset = queryset.filter(deleted_at__lte=settled_before()).order_by("deleted_at", "enrollment_id")
    return list(queryset.values_list("enrollment_id", "deleted_at")[:limit])


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def sync_page(*, queryset: QuerySet, actor: Any, filters: Filters, cursor: str | None, size: int,
              tombstones: bool) -> tuple[list[dict], bool, str | None]:
    """One JSON page of the completions report: rows (and, when syncing, tombstones) merged in
    (updated_at, id) order; returns (results, whether more follow, the cursor after this page)."""
    entries = [(_moment(row[-1]), row[0], as_dict(row)) for row in page_rows(queryset, limit=size + 1)]
    if tombstones:
        for pk, at in tombstones_after(actor=actor, filters=filters, cursor=cursor, limit=size + 1):
            stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            entries.append((_moment(stamp), pk, {"enrollment_id": pk, "deleted": True, "updated_at": stamp}))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
    more, entries = len(entries) > size, entries[:size]
    if entries:
        cursor = encode_position(entries[-1][2]["updated_at"], entries[-1][1])
    return [entry[2] for entry in entries], more, cursor


# --- the /hr/ pages ------------------------------------------------------------------------

def organization_courses(*, organization: Organization) -> list[tuple[str, str]]:
    """(slug, title) of the courses this organization's people are enrolled in, for the course filter."""
    return list(Enrollment.objects.filter(organization=organization).order_by("course__title", "course__slug")
                .values_list("course__slug", "course__title").distinct())


def organization_departments(*, organization: Organization) -> list[tuple[int, str]]:
    return list(Department.objects.filter(organization=organization).order_by("name").values_list("id", "name"))


def _with_member(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Each enrollment with the learner's membership in the enrollment's own organization."""
    return queryset.alias(member=FilteredRelation(
        "user__memberships", condition=Q(user__memberships__organization_id=F("organization_id"))))


def hr_people(*, organization: Organization, filters: reports.Filters) -> QuerySet[Enrollment]:
    """The organization's enrollments matching the filters, with what the people list shows (one query a page)."""
    queryset = _with_member(Enrollment.objects.filter(organization=organization))
    conditions = {
        "course__slug": filters.course, "member__department_id": filters.department,
        "member__manager__user__email__iexact": filters.manager, "status": filters.status,
        "enrolled_at__gte": filters.enrolled_after, "enrolled_at__lt": filters.enrolled_before,
    }
    queryset = queryset.filter(**{key: value for key, value in conditions.items() if value is not None})
    if filters.overdue is not None:
        overdue = Q(status=Enrollment.Status.ACTIVE, due_at__lt=timezone.now())
        queryset = queryset.filter(overdue if filters.overdue else ~overdue)
    return (queryset.select_related("user", "course")
            .annotate(department_name=F("member__department__name"))
            .order_by("user__last_name", "user__first_name", "user_id", "course__title", "id"))


def hr_learner(*, organization: Organization, user_id: int) -> tuple[User, list[Enrollment], str]:
    """A learner of ``organization`` (a member or someone enrolled for it), their enrollments taken for this
    organization only (with certificates) and their department there; NotFound for anyone else."""
    member = Membership.objects.filter(organization=organization, user_id=user_id).select_related(
        "user", "department").first()
    enrollments = list(Enrollment.objects.filter(organization=organization, user_id=user_id)
                       .select_related("user", "course", "certificate").order_by("course__title", "id"))
    if member is None and not enrollments:
        raise NotFound("No such person in this organization.")
    user = member.user if member is not None else enrollments[0].user
    department = member.department.name if member is not None and member.department else ""
    return user, enrollments, department


def organization_exports(*, organization: Organization) -> QuerySet[ReportExport]:
    """This organization's export jobs, newest first, with who asked."""
    return ReportExport.objects.filter(organization=organization).select_related("requested_by").order_by(
        "-created_at", "-id")
