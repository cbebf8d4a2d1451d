"""The privacy domain's tables (re-exported from lms/models.py, migrated in lms/migrations)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

# --- erasure (lms/privacy/services/erasure.py) ---------------------------------------------------------------


class ErasureRequest(models.Model):
    """A request to erase one person: asked, confirmed, then carried out by the ``lms.privacy_erase`` task.

    Held while an organization the person belongs to is under legal hold; lifting the hold carries it out.
    Once done, the row keeps only states and dates: the person it names is by then an anonymous account.
    """

    class State(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed, waiting to run"
        HELD = "held", "Held (legal hold)"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Role(models.TextChoices):
        SELF = "self", "The person"
        ORG_ADMIN = "org_admin", "An organization admin"

    OPEN = (State.AWAITING_CONFIRMATION, State.CONFIRMED, State.HELD)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("lms.Organization", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", help_text="The admin's organization, for an admin's request.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    state = models.CharField(max_length=24, choices=State.choices, default=State.AWAITING_CONFIRMATION)
    created_at = models.DateTimeField(default=now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(state__in=["awaiting_confirmation", "confirmed",
                                                                            "held"]),
                                    name="erasure_request_one_open_per_user"),
        ]

    def __str__(self) -> str:
        return f"erasure request {self.pk} ({self.state})"


class ErasureRecord(models.Model):
    """What is kept of an erasure: when, who asked (a role, and an admin's id), the organizations, and salted
    hashes (HMAC) of the normalized address and each employee id, so a re-import of the person is refused.
    No name, no address, no employee id in clear."""

    erased_at = models.DateTimeField(default=now, db_index=True)
    requested_role = models.CharField(max_length=16, choices=ErasureRequest.Role.choices)
    requested_by_id = models.BigIntegerField(null=True, blank=True, help_text="The admin's user id, if one asked.")
    organization_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"erasure at {self.erased_at:%Y-%m-%d %H:%M}"


class ErasureIdentifier(models.Model):
    """One salted hash an erasure keeps (address or employee id), indexed for the re-import check."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Address"
        EMPLOYEE_ID = "employee_id", "Employee id"

    record = models.ForeignKey(ErasureRecord, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    digest = models.CharField(max_length=64, help_text="HMAC of the normalized address, or of the organization "
                                                       "id and the employee id.")

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}…"

# --- end erasure ---------------------------------------------------------------------------------------------
