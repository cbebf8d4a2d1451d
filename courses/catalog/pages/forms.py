"""Forms of the catalog, course and lesson pages (parsing only: every write goes through a service)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.templatetags.course_pages import language_name
from lms.pages.forms import AccessibleFormMixin


class CatalogFilterForm(AccessibleFormMixin, forms.Form):
    """The catalog's GET form. Choices are the languages and categories of the courses the visitor sees."""

    search = forms.CharField(label=_("Search courses"), max_length=200, required=False,
                             help_text=_("Words from the title, the summary or a topic."),
                             widget=forms.TextInput(attrs={"type": "search"}))
    language = forms.ChoiceField(label=_("Course language"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, languages: list[str], categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")),
                                           *((code, language_name(code)) for code in languages)]
        self.fields["category"].choices = [("", _("Any category")), *categories]


class RatingForm(AccessibleFormMixin, forms.Form):
    """Stars are a radio group the template draws in a fieldset (its legend names the group)."""

    stars = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect)
    review = forms.CharField(label=_("Review (optional)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stars"].choices = [
            (n, ngettext("%(count)s star", "%(count)s stars", n) % {"count": n}) for n in range(1, 6)]
