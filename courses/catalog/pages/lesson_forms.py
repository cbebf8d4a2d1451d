"""The lesson editor's forms (parsing only: every write goes through the catalog's services), and how a service's
refusal lands next to the field it is about."""
from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import pgettext_lazy

from courses.catalog.models import LessonCaption
from lms.errors import ApplicationError
from lms.pages.forms import AccessibleFormMixin

MAX_BODY = 200_000


def apply_service_error(form: forms.Form, exc: ApplicationError, aliases: Mapping[str, str] | None = None,
                        default: str | None = None) -> None:
    """Put a service's refusal on the form: each of its fields on the form's field of that name (``aliases`` maps the
    service's names to the form's), the rest on ``default`` (a field name) or the form as a whole."""
    aliases = aliases or {}
    placed = False
    for name, messages in (exc.fields or {}).items():
        target = aliases.get(name, name)
        target = target if target in form.fields else default
        for message in messages if isinstance(messages, (list, tuple)) else [messages]:
            form.add_error(target, str(message))
            placed = True
    if not placed:
        form.add_error(default, exc.message)
    if hasattr(form, "_describe"):
        form._describe()


class ActivityDetailsForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=pgettext_lazy("teach", "Title"), max_length=200)
    required = forms.BooleanField(label=pgettext_lazy("teach", "Required to complete the course"), required=False)


class ArticleForm(AccessibleFormMixin, forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("teach", "Article (Markdown)"), required=False, max_length=MAX_BODY, strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
        help_text=pgettext_lazy("teach", "Headings with #, lists with -, links as [text](https://...), pictures as "
                                         "![what it shows](image:NAME) once uploaded below."),
        error_messages={"max_length": pgettext_lazy("teach", "Keep the text to %(limit_value)d characters or fewer.")})


class ImageForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=pgettext_lazy("teach", "Picture (JPEG, PNG or WebP)"),
                           widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    alt = forms.CharField(label=pgettext_lazy("teach", "What the picture shows"), max_length=250,
                          help_text=pgettext_lazy("teach", "Read aloud to people who cannot see it."))
    name = forms.CharField(label=pgettext_lazy("teach", "Name (optional)"), max_length=64, required=False,
                           help_text=pgettext_lazy("teach", "The NAME in image:NAME; made from the file's name if "
                                                            "left empty."))


class VideoUrlForm(AccessibleFormMixin, forms.Form):
    video_url = forms.CharField(label=pgettext_lazy("teach", "Video address (YouTube or Vimeo)"), max_length=2048,
                                required=False, widget=forms.URLInput(attrs={"inputmode": "url"}),
                                help_text=pgettext_lazy("teach", "An https:// address; leave empty to play the "
                                                                 "uploaded file."))
    duration_minutes = forms.IntegerField(label=pgettext_lazy("teach", "Length in minutes"), min_value=0,
                                          max_value=1440, required=False)


class VideoFileForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=pgettext_lazy("teach", "Video file (MP4 or WebM)"),
                           widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}))


class CaptionForm(AccessibleFormMixin, forms.Form):
    language = forms.CharField(label=pgettext_lazy("teach", "Language tag"), max_length=20,
                               help_text=pgettext_lazy("teach", "For example en or pt-BR."))
    label = forms.CharField(label=pgettext_lazy("teach", "Name in the player's menu (optional)"), max_length=80,
                            required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("teach", "Kind"), choices=[
        (LessonCaption.Kind.CAPTIONS, pgettext_lazy("teach", "Captions")),
        (LessonCaption.Kind.SUBTITLES, pgettext_lazy("teach", "Subtitles")),
    ])
    file = forms.FileField(label=pgettext_lazy("teach", "WebVTT file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}))


class EbookForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=pgettext_lazy("teach", "Ebook (PDF or EPUB)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.epub,application/pdf,"
                                                                            "application/epub+zip"}),
                           help_text=pgettext_lazy("teach", "Files with scripts, actions or attachments are "
                                                            "refused."))
