"""Authoring: courses, modules, activities and lessons, and the derived time estimates."""
from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from courses.catalog import cover_images, lesson_images, search_index, selectors
from courses.catalog import lesson_content as content
from courses.catalog.errors import CatalogErrorCode
from courses.catalog.models import (
    Activity,
    Category,
    Course,
    CourseCoverRendition,
    Lesson,
    LessonCaption,
    LessonImage,
    Module,
    Tag,
    validate_language,
)
from courses.errors import CoursesError, CoursesErrorCode
from courses.hr_reports.services.exports import enrollments_touch
from lms.error_codes import PlatformErrorCode
from lms.errors import Conflict
from lms.models import User
from lms.uploads import upload_stem

COURSE_FIELDS = {"title", "summary", "description", "language", "category", "tags", "organization", "hours_credited",
                 "passing_score", "validity_months", "due_days", "translation_of", "cover_alt"}


def _category(value: str | Category | None) -> Category | None:
    if value is None or isinstance(value, Category):
        return value
    slug = slugify(value)[:64]
    if not slug:
        return None
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": value.replace("-", " ").title()})
    return category


def _tags(values: list[str]) -> list[Tag]:
    tags = []
    for value in values:
        slug = slugify(value)[:64]
        if slug:
            tags.append(Tag.objects.get_or_create(slug=slug, defaults={"name": value.strip()[:64]})[0])
    return tags


def _apply_course_fields(course: Course, fields: dict[str, Any]) -> list[Tag] | None:
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise CoursesError(f"Unknown course field(s): {', '.join(sorted(unknown))}.")
    tags = fields.pop("tags", None)
    if "language" in fields:
        try:
            validate_language(fields["language"])
        except ValidationError as exc:
            raise CoursesError(exc.messages[0], code=PlatformErrorCode.INVALID_LANGUAGE,
                               fields={"language": exc.messages}) from None
    if "category" in fields:
        fields["category"] = _category(fields["category"])
    if "cover_alt" in fields:
        fields["cover_alt"] = _cover_alt(fields["cover_alt"], required=bool(course.cover_image))
    for name, value in fields.items():
        setattr(course, name, value)
    if "description" in fields:
        course.description_html = content.render_markdown(course.description or "")
    return _tags(tags) if tags is not None else None


def course_create(*, slug: str, title: str, created_by: User | None = None, **fields: Any) -> Course:
    if not title.strip():
        raise CoursesError("A course needs a title.", fields={"title": ["This field is required."]})
    slug = slugify(slug)[:100]
    if not slug:
        raise CoursesError("A course needs a slug of letters, digits and dashes.", fields={"slug": ["Invalid."]})
    course = Course(slug=slug, title=title.strip())
    fields.setdefault("description", "")
    tags = _apply_course_fields(course, fields)
    try:
        with transaction.atomic():
            course.save()
            if tags is not None:
                course.tags.set(tags)
            if created_by is not None and not created_by.is_superuser:
                course.instructors.add(created_by)
            course_search_refresh(course=course)
    except IntegrityError:
        raise Conflict(f"A course with slug '{slug}' exists.", code=PlatformErrorCode.SLUG_TAKEN,
                       fields={"slug": ["Taken."]}) from None
    return course


def course_update(*, course: Course, **fields: Any) -> Course:
    shown_in_reports = ("slug", "title", "language")
    # From the database, not the instance: the admin's and the authoring pages' forms have already set the new
    # values on it, so comparing the instance with itself would see no change.
    before = (Course.objects.filter(pk=course.pk).values(*shown_in_reports).first() or {}) if course.pk else {}
    tags = _apply_course_fields(course, fields)
    with transaction.atomic():
        course.save()
        if tags is not None:
            course.tags.set(tags)
        if before and any(getattr(course, name) != before[name] for name in shown_in_reports):
            enrollments_touch(course_id=course.pk)  # the report rows show these: incremental sync must see it
        if before and course.language != before["language"]:
            course_reading_refresh(course=course)
        course_search_refresh(course=course)
    return course


def course_reading_refresh(*, course: Course) -> int:
    """Recompute the reading time of the course's articles at its language's rate, their activities'
    estimates and the course's; returns how many lessons changed."""
    changed = 0
    with transaction.atomic():
        for lesson in Lesson.objects.filter(activity__course=course).select_related("activity"):
            minutes = content.reading_minutes(lesson.word_count, course.language)
            if minutes == lesson.reading_minutes:
                continue
            lesson.reading_minutes = minutes
            lesson.save(update_fields=["reading_minutes"])
            lesson.activity.estimated_minutes = _estimate(lesson)
            lesson.activity.save(update_fields=["estimated_minutes"])
            changed += 1
        course_recompute_estimate(course=course)
    return changed


def course_search_refresh(*, course: Course) -> None:
    """Rewrite the course's entry in the catalog's full-text index (courses/catalog/search_index.py) from
    its title, summary, tags, description, and its modules', activities' and lessons' text: what a reader sees of
    the articles and transcripts (no markup, no picture names) and the words of every caption track."""
    texts: list[str] = list(Module.objects.filter(course=course).order_by("position", "id")
                            .values_list("title", flat=True))
    texts += Activity.objects.filter(course=course).order_by("position", "id").values_list("title", flat=True)
    for body, transcript in Lesson.objects.filter(activity__course=course).order_by("activity_id") \
            .values_list("body", "transcript"):
        texts += [content.plain_text(body), content.plain_text(transcript)]
    for cues in LessonCaption.objects.filter(lesson__activity__course=course).order_by("lesson_id", "language") \
            .values_list("cues", flat=True):
        texts.append(" ".join(str(cue[2]) for cue in cues if len(cue) == 3))
    tags = " ".join(Tag.objects.filter(courses=course).order_by("name").values_list("name", flat=True))
    with transaction.atomic():
        search_index.index_write(course.pk, search_index.Document(
            title=course.title, summary=course.summary, tags=tags, description=course.description,
            lessons="\n".join(text for text in texts if text), language=course.language))


CHECK_MESSAGES = {
    "has_activity": "The course has at least one activity.",
    "has_required": "At least one activity is required.",
    "lessons_have_content": "Every lesson has content (text, a video or an ebook).",
    "quizzes_have_questions": "Every quiz has questions.",
    "workshops_linked": "Every workshop activity has a workshop.",
    "roleplays_have_scenario": "Every role-play activity has a scenario.",
    "surveys_have_instrument": "Every survey activity has its questionnaire.",
}


def course_publish(*, course: Course, checks: bool = True) -> Course:
    """Publish the course once it meets every check (409 listing the unmet ones). ``checks=False`` asks only for
    an activity: for loaders that add quizzes' questions and workshops afterwards (the demo, test factories)."""
    results = selectors.course_publish_checks(course=course)
    unmet = [check for check in results if not check.met and (checks or check.code == "has_activity")]
    if unmet:
        lines = [CHECK_MESSAGES[check.code] + (f" ({', '.join(check.titles)})" if check.titles else "")
                 for check in unmet]
        code = CatalogErrorCode.COURSE_EMPTY if unmet[0].code == "has_activity" else CatalogErrorCode.COURSE_NOT_READY
        raise CoursesError("This course cannot be published yet: " + " ".join(lines), code=code, status_code=409,
                           fields={"checks": [check.code for check in unmet]})
    with transaction.atomic():
        course.status = Course.Status.PUBLISHED
        course.published_at = course.published_at or timezone.now()
        course.save(update_fields=["status", "published_at", "updated_at"])
    return course


def course_archive(*, course: Course) -> Course:
    with transaction.atomic():
        course.status = Course.Status.ARCHIVED
        course.save(update_fields=["status", "updated_at"])
    return course


def course_recompute_estimate(*, course: Course) -> int:
    """The course's estimate: the time its required activities take (what completing it asks for)."""
    total = Activity.objects.filter(course=course, required=True).aggregate(
        total=Sum("estimated_minutes"))["total"] or 0
    Course.objects.filter(pk=course.pk).update(estimated_minutes=total)
    course.estimated_minutes = total
    return total


def module_create(*, course: Course, title: str, position: int | None = None) -> Module:
    if not title.strip():
        raise CoursesError("A module needs a title.", fields={"title": ["This field is required."]})
    with transaction.atomic():
        if position is None:
            position = (course.modules.aggregate(top=Max("position"))["top"] or 0) + 1
        module = Module.objects.create(course=course, title=title.strip()[:200], position=position)
        course_search_refresh(course=course)
        return module


def _estimate(lesson: Lesson) -> int:
    if lesson.content_type == Lesson.ContentType.ARTICLE:
        return lesson.reading_minutes
    if lesson.content_type == Lesson.ContentType.VIDEO:
        return math.ceil(lesson.video_duration_seconds / 60)
    return content.ebook_minutes(lesson.ebook_pages) if lesson.ebook_pages else 0


def _apply_lesson_fields(lesson: Lesson, fields: dict[str, Any], *, language: str) -> None:
    """Set and check the lesson's fields; its reading time is at ``language``'s rate (the course's)."""
    allowed = {"content_type", "body", "video_url", "video_duration_seconds", "transcript"}
    unknown = set(fields) - allowed
    if unknown:
        raise CoursesError(f"Unknown lesson field(s): {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(lesson, name, value)
    if lesson.content_type not in Lesson.ContentType.values:
        raise CoursesError("Unknown lesson type.", code=CatalogErrorCode.INVALID_LESSON_TYPE,
                           fields={"content_type": [f"One of {', '.join(Lesson.ContentType.values)}."]})
    if lesson.video_duration_seconds < 0 or lesson.video_duration_seconds > 24 * 3600:
        raise CoursesError("A video lasts between 0 seconds and 24 hours.", code=CatalogErrorCode.INVALID_DURATION,
                           fields={"video_duration_seconds": ["Out of range."]})
    if lesson.video_url:
        # Checked whenever present: an article may keep a video link, but never an arbitrary string. A video
        # lesson without one plays its uploaded file (lesson_video_set).
        lesson.video_url = content.validate_video_url(lesson.video_url)
    _render_lesson(lesson)
    lesson.word_count = content.count_words(lesson.body or "")  # pictures are no words: no reading time either
    lesson.reading_minutes = content.reading_minutes(lesson.word_count, language)


def _render_lesson(lesson: Lesson) -> None:
    """The article's and transcript's HTML, with the lesson's pictures at their served addresses."""
    refs = _image_refs(lesson) if lesson.pk else {}
    lesson.body_html = content.render_markdown(lesson.body or "", refs)
    lesson.transcript_html = content.render_markdown(lesson.transcript or "", refs)


def lesson_image_url(image: LessonImage, *, course_slug: str, activity_id: int) -> str:
    return reverse("pages:lesson-image", args=[course_slug, activity_id, image.pk, image.file.name.rsplit(".", 1)[-1]])


def _image_refs(lesson: Lesson) -> dict[str, lesson_images.ImageRef]:
    activity = lesson.activity
    slug = Course.objects.values_list("slug", flat=True).get(pk=activity.course_id)
    return {image.name: lesson_images.ImageRef(url=lesson_image_url(image, course_slug=slug,
                                                                    activity_id=activity.pk),
                                               alt=image.alt, width=image.width, height=image.height)
            for image in LessonImage.objects.filter(lesson=lesson)}


def activity_create(
    *, module: Module, title: str, kind: str = Activity.Kind.LESSON, required: bool = True, weight: int = 1,
    position: int | None = None, estimated_minutes: int = 0, lesson: dict[str, Any] | None = None,
) -> Activity:
    """An activity; for a lesson, ``lesson`` holds its fields (content_type, body, video_url, ...)."""
    if not title.strip():
        raise CoursesError("An activity needs a title.", fields={"title": ["This field is required."]})
    if kind not in Activity.Kind.values:
        raise CoursesError("Unknown activity kind.", code=CoursesErrorCode.INVALID_KIND,
                           fields={"kind": [f"One of {', '.join(Activity.Kind.values)}."]})
    if not 0 <= weight <= 100:
        raise CoursesError("Weight is between 0 and 100.", fields={"weight": ["Out of range."]})
    with transaction.atomic():
        if position is None:
            position = (module.activities.aggregate(top=Max("position"))["top"] or 0) + 1
        activity = Activity(module=module, course_id=module.course_id, title=title.strip()[:200], kind=kind,
                            required=required, weight=weight, position=position,
                            estimated_minutes=max(0, estimated_minutes))
        lesson_obj = None
        if kind == Activity.Kind.LESSON:
            lesson_obj = Lesson()
            _apply_lesson_fields(lesson_obj, dict(lesson or {}), language=module.course.language)
            activity.estimated_minutes = _estimate(lesson_obj)
        activity.save()
        if lesson_obj is not None:
            lesson_obj.activity = activity
            lesson_obj.save()
        course_recompute_estimate(course=module.course)
        course_search_refresh(course=module.course)
    return activity


def lesson_update(*, lesson: Lesson, **fields: Any) -> Lesson:
    """Change a lesson; reading time and the course's estimate follow on save."""
    _apply_lesson_fields(lesson, fields, language=lesson.activity.course.language)
    with transaction.atomic():
        lesson.save()
        activity = lesson.activity
        activity.estimated_minutes = _estimate(lesson)
        activity.save(update_fields=["estimated_minutes"])
        course_recompute_estimate(course=activity.course)
        course_search_refresh(course=activity.course)
    return lesson


def lesson_attach_ebook(*, lesson: Lesson, data: bytes, filename: str) -> Lesson:
    """Validate an uploaded PDF or EPUB by its content and store it under a safe name."""
    info = content.inspect_ebook(data, max_bytes=settings.EBOOK_MAX_BYTES)
    safe_stem = upload_stem(filename, default="ebook", max_length=60)
    with transaction.atomic():
        old = lesson.ebook.name if lesson.ebook else ""
        lesson.content_type = Lesson.ContentType.EBOOK
        lesson.ebook.save(f"{safe_stem}.{info.kind}", ContentFile(data), save=False)
        lesson.ebook_kind, lesson.ebook_pages, lesson.ebook_size = info.kind, info.pages, info.size
        lesson.save()
        activity = lesson.activity
        activity.estimated_minutes = _estimate(lesson)
        activity.save(update_fields=["estimated_minutes"])
        course_recompute_estimate(course=activity.course)
        if old and old != lesson.ebook.name:
            transaction.on_commit(lambda: lesson.ebook.storage.delete(old))
    return lesson


def _image_alt(alt: str | None) -> str:
    alt = " ".join((alt or "").split())
    if not alt:
        raise CoursesError("A picture needs a text saying what it shows, for people who cannot see it.",
                           code=CatalogErrorCode.IMAGE_ALT_REQUIRED, fields={"alt": ["This field is required."]})
    if len(alt) > 250:
        raise CoursesError("The picture's text is at most 250 characters.", fields={"alt": ["Too long."]})
    return alt


def _image_name(name: str, filename: str) -> str:
    name = slugify(name or upload_stem(filename, default="image", max_length=64))[:64].strip("-_")
    if not lesson_images.NAME.match(name):
        raise CoursesError("Name the picture with letters, digits and dashes.", fields={"name": ["Invalid."]})
    return name


def lesson_image_add(*, lesson: Lesson, data: bytes, alt: str, name: str = "", filename: str = "image") -> LessonImage:
    """Add a picture the article shows as ``![alt](image:NAME)``: checked and redrawn without metadata
    (courses/catalog/lesson_images.py); the article is rendered again so a name it already used shows it."""
    alt = _image_alt(alt)
    name = _image_name(name, filename)
    prepared = lesson_images.image_prepare(data, max_bytes=settings.IMAGE_MAX_BYTES)
    image = LessonImage(lesson=lesson, name=name, alt=alt, width=prepared.width, height=prepared.height)
    storage = image.file.storage
    try:
        with transaction.atomic():
            Lesson.objects.select_for_update().filter(pk=lesson.pk).first()  # one upload at a time per lesson
            if LessonImage.objects.filter(lesson=lesson, name=name).exists():
                raise Conflict(f"This lesson already has a picture named '{name}'.",
                               code=CatalogErrorCode.IMAGE_NAME_TAKEN, fields={"name": ["Taken."]})
            image.file.save(f"{lesson.pk}-{name}.{prepared.format}", ContentFile(prepared.data), save=False)
            image.save()
            _lesson_rerender(lesson)
    except BaseException:
        if image.file.name:
            storage.delete(image.file.name)  # nothing half-written: the row rolled back, so does its file
        raise
    return image


def lesson_image_update(*, image: LessonImage, alt: str) -> LessonImage:
    """Change what a picture's text says; the article shows it at once."""
    image.alt = _image_alt(alt)
    with transaction.atomic():
        image.save(update_fields=["alt"])
        _lesson_rerender(image.lesson)
    return image


def lesson_image_remove(*, image: LessonImage) -> None:
    """Remove a picture; the article's ``image:NAME`` shows nothing until one is uploaded again."""
    storage, name, lesson = image.file.storage, image.file.name, image.lesson
    with transaction.atomic():
        image.delete()
        _lesson_rerender(lesson)
        transaction.on_commit(lambda: storage.delete(name))


def _lesson_rerender(lesson: Lesson) -> None:
    _render_lesson(lesson)
    lesson.save(update_fields=["body_html", "transcript_html", "updated_at"])


def _cover_alt(alt: str | None, *, required: bool) -> str:
    alt = " ".join((alt or "").split())
    if required and not alt:
        raise CoursesError("A cover picture needs a text saying what it shows, for people who cannot see it.",
                           code=CatalogErrorCode.COVER_ALT_REQUIRED, fields={"cover_alt": ["This field is required."]})
    if len(alt) > 250:
        raise CoursesError("The cover's text is at most 250 characters.", fields={"cover_alt": ["Too long."]})
    return alt


def _lock(course: Course) -> None:
    """Lock the course's row and read its cover as it is now (another upload may have just changed it)."""
    current = Course.objects.select_for_update().only("cover_image").get(pk=course.pk)
    course.cover_image.name = current.cover_image.name


def _cover_files(course: Course) -> list[str]:
    names = list(CourseCoverRendition.objects.filter(course=course).values_list("file", flat=True))
    return [*names, course.cover_image.name] if course.cover_image else names


def course_cover_set(*, course: Course, data: bytes, alt: str, filename: str = "cover") -> Course:
    """Make the picture in ``data`` the course's cover: checked and redrawn by Pillow (courses/catalog/
    cover_images.py) into every size and format, once, here; the previous cover's files go after the commit.
    A refused picture stores nothing."""
    alt = _cover_alt(alt, required=True)
    prepared = cover_images.cover_prepare(data, max_bytes=settings.COVER_MAX_BYTES)
    stem = upload_stem(filename, default="cover", max_length=40)
    storage = course.cover_image.storage
    saved: list[str] = []
    try:
        with transaction.atomic():
            _lock(course)  # two uploads at once: one after the other, and the first one's files go too
            old = _cover_files(course)
            CourseCoverRendition.objects.filter(course=course).delete()
            for item in prepared.renditions:
                rendition = CourseCoverRendition(course=course, format=item.format, width=item.width,
                                                 height=item.height)
                rendition.file.save(f"{course.pk}-{stem}-{item.width}.{item.format}", ContentFile(item.data),
                                    save=False)
                saved.append(rendition.file.name)
                rendition.save()
            course.cover_image.save(f"{course.pk}-{stem}.{prepared.master.format}", ContentFile(prepared.master.data),
                                    save=False)
            saved.append(course.cover_image.name)
            course.cover_alt = alt
            course.save(update_fields=["cover_image", "cover_alt", "updated_at"])
            transaction.on_commit(lambda: [storage.delete(name) for name in old])
    except BaseException:
        for name in saved:  # nothing half-written: the rows rolled back, so do their files
            storage.delete(name)
        raise
    return course


def course_cover_remove(*, course: Course) -> Course:
    """Drop the course's cover picture (its generated cover shows again); the files go after the commit."""
    storage = course.cover_image.storage
    with transaction.atomic():
        _lock(course)
        old = _cover_files(course)
        CourseCoverRendition.objects.filter(course=course).delete()
        course.cover_image = ""
        course.cover_alt = ""
        course.save(update_fields=["cover_image", "cover_alt", "updated_at"])
        transaction.on_commit(lambda: [storage.delete(name) for name in old])
    return course
