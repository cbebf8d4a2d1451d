"""The activity page (lesson reader, workshop summary, or the page another app registers), marking lessons
complete, and the lesson's ebook, captions and pictures."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.catalog import selectors as catalog_selectors
from courses.catalog.models import Activity, Lesson
from courses.catalog.pages.activities import render_activity
from courses.catalog.pages.catalog import error_message
from courses.catalog.pages.player import activity_in_course, player_context
from courses.catalog.pages.video import default_track, video_view
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments import services
from courses.enrollments.models import Enrollment
from courses.enrollments.services.resume import enrollment_activity_open
from courses.workshops import selectors as workshop_selectors
from courses.workshops.models import WorkshopSession
from lms.errors import ApplicationError
from lms.files import file_response

EBOOK_TYPES = {"pdf": ("application/pdf", "pdf"), "epub": ("application/epub+zip", "epub")}


@require_GET
def activity_page(request, slug, activity_id):
    course, outline, index = activity_in_course(request, slug, activity_id)
    context = player_context(course, outline, index)
    item = outline.items[index]
    if outline.is_open:
        enrollment_activity_open(enrollment=outline.enrollment, activity=item.activity)
    if item.activity.kind == Activity.Kind.LESSON:
        return _lesson_page(request, course, outline, context)
    if item.activity.kind == Activity.Kind.WORKSHOP:
        return _workshop_page(request, context)
    response = render_activity(request, course, item.activity, outline.enrollment, player=context)
    if response is None:
        raise Http404
    return response


def _lesson_page(request, course, outline, context: dict):
    lesson: Lesson | None = getattr(context["activity"], "lesson", None)
    readable = enrollment_selectors.lesson_readable(actor=request.user, course=course, enrollment=outline.enrollment)
    context.update(
        lesson=lesson,
        readable=readable,
        video=video_view(lesson=lesson, course=course)
        if readable and lesson and (lesson.video or lesson.video_url or lesson.content_type == Lesson.ContentType.VIDEO)
        else None,
        can_complete=outline.is_open and not context["item"].done,
        sign_in_url=f"{reverse('pages:sign-in')}?next={request.path}",
    )
    return render(request, "courses/pages/lesson.html", context)


def _workshop_page(request, context: dict):
    workshop = workshop_selectors.workshops_visible_to(actor=request.user).filter(
        activity=context["activity"]).first()
    sessions = []
    if workshop is not None:
        sessions = list(
            workshop_selectors.sessions_visible_to(actor=request.user)
            .filter(workshop=workshop, status=WorkshopSession.Status.SCHEDULED, starts_at__gt=timezone.now())
            .order_by("starts_at", "id")
        )
    context.update(workshop=workshop, sessions=sessions)
    return render(request, "courses/pages/workshop_activity.html", context)


@require_POST
def lesson_complete(request, slug, activity_id):
    activity_url = reverse("pages:activity", args=[slug, activity_id])
    if not request.user.is_authenticated:
        return redirect_to_login(activity_url)
    _course, outline, index = activity_in_course(request, slug, activity_id)
    item = outline.items[index]
    _previous, following = outline.neighbours(index)
    course_url = reverse("pages:course", args=[slug])
    if not outline.is_open:
        messages.error(request, _("Enroll in the course to record your progress."))
        return redirect(course_url)
    if item.done:
        # A second click (or a resent form) records nothing more.
        messages.info(request, _("You had already completed this lesson."))
    else:
        was_completed = outline.enrollment.status == Enrollment.Status.COMPLETED
        try:
            progress = services.lesson_complete(enrollment=outline.enrollment, activity=item.activity)
        except ApplicationError as exc:
            messages.error(request, error_message(exc))
            return redirect(activity_url)
        if not was_completed and progress.enrollment.status == Enrollment.Status.COMPLETED:
            messages.success(request, _("Congratulations: you completed the course! Your certificate is on its "
                                        "way."))
            return redirect(course_url)
        messages.success(request, _("Lesson marked as complete."))
    if following is not None:
        return redirect("pages:activity", slug=slug, activity_id=following.pk)
    return redirect(course_url)


def _readable_lesson(request, slug: str, activity_id: int) -> Lesson:
    """The lesson, if the API would let the caller read it (courses.enrollments.selectors.lesson_for); else 404."""
    lesson, _enrollment = enrollment_selectors.lesson_for(actor=request.user, activity_id=activity_id)
    if lesson.activity.course.slug != slug:
        raise Http404
    return lesson


def _attachment(file, *, filename: str, content_type: str) -> HttpResponse:
    return file_response(file, as_attachment=True, filename=filename, content_type=content_type)


def _safe_name(title: str, extension: str, fallback: str) -> str:
    """An ASCII file name from the activity's title ("The handbook!" -> "the-handbook.pdf")."""
    stem = slugify(title)[:80].strip("-") or fallback
    return f"{stem}.{extension}"


@require_GET
def lesson_ebook(request, slug, activity_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lesson = _readable_lesson(request, slug, activity_id)
    if not lesson.ebook:
        raise Http404
    content_type, extension = EBOOK_TYPES.get(lesson.ebook_kind, EBOOK_TYPES["pdf"])
    return _attachment(lesson.ebook, filename=_safe_name(lesson.activity.title, extension, "ebook"),
                       content_type=content_type)


@require_GET
def lesson_captions(request, slug, activity_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lesson = _readable_lesson(request, slug, activity_id)
    course = lesson.activity.course
    track = default_track(catalog_selectors.lesson_caption_tracks(lesson=lesson), page_language=course.language,
                          course_language=course.language)
    if track is None:
        raise Http404
    return _attachment(track.file, filename=_safe_name(lesson.activity.title, "vtt", "captions"),
                       content_type="text/vtt; charset=utf-8")


@require_GET
def lesson_image(request, slug, activity_id, image_id, format):
    """A picture of an article, for whoever may read the lesson (404 otherwise, signed in or not). Its address
    names its row, which a new upload never reuses, so the reader's browser may keep it."""
    image = enrollment_selectors.lesson_image_for(actor=request.user, activity_id=activity_id, image_id=image_id,
                                                  format=format)
    if image.lesson.activity.course.slug != slug:
        raise Http404
    return file_response(image.file, content_type=f"image/{format}", cache_control="private, max-age=86400")
