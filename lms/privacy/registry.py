"""The registry of personal data: every model field and stored file that holds something about a person.

Each domain declares its models in a ``privacy.py`` beside its ``models.py`` (models import no registry),
and each app's top-level ``privacy.py`` imports its domains' modules, so ``autodiscover_modules("privacy")``
finds them all. A declaration says, once, for one model:

* ``people``: the ORM paths from the model to the person (or people) whose data a row is, and what erasing
  that person does to the row (``Row``); ``"pk"`` on the user model itself;
* ``fields``: each personal field, what it holds and what erasure does to it (``Erase``);
* ``purpose`` and ``retention``: why it is kept and how long (a retention data class, or ``"account"``:
  as long as the person's account lives).

Fields that look personal but are not (a course's title, an organization's logo) are declared with
``not_personal(label, fields, reason)``; ``undeclared()`` lists what is neither, and a test keeps it empty.
The export, the erasure and the retention rules read only this registry.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.module_loading import autodiscover_modules


class Row(StrEnum):
    """What erasing a person does to a row that is theirs through one path."""

    DELETE = "delete"  # the row goes (their progress, their recording, their log rows)
    SCRUB = "scrub"  # the row stays; its personal fields are erased as each field says
    # the row stays without them: the path's first foreign key is set to null (a many-to-many link, such as a
    # course's instructors, is removed). Its fields stay: a declaration's fields are the data of the people on
    # its DELETE and SCRUB paths (a review's text is KEEP), so detaching the instructor who revoked a
    # certificate leaves the learner's certificate alone.
    DETACH = "detach"


class Erase(StrEnum):
    """What erasure does to one personal field of a row that stays."""

    BLANK = "blank"  # "" (or null where the column allows it)
    PSEUDONYM = "pseudonym"  # a value made from a random token: unique columns stay unique
    DELETE_FILE = "delete_file"  # the stored file is deleted and the field cleared
    KEEP = "keep"  # kept as written (a review's text, kept anonymous once its author is detached)
    STEP = "step"  # an erasure step registered with ``erasure_step`` handles it


# The retention data classes a declaration may name: "account" (as long as the person's account lives) and the
# classes whose days settings.PRIVACY_RETENTION_DAYS holds.
RETENTION_CLASSES = (
    "account", "reminder_log", "notification_log", "certificate_events", "webhook_deliveries", "report_audit",
    "report_exports", "data_exports", "recordings", "access_log", "xapi_outbox", "erasure_records",
)


@dataclass(frozen=True)
class PersonalField:
    name: str
    what: str  # what it holds, in a few words
    erase: Erase


@dataclass(frozen=True)
class Declaration:
    label: str  # "app_label.ModelName"
    people: Mapping[str, Row]
    fields: tuple[PersonalField, ...]
    purpose: str
    retention: str

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def owned(self) -> bool:
        """Whether rows are someone's (a path that deletes or scrubs them), not only linked to an author or
        actor who is detached."""
        return any(row != Row.DETACH for row in self.people.values())


@dataclass(frozen=True)
class NotPersonal:
    label: str
    fields: tuple[str, ...]
    reason: str


@dataclass
class _Registry:
    declarations: dict[str, Declaration] = field(default_factory=dict)
    not_personal: dict[tuple[str, str], NotPersonal] = field(default_factory=dict)
    erasure_steps: dict[str, tuple[int, Callable[..., Any]]] = field(default_factory=dict)
    export_sections: dict[str, Callable[..., Any]] = field(default_factory=dict)


_registry = _Registry()


def personal_data(label: str, *, people: Mapping[str, Row | str], fields: Mapping[str, tuple[str, Erase | str]],
                  purpose: str, retention: str = "account") -> Declaration:
    """Declare ``label``'s personal fields. Raises ValueError for an unknown model, path or field, so a
    declaration cannot name what does not exist."""
    model = apps.get_model(label)
    names = {f.name for f in model._meta.get_fields()}
    for name in fields:
        if name not in names:
            raise ValueError(f"{label} has no field {name!r}.")
    for path in people:
        if path != "pk" and path.split("__", 1)[0] not in names:
            raise ValueError(f"{label} has no path {path!r} to a person.")
    if retention not in RETENTION_CLASSES:
        raise ValueError(f"{label}: unknown retention class {retention!r} (one of {', '.join(RETENTION_CLASSES)}).")
    declaration = Declaration(
        label=label, people={path: Row(row) for path, row in people.items()},
        fields=tuple(PersonalField(name, what, Erase(erase)) for name, (what, erase) in fields.items()),
        purpose=purpose, retention=retention)
    _registry.declarations[label] = declaration
    return declaration


def not_personal(label: str, fields: Iterable[str], *, reason: str) -> None:
    """Declare fields of ``label`` that look personal but hold nothing about a person, and why."""
    model = apps.get_model(label)
    names = {f.name for f in model._meta.get_fields()}
    entry = NotPersonal(label, tuple(fields), reason)
    for name in entry.fields:
        if name not in names:
            raise ValueError(f"{label} has no field {name!r}.")
        _registry.not_personal[(label, name)] = entry


def erasure_step(name: str, *, order: int = 50) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function ``step(user, record)`` that erasure runs (in ``order``) inside its transaction,
    for what the generic field rules cannot do (revoke a credential, leave tombstones, clear caches)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _registry.erasure_steps[name] = (order, func)
        return func

    return register


def export_section(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function ``section(user) -> JSON-able`` whose answer the export adds as ``<name>.json``,
    for what is not a declared row (a computed figure, the access log of the person)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _registry.export_sections[name] = func
        return func

    return register


def _discover() -> None:
    import_module("lms.privacy.declarations")  # lms's own (lms.privacy is this package, kept import-free)
    autodiscover_modules("privacy")


def declarations() -> dict[str, Declaration]:
    _discover()
    return dict(_registry.declarations)


def erasure_steps() -> list[tuple[str, Callable[..., Any]]]:
    _discover()
    return [(name, func) for name, (_, func) in sorted(_registry.erasure_steps.items(), key=lambda i: (i[1][0], i[0]))]


def export_sections() -> dict[str, Callable[..., Any]]:
    _discover()
    return dict(_registry.export_sections)


# A field looks personal when its type can only hold something about someone, or its name says so.
_PERSONAL_NAME = re.compile(
    r"(^|_)(name|names|email|emails|phone|ip|address|comment|comments|note|notes|text|body|answer|answers|"
    r"transcript|message|feedback|reason|bio|employee|external_id|user_agent|payload|recipient|author)(_|$)")
_PERSONAL_TYPES = (models.EmailField, models.GenericIPAddressField, models.FileField)


def looks_personal(model_field: models.Field, person_models: Iterable[str] = ()) -> bool:
    """``person_models``: labels of models whose rows belong to someone (declared with a path to a person):
    a foreign key to one of them (a progress row's enrollment) makes a row someone's too."""
    if isinstance(model_field, _PERSONAL_TYPES):
        return True
    if model_field.is_relation and model_field.concrete and model_field.related_model is not None:
        related = model_field.related_model._meta.label
        return related == settings.AUTH_USER_MODEL or related in person_models
    if isinstance(model_field, (models.CharField, models.TextField, models.JSONField)):
        return bool(_PERSONAL_NAME.search(model_field.name))
    return False


PROJECT_APPS = ("lms", "courses", "assessments")


def undeclared() -> list[str]:
    """``app.Model.field`` for every field of the project's models that looks personal and is neither
    declared personal nor declared not personal."""
    known = declarations()
    person_models = {label for label, d in known.items() if d.owned() and label != settings.AUTH_USER_MODEL}
    missing = []
    for app_label in PROJECT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            label = model._meta.label
            declared = set()
            if label in known:  # a field, or the first step of a path to a person ("enrollment" of "enrollment__user")
                declared = set(known[label].field_names()) | {path.split("__", 1)[0] for path in known[label].people}
            for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
                if not looks_personal(model_field, person_models):
                    continue
                if model_field.name in declared or (label, model_field.name) in _registry.not_personal:
                    continue
                missing.append(f"{label}.{model_field.name}")
    return missing
