"""A person seeded across the product, the declarations the erasure tests use when the real ones are
missing, and the search for what is left of them (every text column, every stored file, the logs)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.db import connection, models

# The domains' erasure steps (the lead wires them into their privacy.py on merge).
import courses.certificates.erasure
import courses.hr_reports.erasure  # noqa: F401
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from assessments.roleplays import consent as consent_text
from assessments.roleplays.models import Review, Rubric
from assessments.roleplays.services import performances
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportAuditEntry, ReportExport, WebhookDelivery, WebhookEndpoint
from courses.reminders.models import ReminderLog
from courses.workshops.services import sessions as workshop_sessions
from lms.models import Membership, ScimUser, User
from lms.privacy import access_services, registry
from lms.privacy.models import DataExport
from lms.privacy.registry import Erase, Row
from tests import factories as people
from tests.assessments import factories as quiz_factories
from tests.assessments.roleplays.factories import roleplay_course
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.courses.workshops.conftest import make_session, make_workshop

FIRST, LAST = "Quorvalda", "Zentrifex"
EMAIL = "quorvalda.zentrifex@example.org"
EMPLOYEE_A, EMPLOYEE_B = "EMP-QZ-4471", "EMP-QZ-5582"
USER_ID = 987654321
NEEDLES = (FIRST, LAST, EMAIL, EMPLOYEE_A, EMPLOYEE_B)
USER_ID_TOKEN = re.compile(rf"(?<![0-9]){USER_ID}(?![0-9])")

# What a declaration of the real registry says, for the models the seed fills (used only where the real
# registry has no declaration of that model yet).
TEST_DECLARATIONS = {
    "lms.User": ({"pk": Row.SCRUB}, {"email": Erase.PSEUDONYM, "first_name": Erase.BLANK,
                                     "last_name": Erase.BLANK}),
    "lms.Membership": ({"user": Row.DELETE}, {"employee_id": Erase.BLANK}),
    "lms.ScimUser": ({"membership__user": Row.DELETE}, {"user_name": Erase.PSEUDONYM}),
    "lms.UserToken": ({"user": Row.DELETE}, {}),
    "courses.Enrollment": ({"user": Row.DELETE}, {}),
    "courses.Certificate": ({"enrollment__user": Row.SCRUB}, {"learner_name": Erase.STEP,
                                                                   "pdf": Erase.STEP}),
    "assessments.Performance": ({"enrollment__user": Row.DELETE}, {"media": Erase.DELETE_FILE,
                                                                 "transcript": Erase.BLANK}),
    "assessments.Review": ({"reviewer": Row.DELETE}, {"comments": Erase.BLANK}),
    "courses.Registration": ({"user": Row.DELETE}, {}),
    "courses.ReminderLog": ({"recipient": Row.DELETE}, {}),
    "courses.ReportAuditEntry": ({"user": Row.DETACH}, {"filters": Erase.BLANK}),
}


@pytest.fixture
def test_registry():
    """The registry as discovered, plus the test's declarations of models not declared yet; restored after."""
    registry.declarations()
    saved = {name: dict(getattr(registry._registry, name)) for name in
             ("declarations", "not_personal", "erasure_steps", "export_sections")}
    for label, (paths, fields) in TEST_DECLARATIONS.items():
        if label not in registry._registry.declarations:
            label_model = apps.get_model(label)
            registry.personal_data(label, people=paths, fields={
                name: (label_model._meta.get_field(name).verbose_name, erase) for name, erase in fields.items()},
                purpose="test")
    yield registry
    for name, value in saved.items():
        current = getattr(registry._registry, name)
        current.clear()
        current.update(value)


@dataclass
class Seeded:
    person: User
    org_a: object
    org_b: object
    certificate: object
    reviewer_of_person: User
    enrollments: list


def seed_person(org_a, org_b) -> Seeded:
    """The person in two organizations and across the features, with something of theirs in each."""
    person = User.objects.create_user(email=EMAIL, password="correct horse battery", first_name=FIRST,
                                      last_name=LAST, pk=USER_ID)
    membership_a = people.MembershipFactory(user=person, organization=org_a, employee_id=EMPLOYEE_A)
    people.MembershipFactory(user=person, organization=org_b, employee_id=EMPLOYEE_B)
    ScimUser.objects.create(organization=org_a, membership=membership_a, user_name=EMAIL, external_id="ext-1",
                            given_name=FIRST, family_name=LAST, display_name=f"{FIRST} {LAST}",
                            emails=[{"value": EMAIL, "primary": True}])
    # A completed course of organization A, certified (PDF and signed credential).
    completed = completed_enrollment(course=one_step_course(organization=org_a, title="Listening"), user=person)
    certificate = issued(completed)
    # A role-play in organization B: their recording, a review they received and one they wrote.
    course, scenario = roleplay_course(organization=org_b)
    enrollment_b, _ = enrollment_services.enrollment_create(user=person, course=course)
    peer = people.member(org_b)
    peer_enrollment, _ = enrollment_services.enrollment_create(user=peer, course=course)
    own = performances.performance_submit(enrollment=enrollment_b, scenario=scenario,
                                          transcript=f"Agent {FIRST}: I hear you.",
                                          media=(b"RIFF\x00\x00\x00\x00WAVE" + EMAIL.encode(), "call.wav"),
                                          recording_consent=consent_text.CURRENT_VERSION)
    theirs = performances.performance_submit(enrollment=peer_enrollment, scenario=scenario, transcript="Agent: ok")
    rubric = Rubric.objects.get(pk=scenario.rubric_id)
    Review.objects.create(performance=own, reviewer=peer, role="peer", rubric=rubric,
                          comments=f"{FIRST} listened well.")
    Review.objects.create(performance=theirs, reviewer=person, role="peer", rubric=rubric,
                          comments="Good pacing; the apology came early.")  # kept, anonymous, with the reviewed
    # A workshop registration, a reminder, the HR trail, a webhook delivery and an export naming them.
    session = make_session(make_workshop(course=None))
    enrollment_services.enrollment_create(user=person, course=session.workshop.activity.course)
    workshop_sessions.registration_create(session=session, user=person)
    ReminderLog.objects.create(recipient=person, kind="due_soon", subject_id=completed.pk, period="once",
                               organization_id=org_a.pk)
    ReportAuditEntry.objects.create(kind="completions", organization=org_a, user=person,
                                    filters={"email": EMAIL})
    hr = people.member(org_a, "hr")  # HR searched for the person: the audit trail's filter names them
    ReportAuditEntry.objects.create(kind="completions", organization=org_a, user=hr,
                                    filters={"q": EMAIL.upper(), "employee_id": EMPLOYEE_A, "status": "active"})
    endpoint = WebhookEndpoint.objects.create(organization=org_a, url="https://hooks.example.com/in",
                                              event_types=["enrollment.completed"], secret_encrypted="x")
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="enrollment.completed", object_id=completed.pk,
                                   payload={"type": "enrollment.completed", "data": {
                                       "email": EMAIL, "name": f"{FIRST} {LAST}", "employee_id": EMPLOYEE_A,
                                       "user_id": USER_ID}})
    export = ReportExport(organization=org_a, format="csv", request_key="k", status="done")
    export.file.save("completions.csv", ContentFile(f"email,name\n{EMAIL},{FIRST} {LAST}\n".encode()), save=True)
    LogEntry.objects.log_action(user_id=people.UserFactory(is_staff=True).pk,
                                content_type_id=ContentType.objects.get_for_model(User).pk, object_id=str(USER_ID),
                                object_repr=EMAIL, action_flag=CHANGE, change_message=f"Renamed {FIRST}")
    # A quiz in organization A, answered in their own words (a free-text answer naming them).
    quiz_course_a, quiz = quiz_factories.quiz_course(organization=org_a)
    quiz_authoring.question_create(quiz=quiz, kind="short_text", prompt="Name the skill.", accepted_answers=["empathy"])
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=quiz_factories.enroll(quiz_course_a, person))
    quiz_attempts.attempt_submit(attempt=attempt, answers=[{"question": attempt.layout[0]["question"],
                                                            "text": f"{FIRST} says empathy"}])
    # Someone read their data (the access log) and they asked for a copy of it (a data export with its file).
    access_services.access_record(actor=hr, organization=org_a, subject=person, channel="page",
                                  what="hr.person", detail={"user": USER_ID})
    data_export = DataExport.objects.create(subject=person, requested_by=person, status=DataExport.Status.READY)
    data_export.file.save("export.zip", ContentFile(f"{FIRST} {LAST} {EMAIL}".encode()), save=True)
    store = SessionStore()
    store["_auth_user_id"] = str(USER_ID)
    store.create()
    people.token_for(person)
    return Seeded(person=person, org_a=org_a, org_b=org_b, certificate=certificate, reviewer_of_person=peer,
                  enrollments=[completed, enrollment_b])


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)
SEARCHED_APPS = ("lms", "courses", "assessments", "auth", "sessions", "admin")


def text_hits() -> list[str]:
    """Every text column of every table of the searched apps, read with raw SQL: where the person shows."""
    hits = []
    quote = connection.ops.quote_name
    for model in apps.get_models():
        if model._meta.app_label not in SEARCHED_APPS or model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not columns:
            continue
        cast = "text" if connection.vendor == "postgresql" else "TEXT"
        select = ", ".join(f"CAST({quote(c)} AS {cast})" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {quote(model._meta.db_table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value and found_in(str(value)):
                        hits.append(f"{model._meta.db_table}.{column}: {str(value)[:120]}")
    return hits


def found_in(text: str) -> bool:
    lowered = text.lower()
    return any(needle.lower() in lowered for needle in NEEDLES) or bool(USER_ID_TOKEN.search(text))


def file_hits() -> list[str]:
    hits = []
    for root in (Path(settings.MEDIA_ROOT), Path(settings.REPORTS_WORK_DIR)):
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if path.is_file() and found_in(path.read_bytes().decode("latin-1")):
                hits.append(str(path))
    return hits


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def enrollment_ids(user: User) -> list[int]:
    return list(Enrollment.objects.filter(user=user).values_list("pk", flat=True))


def memberships(user: User) -> int:
    return Membership.objects.filter(user=user).count()
