"""The authoring pages' forms (parsing only: every write goes through a catalog service)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import pgettext_lazy

from courses.catalog.models import Activity
from lms.error_codes import PlatformErrorCode
from lms.pages.forms import AccessibleFormMixin

KIND_LABELS = {
    Activity.Kind.LESSON: pgettext_lazy("teach", "Lesson (article, video or ebook)"),
    Activity.Kind.QUIZ: pgettext_lazy("teach", "Quiz"),
    Activity.Kind.ROLEPLAY: pgettext_lazy("teach", "Role-play"),
    Activity.Kind.SURVEY: pgettext_lazy("teach", "Survey"),
    Activity.Kind.WORKSHOP: pgettext_lazy("teach", "Workshop"),
}


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else obj.email


class CourseForm(AccessibleFormMixin, forms.Form):
    """A course's fields. ``organizations`` (new courses only) are those where the person may author;
    ``people`` (existing courses of an organization) are who may be named instructor."""

    title = forms.CharField(label=pgettext_lazy("teach", "Title"), max_length=200)
    slug = forms.SlugField(label=pgettext_lazy("teach", "Address name"), max_length=100, required=False,
                           help_text=pgettext_lazy("teach", "Letters, digits and dashes; made from the title when "
                                                            "left empty."))
    summary = forms.CharField(label=pgettext_lazy("teach", "Summary"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=pgettext_lazy("teach", "Description (Markdown)"), max_length=50_000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 8}))
    language = forms.CharField(label=pgettext_lazy("teach", "Language"), max_length=16, initial="en",
                               help_text=pgettext_lazy("teach", "A language tag such as en or pt-BR."))
    category = forms.CharField(label=pgettext_lazy("teach", "Category"), max_length=64, required=False)
    tags = forms.CharField(label=pgettext_lazy("teach", "Tags"), max_length=600, required=False,
                           help_text=pgettext_lazy("teach", "Separated by commas."))
    organization = forms.ModelChoiceField(label=pgettext_lazy("teach", "Organization"), queryset=None,
                                          required=False, empty_label=pgettext_lazy("teach", "Public catalog"))
    passing_score = forms.IntegerField(label=pgettext_lazy("teach", "Passing score (%)"), min_value=0,
                                       max_value=100, initial=0)
    due_days = forms.IntegerField(label=pgettext_lazy("teach", "Days to complete"), min_value=1, max_value=3650,
                                  required=False, help_text=pgettext_lazy("teach", "Counted from enrolment; empty "
                                                                                   "for no due date."))
    validity_months = forms.IntegerField(label=pgettext_lazy("teach", "Certificate valid for (months)"),
                                         min_value=1, max_value=600, required=False,
                                         help_text=pgettext_lazy("teach", "Empty: it does not expire."))
    cover = forms.FileField(label=pgettext_lazy("teach", "Cover picture"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                            help_text=pgettext_lazy("teach", "JPEG, PNG or WebP, at least 320 x 180 pixels."))
    cover_alt = forms.CharField(label=pgettext_lazy("teach", "What the cover shows"), max_length=250,
                                required=False, help_text=pgettext_lazy("teach", "For people who cannot see it; "
                                                                                  "required with a picture."))
    instructors = PersonChoiceField(label=pgettext_lazy("teach", "Instructors"), queryset=None, required=False,
                                    widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, organizations: Any = None, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
            del self.fields["slug"]
        else:
            self.fields["organization"].queryset = organizations
        if people is None:
            del self.fields["instructors"]
        else:
            self.fields["instructors"].queryset = people
        self._describe()

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()][:20]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "slug" in self.fields and not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:100]
        if data.get("cover") and not (data.get("cover_alt") or "").strip():
            self.add_error("cover_alt", pgettext_lazy("teach", "Say what the cover picture shows."))
        return data


class ModuleForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=pgettext_lazy("teach", "Module title"), max_length=200)


class ActivityForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=pgettext_lazy("teach", "Activity title"), max_length=200)
    kind = forms.ChoiceField(label=pgettext_lazy("teach", "Kind"), choices=list(KIND_LABELS.items()))
    required = forms.BooleanField(label=pgettext_lazy("teach", "Required to complete the course"), required=False,
                                  initial=True)
    weight = forms.IntegerField(label=pgettext_lazy("teach", "Weight in the final score"), min_value=0,
                                max_value=100, initial=1)


class ActivityEditForm(ActivityForm):
    kind = None  # type: ignore[assignment]


class IdListField(forms.Field):
    """Ids in order (one input per id): the new order of modules or activities."""
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        refusal = forms.ValidationError(pgettext_lazy("teach", "The order lists ids."), code=PlatformErrorCode.INVALID)
        try:
            ids = [int(item) for item in (value or [])]
        except (TypeError, ValueError):
            raise refusal from None
        if not ids or len(ids) > 1000 or min(ids) < 1:
            raise refusal
        return ids


class OrderForm(forms.Form):
    order = IdListField()
