"""Every write to people and credentials. Keyword-only, atomic, validating."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from lms import images
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError, Conflict, NotFound
from lms.models import (
    ROLE_FIELDS,
    STAFF_ROLES,
    ApiKeyScope,
    Department,
    HealthProbe,
    Membership,
    Organization,
    OrganizationAPIKey,
    User,
    UserToken,
    default_api_key_scopes,
    role_q,
    validate_timezone,
)
from lms.privacy.erasure_errors import ErasureErrorCode
from lms.privacy.selectors.erasure import erasure_was_erased
from lms.selectors import token_digest

PeopleHook = Callable[..., None]
_people_hooks: list[PeopleHook] = []


def on_people_changed(func: PeopleHook) -> PeopleHook:
    """Register ``func(user_ids=[...])``, run inside the transaction that changed what other apps show
    about these people (name, membership, department, manager). The courses app bumps their
    enrollments' ``updated_at`` so HR's incremental sync sees the change."""
    if func not in _people_hooks:
        _people_hooks.append(func)
    return func


def _people_changed(user_ids) -> None:
    ids = sorted({pk for pk in user_ids if pk})
    if ids:
        for hook in list(_people_hooks):
            hook(user_ids=ids)


def user_profile_changed(*, user: User) -> None:
    """For writers that saved a user's name or email themselves (the user admin's form): tell the hooks,
    inside the caller's transaction, as ``user_update_profile`` does."""
    managed = Membership.objects.filter(manager__user=user).values_list("user_id", flat=True)
    _people_changed([user.pk, *managed])


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(f"'{email}' is not a valid email address.", code=PlatformErrorCode.INVALID_EMAIL,
                               fields={"email": ["Enter a valid email address."]}) from None
    return email


# --- users ---------------------------------------------------------------------------------

@sensitive_variables("password")
def user_create(
    *, email: str, password: str | None = None, first_name: str = "", last_name: str = "",
    timezone_name: str = "", language: str = "",
) -> User:
    email = _clean_email(email)
    if timezone_name:
        validate_timezone(timezone_name)
    if password is not None:
        _check_password(password, User(email=email, first_name=first_name, last_name=last_name))
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict(f"A user with email {email} already exists.", code=PlatformErrorCode.EMAIL_TAKEN,
                           fields={"email": ["Already registered."]})
        return User.objects.create_user(
            email=email, password=password, first_name=first_name[:150], last_name=last_name[:150],
            timezone=timezone_name, language=language,
        )


@sensitive_variables("password")
def _check_password(password: str, user: User) -> None:
    """AUTH_PASSWORD_VALIDATORS, as the sign-in pages and the admin apply them."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code=PlatformErrorCode.WEAK_PASSWORD,
                               fields={"password": exc.messages}) from None


def user_get_or_create(*, email: str, first_name: str = "", last_name: str = "") -> tuple[User, bool]:
    email = _clean_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    return User.objects.create_user(email=email, first_name=first_name[:150], last_name=last_name[:150]), True


def user_change_email(*, user: User, email: str) -> User:
    """A new sign-in address for ``user``; refused (409) when another account has it."""
    email = _clean_email(email)
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise Conflict(f"A user with email {email} already exists.", code=PlatformErrorCode.EMAIL_TAKEN,
                           fields={"email": ["Already registered."]})
        user.email = email
        user.save(update_fields=["email"])
        managed = Membership.objects.filter(manager__user=user).values_list("user_id", flat=True)
        _people_changed([user.pk, *managed])
    return user


def user_update_profile(*, user: User, **fields: Any) -> User:
    allowed = {"first_name", "last_name", "timezone", "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if fields.get("timezone"):
        try:
            validate_timezone(fields["timezone"])
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], code=PlatformErrorCode.INVALID_TIMEZONE,
                                   fields={"timezone": exc.messages}) from None
    if "language" in fields and fields["language"] and fields["language"].lower() not in dict(settings.LANGUAGES):
        raise ApplicationError("Unsupported language.", code=PlatformErrorCode.INVALID_LANGUAGE,
                               fields={"language": [f"Choose one of {', '.join(dict(settings.LANGUAGES))}."]})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(user, name, value)
        user.save(update_fields=list(fields) or None)
        if {"first_name", "last_name"} & set(fields):
            managed = Membership.objects.filter(manager__user=user).values_list("user_id", flat=True)
            _people_changed([user.pk, *managed])
    return user


def user_sync_staff_flag(*, user: User) -> None:
    """People with an instructor, supervisor or org-admin role anywhere may sign in to the admin."""
    if user.is_superuser:
        return
    holds = Membership.objects.filter(role_q(*STAFF_ROLES), user=user, is_active=True).exists()
    if holds != user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=holds)
        user.is_staff = holds


# --- tokens --------------------------------------------------------------------------------

def user_token_create(*, user: User, name: str = "", ttl: timedelta | None = None) -> tuple[UserToken, str]:
    """A new personal API token. The raw token is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = UserToken.objects.create(
            user=user, name=name[:100], prefix=raw[:8], digest=token_digest(raw),
            expires_at=timezone.now() + (ttl or settings.USER_TOKEN_TTL),
        )
    return token, raw


def user_token_revoke(*, user: User, token_id: int) -> UserToken:
    with transaction.atomic():
        token = UserToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


# --- organization API keys -----------------------------------------------------------------

def api_key_create(
    *, organization: Organization, name: str, expires_at: datetime | None = None, scopes: list[str] | None = None,
) -> tuple[OrganizationAPIKey, str]:
    """A key for one organization, limited to ``scopes`` (default: reports:read). The raw key is returned
    once; only a hash is kept."""
    if not name.strip():
        raise ApplicationError("An API key needs a name.", fields={"name": ["This field is required."]})
    scopes = sorted(set(scopes if scopes is not None else default_api_key_scopes()))
    unknown = [scope for scope in scopes if scope not in ApiKeyScope.values]
    if unknown or not scopes:
        raise ApplicationError(f"Choose scopes among {', '.join(ApiKeyScope.values)}.",
                               code=PlatformErrorCode.INVALID_SCOPE,
                               fields={"scopes": [f"Choose among {', '.join(ApiKeyScope.values)}."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError("The expiry must be in the future.", fields={"expiry_date": ["Must be in the future."]})
    with transaction.atomic():
        key, raw = OrganizationAPIKey.objects.create_key(
            organization=organization, name=name.strip()[:50], expiry_date=expires_at, scopes=scopes,
        )
        # the library's manager is not generic: it returns the base class, but creates this model
        return cast(OrganizationAPIKey, key), raw


def api_key_revoke(*, key: OrganizationAPIKey) -> OrganizationAPIKey:
    with transaction.atomic():
        if not key.revoked:
            key.revoked = True
            key.save(update_fields=["revoked"])
    return key


# --- organizations, departments, memberships ----------------------------------------------

def organization_create(
    *, slug: str, name: str, timezone_name: str = "UTC", default_language: str = "en"
) -> Organization:
    validate_timezone(timezone_name)
    with transaction.atomic():
        if Organization.objects.filter(slug=slug).exists():
            raise Conflict(f"An organization with slug '{slug}' exists.", code=PlatformErrorCode.SLUG_TAKEN)
        return Organization.objects.create(
            slug=slug, name=name, timezone=timezone_name, default_language=default_language
        )


LOGO_BOX = (1200, 400)  # pixels: drawn at most 200 x 60 points on the certificate, sharp when printed
SIGNATURE_BOX = (1200, 400)


def _branding_picture(data: bytes, box: tuple[int, int], field: str) -> bytes:
    try:
        png, _width, _height = images.branding_prepare(data, max_bytes=settings.IMAGE_MAX_BYTES, max_width=box[0],
                                                       max_height=box[1])
    except images.ImageRefused as exc:
        raise ApplicationError(exc.message, fields={field: [exc.message]},
                               code=PlatformErrorCode.IMAGE_TOO_LARGE if exc.too_large
                               else PlatformErrorCode.INVALID_IMAGE) from None
    return png


def organization_branding_set(
    *, organization: Organization, logo: bytes | None = None, signature: bytes | None = None,
    signer_name: str | None = None, signer_title: str | None = None, remove_logo: bool = False,
    remove_signature: bool = False,
) -> Organization:
    """The organization's logo and certificate signature (checked and redrawn as PNG by lms/images.py; a new
    logo gets a new random file name, its public address), and who signs. Only what is given changes; a refused
    picture changes nothing. Certificates drawn from now on carry them (courses/certificates/pdf.py)."""
    pictures = {"logo": _branding_picture(logo, LOGO_BOX, "logo") if logo is not None else None,
                "certificate_signature": _branding_picture(signature, SIGNATURE_BOX, "signature")
                if signature is not None else None}
    texts = {"certificate_signer_name": signer_name, "certificate_signer_title": signer_title}
    for name, value in texts.items():
        if value is not None:
            setattr(organization, name, " ".join(value.split())[:120])
    old: list[str] = []
    saved: list[str] = []
    storage = organization.logo.storage
    try:
        with transaction.atomic():
            for field, data, remove in (("logo", pictures["logo"], remove_logo),
                                        ("certificate_signature", pictures["certificate_signature"],
                                         remove_signature)):
                current = getattr(organization, field)
                if (data is not None or remove) and current:
                    old.append(current.name)
                if data is not None:
                    current.save(f"{secrets.token_hex(16)}.png", ContentFile(data), save=False)
                    saved.append(current.name)
                elif remove:
                    setattr(organization, field, "")
            organization.save(update_fields=["logo", "certificate_signature", *texts])
            transaction.on_commit(lambda: [storage.delete(name) for name in old])
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return organization


def department_create(*, organization: Organization, name: str, code: str = "") -> Department:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("A department needs a name.", fields={"name": ["This field is required."]})
    try:
        with transaction.atomic():
            return Department.objects.create(organization=organization, name=name[:200], code=code.strip()[:64])
    except IntegrityError:
        raise Conflict("A department with this name or code exists in the organization.",
                       code=PlatformErrorCode.DEPARTMENT_EXISTS) from None


def department_update(*, department: Department, name: str | None = None, code: str | None = None) -> Department:
    if name is not None:
        if not name.strip():
            raise ApplicationError("A department needs a name.", fields={"name": ["This field is required."]})
        department.name = name.strip()[:200]
    if code is not None:
        department.code = code.strip()[:64]
    try:
        with transaction.atomic():
            department.save()
            _people_changed(department.memberships.values_list("user_id", flat=True))
    except IntegrityError:
        raise Conflict("A department with this name or code exists in the organization.",
                       code=PlatformErrorCode.DEPARTMENT_EXISTS) from None
    return department


def department_delete(*, department: Department) -> None:
    with transaction.atomic():
        members = list(department.memberships.values_list("user_id", flat=True))
        department.delete()
        _people_changed(members)


def _roles_to_fields(roles: list[str] | None) -> dict[str, bool]:
    if roles is None:
        return {}
    unknown = [role for role in roles if role not in ROLE_FIELDS]
    if unknown:
        raise ApplicationError(
            f"Unknown role(s): {', '.join(unknown)}.", code=PlatformErrorCode.INVALID_ROLE,
            fields={"roles": [f"Choose from {', '.join(ROLE_FIELDS)}."]},
        )
    return {field: role in roles for role, field in ROLE_FIELDS.items()}


def _check_same_organization(
    organization: Organization, department: Department | None, manager: Membership | None,
    membership: Membership | None = None,
) -> None:
    if department is not None and department.organization_id != organization.id:
        raise ApplicationError("The department belongs to another organization.",
                               code=PlatformErrorCode.INVALID_DEPARTMENT,
                               fields={"department": ["Unknown department."]})
    if manager is not None:
        if manager.organization_id != organization.id:
            raise ApplicationError("The manager belongs to another organization.",
                                   code=PlatformErrorCode.INVALID_MANAGER,
                                   fields={"manager": ["Unknown manager."]})
        if membership is not None and membership.pk is not None:
            # Walk up the chain: nobody may end up managing themselves, directly or not.
            current: Membership | None
            seen, current = {membership.pk}, manager
            while current is not None:
                if current.pk in seen:
                    raise ApplicationError("This manager would create a reporting loop.",
                                           code=PlatformErrorCode.MANAGER_CYCLE,
                                           fields={"manager": ["Creates a loop."]})
                seen.add(current.pk)
                current = current.manager


def membership_create(
    *, organization: Organization, user: User, roles: list[str] | None = None,
    department: Department | None = None, manager: Membership | None = None, employee_id: str = "",
) -> Membership:
    _check_same_organization(organization, department, manager)
    fields = _roles_to_fields(roles if roles is not None else ["learner"])
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization=organization, user=user, department=department, manager=manager,
                employee_id=employee_id.strip()[:64], **fields,
            )
            user_sync_staff_flag(user=user)
            _people_changed([user.pk])
    except IntegrityError:
        raise Conflict("This person is already a member, or the employee id is taken.",
                       code=PlatformErrorCode.MEMBERSHIP_EXISTS) from None
    return membership


def membership_add_person(
    *, organization: Organization, email: str, first_name: str = "", last_name: str = "",
    roles: list[str] | None = None, department: Department | None = None, manager: Membership | None = None,
    employee_id: str = "",
) -> Membership:
    """Add a person by email, creating their account (no password: they reset it) if needed."""
    if erasure_was_erased(email=email, organization_id=organization.pk, employee_id=employee_id):
        raise ApplicationError("This person was erased at the person's request and cannot be added again.",
                               code=ErasureErrorCode.ERASED_PERSON, status_code=409)
    with transaction.atomic():
        user, _ = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
        return membership_create(organization=organization, user=user, roles=roles, department=department,
                                 manager=manager, employee_id=employee_id)


def membership_update(
    *, membership: Membership, roles: list[str] | None = None,
    department: Department | Literal["unchanged"] | None = "unchanged",
    manager: Membership | Literal["unchanged"] | None = "unchanged", employee_id: str | None = None,
    is_active: bool | None = None,
) -> Membership:
    new_department = membership.department if department == "unchanged" else department
    new_manager = membership.manager if manager == "unchanged" else manager
    _check_same_organization(membership.organization, new_department, new_manager, membership)
    membership.department = new_department
    membership.manager = new_manager
    for field, value in _roles_to_fields(roles).items():
        setattr(membership, field, value)
    if employee_id is not None:
        membership.employee_id = employee_id.strip()[:64]
    if is_active is not None:
        membership.is_active = is_active
    try:
        with transaction.atomic():
            membership.save()
            user_sync_staff_flag(user=membership.user)
            _people_changed([membership.user_id])
    except IntegrityError:
        raise Conflict("The employee id is taken in this organization.", code=PlatformErrorCode.EMPLOYEE_ID_TAKEN,
                       fields={"employee_id": ["Already used by another member."]}) from None
    return membership


def membership_delete(*, membership: Membership) -> None:
    with transaction.atomic():
        user = membership.user
        managed = list(Membership.objects.filter(manager=membership).values_list("user_id", flat=True))
        membership.delete()
        user_sync_staff_flag(user=user)
        _people_changed([user.pk, *managed])


# --- health --------------------------------------------------------------------------------

def health_probe_create() -> HealthProbe:
    return HealthProbe.objects.create()


def health_probe_delete(*, probe_id: int) -> None:
    HealthProbe.objects.filter(pk=probe_id).delete()


def health_probe_answer(*, probe_id: int) -> None:
    HealthProbe.objects.filter(pk=probe_id, answered_at__isnull=True).update(answered_at=timezone.now())


def health_probes_prune(*, older_than: timedelta = timedelta(hours=1)) -> int:
    deleted, _ = HealthProbe.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
