"""The back office for role-plays: rubrics (criteria inline, levels on each criterion, a "new version"
action), scenarios, review assignments (with reassignment) and calibration examples; instruments.

A rubric that reviews have scored against is read-only here, as in the services: make a new version.
Every save goes through ``assessments.services``.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from assessments.instruments.models import Instrument, InstrumentItem
from assessments.roleplays.models import CalibrationExample, Criterion, Level, ReviewAssignment, Rubric, Scenario
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services import rubrics as roleplay_rubrics
from assessments.roleplays.services.performances import SCENARIO_FIELDS
from assessments.roleplays.services.rubrics import rubric_in_use
from courses.catalog.admin_scope import CourseScopedAdmin, is_course_staff, managed_course_ids
from courses.catalog.models import Activity
from lms.errors import ApplicationError
from lms.models import User
from lms.scoping import is_unrestricted, organization_ids_for


def _rubrics_for(request):
    rubrics = Rubric.objects.all()
    if is_unrestricted(request.user):
        return rubrics
    return rubrics.filter(Q(organization__isnull=True) | Q(organization_id__in=organization_ids_for(request.user)))


class StaffOnly:
    def has_module_permission(self, request) -> bool:
        return is_course_staff(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FrozenWhenUsed:
    """Inlines and forms of a rubric that reviews have scored against cannot change."""

    def _rubric_of(self, obj):
        return obj if isinstance(obj, Rubric) else getattr(obj, "rubric", None)

    def has_change_permission(self, request, obj=None) -> bool:
        rubric = self._rubric_of(obj)
        return is_course_staff(request) and not (rubric is not None and rubric.pk and rubric_in_use(rubric=rubric))

    def has_add_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)


class CriterionInline(FrozenWhenUsed, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "key", "title", "description", "weight"]
    show_change_link = True

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)


class LevelInline(FrozenWhenUsed, admin.TabularInline):
    model = Level
    extra = 0
    fields = ["points", "label", "descriptor", "example"]

    def _rubric_of(self, obj):
        return obj.rubric if isinstance(obj, Criterion) else None

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(Rubric)
class RubricAdmin(StaffOnly, FrozenWhenUsed, admin.ModelAdmin):
    list_display = ["title", "slug", "version", "organization", "in_use"]
    list_filter = ["slug"]
    search_fields = ["title", "slug"]
    inlines = [CriterionInline]
    actions = ["new_version"]
    fields = ["organization", "slug", "version", "title", "description", "previous"]
    readonly_fields = ["version", "previous"]

    def get_queryset(self, request):
        return _rubrics_for(request)

    @admin.display(boolean=True, description="Scored against")
    def in_use(self, obj: Rubric) -> bool:
        return rubric_in_use(rubric=obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_course_staff(request)  # the title and description may always be corrected

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "slug", "organization"] if obj else self.readonly_fields

    def save_formset(self, request, form, formset, change):
        if form.instance.pk and rubric_in_use(rubric=form.instance) and formset.has_changed():
            self.message_user(request, "This rubric has been scored against: make a new version to change it.",
                              messages.ERROR)
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description="Make a new (editable) version of the selected rubrics")
    def new_version(self, request, queryset):
        for rubric in queryset:
            copy = roleplay_rubrics.rubric_new_version(rubric=rubric)
            self.message_user(request, f"Created {copy}.", messages.SUCCESS)


@admin.register(Criterion)
class CriterionAdmin(StaffOnly, FrozenWhenUsed, admin.ModelAdmin):
    list_display = ["title", "rubric", "weight", "position"]
    list_select_related = ["rubric"]
    inlines = [LevelInline]
    fields = ["rubric", "key", "title", "description", "weight", "position"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(rubric__in=_rubrics_for(request))

    def has_module_permission(self, request) -> bool:
        return False  # reached from its rubric


@admin.register(Scenario)
class ScenarioAdmin(CourseScopedAdmin):
    course_field = "activity__course"
    list_display = ["__str__", "course", "rubric", "peer_count", "peer_aggregation", "pass_threshold"]
    list_select_related = ["activity__course", "rubric"]
    search_fields = ["activity__title"]
    fields = ["activity", "rubric", "persona", "situation", "opportunities", "learner_instructions",
              "partner_instructions", "role_weights", "peer_aggregation", "peer_count", "review_days", "same_cohort",
              "pass_threshold", "calibration_threshold"]

    @admin.display(description="Course")
    def course(self, obj: Scenario) -> str:
        return obj.activity.course.title

    def get_readonly_fields(self, request, obj=None):
        return ["activity"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity":
            activities = Activity.objects.filter(kind=Activity.Kind.ROLEPLAY, scenario__isnull=True)
            if not is_unrestricted(request.user):
                activities = activities.filter(course__in=managed_course_ids(request))
            kwargs["queryset"] = activities
        if db_field.name == "rubric":
            kwargs["queryset"] = _rubrics_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SCENARIO_FIELDS if name in form.cleaned_data}
        if "calibration_threshold" in values:
            values["calibration_threshold"] = float(values["calibration_threshold"])
        if change:
            roleplay_performances.scenario_update(scenario=obj, rubric=form.cleaned_data["rubric"], **values)
        else:
            obj.pk = roleplay_performances.scenario_create(activity=form.cleaned_data["activity"],
                                                           rubric=form.cleaned_data["rubric"], **values).pk


class ReassignForm(forms.Form):
    email = forms.EmailField(label="New reviewer's email")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(CourseScopedAdmin):
    course_field = "performance__scenario__activity__course"
    list_display = ["id", "performance", "reviewer", "role", "reason", "status", "due_at", "reassign_link"]
    list_filter = ["status", "role", "reason"]
    list_select_related = ["reviewer", "performance"]
    search_fields = ["reviewer__email"]
    readonly_fields = ["performance", "reviewer", "role", "round", "reason", "status", "due_at", "created_at",
                       "closed_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Reassign")
    def reassign_link(self, obj: ReviewAssignment) -> str:
        if obj.status not in (ReviewAssignment.Status.PENDING, ReviewAssignment.Status.EXPIRED):
            return "-"
        return format_html('<a href="{}">Reassign</a>', reverse("admin:assessments_reviewassignment_reassign",
                                                                args=[obj.pk]))

    def get_urls(self):
        return [path("<int:assignment_id>/reassign/", self.admin_site.admin_view(self.reassign_view),
                     name="assessments_reviewassignment_reassign"), *super().get_urls()]

    def reassign_view(self, request, assignment_id: int):
        assignment = get_object_or_404(self.get_queryset(request), pk=assignment_id)
        form = ReassignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reviewer = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if reviewer is None:
                form.add_error("email", "No such person.")
            else:
                try:
                    roleplay_performances.assignment_reassign(assignment=assignment, reviewer=reviewer)
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.message_user(request, f"Reassigned to {reviewer}.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:assessments_reviewassignment_changelist"))
        context = {**self.admin_site.each_context(request), "title": f"Reassign: {assignment}", "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/assessments/reviewassignment/reassign.html", context)


class CalibrationExampleForm(forms.ModelForm):
    transcript = forms.CharField(widget=forms.Textarea, max_length=50_000)
    expert_scores = forms.CharField(widget=forms.Textarea, help_text='{"criterion-key": points, ...} for every '
                                    "criterion of the scenario's rubric.")

    class Meta:
        model = CalibrationExample
        fields = ["scenario", "title"]


@admin.register(CalibrationExample)
class CalibrationExampleAdmin(CourseScopedAdmin):
    course_field = "scenario__activity__course"
    list_display = ["title", "scenario", "created_by", "created_at"]
    list_select_related = ["scenario__activity", "created_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CalibrationExampleForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["scenario", "title", "performance", "created_by"] if obj else []

    def get_fields(self, request, obj=None):
        return ["scenario", "title", "performance", "created_by"] if obj else ["scenario", "title", "transcript",
                                                                               "expert_scores"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scenario" and not is_unrestricted(request.user):
            kwargs["queryset"] = Scenario.objects.filter(activity__course__in=managed_course_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        scenario = form.cleaned_data["scenario"]
        try:
            by_key = json.loads(form.cleaned_data["expert_scores"])
            keys = dict(Criterion.objects.filter(rubric_id=scenario.rubric_id).values_list("key", "pk"))
            scores = [{"criterion": keys.get(key), "points": points} for key, points in by_key.items()]
        except (ValueError, AttributeError):
            scores = None
        example = roleplay_reviews.calibration_example_create(scenario=scenario, title=form.cleaned_data["title"],
                                                              transcript=form.cleaned_data["transcript"],
                                                              expert=request.user, scores=scores)
        obj.pk = example.pk


class InstrumentItemInline(admin.TabularInline):
    model = InstrumentItem
    extra = 0
    fields = ["position", "key", "text", "reverse", "subscale"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(StaffOnly, admin.ModelAdmin):
    """Instruments are imported as JSON (POST /api/v1/instruments/import/); here they are read."""

    list_display = ["title", "slug", "version", "organization", "scoring"]
    inlines = [InstrumentItemInline]
    readonly_fields = ["organization", "slug", "version", "title", "instructions", "scale_min", "scale_max",
                       "scale_labels", "allow_na", "scoring", "max_missing", "licence"]
    fields = readonly_fields

    def get_queryset(self, request):
        instruments = super().get_queryset(request)
        if is_unrestricted(request.user):
            return instruments
        return instruments.filter(Q(organization__isnull=True) | Q(organization_id__in=organization_ids_for(
            request.user)))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
