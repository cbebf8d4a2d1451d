"""Form plumbing shared by every learner page: accessible errors and the sign-in form."""
from __future__ import annotations

import logging
import math
import smtplib

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from lms import lockout, selectors
from lms.error_codes import PlatformErrorCode
from lms.mail import mail_build, mail_language, site_link

logger = logging.getLogger(__name__)

RESET_SUBJECT = _("Reset your Empathy LMS password")


class AccessibleFormMixin:
    """Ties each field to its help text and errors (aria-describedby, aria-invalid)."""

    def _describe(self) -> None:
        # self._errors, not self.errors: describing must never start validation (from __init__ that
        # would run authentication inside the constructor, with the raw POST data in its frame).
        errors = self._errors or {}
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if name in errors:
                ids.append(f"{bound.auto_id}_errors")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()


class LockoutMessageMixin:
    """For forms built on AuthenticationForm: a locked account gets its own message instead of
    "wrong password" (the lockout itself is enforced by lms.lockout.LockoutModelBackend)."""

    @sensitive_variables()
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            wait = lockout.seconds_locked(self.cleaned_data.get("username"))
            if not wait:
                raise
            minutes = max(1, math.ceil(wait / 60))
            raise ValidationError(
                ngettext("Too many failed sign-ins for this account. Try again in %(minutes)d minute.",
                         "Too many failed sign-ins for this account. Try again in %(minutes)d minutes.",
                         minutes) % {"minutes": minutes},
                code=PlatformErrorCode.LOCKED,
            ) from None


class SignInForm(AccessibleFormMixin, LockoutMessageMixin, AuthenticationForm):
    username = forms.EmailField(label=_("Email address"), max_length=254,
                                widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": _("That email address and password do not match an account. Passwords are "
                           "case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class ResetRequestForm(AccessibleFormMixin, PasswordResetForm):
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        # People added by an admin or an HR import have no password yet (lms.services.
        # membership_add_person): this link is how they set their first one, so unlike Django's
        # default, accounts without a usable password get it too. Inactive accounts never do.
        return selectors.users_for_password_reset(email=email)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        # The view's template pair, rendered by lms/mail.py in the person's own language (else the language
        # of the page that asked, which LocaleMiddleware made the active one) with the link
        # on SITE_URL rather than on whatever host the request named (Django's subject template is unused).
        # A mail server that is down must not turn the request into a 500, nor tell the visitor
        # whether the address has an account: the page says "on its way" either way.
        user = context["user"]
        path = reverse("pages:password-reset-confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        message = mail_build(template=email_template_name.removesuffix(".txt"), to=to_email, from_email=from_email,
                             language=mail_language(user.language, translation.get_language()), subject=RESET_SUBJECT,
                             context={"email": to_email, "reset_url": site_link(path)})
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("password reset mail not sent: %s", exc.__class__.__name__)


class ResetPasswordForm(AccessibleFormMixin, SetPasswordForm):
    pass
