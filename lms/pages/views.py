"""Sign in, sign out and password reset, on Django's auth views with our templates and a throttle."""
from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from lms.pages.forms import ResetPasswordForm, ResetRequestForm, SignInForm
from lms.throttles import page_throttle_wait


def favicon(request):
    """Browsers ask for /favicon.ico on every page that names no icon (the admin among them)."""
    return HttpResponsePermanentRedirect(static("lms/favicon.svg"))


class _ThrottledPostMixin:
    """POSTs share the strict per-address throttle of the API's sign-in endpoint (429 with Retry-After),
    and a form with errors comes back with 400, like every other bad input."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def post(self, request, *args, **kwargs):
        wait = page_throttle_wait(request)
        if wait is not None:
            response = render(request, "lms/throttled.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class SignInView(_ThrottledPostMixin, auth_views.LoginView):
    template_name = "lms/auth/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class ResetRequestView(_ThrottledPostMixin, auth_views.PasswordResetView):
    template_name = "lms/auth/reset_request.html"
    form_class = ResetRequestForm
    # The text and HTML pair ResetRequestForm.send_mail renders through lms/mail.py's shared layout.
    email_template_name = "lms/mail/password_reset.txt"
    html_email_template_name = "lms/mail/password_reset.html"
    success_url = reverse_lazy("pages:password-reset-sent")


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "lms/auth/reset_sent.html"


@method_decorator(sensitive_post_parameters("new_password1", "new_password2"), name="dispatch")
class ResetConfirmView(_ThrottledPostMixin, auth_views.PasswordResetConfirmView):
    template_name = "lms/auth/reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("pages:password-reset-done")

    @method_decorator(sensitive_variables())
    def dispatch(self, *args, **kwargs):
        # Django's dispatch holds the reset token (from the URL or the session) in local variables;
        # under this wrapper the error reporter leaves every frame below it out.
        return super().dispatch(*args, **kwargs)


class ResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "lms/auth/reset_done.html"
