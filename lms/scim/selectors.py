"""Reads for SCIM, every one within the calling key's organization (anything else is absent: 404)."""
from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from lms.models import Department, Membership, Organization, ScimUser, User
from lms.scim.errors import not_found


def _live() -> QuerySet[ScimUser]:
    return ScimUser.objects.filter(deleted_at__isnull=True)


def _narrowed(queryset: QuerySet, equal_to: tuple[str, str] | None, columns: dict[str, str]) -> QuerySet:
    """Rows that may match ``attribute eq value`` (the filter itself still decides, case-insensitively)."""
    if equal_to is None or equal_to[0] not in columns:
        return queryset
    attribute, value = equal_to
    if attribute == "id":
        key = _as_uuid(value)
        return queryset.filter(scim_id=key) if key else queryset.none()
    return queryset.filter(**{f"{columns[attribute]}__iexact": value})


def scim_users_of(*, organization: Organization, equal_to: tuple[str, str] | None = None) -> QuerySet[ScimUser]:
    """The organization's provisioned people, with what their documents need, in a fixed order."""
    live = _narrowed(_live(), equal_to, {"id": "scim_id", "username": "user_name", "externalid": "external_id"})
    return (
        live.filter(organization=organization)
        .select_related("membership__department", "membership__manager")
        .prefetch_related(Prefetch("membership__manager__scim_users", queryset=_live()))
        .order_by("id")
    )


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def scim_user_get(*, organization: Organization, scim_id: str) -> ScimUser:
    key = _as_uuid(scim_id)
    record = scim_users_of(organization=organization).filter(scim_id=key).first() if key else None
    if record is None:
        raise not_found(f"No User with id {scim_id}.")
    return record


def scim_user_find(*, organization: Organization, scim_id: str) -> ScimUser | None:
    key = _as_uuid(scim_id)
    return _live().filter(organization=organization, scim_id=key).select_related("membership").first() if key else None


def scim_user_by_user_name(*, organization: Organization, user_name: str) -> ScimUser | None:
    return _live().filter(organization=organization, user_name__iexact=user_name).first()


def scim_user_of_membership(*, membership: Membership) -> ScimUser | None:
    return _live().filter(membership=membership).first()


def address_taken(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def groups_of(*, organization: Organization, equal_to: tuple[str, str] | None = None) -> QuerySet[Department]:
    members = (_live().filter(organization=organization).order_by("id"))
    memberships = Membership.objects.prefetch_related(Prefetch("scim_users", queryset=members))
    departments = _narrowed(Department.objects.all(), equal_to,
                            {"id": "scim_id", "displayname": "name", "externalid": "code"})
    return (
        departments.filter(organization=organization)
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("id")
    )


def group_members(department: Department) -> list[ScimUser]:
    """The provisioned people of a department fetched through ``groups_of`` (no query)."""
    return [record for membership in department.memberships.all() for record in membership.scim_users.all()]


def group_get(*, organization: Organization, scim_id: str) -> Department:
    key = _as_uuid(scim_id)
    department = groups_of(organization=organization).filter(scim_id=key).first() if key else None
    if department is None:
        raise not_found(f"No Group with id {scim_id}.")
    return department


def department_by_name(*, organization: Organization, name: str) -> Department | None:
    return Department.objects.filter(organization=organization, name__iexact=name).first()


def department_by_code(*, organization: Organization, code: str) -> Department | None:
    return Department.objects.filter(organization=organization, code=code).first() if code else None


def membership_of(*, organization: Organization, user_id: int) -> Membership | None:
    return Membership.objects.filter(organization=organization, user_id=user_id).first()
