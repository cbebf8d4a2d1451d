"""Every SCIM write: keyword-only, atomic, through the people services of lms (memberships, departments).

Names and the sign-in address of the shared account: every organization keeps what it pushed in its own
record (``ScimUser``), which is all its SCIM view shows. The account itself takes a name from SCIM only
from the organization whose push created it, or while it has no name; its sign-in address never changes
through SCIM (another organization may rely on it). Deactivation (``active: false``) and DELETE keep the
membership, enrollments and history, and stop reminders; DELETE also retires the record (404 after).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from lms import services as people
from lms.errors import ApplicationError, Conflict
from lms.models import PLACEHOLDER_DOMAIN, Department, Membership, Organization, ScimUser
from lms.privacy.selectors.erasure import erasure_was_erased
from lms.scim import selectors
from lms.scim.errors import ScimError, ScimType, invalid_value
from lms.scim.inputs import GroupInput, UserInput


def placeholder_address(scim_id: uuid.UUID) -> str:
    """The sign-in address of an account provisioned without one: under the reserved .invalid domain, which
    no mail reaches (reminders skip it)."""
    return f"{scim_id}@{PLACEHOLDER_DOMAIN}"


def _is_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _uniqueness(detail: str) -> ScimError:
    return ScimError(detail, status=409, scim_type=ScimType.UNIQUENESS)


@contextmanager
def _people_errors() -> Iterator[None]:
    """The people services' refusals, in SCIM's terms."""
    try:
        yield
    except Conflict as exc:
        raise _uniqueness(exc.message) from None
    except ApplicationError as exc:
        raise invalid_value(exc.message) from None


def _department(organization: Organization, name: str) -> Department | None:
    if not name:
        return None
    return selectors.department_by_name(organization=organization, name=name) or people.department_create(
        organization=organization, name=name)


def _manager(organization: Organization, manager_id: str, record: ScimUser | None) -> Membership | None:
    if not manager_id:
        return None
    manager = selectors.scim_user_find(organization=organization, scim_id=manager_id)
    if manager is None:
        raise invalid_value(f"No User with id {manager_id} to be the manager.")
    if record is not None and manager.pk == record.pk:
        raise invalid_value("A person cannot be their own manager.")
    return manager.membership


def _check_user_name_free(organization: Organization, user_name: str, record: ScimUser | None = None) -> None:
    taken = selectors.scim_user_by_user_name(organization=organization, user_name=user_name)
    if taken is not None and (record is None or taken.pk != record.pk):
        raise _uniqueness(f"userName {user_name} is taken in this organization.")


def _address_the_account(record: ScimUser, data: UserInput) -> None:
    """An account created with a placeholder address takes the first real one its organization pushes, if no
    other account has it (a taken address is never merged: it stays in this organization's record only)."""
    user = record.membership.user
    if record.created_account and user.email.endswith("@" + PLACEHOLDER_DOMAIN) and _is_address(data.login_email) \
            and not selectors.address_taken(email=data.login_email):
        people.user_change_email(user=user, email=data.login_email)


def _name_the_account(record: ScimUser, data: UserInput) -> None:
    user = record.membership.user
    if record.created_account or not (user.first_name or user.last_name):
        if (data.given_name, data.family_name) != (user.first_name, user.last_name):
            people.user_update_profile(user=user, first_name=data.given_name, last_name=data.family_name)


def _store(record: ScimUser, data: UserInput) -> ScimUser:
    record.user_name, record.external_id = data.user_name, data.external_id
    record.given_name, record.family_name = data.given_name, data.family_name
    record.display_name, record.emails = data.display_name, data.emails
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise _uniqueness(f"userName {data.user_name} is taken in this organization.") from None
    return record


def scim_user_create(*, organization: Organization, data: UserInput) -> ScimUser:
    if erasure_was_erased(email=data.login_email if _is_address(data.login_email) else "",
                          organization_id=organization.pk, employee_id=data.employee_number):
        raise ScimError("This person was erased at the person's request and cannot be provisioned again.",
                        status=409, scim_type=ScimType.UNIQUENESS)
    with transaction.atomic(), _people_errors():
        _check_user_name_free(organization, data.user_name)
        scim_id = uuid.uuid4()
        email = data.login_email if _is_address(data.login_email) else placeholder_address(scim_id)
        user, created = people.user_get_or_create(email=email, first_name=data.given_name,
                                                  last_name=data.family_name)
        department = _department(organization, data.department)
        manager = _manager(organization, data.manager_id, None)
        membership = selectors.membership_of(organization=organization, user_id=user.pk)
        if membership is None:
            membership = people.membership_create(organization=organization, user=user, department=department,
                                                  manager=manager, employee_id=data.employee_number)
        elif selectors.scim_user_of_membership(membership=membership) is not None:
            raise _uniqueness("This person is already provisioned in this organization.")
        people.membership_update(membership=membership, department=department, manager=manager,
                                 employee_id=data.employee_number, is_active=data.active)
        record = ScimUser(scim_id=scim_id, organization=organization, membership=membership,
                          created_account=created)
        _store(record, data)
        if not created:
            _name_the_account(record, data)
    return record


def scim_user_replace(*, record: ScimUser, data: UserInput) -> ScimUser:
    organization = record.organization
    with transaction.atomic(), _people_errors():
        _check_user_name_free(organization, data.user_name, record)
        people.membership_update(
            membership=record.membership, department=_department(organization, data.department),
            manager=_manager(organization, data.manager_id, record), employee_id=data.employee_number,
            is_active=data.active,
        )
        _store(record, data)
        _name_the_account(record, data)
        _address_the_account(record, data)
    return record


def scim_user_delete(*, record: ScimUser) -> None:
    """Deactivate the membership (history stays) and retire the record: the resource is gone for the provider."""
    with transaction.atomic():
        people.membership_update(membership=record.membership, is_active=False)
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at", "updated_at"])


def _set_members(department: Department, member_ids: list[str]) -> None:
    organization = department.organization
    wanted: dict[int, Membership] = {}
    for member_id in member_ids:
        record = selectors.scim_user_find(organization=organization, scim_id=member_id)
        if record is None:
            raise invalid_value(f"No User with id {member_id}.")
        wanted[record.membership.pk] = record.membership
    for membership in department.memberships.all():
        if membership.pk not in wanted:
            people.membership_update(membership=membership, department=None)
    for membership in wanted.values():
        if membership.department_id != department.pk:
            people.membership_update(membership=membership, department=department)


def group_create(*, organization: Organization, data: GroupInput) -> Department:
    with transaction.atomic(), _people_errors():
        if selectors.department_by_name(organization=organization, name=data.display_name):
            raise _uniqueness(f"A Group named {data.display_name} exists in this organization.")
        department = people.department_create(organization=organization, name=data.display_name,
                                              code=data.external_id)
        _set_members(department, data.member_ids)
    return department


def group_replace(*, department: Department, data: GroupInput) -> Department:
    with transaction.atomic(), _people_errors():
        other = selectors.department_by_name(organization=department.organization, name=data.display_name)
        if other is not None and other.pk != department.pk:
            raise _uniqueness(f"A Group named {data.display_name} exists in this organization.")
        if (department.name, department.code) != (data.display_name, data.external_id):
            people.department_update(department=department, name=data.display_name, code=data.external_id)
        _set_members(department, data.member_ids)
    return department


def group_delete(*, department: Department) -> None:
    """The department goes; its people stay, without a department."""
    with _people_errors():
        people.department_delete(department=department)
