"""The activity editor at /teach/courses/<slug>/activities/<id>/: an activity's title and whether it is required, and
by the kind of lesson its article (Markdown with a preview drawn exactly as the learner's page draws it, and its reading
time), its pictures, its video (an address or a file) and caption tracks, or its ebook. A quiz is edited at its own
address (assessments' /teach/quizzes/<activity_id>/), which this page links to.

Every write goes through the catalog's services, the same ones the API calls; a refused form answers 400 with the
errors beside their fields and writes nothing, a conflict answers 409."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from courses.catalog import lesson_content, services
from courses.catalog import selectors as catalog_selectors
from courses.catalog.models import Activity, Lesson
from courses.catalog.pages.lesson_forms import (
    ActivityDetailsForm,
    ArticleForm,
    CaptionForm,
    EbookForm,
    ImageForm,
    VideoFileForm,
    VideoUrlForm,
    apply_service_error,
)
from courses.catalog.services import lesson_editing, structure
from courses.catalog.services import video as video_services
from courses.enrollments import selectors as enrollment_selectors
from courses.teaching.pages import teach_page
from lms.errors import ApplicationError, Conflict

ARTICLE_FRAGMENT = "courses/pages/_article.html"  # the learner's lesson page draws its article with it too
PREVIEW_HEADING = "preview-heading"


def reading_label(minutes: int) -> str:
    return ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {"minutes": minutes}


def _lesson(activity: Activity) -> Lesson:
    lesson = getattr(activity, "lesson", None) if activity.kind == Activity.Kind.LESSON else None
    if lesson is None:
        raise Http404
    lesson.activity = activity
    return lesson


def _article(activity: Activity, html: str) -> str:
    return render_to_string(ARTICLE_FRAGMENT, {"article_html": html, "course": activity.course,
                                               "labelledby": PREVIEW_HEADING})


def _context(request: HttpRequest, activity: Activity, bound: dict[str, Any]) -> dict[str, Any]:
    lesson = getattr(activity, "lesson", None) if activity.kind == Activity.Kind.LESSON else None
    course = activity.course
    context: dict[str, Any] = {
        "nav": "teach", "teach_nav": "courses", "activity": activity, "course": course, "lesson": lesson,
        "details_form": ActivityDetailsForm(initial={"title": activity.title, "required": activity.required}),
    }
    if lesson is not None:
        language = course.language
        context.update(
            article_form=ArticleForm(initial={"body": lesson.body}),
            preview_html=lesson.body_html, preview_minutes=lesson.reading_minutes,
            image_form=ImageForm(),
            images=[(image, services.lesson_image_url(image, course_slug=course.slug, activity_id=activity.pk))
                    for image in catalog_selectors.lesson_images_of(lesson=lesson)],
            video_url_form=VideoUrlForm(initial={"video_url": lesson.video_url,
                                                 "duration_minutes": lesson.video_duration_seconds // 60 or None}),
            video_file_form=VideoFileForm(), caption_form=CaptionForm(initial={"language": language}),
            tracks=catalog_selectors.lesson_caption_tracks(lesson=lesson), ebook_form=EbookForm(),
            embed_url=lesson_content.video_embed_url(lesson.video_url) if lesson.video_url else None,
        )
    context.update(bound)
    return context


def _render(request: HttpRequest, activity: Activity, status: int = 200, **bound: Any) -> HttpResponse:
    return render(request, "courses/teach/activity_edit.html", _context(request, activity, bound), status=status)


def _done(request: HttpRequest, activity: Activity, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    response = redirect("pages:teach-activity", slug=activity.course.slug, activity_id=activity.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request: HttpRequest, activity: Activity, name: str, form: Any, exc: ApplicationError,
             aliases: dict[str, str] | None = None, default: str | None = None) -> HttpResponse:
    apply_service_error(form, exc, aliases, default)
    return _render(request, activity, status=409 if isinstance(exc, Conflict) else 400, **{name: form})


def _save(request: HttpRequest, activity: Activity, *, name: str, form: Any, write: Callable[[dict], Any],
          message: str, anchor: str, aliases: dict[str, str] | None = None,
          default: str | None = None) -> HttpResponse:
    """Bind, check, write through the service, and answer: the page again (400/409, errors beside their fields) or
    a redirect to it with ``message``."""
    if not form.is_valid():
        return _render(request, activity, status=400, **{name: form})
    try:
        write(form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, activity, name, form, exc, aliases, default)
    return _done(request, activity, message, anchor)


def _details(request: HttpRequest, activity: Activity) -> HttpResponse:
    return _save(request, activity, name="details_form", form=ActivityDetailsForm(request.POST), anchor="details",
                 write=lambda data: structure.activity_update(activity=activity, title=data["title"],
                                                              required=data["required"]),
                 message=pgettext("teach", "The activity is saved."))


def _article_save(request: HttpRequest, activity: Activity) -> HttpResponse:
    lesson = _lesson(activity)
    return _save(request, activity, name="article_form", form=ArticleForm(request.POST), anchor="article",
                 write=lambda data: services.lesson_update(lesson=lesson, body=data["body"]),
                 message=pgettext("teach", "The article is saved."), default="body")


def _article_preview(request: HttpRequest, activity: Activity) -> HttpResponse:
    """The article as typed, drawn as the learner will see it, without saving it (the no-JavaScript preview)."""
    lesson = _lesson(activity)
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return _render(request, activity, status=400, article_form=form)
    preview = lesson_editing.lesson_preview(lesson=lesson, body=form.cleaned_data["body"])
    return _render(request, activity, article_form=form, preview_html=preview.html, preview_minutes=preview.minutes,
                   previewing=True)


def _image_add(request: HttpRequest, activity: Activity) -> HttpResponse:
    lesson = _lesson(activity)
    form = ImageForm(request.POST, request.FILES)

    def write(data: dict) -> None:
        upload = data["file"]
        services.lesson_image_add(lesson=lesson, data=upload.read(), alt=data["alt"], name=data["name"],
                                  filename=upload.name)
    return _save(request, activity, name="image_form", form=form, write=write, anchor="pictures",
                 message=pgettext("teach", "The picture is added."), default="file")


def _image_remove(request: HttpRequest, activity: Activity) -> HttpResponse:
    _lesson(activity)
    image_id = request.POST.get("image", "")
    if not image_id.isdigit() or len(image_id) > 18:
        raise Http404
    image = enrollment_selectors.access_lesson_image_manage(actor=request.user, activity_id=activity.pk,
                                                            image_id=int(image_id))
    services.lesson_image_remove(image=image)
    return _done(request, activity, pgettext("teach", "The picture is removed."), "pictures")


def _video_url(request: HttpRequest, activity: Activity) -> HttpResponse:
    lesson = _lesson(activity)

    def write(data: dict) -> None:
        fields: dict[str, Any] = {"video_url": data["video_url"].strip()}
        if data["duration_minutes"] is not None:
            fields["video_duration_seconds"] = data["duration_minutes"] * 60
        services.lesson_update(lesson=lesson, **fields)
    return _save(request, activity, name="video_url_form", form=VideoUrlForm(request.POST), write=write,
                 anchor="video", message=pgettext("teach", "The video is saved."),
                 aliases={"url": "video_url", "video_duration_seconds": "duration_minutes"}, default="video_url")


def _video_file(request: HttpRequest, activity: Activity) -> HttpResponse:
    lesson = _lesson(activity)

    def write(data: dict) -> None:
        video_services.lesson_video_set(lesson=lesson, file=data["file"], filename=data["file"].name)
    return _save(request, activity, name="video_file_form", form=VideoFileForm(request.POST, request.FILES),
                 write=write, anchor="video", message=pgettext("teach", "The video file is uploaded."),
                 aliases={"video": "file"}, default="file")


def _video_remove(request: HttpRequest, activity: Activity) -> HttpResponse:
    video_services.lesson_video_remove(lesson=_lesson(activity))
    return _done(request, activity, pgettext("teach", "The video file is removed."), "video")


def _caption(request: HttpRequest, activity: Activity) -> HttpResponse:
    lesson = _lesson(activity)

    def write(data: dict) -> None:
        video_services.lesson_caption_set(lesson=lesson, language=data["language"], data=data["file"].read(),
                                          label=data["label"], kind=data["kind"])
    return _save(request, activity, name="caption_form", form=CaptionForm(request.POST, request.FILES), write=write,
                 anchor="captions", message=pgettext("teach", "The caption track is saved."),
                 aliases={"captions": "file"}, default="file")


def _caption_remove(request: HttpRequest, activity: Activity) -> HttpResponse:
    video_services.lesson_caption_remove(lesson=_lesson(activity), language=request.POST.get("language", "")[:20])
    return _done(request, activity, pgettext("teach", "The caption track is removed."), "captions")


def _ebook(request: HttpRequest, activity: Activity) -> HttpResponse:
    lesson = _lesson(activity)

    def write(data: dict) -> None:
        services.lesson_attach_ebook(lesson=lesson, data=data["file"].read(), filename=data["file"].name)
    return _save(request, activity, name="ebook_form", form=EbookForm(request.POST, request.FILES), write=write,
                 anchor="ebook", message=pgettext("teach", "The ebook is uploaded."), aliases={"ebook": "file"},
                 default="file")


ACTIONS: dict[str, Callable[[HttpRequest, Activity], HttpResponse]] = {
    "details": _details, "article": _article_save, "preview": _article_preview, "image": _image_add,
    "image-remove": _image_remove, "video-url": _video_url, "video-file": _video_file, "video-remove": _video_remove,
    "caption": _caption, "caption-remove": _caption_remove, "ebook": _ebook,
}


@teach_page
@require_http_methods(["GET", "POST"])
def teach_activity(request, slug, activity_id):
    activity = catalog_selectors.access_activity_manage(actor=request.user, slug=slug, activity_id=activity_id)
    if request.method == "GET":
        return _render(request, activity)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, pgettext("teach", "That form is not one of this page's."))
        return _render(request, activity, status=400)
    return action(request, activity)


@teach_page
@require_POST
def teach_activity_preview(request, slug, activity_id):
    """The article as typed, as JSON for the editor's script: the learner's fragment and the reading time."""
    activity = catalog_selectors.access_activity_manage(actor=request.user, slug=slug, activity_id=activity_id)
    form = ArticleForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()}},
                            status=400)
    preview = lesson_editing.lesson_preview(lesson=_lesson(activity), body=form.cleaned_data["body"])
    return JsonResponse({"html": _article(activity, preview.html), "minutes": preview.minutes,
                         "reading_time": reading_label(preview.minutes), "words": preview.words})
