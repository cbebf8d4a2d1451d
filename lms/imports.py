"""Bulk membership import from CSV: validate every row, then write all of them or none.

All-or-nothing is deliberate: an HR export imported halfway leaves managers pointing at
people who were never added. The report lists each row's outcome (or its errors), so a file
is fixed and sent again in one go. Re-sending the same file changes nothing (idempotent).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework import serializers

from lms import services
from lms.csv_uploads import csv_delimiter, csv_upload_text
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError
from lms.models import ROLE_FIELDS, Department, Membership, Organization, User
from lms.privacy.selectors.erasure import erasure_was_erased
from lms.serializers import Serializer

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ["email", "first_name", "last_name", "employee_id", "department", "manager_email", "roles"]


class ImportRowSerializer(Serializer):
    row = serializers.IntegerField(help_text="Line number in the file (the header is line 1).")
    email = serializers.CharField(allow_blank=True)
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "error"])
    errors = serializers.ListField(child=serializers.CharField())


class ImportReportSerializer(Serializer):
    ok = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    rows = ImportRowSerializer(many=True)


@dataclass
class _Row:
    line: int
    email: str
    first_name: str
    last_name: str
    employee_id: str
    department: str
    manager_email: str
    roles: list[str]
    errors: list[str] = field(default_factory=list)
    action: str = ""
    department_obj: Department | None = None


def _parse(text: str) -> list[_Row]:
    if "\x00" in text:
        raise ApplicationError("The file contains NUL bytes; it does not look like CSV.",
                               code=PlatformErrorCode.INVALID_CSV)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "email" not in header:
        raise ApplicationError("The first line must name the columns and include 'email'.",
                               code=PlatformErrorCode.MISSING_COLUMNS, fields={"columns": COLUMNS})
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ApplicationError(f"Unknown column(s): {', '.join(unknown)}.", code=PlatformErrorCode.UNKNOWN_COLUMNS,
                               fields={"columns": COLUMNS})
    reader.fieldnames = header
    rows: list[_Row] = []
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise ApplicationError(f"At most {MAX_ROWS} rows per file.", code=PlatformErrorCode.TOO_MANY_ROWS)
            if None in record:
                extra = _Row(reader.line_num, (record.get("email") or "").strip(), "", "", "", "", "", [])
                extra.errors.append("The row has more cells than the header.")
                rows.append(extra)
                continue
            value = {key: (record.get(key) or "").strip() for key in COLUMNS}
            if not any(value.values()):
                continue  # blank line
            rows.append(_Row(
                line=reader.line_num, email=value["email"].lower(), first_name=value["first_name"],
                last_name=value["last_name"], employee_id=value["employee_id"], department=value["department"],
                manager_email=value["manager_email"].lower(),
                roles=[r.strip().lower() for r in value["roles"].replace(",", ";").split(";") if r.strip()],
            ))
    except csv.Error as exc:
        raise ApplicationError(f"The CSV cannot be read: {exc}.", code=PlatformErrorCode.INVALID_CSV) from None
    if not rows:
        raise ApplicationError("The file has no rows.", code=PlatformErrorCode.EMPTY_FILE)
    return rows


def _validate(organization: Organization, rows: list[_Row]) -> None:
    departments: dict[str, Department] = {}
    for dep in Department.objects.filter(organization=organization):
        departments[dep.name.lower()] = dep
        if dep.code:
            departments[dep.code.lower()] = dep
    emails_in_file: dict[str, list[int]] = {}
    ids_in_file: dict[str, list[int]] = {}
    for row in rows:
        if row.email:
            emails_in_file.setdefault(row.email, []).append(row.line)
        if row.employee_id:
            ids_in_file.setdefault(row.employee_id, []).append(row.line)
    existing = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(organization=organization).select_related("user", "manager__user")
    }
    taken_ids = {m.employee_id: email for email, m in existing.items() if m.employee_id}

    for row in rows:
        if not row.email:
            row.errors.append("email is required.")
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append(f"'{row.email}' is not a valid email address.")
            if len(emails_in_file[row.email]) > 1:
                others = [str(n) for n in emails_in_file[row.email] if n != row.line]
                row.errors.append(f"{row.email} appears again on line(s) {', '.join(others)}.")
        if row.employee_id:
            if len(ids_in_file[row.employee_id]) > 1:
                row.errors.append(f"employee_id {row.employee_id} appears on more than one line.")
            owner = taken_ids.get(row.employee_id)
            if owner and owner != row.email:
                row.errors.append(f"employee_id {row.employee_id} belongs to {owner}.")
        if len(row.employee_id) > 64:
            row.errors.append("employee_id is longer than 64 characters.")
        if len(row.first_name) > 150 or len(row.last_name) > 150:
            row.errors.append("Names are limited to 150 characters.")
        if row.department and row.department.lower() not in departments:
            row.errors.append(f"Unknown department '{row.department}'.")
        if erasure_was_erased(email=row.email, organization_id=organization.pk, employee_id=row.employee_id):
            row.errors.append("This person was erased at the person's request and cannot be imported again.")
        bad_roles = [r for r in row.roles if r not in ROLE_FIELDS]
        if bad_roles:
            row.errors.append(f"Unknown role(s) {', '.join(bad_roles)}; use {', '.join(ROLE_FIELDS)}.")
        if row.manager_email:
            if row.manager_email == row.email:
                row.errors.append("A person cannot be their own manager.")
            elif row.manager_email not in emails_in_file and row.manager_email not in existing:
                row.errors.append(f"Manager {row.manager_email} is neither in the file nor a member.")
        row.department_obj = departments.get(row.department.lower()) if row.department else None
        if not row.errors:
            current = existing.get(row.email)
            # Decided here rather than while writing, so a dry run reports what a real run would do.
            row.action = "create" if current is None else "unchanged" if _same(current, row) else "update"


def _same(membership: Membership, row: _Row) -> bool:
    manager_email = membership.manager.user.email.lower() if membership.manager else ""
    return (sorted(membership.roles), membership.department_id, membership.employee_id, manager_email) == (
        sorted(row.roles or ["learner"]), getattr(row.department_obj, "id", None), row.employee_id, row.manager_email
    )


def _apply(organization: Organization, rows: list[_Row]) -> None:
    members: dict[str, Membership] = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(organization=organization).select_related("user", "department", "manager")
    }
    users = {u.email.lower(): u for u in User.objects.filter(email__in=[r.email for r in rows])}
    # First pass: everyone exists with roles, department and employee id; second: managers.
    for row in rows:
        roles = row.roles or ["learner"]
        current = members.get(row.email)
        if current is None:
            user = users.get(row.email)
            if user is None:
                user, _ = services.user_get_or_create(email=row.email, first_name=row.first_name,
                                                      last_name=row.last_name)
            members[row.email] = services.membership_create(
                organization=organization, user=user, roles=roles, department=row.department_obj,
                employee_id=row.employee_id,
            )
            continue
        before = (sorted(current.roles), current.department_id, current.employee_id)
        after = (sorted(roles), getattr(row.department_obj, "id", None), row.employee_id)
        if before != after:
            services.membership_update(membership=current, roles=roles, department=row.department_obj,
                                       employee_id=row.employee_id)
        elif row.action == "update":
            row.action = "unchanged"
    for row in rows:
        membership = members[row.email]
        manager = members.get(row.manager_email) if row.manager_email else None
        if membership.manager_id != (manager.pk if manager else None):
            services.membership_update(membership=membership, manager=manager)
            if row.action == "unchanged":
                row.action = "update"


def memberships_import_csv(*, organization: Organization, file, dry_run: bool = False) -> dict:
    """Validate every row of ``file``; if all are valid (and not a dry run) write them in one transaction."""
    if file.size > MAX_BYTES:
        raise ApplicationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
                               code=PlatformErrorCode.FILE_TOO_LARGE,
                               status_code=413)
    rows = _parse(csv_upload_text(file.read()))
    _validate(organization, rows)
    has_errors = any(row.errors for row in rows)
    if not has_errors and not dry_run:
        with transaction.atomic():
            _apply(organization, rows)
    for row in rows:
        if row.errors:
            row.action = "error"
    counts = {kind: sum(1 for row in rows if row.action == kind) for kind in ("create", "update", "unchanged", "error")}
    return {
        "ok": not has_errors, "dry_run": dry_run, "created": counts["create"], "updated": counts["update"],
        "unchanged": counts["unchanged"], "errors": counts["error"],
        "rows": [{"row": row.line, "email": row.email, "action": row.action, "errors": row.errors} for row in rows],
    }
