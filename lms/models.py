"""People: users (email login), organizations, departments, memberships and roles, credentials."""
from __future__ import annotations

import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from lms.error_codes import PlatformErrorCode


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone name.", code=PlatformErrorCode.INVALID_TIMEZONE)


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    INSTRUCTOR = "instructor", "Instructor"
    SUPERVISOR = "supervisor", "Supervisor"
    HR = "hr", "HR"
    ORG_ADMIN = "org_admin", "Organization admin"


# Each role is a boolean column on Membership, so "who holds role R" is one indexed filter.
ROLE_FIELDS: dict[str, str] = {
    Role.LEARNER: "is_learner",
    Role.INSTRUCTOR: "is_instructor",
    Role.SUPERVISOR: "is_supervisor",
    Role.HR: "is_hr",
    Role.ORG_ADMIN: "is_org_admin",
}
STAFF_ROLES = (Role.INSTRUCTOR, Role.SUPERVISOR, Role.ORG_ADMIN)
REPORT_ROLES = (Role.HR, Role.ORG_ADMIN)  # who reads an organization's reports and uses /hr/


def role_q(*roles: str) -> Q:
    """A filter on Membership for "holds any of these roles"."""
    condition = Q(pk__in=[])
    for role in roles:
        condition |= Q(**{ROLE_FIELDS[role]: True})
    return condition


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person. The email address is the login, unique regardless of case."""

    username = None
    email = models.EmailField("email address", max_length=254, unique=True)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[validate_timezone],
        help_text="IANA name; empty means the organization's time zone.",
    )
    language = models.CharField(max_length=10, blank=True, help_text="Preferred interface language (BCP 47).")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    # API-key principals answer True here; people never do.
    is_api_key = False

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class Organization(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    default_language = models.CharField(max_length=10, default="en")
    # Pictures checked and redrawn without metadata by lms/images.py (lms.services.organization_branding_set).
    # The logo's file name carries a random token: its address (lms.pages.branding) is unguessable.
    logo = models.ImageField(upload_to="organizations/logos/", blank=True,
                             help_text="Shown on certificates and their verify page.")
    certificate_signature = models.ImageField(upload_to="organizations/signatures/", blank=True,
                                              help_text="Drawn above the signer's name on certificates.")
    certificate_signer_name = models.CharField(max_length=120, blank=True)
    certificate_signer_title = models.CharField(max_length=120, blank=True)
    # While set, erasures of the organization's members are recorded but held (lms/privacy/services/erasure.py).
    legal_hold = models.BooleanField(default=False, help_text="Erasure requests of members are held while set.")
    legal_hold_reason = models.CharField(max_length=500, blank=True)
    legal_hold_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=64, blank=True, help_text="The HR system's code, if any.")
    # The department's id as a SCIM group: opaque, so nothing about other organizations can be read from it.
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="department_name_unique_per_org"),
            models.UniqueConstraint(
                fields=["organization", "code"], condition=~Q(code=""), name="department_code_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in one organization: roles, department, manager, HR employee id."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    employee_id = models.CharField(max_length=64, blank=True)
    is_learner = models.BooleanField(default=True)
    is_instructor = models.BooleanField(default=False)
    is_supervisor = models.BooleanField(default=False)
    is_hr = models.BooleanField(default=False)
    is_org_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_user_org_unique"),
            models.UniqueConstraint(
                fields=["organization", "employee_id"], condition=~Q(employee_id=""),
                name="membership_employee_id_unique_per_org",
            ),
            models.CheckConstraint(condition=~Q(manager=models.F("id")), name="membership_not_own_manager"),
        ]
        indexes = [models.Index(fields=["organization", "department"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def roles(self) -> list[str]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    def has_role(self, *roles: str) -> bool:
        return any(getattr(self, ROLE_FIELDS[role]) for role in roles)


class UserToken(models.Model):
    """A bearer token for API clients acting as a person. Only a SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text="First characters of the token, to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()


class ApiKeyScope(models.TextChoices):
    REPORTS_READ = "reports:read", _("Reports: read")
    PEOPLE_READ = "people:read", _("People: read")
    SCIM_WRITE = "scim:write", _("SCIM provisioning: write")


def default_api_key_scopes() -> list[str]:
    return [ApiKeyScope.REPORTS_READ.value]


class OrganizationAPIKey(AbstractAPIKey):
    """A key for another system of one organization, limited to its scopes. Hashed at rest."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    last_used_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=default_api_key_scopes, blank=True,
                              help_text="What the key may do: reports:read, people:read, scim:write.")

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "organization API key"
        verbose_name_plural = "organization API keys"


# Accounts provisioned without an email address sign in under this reserved domain, which no mail reaches.
PLACEHOLDER_DOMAIN = "scim.invalid"


class ScimUser(models.Model):
    """What one organization's identity provider pushed about one of its members, over SCIM.

    Kept per organization, so what organization A pushed (its ids, names, addresses, external id) never
    shows to organization B, even for the same person. ``scim_id`` is the resource id the provider sees.
    A deleted resource keeps its row (``deleted_at``) and its membership, deactivated: history stays.
    """

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_users")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="scim_users")
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=254, blank=True)
    emails = models.JSONField(default=list, blank=True)
    # Whether this record created the shared account (then its pushes may rename the account).
    created_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "id"]
        constraints = [
            models.UniqueConstraint(Lower("user_name"), "organization", condition=Q(deleted_at__isnull=True),
                                    name="scim_user_name_unique_per_org"),
            models.UniqueConstraint(fields=["membership"], condition=Q(deleted_at__isnull=True),
                                    name="scim_user_one_live_per_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} @ {self.organization_id}"


class HealthProbe(models.Model):
    """A row the health check writes and a worker answers: proof of a real round trip."""

    created_at = models.DateTimeField(default=now)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"probe {self.pk} ({'answered' if self.answered_at else 'waiting'})"


# The privacy domain's tables live in lms/privacy/models.py; imported here so Django loads them with the app.
from lms.privacy.models import (  # noqa: E402, F401
    AccessLogEntry,
    DataExport,
    ErasureIdentifier,
    ErasureRecord,
    ErasureRequest,
)
