"""Reads of data exports: who may ask for whose export, the exports a caller sees, the signed download link.

A person sees only their own exports; an organization's admins see and request the exports of the
organization's members (404 for anyone else, HR included); API keys have no part in exports.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from lms.errors import NotFound
from lms.models import Membership, Organization, Role, User
from lms.privacy.models import DataExport
from lms.scoping import organization_ids_for, person_id

_SALT = "lms.privacy.export-download"


def export_link_days() -> int:
    """How long an export and its link live: the ``data_exports`` retention class (7 days by default)."""
    return int(getattr(settings, "PRIVACY_RETENTION_DAYS", {}).get("data_exports", 7))


def export_admin_organizations(*, actor: Any) -> QuerySet[Organization]:
    """The organizations whose members' exports ``actor`` may ask for: those they administer."""
    if person_id(actor) is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk__in=organization_ids_for(actor, Role.ORG_ADMIN)).order_by("name", "id")


def export_can_request_for_members(*, actor: Any) -> bool:
    """Whether ``actor`` administers an organization (who may use /org/privacy/)."""
    return person_id(actor) is not None and bool(organization_ids_for(actor, Role.ORG_ADMIN))


def access_export_organization(*, actor: Any, slug: str) -> Organization:
    """An organization ``actor`` administers, by slug; NotFound otherwise (HR and API keys included)."""
    organization = export_admin_organizations(actor=actor).filter(slug=slug).first()
    if organization is None:
        raise NotFound("No such organization.")
    return organization


def access_export_member(*, actor: Any, slug: str, user_id: int) -> tuple[Organization, User]:
    """A member of an organization ``actor`` administers, with the organization; NotFound outside."""
    organization = access_export_organization(actor=actor, slug=slug)
    membership = Membership.objects.select_related("user").filter(organization=organization, user_id=user_id).first()
    if membership is None:
        raise NotFound("No such member.")
    return organization, membership.user


def exports_of(*, subject: User) -> QuerySet[DataExport]:
    """``subject``'s exports, newest first."""
    return DataExport.objects.filter(subject=subject).select_related("organization").order_by("-created_at", "-id")


def exports_of_member(*, organization: Organization, subject: User) -> QuerySet[DataExport]:
    """A member's exports as the organization's admins see them: those asked for through the organization."""
    return exports_of(subject=subject).filter(organization=organization)


def export_get_own(*, actor: Any, export_id: int) -> DataExport:
    """One of the caller's own exports; NotFound for anyone else's."""
    export = DataExport.objects.select_related("organization").filter(
        pk=export_id, subject_id=person_id(actor) or 0).first()
    if export is None:
        raise NotFound("No such export.")
    return export


def export_active_exists(*, subject: User) -> bool:
    return DataExport.objects.filter(subject=subject, status__in=DataExport.ACTIVE).exists()


def members_with_exports(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's members by name, each with the status and id of their latest export asked for through
    the organization (``export_status``, ``export_id``; null when none)."""
    latest = DataExport.objects.filter(subject=OuterRef("user_id"), organization=organization).order_by(
        "-created_at", "-id")
    # As ``DataExport.shown_status``: a ready export whose link has run out reads as expired.
    shown = Case(When(status=DataExport.Status.READY, expires_at__lte=timezone.now(),
                      then=Value(DataExport.Status.EXPIRED.value)), default=F("status"))
    return (Membership.objects.filter(organization=organization).select_related("user")
            .annotate(export_status=Subquery(latest.annotate(shown=shown).values("shown")[:1]),
                      export_id=Subquery(latest.values("pk")[:1]))
            .order_by("user__last_name", "user__first_name", "user__email", "id"))


def export_is_downloadable(export: DataExport) -> bool:
    return (export.status == DataExport.Status.READY and bool(export.file)
            and export.expires_at is not None and export.expires_at > timezone.now())


def export_download_token(export: DataExport) -> str:
    """The signed part of ``export``'s download link: names the export and its subject, valid as long as the
    export (``export_link_days``)."""
    return signing.dumps({"e": export.pk, "s": export.subject_id}, salt=_SALT, compress=True)


def export_download_path(export: DataExport) -> str:
    return f"/me/privacy/exports/{export.pk}/download/?token={export_download_token(export)}"


class ExportGone(Exception):
    """The link was right but the export has expired (or failed, or its file is gone): 410."""


def export_for_download(*, actor: Any, export_id: int, token: str) -> DataExport:
    """The export a download link names, for its signed-in subject only: NotFound for a bad or foreign token
    (the token alone opens nothing to someone else), ``ExportGone`` once the export has expired."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise NotFound("No such export.") from None
    export = export_get_own(actor=actor, export_id=export_id)
    if not isinstance(payload, dict) or payload.get("e") != export.pk or payload.get("s") != export.subject_id:
        raise NotFound("No such export.")
    try:
        signing.loads(token, salt=_SALT, max_age=export_link_days() * 86400)
    except signing.SignatureExpired:
        raise ExportGone from None
    if not export_is_downloadable(export):
        raise ExportGone
    return export
