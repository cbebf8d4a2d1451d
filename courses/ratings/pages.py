"""The reviews page of a course: what learners wrote (newest first), reporting a review, and for the
course's staff the moderation view (every rating, the most reported first) with hide and show again.
Every write goes through courses/ratings/services.py, as the API's do."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from courses.catalog import selectors as catalog_selectors
from courses.ratings import selectors as rating_selectors
from courses.ratings import services
from courses.ratings.errors import RatingErrorCode
from courses.ratings.models import RatingFlag
from lms.errors import ApplicationError, Forbidden
from lms.pages.forms import AccessibleFormMixin

REVIEWS_PAGE_SIZE = 20


class FlagForm(AccessibleFormMixin, forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why do you report it?"), choices=RatingFlag.Reason.choices)
    note = forms.CharField(label=gettext_lazy("Anything the course's staff should know (optional)"),
                           max_length=services.MAX_FLAG_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class HideForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason, kept for the course's staff"),
                             max_length=services.MAX_HIDE_REASON)


def _moderated(request, slug: str, rating_id: int):
    """The rating, for its course's staff; other people who see the course get the 403 page."""
    try:
        return rating_selectors.access_rating_moderate(actor=request.user, slug=slug, rating_id=rating_id)[1]
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def _prefix(rating_id: int) -> str:
    return f"r{rating_id}"


def _reviews_url(slug: str) -> str:
    return reverse("pages:course-reviews", args=[slug])


def _page(request, slug: str, *, bound: dict | None = None, status: int = 200, moderation: bool = False):
    course = catalog_selectors.course_get(actor=request.user, slug=slug)
    moderator = rating_selectors.can_moderate(actor=request.user, course=course)
    moderating = moderator and (moderation or request.GET.get("view") == "moderation")
    flagged_only = moderating and request.GET.get("flagged") == "1"
    queryset = (rating_selectors.ratings_for_moderation(course=course, flagged_only=flagged_only) if moderating
                else rating_selectors.reviews_visible(course=course))
    try:
        page = Paginator(queryset, REVIEWS_PAGE_SIZE).page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404 from None
    bound = bound or {}
    signed_in = request.user.is_authenticated
    rows = []
    for rating in page:
        form_class = HideForm if moderating else FlagForm
        form = bound.get(rating.pk) or form_class(prefix=_prefix(rating.pk))
        rows.append({"rating": rating, "form": form, "own": signed_in and rating.user_id == request.user.pk})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "courses/pages/reviews.html", {
        "nav": "catalog", "course": course, "rows": rows, "page": page, "query": query.urlencode(),
        "distribution": rating_selectors.rating_distribution(course=course),
        "moderator": moderator, "moderating": moderating, "flagged_only": flagged_only,
        "reported": rating_selectors.flags_by(user=request.user, course=course),
        "sign_in_url": f"{reverse('pages:sign-in')}?next={_reviews_url(course.slug)}",
    }, status=status)


@require_GET
def reviews_page(request, slug: str):
    return _page(request, slug)


@require_POST
def review_flag(request, slug: str, rating_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(_reviews_url(slug))
    rating = rating_selectors.access_rating_flag(actor=request.user, slug=slug, rating_id=rating_id)
    form = FlagForm(request.POST, prefix=_prefix(rating.pk))
    if form.is_valid():
        try:
            services.rating_flag(rating=rating, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, _("You cannot report your own review.")
                           if exc.code == RatingErrorCode.CANNOT_FLAG_OWN_REVIEW else exc.message)
        else:
            messages.success(request, _("Thank you. The course's staff will look at this review."))
            return redirect(f"{_reviews_url(slug)}#review-{rating.pk}")
    return _page(request, slug, bound={rating.pk: form}, status=409 if form.non_field_errors() else 400)


@require_POST
def review_hide(request, slug: str, rating_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(_reviews_url(slug))
    rating = _moderated(request, slug, rating_id)
    form = HideForm(request.POST, prefix=_prefix(rating_id))
    if not form.is_valid():
        return _page(request, slug, bound={rating_id: form}, status=400, moderation=True)
    services.rating_hide(rating=rating, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The review is hidden. It no longer counts in the course's rating."))
    return redirect(f"{_reviews_url(slug)}?view=moderation#review-{rating_id}")


@require_POST
def review_show(request, slug: str, rating_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(_reviews_url(slug))
    rating = _moderated(request, slug, rating_id)
    services.rating_unhide(rating=rating, actor=request.user)
    messages.success(request, _("The review is shown again."))
    return redirect(f"{_reviews_url(slug)}?view=moderation#review-{rating_id}")
