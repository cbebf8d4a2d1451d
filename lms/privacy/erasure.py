"""The generic eraser: what the registry's declarations (lms/privacy/registry.py) say erasing a person does.

For every declaration and every path from its model to the person: ``Row.DELETE`` deletes the rows (a row
another row protects is scrubbed instead); ``Row.SCRUB`` erases each declared field as it says; ``Row.DETACH``
sets the path's foreign key to null and scrubs. Files are collected, to be deleted once the transaction
commits. Run inside the caller's transaction; running it again finds nothing left to change.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import Storage
from django.db import models
from django.db.models.deletion import ProtectedError, RestrictedError

from lms.privacy.registry import Declaration, Erase, PersonalField, Row, declarations

TOKEN_BYTES = 9


@dataclass
class Erasure:
    """What one run did: counts per model, and the stored files to delete after the commit."""

    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    files: list[tuple[Storage, str]] = field(default_factory=list)

    def count(self, bucket: dict[str, int], label: str, n: int) -> None:
        if n:
            bucket[label] = bucket.get(label, 0) + n


def pseudonym(model_field: models.Field) -> Any:
    """A value made from a random token: an address ``erased-<token>@invalid``, text ``erased-<token>``."""
    token = secrets.token_hex(TOKEN_BYTES)
    if isinstance(model_field, models.EmailField):
        return f"erased-{token}@invalid"
    if isinstance(model_field, models.JSONField):
        return f"erased-{token}"
    if isinstance(model_field, (models.CharField, models.TextField)):
        value = f"erased-{token}"
        return value[: model_field.max_length] if model_field.max_length else value
    return blank(model_field)


def blank(model_field: models.Field) -> Any:
    """The empty value of a field: null where allowed, else "" for text, its default (or {}) for JSON."""
    if model_field.null:
        return None
    if isinstance(model_field, models.JSONField):
        default = model_field.get_default()
        return default if default is not None else {}
    if isinstance(model_field, (models.CharField, models.TextField, models.FileField)):
        return ""
    return model_field.get_default()


def _person_filter(path: str, user: models.Model) -> dict[str, Any]:
    return {"pk": user.pk} if path == "pk" else {path: user.pk}


def _field_values(row: models.Model, fields: Iterable[PersonalField], erasure: Erasure) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for personal in fields:
        model_field = row._meta.get_field(personal.name)
        if not getattr(model_field, "concrete", False) or personal.erase in (Erase.KEEP, Erase.STEP):
            continue
        if personal.erase == Erase.DELETE_FILE:
            stored = getattr(row, personal.name)
            if stored and stored.name:
                erasure.files.append((stored.storage, stored.name))
            values[personal.name] = ""
        elif personal.erase == Erase.PSEUDONYM:
            values[personal.name] = pseudonym(model_field)  # type: ignore[arg-type]
        else:
            values[personal.name] = blank(model_field)  # type: ignore[arg-type]
    return values


def _scrub(queryset: models.QuerySet, declaration: Declaration, detach: str | None, erasure: Erasure) -> None:
    fk_name = detach.split("__", 1)[0] if detach and detach != "pk" else None
    for row in queryset.order_by("pk").iterator():
        values = _field_values(row, declaration.fields, erasure)
        if fk_name is not None:
            values[row._meta.get_field(fk_name).attname] = None
        if values:
            type(row)._base_manager.filter(pk=row.pk).update(**values)
            erasure.count(erasure.scrubbed, declaration.label, 1)


def _files_of(queryset: models.QuerySet, declaration: Declaration, erasure: Erasure) -> None:
    names = [f.name for f in declaration.fields if f.erase == Erase.DELETE_FILE]
    for row in queryset.order_by("pk").iterator() if names else ():
        for name in names:
            stored = getattr(row, name)
            if stored and stored.name:
                erasure.files.append((stored.storage, stored.name))


def _delete(queryset: models.QuerySet, declaration: Declaration, erasure: Erasure) -> None:
    """Delete the rows; those another row protects (a certificate's enrollment) are scrubbed instead."""
    try:
        erasure.count(erasure.deleted, declaration.label, queryset.delete()[0])
        return
    except ProtectedError as error:
        blocking = set(error.protected_objects)
    except RestrictedError as error:
        blocking = set(error.restricted_objects)
    kept = {obj.pk for obj in blocking if isinstance(obj, queryset.model)} | _protected_owners(queryset, blocking)
    erasure.count(erasure.deleted, declaration.label, queryset.exclude(pk__in=kept).delete()[0])
    _scrub(queryset.model._base_manager.filter(pk__in=kept), declaration, None, erasure)


def _protected_owners(queryset: models.QuerySet, protected: Iterable[models.Model]) -> set[Any]:
    """The rows of ``queryset`` that the protected objects point at."""
    owners: set[Any] = set()
    for obj in protected:
        for model_field in obj._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is queryset.model:
                owners.add(getattr(obj, model_field.attname))
    return owners


def erase_declared(user: models.Model, *, erasure: Erasure | None = None,
                   only: Callable[[Declaration], bool] | None = None) -> Erasure:
    """Apply every declaration to ``user``: deletions first (so cascades run before scrubbing), then scrubs."""
    erasure = erasure or Erasure()
    found = [d for d in declarations().values() if only is None or only(d)]
    for declaration in found:  # files first: a deletion's cascade takes rows of other declarations with it
        for path in declaration.people:
            _files_of(declaration.model._base_manager.filter(**_person_filter(path, user)), declaration, erasure)
    for action in (Row.DELETE, Row.DETACH, Row.SCRUB):
        for declaration in found:
            manager = declaration.model._base_manager
            for path, row in declaration.people.items():
                if row != action:
                    continue
                queryset = manager.filter(**_person_filter(path, user))
                if action == Row.DELETE:
                    _delete(queryset, declaration, erasure)
                else:
                    _scrub(queryset, declaration, path if action == Row.DETACH else None, erasure)
    return erasure
