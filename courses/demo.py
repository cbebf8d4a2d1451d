"""Demo courses and learner progress (loaded after the demo people). Idempotent."""
from __future__ import annotations

import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from courses import demo_content
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Course, Module
from courses.catalog.services import video as video_services
from courses.certificates import open_badges as certificate_credentials
from courses.certificates.credentials import keys
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.ratings import services as rating_services
from courses.ratings.services import rating_eligible
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from courses.workshops.models import Workshop
from courses.workshops.services import attendance as workshop_attendance
from courses.workshops.services import sessions as workshop_sessions
from lms.demo import ORG_SLUG, demo_loader
from lms.models import Organization, User

INSTRUCTOR = "instructor@acme.example"
EMPATHY_EN = "power-of-empathy-customer-service"

# learner email -> (course slug, how many of its activities they have finished; None = all)
DEMO_PROGRESS = [
    ("learner@acme.example", EMPATHY_EN, None),
    ("learner2@acme.example", EMPATHY_EN, 4),
    ("learner3@acme.example", EMPATHY_EN, 0),
    ("learner2@acme.example", "poder-da-empatia-no-atendimento", 2),
    ("supervisor@acme.example", EMPATHY_EN, 1),
]

# learner email -> (course slug, stars, review); given only where the learner got far enough to rate.
DEMO_RATINGS = [
    ("learner@acme.example", EMPATHY_EN, 5,
     "The missed-delivery video showed me what I do wrong in the first ten seconds of a call. I now name "
     "the customer's frustration before I look up the order, and the calls are shorter."),
    ("learner2@acme.example", EMPATHY_EN, 4,
     "Practical and short. I would like more examples from chat, where tone is harder to read."),
]


def _build_course(spec: dict, instructor: User | None) -> Course:
    fields = {key: spec[key] for key in ("summary", "description", "language", "category", "tags",
                                         "hours_credited", "passing_score", "validity_months", "due_days")
              if key in spec}
    if spec.get("translation_of"):
        fields["translation_of"] = Course.objects.filter(slug=spec["translation_of"]).first()
    course = catalog_services.course_create(slug=spec["slug"], title=spec["title"], created_by=instructor, **fields)
    for module_spec in spec["modules"]:
        module = catalog_services.module_create(course=course, title=module_spec["title"])
        for activity_spec in module_spec["activities"]:
            lesson = dict(activity_spec.get("lesson") or {})
            ebook_key = lesson.pop("ebook", None)
            images = lesson.pop("images", [])
            lesson_type = lesson.pop("type", "article")
            if "url" in lesson:
                lesson["video_url"] = lesson.pop("url")
            if "duration_seconds" in lesson:
                lesson["video_duration_seconds"] = lesson.pop("duration_seconds")
            video, captions = lesson.pop("video_media", None), lesson.pop("captions_media", None) or {}
            activity = catalog_services.activity_create(
                module=module, title=activity_spec["title"], kind=activity_spec.get("kind", "lesson"),
                required=activity_spec.get("required", True), weight=activity_spec.get("weight", 1),
                lesson={"content_type": lesson_type, **lesson} if activity_spec.get("kind", "lesson") == "lesson"
                else None,
            )
            for image in images:
                catalog_services.lesson_image_add(lesson=activity.lesson, data=image["picture"], alt=image["alt"],
                                                  name=image["name"], filename=f"{image['name']}.webp")
            if ebook_key:
                pdf = demo_content.ebook_pdf(ebook_key)
                catalog_services.lesson_attach_ebook(lesson=activity.lesson, data=pdf, filename=f"{ebook_key}.pdf")
            if video or captions:
                _attach_video(activity.lesson, video, captions)
    cover = demo_content.read_covers().get(course.slug)
    if cover:
        catalog_services.course_cover_set(course=course, data=cover["picture"], alt=cover["alt"],
                                          filename="cover.webp")
    catalog_services.course_publish(course=course, checks=False)
    return course


def _attach_video(lesson, video: str | None, captions: dict[str, str]) -> None:
    """The committed demo video (scripts/make_demo_video.py made it) and its caption tracks, through the services."""
    if video:
        with (demo_content.DATA_DIR / video).open("rb") as handle:
            video_services.lesson_video_set(lesson=lesson, file=handle, filename=video.rsplit("/", 1)[-1])
    for language, path in captions.items():
        video_services.lesson_caption_set(lesson=lesson, language=language,
                                            data=(demo_content.DATA_DIR / path).read_bytes())


@demo_loader(order=5)
def ensure_credential_key(credentials: dict) -> None:
    """Certificates of the demo are signed Open Badges credentials: make a key if there is none
    (in production, run ``manage.py credential_keys generate`` once; see the README)."""
    if not certificate_credentials.signing_enabled():
        keys.key_generate()
    credentials["credential_issuer"] = certificate_credentials.issuer_id()


@demo_loader(order=10)
def load_courses(credentials: dict) -> None:
    instructor = User.objects.filter(email__iexact=INSTRUCTOR).first()
    created = []
    for spec in demo_content.COURSES:
        if Course.objects.filter(slug=spec["slug"]).exists():
            continue
        with transaction.atomic():
            created.append(_build_course(spec, instructor).slug)
    _load_progress()
    credentials["courses"] = [spec["slug"] for spec in demo_content.COURSES]


def _load_progress() -> None:
    organization = Organization.objects.filter(slug=ORG_SLUG).first()
    for email, slug, finished in DEMO_PROGRESS:
        user = User.objects.filter(email__iexact=email).first()
        course = Course.objects.filter(slug=slug).first()
        if user is None or course is None or Enrollment.objects.filter(user=user, course=course).exists():
            continue
        enrollment, _ = enrollment_services.enrollment_create(user=user, course=course, organization=organization)
        lessons = Activity.objects.filter(course=course, kind=Activity.Kind.LESSON).order_by(
            "module__position", "position", "id")
        for activity in lessons if finished is None else lessons[:finished]:
            enrollment_services.lesson_complete(enrollment=enrollment, activity=activity, time_spent_seconds=60 * max(
                1, activity.estimated_minutes))
    for email, slug, stars, review in DEMO_RATINGS:
        user = User.objects.filter(email__iexact=email).first()
        course = Course.objects.filter(slug=slug).first()
        enrollment = Enrollment.objects.filter(user=user, course=course).first() if user and course else None
        if enrollment is not None and rating_eligible(enrollment):
            rating_services.rating_upsert(user=user, course=course, stars=stars, review=review)




# --- workshops ---------------------------------------------------------------------------------

WORKSHOP_TITLE = "Role-playing difficult conversations"
WORKSHOP_DESCRIPTION = (
    "A live practice session in groups of three: one person plays the customer, one answers, one "
    "observes with the empathy checklist. Each round ends with two minutes of feedback, then the roles "
    "rotate. Bring one real conversation that went badly; we will replay it until it goes well."
)


@demo_loader(order=30)
def load_workshops(credentials: dict) -> None:
    """An optional live workshop in the empathy course: one past session with attendance, one
    upcoming session with three of its four seats taken."""


    course = Course.objects.filter(slug=EMPATHY_EN).first()
    instructor = User.objects.filter(email__iexact=INSTRUCTOR).first()
    if course is None or instructor is None or Workshop.objects.filter(activity__course=course).exists():
        return
    learners = {email: User.objects.get(email__iexact=email) for email in (
        "learner@acme.example", "learner2@acme.example", "learner3@acme.example", "supervisor@acme.example")}
    with transaction.atomic():
        module = Module.objects.filter(course=course).order_by("-position", "-id").first()
        activity = catalog_services.activity_create(module=module, title=WORKSHOP_TITLE, kind=Activity.Kind.WORKSHOP,
                                                    required=False, weight=0, estimated_minutes=180)
        workshop = workshop_sessions.workshop_create(activity=activity, description=WORKSHOP_DESCRIPTION,
                                                     instructors=[instructor])
        today = timezone.now().replace(minute=0, second=0, microsecond=0)

        # The past session: registered while it was ahead, then dated to when it took place.
        ahead = today + timedelta(days=30)
        past = workshop_sessions.session_create(
            workshop=workshop, capacity=12, timezone="America/Sao_Paulo", online_url="https://meet.example.com/empathy",
            parts=[{"starts_at": ahead, "ends_at": ahead + timedelta(hours=2)},
                   {"starts_at": ahead + timedelta(days=7), "ends_at": ahead + timedelta(days=7, hours=1)}])
        registrations = {email: workshop_sessions.registration_create(session=past, user=user)[0]
                         for email, user in learners.items() if email != "learner3@acme.example"}
        held = today - timedelta(days=14)
        first, second = past.parts.order_by("starts_at")
        past = workshop_sessions.session_update(session=past, actor=instructor, parts=[
            {"id": first.pk, "starts_at": held, "ends_at": held + timedelta(hours=2)},
            {"id": second.pk, "starts_at": held + timedelta(days=7), "ends_at": held + timedelta(days=7, hours=1)}])
        sheet = {"learner@acme.example": ("attended", "attended"), "learner2@acme.example": ("late", "attended"),
                 "supervisor@acme.example": ("absent", "absent")}
        workshop_attendance.attendance_record(session=past, actor=instructor, marks=[
            {"registration": registrations[email].pk, "part": part.pk, "status": status}
            for email, statuses in sheet.items() for part, status in zip((first, second), statuses, strict=True)])
        workshop_sessions.session_update(session=past, actor=instructor, status="completed")

        # The upcoming session: four seats, three taken.
        start = (today + timedelta(days=10)).replace(hour=13)
        upcoming = workshop_sessions.session_create(
            workshop=workshop, capacity=4, timezone="America/Sao_Paulo", venue="Acme Support, room 3 (São Paulo)",
            parts=[{"starts_at": start, "ends_at": start + timedelta(hours=3)}])
        for email in ("learner3@acme.example", "learner@acme.example", "supervisor@acme.example"):
            workshop_sessions.registration_create(session=upcoming, user=learners[email])
    credentials["workshop_sessions"] = [past.pk, upcoming.pk]


@demo_loader(order=40)
def load_reminders(credentials: dict) -> None:
    """Reminder settings and policies for Acme, and a first sweep so the log has rows: three demo
    enrollments are placed back in time (idle, not started, overdue) the first time only."""


    organization = Organization.objects.filter(slug=ORG_SLUG).first()
    if organization is None:
        return
    reminders.reminder_settings_update(
        organization=organization, reply_to="hr@acme.example", quiet_start=datetime.time(21, 0),
        quiet_end=datetime.time(8, 0), quiet_days=[6, 7], daily_cap=3)
    reminders.reminder_policy_upsert(organization=organization, kind="inactivity", days=5)
    portuguese = Course.objects.filter(slug="poder-da-empatia-no-atendimento").first()
    if portuguese is not None:
        reminders.reminder_policy_upsert(organization=organization, kind="due_soon", course=portuguese, days=7)
    if ReminderLog.objects.filter(organization=organization).exists():
        return
    now = timezone.now()
    # Demo history, not a workflow: move three enrollments back in time so reminders are due.
    aged = {"learner2@acme.example": {"last_activity_at": now - timedelta(days=8)},
            "supervisor@acme.example": {"due_at": now - timedelta(days=2)}}
    # "Not started" needs an enrollment with nothing done: HR takes the English course too.
    hr = User.objects.filter(email__iexact="hr@acme.example").first()
    english = Course.objects.filter(slug=EMPATHY_EN).first()
    if hr is not None and english is not None:
        enrollment_services.enrollment_create(user=hr, course=english, organization=organization)
        aged["hr@acme.example"] = {"enrolled_at": now - timedelta(days=4)}
    for email, fields in aged.items():
        Enrollment.objects.filter(user__email__iexact=email, course__slug=EMPATHY_EN,
                                  status=Enrollment.Status.ACTIVE).update(**fields)
    reminders.reminders_select(now=now)
    reminders.reminders_dispatch(now=now)  # the worker sends them (to var/mail/ by default)
    credentials["reminders_logged"] = ReminderLog.objects.filter(organization=organization).count()
