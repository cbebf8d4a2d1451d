"""One organization with a person in every role, and the objects the API's URLs name, so the
permission matrix and the fuzzer can call every endpoint with real identifiers.

Roles, in the order the permission table lists them:
anon, learner, instructor, supervisor, hr, api_key (the organization's HR key), org_admin, and
outsider (a learner of another organization).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from assessments.instruments import services as instrument_services
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from assessments.roleplays.services import consent as roleplay_consent
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services import rubrics as roleplay_rubrics
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Course
from courses.certificates import services as certificate_services
from courses.certificates.credentials import keys as credential_keys
from courses.certificates.models import Certificate
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.ratings.models import Rating
from courses.reminders import messages as reminder_messages
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as workshop_sessions
from courses.xapi.services.endpoints import lrs_endpoint_set
from lms.models import DataExport, Department, Membership, Organization, User
from tests import factories as people
from tests.courses.factories import build_course

ROLES = ("anon", "learner", "instructor", "supervisor", "hr", "api_key", "org_admin", "outsider")


@dataclass
class World:
    org: Organization
    other: Organization
    users: dict[str, User]
    raw_tokens: dict[str, str]
    api_key: str
    department: Department
    membership: Membership
    course: Course
    lesson: Activity
    quiz_activity: Activity
    enrollment: Enrollment
    attempt_id: int
    certificate: Certificate
    token_id: int
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role == "api_key":
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.api_key}")
        elif role != "anon":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.raw_tokens[role]}")
        return client

    def headers(self, role: str) -> dict[str, str]:
        if role == "api_key":
            return {"Authorization": f"Api-Key {self.api_key}"}
        if role == "anon":
            return {}
        return {"Authorization": f"Token {self.raw_tokens[role]}"}


def build_world() -> World:
    org = people.OrganizationFactory(slug="acme", name="Acme Support")
    other = people.OrganizationFactory(slug="elsewhere", name="Elsewhere Inc")
    department = people.DepartmentFactory(organization=org, name="Customer Care")
    users = {
        "supervisor": people.member(org, "supervisor", department=department),
        "instructor": people.member(org, "instructor"),
        "hr": people.member(org, "hr"),
        "org_admin": people.member(org, "org_admin"),
        "outsider": people.member(other, "learner"),
    }
    manager = Membership.objects.get(user=users["supervisor"], organization=org)
    users["learner"] = people.member(org, "learner", department=department, manager=manager)
    membership = Membership.objects.get(user=users["learner"], organization=org)
    raw_tokens = {role: people.token_for(user)[1] for role, user in users.items()}
    _, api_key = people.api_key_for(org)

    course = build_course(slug="listening-first", publish=False, organization=org,
                          activities=[{"title": "Why listening comes first",
                                       "lesson": {"content_type": "article", "body": "Listen, then answer."}}])
    course.instructors.add(users["instructor"])
    workshop_activity = catalog_services.activity_create(module=course.modules.get(), title="Live practice",
                                                         kind=Activity.Kind.WORKSHOP, required=False)
    module = course.modules.get()
    scenario = roleplay_performances.roleplay_activity_create(
        module=module, title="The broken gift", rubric=roleplay_rubrics.default_rubric_ensure(), required=False,
        persona="A parent whose gift arrived broken.", situation="The party is tomorrow.",
        opportunities=[{"key": "party", "cue": "The gift is for a party tomorrow."}])
    survey = instrument_services.survey_activity_create(module=module, title="Before we start", required=False,
                                                        instrument=instrument_services.default_instrument_ensure(),
                                                        timing="before")
    quiz = quiz_authoring.quiz_activity_create(module=module, title="Check your listening")
    quiz_authoring.question_create(quiz=quiz, kind="single_choice", prompt="What comes first?", choices=[
        {"text": "Listening", "correct": True}, {"text": "Solving", "correct": False}])
    catalog_services.course_publish(course=course, checks=False)
    lesson = course.activities.get(kind=Activity.Kind.LESSON)
    lesson_image = catalog_services.lesson_image_add(lesson=lesson.lesson, data=_small_png(), alt="A quiet desk",
                                                     name="desk")
    enrollment, _ = enrollment_services.enrollment_create(user=users["learner"], course=course, organization=org)
    # A review on the course by someone other than the roles that call the API (the author may not report it).
    rating = Rating.objects.create(user=people.member(org, "learner"), course=course, stars=2,
                                   review="Too long for what it says.")
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    peer = people.member(org, "learner", department=department, manager=manager)
    enrollment_services.enrollment_create(user=peer, course=course, organization=org)
    performance = roleplay_performances.performance_submit(enrollment=enrollment, scenario=scenario,
                                                           transcript="Agent: I hear the party is tomorrow.")
    roleplay_performances.performance_submit(enrollment=Enrollment.objects.get(user=peer, course=course),
                                             scenario=scenario,
                                             transcript="Agent: Let me look at the order.")
    roleplay_performances.peer_allocate(scenario=scenario, seed=1)
    recording_consent = roleplay_consent.recording_consent_create(performance=performance, user=users["learner"],
                                                                  version=1)
    criteria = scenario.rubric.criteria.order_by("position", "id")
    review = roleplay_reviews.review_submit(performance=performance, reviewer=users["learner"], role="self",
                                            scores=[{"criterion": c.pk, "points": 3} for c in criteria])
    example = roleplay_reviews.calibration_example_create(
        scenario=scenario, title="A calm answer", transcript="Agent: That sounds stressful.",
        expert=users["instructor"], scores=[{"criterion": c.pk, "points": 2} for c in criteria])
    from courses.hr_reports import queries as report_queries
    from courses.hr_reports.services import exports as report_services
    from courses.hr_reports.services import webhooks as webhook_services

    export, _ = report_services.report_export_request(actor=users["hr"], organization=org, export_format="csv",
                                                      filters=report_queries.Filters(organization=org))
    endpoint, _ = webhook_services.webhook_endpoint_create(
        organization=org, url="https://hooks.example.com/lms", event_types=["certificate.issued"])
    lrs_endpoint_set(organization=org, url="https://lrs.example.invalid/xAPI", username="lms",
                     password="a-password-for-the-test-lrs")  # .invalid: never resolves
    from courses.reminders.models import ReminderPolicy

    policy = ReminderPolicy.objects.create(organization=org, kind="inactivity", days=5)
    unsubscribe = reminder_messages.unsubscribe_token(users["learner"].pk, "inactivity")
    workshop = workshop_sessions.workshop_create(activity=workshop_activity, instructors=[users["instructor"]])
    start = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    session = workshop_sessions.session_create(workshop=workshop, capacity=10,
                                               parts=[{"starts_at": start, "ends_at": start + timedelta(hours=2)}])
    registration, _ = workshop_sessions.registration_create(session=session, user=users["learner"])
    _, feed_token = workshop_mail.calendar_feed_create(user=users["learner"])

    finished = build_course(slug="calm-voices", organization=org, activities=[{"title": "Only step"}])
    finished.instructors.add(users["instructor"])
    done, _ = enrollment_services.enrollment_create(user=users["learner"], course=finished, organization=org)
    for activity in finished.activities.all():
        enrollment_services.activity_record_result(enrollment=done, activity=activity, passed=True, score=100)
    credential_keys.key_generate()  # into the test's own CREDENTIAL_KEYS_DIR (tests/conftest.py)
    certificate = certificate_services.certificate_issue(enrollment_id=done.pk)
    certificate = certificate_services.certificate_render(certificate_id=certificate.pk)
    token_id = users["learner"].api_tokens.values_list("pk", flat=True).get()
    webhook_services.webhook_events_emit(event_type="certificate.issued", object_id=certificate.pk)
    delivery = endpoint.deliveries.get()
    from assessments.leadership import services as leadership_services

    cycle = leadership_services.cycle_launch(actor=users["hr"], organization=org, name="Spring 360",
                                             opens_on=timezone.localdate(), manager_ids=[manager.pk],
                                             closes_on=timezone.localdate() + timedelta(days=14))
    invitation = cycle.subjects.get().invitations.get(rater=users["learner"])
    privacy_export = DataExport.objects.create(subject=users["learner"], status=DataExport.Status.READY)
    return World(org=org, other=other, users=users, raw_tokens=raw_tokens, api_key=api_key, department=department,
                 membership=membership, course=course, lesson=lesson, quiz_activity=quiz.activity,
                 enrollment=enrollment, attempt_id=attempt.pk, certificate=certificate, token_id=token_id,
                 extra={"rating": rating, "scenario": scenario, "survey": survey, "performance": performance,
                        "consent": recording_consent,
                        "review": review,
                        "example": example, "assignment": performance.assignments.order_by("pk").first(),
                        "policy": policy, "unsubscribe": unsubscribe,
                        "export": export, "endpoint": endpoint, "delivery": delivery,
                        "workshop": workshop, "session": session, "registration": registration,
                        "feed_token": feed_token, "lesson_image": lesson_image,
                        "leadership_cycle": cycle, "leadership_invitation": invitation,
                        "privacy_export": privacy_export})


def _small_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


# --- URL parameters ---------------------------------------------------------------------------------

# (route pattern, parameter) -> how to get its value from the world; the first match wins. A route
# with a parameter no rule covers fails the matrix test (add a rule when you add an endpoint).
PARAMETER_RULES: list[tuple[str, str, Any]] = [
    (r"^organizations/", "slug", lambda w: w.org.slug),
    (r"^privacy/organizations/", "slug", lambda w: w.org.slug),
    (r"^privacy/", "user_id", lambda w: w.users["learner"].pk),
    (r"^courses/", "slug", lambda w: w.course.slug),
    (r"^credentials/achievements/", "slug", lambda w: w.certificate.enrollment.course.slug),
    (r"/quiz/", "activity_id", lambda w: w.quiz_activity.pk),
    (r"/survey/", "activity_id", lambda w: w.extra["survey"].activity_id),
    (r"", "activity_id", lambda w: w.lesson.pk),
    (r"", "module_id", lambda w: w.course.modules.get().pk),
    (r"", "enrollment_id", lambda w: w.enrollment.pk),
    (r"", "attempt_id", lambda w: w.attempt_id),
    (r"", "code", lambda w: w.certificate.code),
    (r"", "number", lambda w: 0),
    (r"", "token_id", lambda w: w.token_id),
    (r"", "department_id", lambda w: w.department.pk),
    (r"", "membership_id", lambda w: w.membership.pk),
    (r"", "scenario_id", lambda w: w.extra["scenario"].pk),
    (r"", "performance_id", lambda w: w.extra["performance"].pk),
    (r"", "review_id", lambda w: w.extra["review"].pk),
    (r"", "consent_id", lambda w: w.extra["consent"].pk),
    (r"", "example_id", lambda w: w.extra["example"].pk),
    (r"", "assignment_id", lambda w: w.extra["assignment"].pk),
    (r"", "rubric_id", lambda w: w.extra["scenario"].rubric_id),
    (r"^privacy/exports/", "export_id", lambda w: w.extra["privacy_export"].pk),
    (r"^privacy/organizations/", "slug", lambda w: w.org.slug),
    (r"^privacy/organizations/", "user_id", lambda w: w.users["learner"].pk),
    (r"", "export_id", lambda w: w.extra["export"].pk),
    (r"", "endpoint_id", lambda w: w.extra["endpoint"].pk),
    (r"", "delivery_id", lambda w: w.extra["delivery"].pk),
    (r"", "workshop_id", lambda w: w.extra["workshop"].pk),
    (r"", "session_id", lambda w: w.extra["session"].pk),
    (r"", "registration_id", lambda w: w.extra["registration"].pk),
    (r"^workshops/feed/", "token", lambda w: w.extra["feed_token"]),
    (r"^notifications/unsubscribe/", "token", lambda w: w.extra["unsubscribe"]),
    (r"", "policy_id", lambda w: w.extra["policy"].pk),
    (r"", "rating_id", lambda w: w.extra["rating"].pk),
    (r"", "language", lambda w: "en"),
    (r"", "image_id", lambda w: w.extra["lesson_image"].pk),
    (r"", "cycle_id", lambda w: w.extra["leadership_cycle"].pk),
    (r"", "invitation_id", lambda w: w.extra["leadership_invitation"].pk),
]

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def route_template(route: str) -> str:
    """``courses/<slug:slug>/`` -> ``courses/{slug}/``"""
    return _PARAM.sub(lambda m: "{" + m.group("name") + "}", route)


def parameter(route: str, name: str, world: World) -> str:
    """The world's value for the URL parameter ``name`` of ``route`` (relative to /api/v1/)."""
    for pattern, parameter_name, getter in PARAMETER_RULES:
        if parameter_name == name and re.search(pattern, route):
            return str(getter(world))
    raise LookupError(f"No rule in tests/reliability/world.py PARAMETER_RULES gives <{name}> for {route!r}.")


def fill(route: str, world: World) -> str:
    """The concrete path for an API route (relative to /api/v1/) in this world."""
    return "/api/v1/" + _PARAM.sub(lambda match: parameter(route, match.group("name"), world), route)
