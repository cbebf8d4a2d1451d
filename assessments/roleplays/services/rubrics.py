"""Versioned rubrics: criteria (weight, description) x levels (points, label, descriptor, example).

Rules:
- a criterion has 2-10 levels with distinct points from 0 to 100; a rubric 1-20 criteria with
  distinct keys and weights from 1 to 100;
- a rubric is **in use** once any review has scored against it. Then its criteria, levels and
  weights never change (409 ``rubric_in_use``): ``rubric_new_version`` copies it into the next
  version, which can be edited and given to scenarios, while past reviews keep pointing at theirs.
  The title and description may still be corrected: they change no score.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from assessments.roleplays.default_content import DEFAULT_RUBRIC, DEFAULT_RUBRIC_SLUG
from assessments.roleplays.errors import RoleplayConflict, RoleplayError, RoleplayErrorCode
from assessments.roleplays.models import Criterion, Level, Review, Rubric
from lms.models import Organization

MAX_CRITERIA = 20
MAX_LEVELS = 10


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any, limit: int, *, blank: bool = False) -> bool:
    return isinstance(value, str) and len(value) <= limit and (blank or bool(value.strip()))


def clean_criteria(criteria: Any) -> list[dict[str, Any]]:
    if not isinstance(criteria, list) or not 1 <= len(criteria) <= MAX_CRITERIA:
        raise RoleplayError(f"A rubric has 1 to {MAX_CRITERIA} criteria.", code=RoleplayErrorCode.INVALID_RUBRIC,
                            fields={"criteria": ["Out of range."]})
    cleaned, keys = [], set()
    for number, item in enumerate(criteria, start=1):
        where = f"Criterion {number}"
        if not isinstance(item, dict):
            raise RoleplayError(f"{where} is not an object.", code=RoleplayErrorCode.INVALID_RUBRIC)
        title = item.get("title")
        key = item.get("key") or (slugify(title)[:64] if isinstance(title, str) else "")
        weight = item.get("weight", 1)
        problems = []
        if not _text(title, 200):
            problems.append("a title of 1 to 200 characters")
        if not _text(item.get("description", ""), 2000, blank=True):
            problems.append("a description of at most 2000 characters")
        if not _is_int(weight) or not 1 <= weight <= 100:
            problems.append("a weight from 1 to 100")
        if not key or key in keys:
            problems.append("a key of its own")
        levels = item.get("levels")
        if not isinstance(levels, list) or not 2 <= len(levels) <= MAX_LEVELS:
            problems.append(f"2 to {MAX_LEVELS} levels")
            levels = []
        points_seen: set[int] = set()
        clean_levels = []
        for level in levels:
            if not isinstance(level, dict) or not _is_int(level.get("points")) or not 0 <= level["points"] <= 100 \
                    or level["points"] in points_seen or not _text(level.get("label"), 100) \
                    or not _text(level.get("descriptor"), 2000) or not _text(level.get("example", ""), 1000,
                                                                             blank=True):
                problems.append("levels with distinct points (0-100), a label, a descriptor and an optional example")
                break
            points_seen.add(level["points"])
            clean_levels.append({"points": level["points"], "label": level["label"].strip(),
                                 "descriptor": level["descriptor"].strip(), "example": level.get("example", "")})
        if problems:
            raise RoleplayError(f"{where} needs {', '.join(problems)}.", code=RoleplayErrorCode.INVALID_RUBRIC,
                                fields={"criteria": [f"{where}: {', '.join(problems)}."]})
        assert isinstance(title, str)  # _text() accepted it, or problems would have raised
        keys.add(key)
        cleaned.append({"key": key, "title": title.strip(), "description": item.get("description", ""),
                        "weight": weight, "levels": sorted(clean_levels, key=lambda lv: lv["points"])})
    return cleaned


def _write_criteria(rubric: Rubric, criteria: list[dict[str, Any]]) -> None:
    for position, item in enumerate(criteria, start=1):
        criterion = Criterion.objects.create(rubric=rubric, key=item["key"], title=item["title"],
                                             description=item["description"], weight=item["weight"],
                                             position=position)
        Level.objects.bulk_create([Level(criterion=criterion, **level) for level in item["levels"]])


def rubric_create(*, slug: str, title: str, criteria: list[dict[str, Any]], description: str = "",
                  organization: Organization | None = None) -> Rubric:
    """Version 1 of a rubric (a later version of an existing slug comes from ``rubric_new_version``)."""
    if not _text(title, 200) or not slug or slugify(slug) != slug:
        raise RoleplayError("A rubric needs a title and a slug.", code=RoleplayErrorCode.INVALID_RUBRIC,
                            fields={"title": ["Required."], "slug": ["Lowercase letters, digits and dashes."]})
    cleaned = clean_criteria(criteria)
    with transaction.atomic():
        if Rubric.objects.filter(slug=slug).exists():
            raise RoleplayConflict("A rubric with this slug exists; make a new version of it instead.",
                                   code=RoleplayErrorCode.RUBRIC_EXISTS)
        rubric = Rubric.objects.create(slug=slug, title=title.strip(), description=description,
                                       organization=organization)
        _write_criteria(rubric, cleaned)
    return rubric


def rubric_in_use(*, rubric: Rubric) -> bool:
    return Review.objects.filter(rubric=rubric).exists()


def rubric_update(*, rubric: Rubric, title: str | None = None, description: str | None = None,
                  criteria: list[dict[str, Any]] | None = None) -> Rubric:
    """Change the wording; ``criteria`` (when given) replace every criterion and level, which only a
    rubric nobody has scored against allows."""
    cleaned = clean_criteria(criteria) if criteria is not None else None
    if title is not None and not _text(title, 200):
        raise RoleplayError("A title of 1 to 200 characters.", code=RoleplayErrorCode.INVALID_RUBRIC,
                            fields={"title": ["Invalid."]})
    with transaction.atomic():
        rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
        if cleaned is not None:
            if rubric_in_use(rubric=rubric):
                raise RoleplayConflict("Reviews have scored against this rubric; make a new version to change its "
                                       "criteria or levels.", code=RoleplayErrorCode.RUBRIC_IN_USE)
            rubric.criteria.all().delete()
            _write_criteria(rubric, cleaned)
        if title is not None:
            rubric.title = title.strip()
        if description is not None:
            rubric.description = description
        rubric.save()
    return rubric


def rubric_document(rubric: Rubric) -> list[dict[str, Any]]:
    return [{"key": c.key, "title": c.title, "description": c.description, "weight": c.weight,
             "levels": [{"points": lv.points, "label": lv.label, "descriptor": lv.descriptor, "example": lv.example}
                        for lv in c.levels.all()]}
            for c in rubric.criteria.prefetch_related("levels")]


def rubric_new_version(*, rubric: Rubric) -> Rubric:
    """A copy of ``rubric`` as the next version of its slug (editable until it is used)."""
    with transaction.atomic():
        versions = list(Rubric.objects.select_for_update().filter(slug=rubric.slug).values_list("version", flat=True))
        top = max(versions, default=0)
        copy = Rubric.objects.create(slug=rubric.slug, version=(top or 0) + 1, title=rubric.title,
                                     description=rubric.description, organization=rubric.organization,
                                     previous=rubric)
        _write_criteria(copy, rubric_document(rubric))
    return copy


def default_rubric_ensure() -> Rubric:
    """Our "Empathic customer conversation" rubric (the latest version), created on first use."""
    existing = Rubric.objects.filter(slug=DEFAULT_RUBRIC_SLUG).order_by("-version").first()
    if existing is not None:
        return existing
    return rubric_create(slug=DEFAULT_RUBRIC["slug"], title=DEFAULT_RUBRIC["title"],
                         description=DEFAULT_RUBRIC["description"], criteria=DEFAULT_RUBRIC["criteria"])
