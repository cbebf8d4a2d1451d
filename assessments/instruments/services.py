"""Empathy instruments: JSON import, scoring, and their administration as survey activities.

Rules:
- An instrument document (format ``empathy-lms/instrument``, version 1) has a slug, a title, a scale
  (whole-number ``min`` < ``max``, up to 11 points, optional labels, ``allow_na``), ``scoring``
  (``mean`` or ``sum``), ``max_missing`` and 2-100 items (distinct slug keys, text, optional
  ``reverse`` and ``subscale``). The import is all or nothing. Organizations import their own
  licensed instruments; we ship only our short one (``roleplay_content.DEFAULT_INSTRUMENT``).
- Scoring a response: a reverse item's answer ``v`` counts as ``min + max - v``. Unanswered items
  and N/A (null, where the scale allows it) are missing. With more than ``max_missing`` missing,
  the score is empty (the response is kept). Otherwise ``mean`` is the mean of the answered items
  and ``sum`` is that mean times the number of items (prorated, so a missing item does not lower
  it). Each subscale is scored the same way over its items, with the same tolerance.
- A survey activity gives one instrument ``before`` or ``after``. The before survey is open once
  enrolled (active or completed) and until the after survey has been answered; the after survey
  opens when every other required activity of the course has passed (or the enrollment has
  completed). Otherwise 409 ``survey_not_open``. One response per learner and survey (409
  ``survey_answered``). Answering passes the activity through ``activity_record_result`` (no
  score: surveys measure, they do not grade; give them weight 0).
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.instruments.errors import InstrumentErrorCode
from assessments.instruments.models import Instrument, InstrumentItem, InstrumentResponse, Survey
from assessments.instruments.selectors import survey_is_open
from assessments.roleplays.default_content import DEFAULT_INSTRUMENT, DEFAULT_INSTRUMENT_SLUG
from assessments.roleplays.errors import RoleplayConflict, RoleplayError
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Module
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from lms.models import Organization
from lms.text import find_unstorable

DOCUMENT_FORMAT = "empathy-lms/instrument"
MAX_ITEMS = 100


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(message: str, field: str) -> RoleplayError:
    return RoleplayError(message, code=InstrumentErrorCode.INVALID_INSTRUMENT, fields={field: [message]})


def clean_instrument(document: Any) -> dict[str, Any]:
    if isinstance(document, (bytes, str)):
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise _invalid("The file is not JSON.", "document") from None
    unstorable = find_unstorable(document)
    if unstorable:
        raise _invalid(unstorable[1], "document")
    if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT or document.get("version") != 1:
        raise _invalid(f'Expected {{"format": "{DOCUMENT_FORMAT}", "version": 1, ...}}.', "format")
    slug, title = document.get("slug"), document.get("title")
    if not isinstance(slug, str) or not slug or slugify(slug) != slug or len(slug) > 80:
        raise _invalid("A slug: lowercase letters, digits and dashes.", "slug")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise _invalid("A title of 1 to 200 characters.", "title")
    instructions = document.get("instructions", "")
    if not isinstance(instructions, str) or len(instructions) > 3000:
        raise _invalid("Instructions of at most 3000 characters.", "instructions")
    scale = document.get("scale")
    if not isinstance(scale, dict) or not _is_int(scale.get("min")) or not _is_int(scale.get("max")) \
            or not scale["min"] < scale["max"] or scale["max"] - scale["min"] > 10 or abs(scale["min"]) > 100:
        raise _invalid("A scale with whole-number min < max, at most 11 points.", "scale")
    labels = scale.get("labels", {})
    if not isinstance(labels, dict) or not all(
            isinstance(v, str) and len(v) <= 100 and k.lstrip("-").isdigit() and scale["min"] <= int(k) <= scale["max"]
            for k, v in labels.items()):
        raise _invalid("Labels map scale points to text.", "scale")
    allow_na = scale.get("allow_na", False)
    scoring = document.get("scoring", Instrument.Scoring.MEAN)
    max_missing = document.get("max_missing", 0)
    if not isinstance(allow_na, bool) or scoring not in Instrument.Scoring.values or not _is_int(max_missing) \
            or not 0 <= max_missing <= MAX_ITEMS:
        raise _invalid(f"allow_na is true or false, scoring is mean or sum, max_missing a whole number from 0 to "
                       f"{MAX_ITEMS}.", "scoring")
    items = document.get("items")
    if not isinstance(items, list) or not 2 <= len(items) <= MAX_ITEMS:
        raise _invalid(f"2 to {MAX_ITEMS} items.", "items")
    cleaned, keys = [], set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or slugify(item["key"]) != item["key"] \
                or not item["key"] or len(item["key"]) > 40 or item["key"] in keys \
                or not isinstance(item.get("text"), str) or not item["text"].strip() or len(item["text"]) > 1000 \
                or not isinstance(item.get("reverse", False), bool) \
                or not isinstance(item.get("subscale", ""), str) or slugify(item.get("subscale", "")) != item.get(
                "subscale", "") or len(item.get("subscale", "")) > 40:
            raise _invalid(f"Item {number} needs a distinct slug key, a text, and optional reverse and subscale.",
                           "items")
        keys.add(item["key"])
        cleaned.append({"key": item["key"], "text": item["text"].strip(), "reverse": item.get("reverse", False),
                        "subscale": item.get("subscale", ""), "position": number})
    licence = document.get("licence", "")
    if not isinstance(licence, str) or len(licence) > 500:
        raise _invalid("A licence note of at most 500 characters.", "licence")
    return {"slug": slug, "title": title.strip(), "instructions": instructions, "scale_min": scale["min"],
            "scale_max": scale["max"], "scale_labels": labels, "allow_na": allow_na, "scoring": scoring,
            "max_missing": max_missing, "licence": licence, "items": cleaned}


def instrument_import_json(*, document: Any, organization: Organization | None) -> Instrument:
    """Import an instrument; a slug already there becomes its next version."""
    values = clean_instrument(document)
    items = values.pop("items")
    with transaction.atomic():
        latest = Instrument.objects.select_for_update().filter(organization=organization, slug=values["slug"]).order_by(
            "-version").first()
        instrument = Instrument.objects.create(organization=organization,
                                               version=(latest.version + 1) if latest else 1, **values)
        InstrumentItem.objects.bulk_create([InstrumentItem(instrument=instrument, **item) for item in items])
    return instrument


def default_instrument_ensure() -> Instrument:
    existing = Instrument.objects.filter(organization__isnull=True, slug=DEFAULT_INSTRUMENT_SLUG).order_by(
        "-version").first()
    return existing or instrument_import_json(document=DEFAULT_INSTRUMENT, organization=None)


def score_answers(instrument: Instrument, items: list[InstrumentItem], answers: dict[str, int | None]) -> tuple[
        int, Decimal | None, dict[str, Decimal | None]]:
    """(missing, score, subscale scores) under the instrument's rules (module docstring)."""
    low, high = instrument.scale_min, instrument.scale_max

    def score(group: list[InstrumentItem]) -> Decimal | None:
        values = [low + high - answer if i.reverse else answer
                  for i in group if (answer := answers.get(i.key)) is not None]
        if len(group) - len(values) > instrument.max_missing or not values:
            return None
        mean = Decimal(sum(values)) / Decimal(len(values))
        result = mean * len(group) if instrument.scoring == Instrument.Scoring.SUM else mean
        return result.quantize(Decimal("0.0001"))

    missing = sum(1 for i in items if answers.get(i.key) is None)
    subscales: dict[str, list[InstrumentItem]] = {}
    for item in items:
        if item.subscale:
            subscales.setdefault(item.subscale, []).append(item)
    return missing, score(items), {name: score(group) for name, group in sorted(subscales.items())}


def clean_answers(instrument: Instrument, items: list[InstrumentItem], answers: Any) -> dict[str, int | None]:
    if not isinstance(answers, dict):
        raise RoleplayError("Answers are an object {item key: value}.", code=InstrumentErrorCode.INVALID_ANSWERS,
                            fields={"answers": ["An object."]})
    keys = {i.key for i in items}
    unknown = sorted(set(answers) - keys)
    if unknown:
        raise RoleplayError(f"Unknown item(s): {', '.join(unknown[:5])}.", code=InstrumentErrorCode.INVALID_ANSWERS,
                            fields={"answers": [f"Unknown: {', '.join(unknown[:5])}."]})
    for key, value in answers.items():
        if value is None and instrument.allow_na:
            continue
        if not _is_int(value) or not instrument.scale_min <= value <= instrument.scale_max:
            allowed = f"{instrument.scale_min}-{instrument.scale_max}"
            allowed += " or null (N/A)" if instrument.allow_na else ""
            raise RoleplayError(f"'{key}' takes a whole number {allowed}.", code=InstrumentErrorCode.INVALID_ANSWERS,
                                fields={"answers": [f"{key}: {allowed}."]})
    return dict(answers)


def survey_create(*, activity: Activity, instrument: Instrument, timing: str) -> Survey:
    if activity.kind != Activity.Kind.SURVEY:
        raise RoleplayConflict("Only an activity of kind 'survey' holds a survey.",
                               code=InstrumentErrorCode.NOT_A_SURVEY)
    if timing not in Survey.Timing.values:
        raise RoleplayError("Timing is before or after.", code=InstrumentErrorCode.INVALID_INSTRUMENT,
                            fields={"timing": ["Invalid."]})
    with transaction.atomic():
        if Survey.objects.select_for_update().filter(activity=activity).exists():
            raise RoleplayConflict("This activity already has a survey.", code=InstrumentErrorCode.SURVEY_EXISTS)
        return Survey.objects.create(activity=activity, instrument=instrument, timing=timing)


def survey_activity_create(*, module: Module, title: str, instrument: Instrument, timing: str,
                           required: bool = True, position: int | None = None) -> Survey:
    """A survey activity (weight 0: it measures, it does not grade) and its survey."""
    with transaction.atomic():
        activity = catalog_services.activity_create(module=module, title=title, kind=Activity.Kind.SURVEY,
                                                    required=required, weight=0, position=position,
                                                    estimated_minutes=5)
        return survey_create(activity=activity, instrument=instrument, timing=timing)


def survey_respond(*, survey: Survey, enrollment: Enrollment, answers: Any) -> InstrumentResponse:
    if enrollment.course_id != survey.activity.course_id:
        raise RoleplayError("This survey is not part of the enrollment's course.",
                            code=InstrumentErrorCode.INVALID_ANSWERS)
    instrument = survey.instrument
    items = list(instrument.items.all())
    cleaned = clean_answers(instrument, items, answers)
    missing, score, subscales = score_answers(instrument, items, cleaned)
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if InstrumentResponse.objects.filter(survey=survey, enrollment=enrollment).exists():
            raise RoleplayConflict("You have answered this survey.", code=InstrumentErrorCode.SURVEY_ANSWERED)
        if not survey_is_open(survey=survey, enrollment=enrollment):
            message = ("The closing survey opens when every other required step is done." if
                       survey.timing == Survey.Timing.AFTER else "The opening survey is closed.")
            raise RoleplayConflict(message, code=InstrumentErrorCode.SURVEY_NOT_OPEN)
        try:
            with transaction.atomic():
                response = InstrumentResponse.objects.create(
                    survey=survey, enrollment=enrollment, answers=cleaned, missing=missing, score=score,
                    subscale_scores={k: (str(v) if v is not None else None) for k, v in subscales.items()},
                    submitted_at=timezone.now())
        except IntegrityError:
            raise RoleplayConflict("You have answered this survey.", code=InstrumentErrorCode.SURVEY_ANSWERED) from None
        enrollment_services.activity_record_result(enrollment=enrollment, activity=survey.activity, passed=True)
    return response
