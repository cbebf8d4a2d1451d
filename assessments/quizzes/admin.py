"""The instructor's back office for quizzes: a quiz with its questions inline, a question with its
choices inline, JSON export (an action and a link) and a JSON import form.

Instructors see the quizzes of the courses they teach, org admins their organization's, superusers
all. Every save goes through ``assessments.services``, so the admin obeys the rules the API does.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from assessments.quizzes import selectors
from assessments.quizzes.errors import QuizAuthoringError
from assessments.quizzes.models import Attempt, Choice, Question, Quiz
from assessments.quizzes.services import authoring as quiz_authoring
from assessments.quizzes.services import transfer as quiz_transfer
from assessments.quizzes.services.authoring import QUIZ_FIELDS, clean_question
from courses.catalog.admin_scope import CourseScopedAdmin, is_course_staff, managed_course_ids
from courses.catalog.models import Activity
from lms.admin import ReadOnlyAdmin
from lms.errors import ApplicationError
from lms.scoping import is_unrestricted


class CourseStaffInline:
    """Inlines follow the course-staff rule too (instructors hold no Django model permissions)."""

    def has_view_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)


class CourseStaffAdmin(CourseScopedAdmin):
    course_field = "activity__course"


def _quiz_activities(request) -> QuerySet:
    activities = Activity.objects.filter(kind=Activity.Kind.QUIZ).select_related("course")
    if not is_unrestricted(request.user):
        activities = activities.filter(course__in=managed_course_ids(request))
    return activities.order_by("course__title", "module__position", "position")


class QuestionInline(CourseStaffInline, admin.TabularInline):
    """Existing questions, edited in place; new ones are added on the question page (with their choices)."""

    model = Question
    extra = 0
    fields = ["position", "kind", "prompt", "points", "feedback"]
    readonly_fields = ["kind"]
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quiz)
class QuizAdmin(CourseStaffAdmin):
    list_display = ["__str__", "course", "passing_score", "max_attempts", "time_limit_seconds",
                    "questions_per_attempt", "reveal_answers"]
    list_filter = ["reveal_answers", "activity__course"]
    search_fields = ["activity__title", "activity__course__title"]
    list_select_related = ["activity__course"]
    inlines = [QuestionInline]
    actions = ["export_json"]
    readonly_fields = ["links"]
    fields = ["activity", "instructions", "passing_score", "max_attempts", "time_limit_seconds",
              "shuffle_questions", "shuffle_choices", "questions_per_attempt", "reveal_answers", "links"]

    @admin.display(description="Course")
    def course(self, obj: Quiz) -> str:
        return obj.activity.course.title

    @admin.display(description="Questions and JSON")
    def links(self, obj: Quiz) -> str:
        if not obj.pk:
            return "-"
        return format_html(
            '<a href="{}?quiz={}">Add a question</a> · <a href="{}">Export JSON</a> · <a href="{}">Import JSON</a>',
            reverse("admin:assessments_question_add"), obj.pk,
            reverse("admin:assessments_quiz_export", args=[obj.pk]), reverse("admin:assessments_quiz_import"),
        )

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "activity"] if obj else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity":
            kwargs["queryset"] = _quiz_activities(request).filter(quiz__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in QUIZ_FIELDS if name in form.cleaned_data}
        if change:
            quiz_authoring.quiz_update(quiz=obj, **values)
        else:
            obj.pk = quiz_authoring.quiz_create(activity=form.cleaned_data["activity"], **values).pk

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            question = inline_form.instance
            if inline_form in formset.deleted_forms:
                try:
                    quiz_authoring.question_delete(question=Question.objects.get(pk=question.pk))
                except ApplicationError as exc:
                    self.message_user(request, f"{question}: {exc.message}", messages.ERROR)
                continue
            if not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            try:
                quiz_authoring.question_update(question=Question.objects.get(pk=question.pk), **{
                    name: data[name] for name in ("position", "prompt", "points", "feedback") if name in data})
            except ApplicationError as exc:
                self.message_user(request, f"{question}: {exc.message}", messages.ERROR)

    @admin.action(description="Export the selected quizzes as JSON")
    def export_json(self, request, queryset):
        documents = [selectors.quiz_document(quiz=quiz) for quiz in queryset.select_related("activity")]
        body = documents[0] if len(documents) == 1 else documents
        return _json_download(body, "quiz.json" if len(documents) == 1 else "quizzes.json")

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="assessments_quiz_import"),
            path("<int:quiz_id>/export/", self.admin_site.admin_view(self.export_view),
                 name="assessments_quiz_export"),
            *super().get_urls(),
        ]

    def export_view(self, request, quiz_id: int):
        quiz = get_object_or_404(self.get_queryset(request).select_related("activity"), pk=quiz_id)
        if not self.has_view_permission(request, quiz):
            return HttpResponse(status=403)
        return _json_download(selectors.quiz_document(quiz=quiz), f"quiz-{quiz.activity_id}.json")

    def import_view(self, request):
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = QuizImportForm(request.POST or None, request.FILES or None, activities=_quiz_activities(request))
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                quiz, created = quiz_transfer.quiz_import_json(activity=form.cleaned_data["activity"],
                                                               document=upload.read())
            except ApplicationError as exc:
                details = "; ".join(f"{key}: {' '.join(map(str, value))}" for key, value in exc.fields.items())
                form.add_error(None, f"{exc.message} {details}".strip())
            else:
                self.message_user(request, f"{'Created' if created else 'Replaced'} the quiz '{quiz}' with "
                                  f"{quiz.questions.count()} questions.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:assessments_quiz_change", args=[quiz.pk]))
        context = {**self.admin_site.each_context(request), "title": "Import a quiz from JSON", "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/assessments/quiz/import.html", context)


class QuizImportForm(forms.Form):
    activity = forms.ModelChoiceField(queryset=Activity.objects.none(),
                                      help_text="A quiz activity; its quiz is created or replaced.")
    file = forms.FileField(help_text="A quiz document (format empathy-lms/quiz, version 1), at most 1 MB.")

    def __init__(self, *args, activities: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise ValidationError("The file is larger than 1 MB.")
        return upload


def _json_download(body, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class QuestionForm(forms.ModelForm):
    accepted_answers_text = forms.CharField(
        label="Accepted answers", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Short text only: one accepted answer per line (case and spacing are ignored).",
    )

    class Meta:
        model = Question
        fields = ["quiz", "kind", "prompt", "points", "position", "feedback"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["accepted_answers_text"].initial = "\n".join(self.instance.accepted_answers or [])

    def clean(self):
        cleaned = super().clean()
        lines = (cleaned.get("accepted_answers_text") or "").splitlines()
        self.instance.accepted_answers = [line.strip() for line in lines if line.strip()]
        return cleaned


class ChoiceFormSet(BaseInlineFormSet):
    """Checks the question with its choices together, by the rules the services apply."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        question = self.instance
        choices = [
            {"text": form.cleaned_data.get("text", ""), "correct": form.cleaned_data.get("is_correct", False),
             "feedback": form.cleaned_data.get("feedback", "")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text")
        ]
        is_text = question.kind == Question.Kind.SHORT_TEXT
        try:
            clean_question(kind=question.kind, prompt=question.prompt or "", points=question.points,
                           feedback=question.feedback or "", choices=None if is_text and not choices else choices,
                           accepted_answers=question.accepted_answers if is_text else None)
        except QuizAuthoringError as exc:
            raise ValidationError([f"{key}: {' '.join(value)}" for key, value in exc.fields.items()] or
                                  [exc.message]) from None


class ChoiceInline(CourseStaffInline, admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 2
    fields = ["position", "text", "is_correct", "feedback"]


@admin.register(Question)
class QuestionAdmin(CourseStaffAdmin):
    course_field = "quiz__activity__course"
    form = QuestionForm
    list_display = ["__str__", "quiz", "kind", "points", "position"]
    list_filter = ["kind", "quiz__activity__course"]
    search_fields = ["prompt"]
    list_select_related = ["quiz__activity"]
    inlines = [ChoiceInline]
    fields = ["quiz", "kind", "prompt", "points", "position", "feedback", "accepted_answers_text"]

    def get_changeform_initial_data(self, request):
        return {"quiz": request.GET.get("quiz")}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz" and not is_unrestricted(request.user):
            kwargs["queryset"] = Quiz.objects.filter(activity__course__in=managed_course_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Saved with its choices in ``save_related``, through the services."""

    def save_related(self, request, form, formsets, change):
        question = form.instance
        choices = []
        for formset in formsets:
            # The services save the choices; the admin's change message still reads these.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for choice_form in formset.forms:
                data = choice_form.cleaned_data
                if not data or data.get("DELETE") or not data.get("text"):
                    continue
                entry = {"text": data["text"], "correct": data.get("is_correct", False),
                         "feedback": data.get("feedback", "")}
                if choice_form.instance.pk:
                    entry["id"] = choice_form.instance.pk
                choices.append((data.get("position") or 0, len(choices), entry))
        ordered = [entry for _, _, entry in sorted(choices, key=lambda item: item[:2])]
        fields = {"kind": question.kind, "prompt": question.prompt, "points": question.points,
                  "feedback": question.feedback, "accepted_answers": question.accepted_answers}
        if change:
            saved = quiz_authoring.question_update(question=Question.objects.get(pk=question.pk),
                                                   choices=ordered, position=question.position, **fields)
        else:
            saved = quiz_authoring.question_create(quiz=question.quiz, choices=ordered or None,
                                                   position=question.position,
                                                   **fields)
        question.pk = saved.pk

    def delete_model(self, request, obj):
        try:
            quiz_authoring.question_delete(question=obj)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "quiz", "learner", "number", "status", "score", "passed", "started_at", "submitted_at"]
    list_filter = ["status", "passed"]
    search_fields = ["enrollment__user__email", "quiz__activity__title"]
    list_select_related = ["quiz__activity", "enrollment__user"]
    readonly_fields = [f.name for f in Attempt._meta.fields]

    @admin.display(description="Learner")
    def learner(self, obj: Attempt) -> str:
        return obj.enrollment.user.email

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.attempt_scope_q(request.user))


