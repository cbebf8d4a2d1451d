"""Catalog, course page, enrolling and rating: thin views over courses.selectors and courses.services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.catalog import selectors as catalog_selectors
from courses.catalog import sharing
from courses.catalog.pages.forms import CatalogFilterForm, RatingForm
from courses.catalog.pages.outline import course_outline
from courses.catalog.pages.player import course_nav
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments import services as enrollment_services
from courses.ratings import selectors as rating_selectors
from courses.ratings import services as rating_services
from courses.ratings.services import rating_eligible
from lms.errors import ApplicationError, NotFound

CATALOG_PAGE_SIZE = 12
LATEST_REVIEWS = 3  # on the course page; the reviews page has them all


def error_message(exc: ApplicationError) -> str:
    """A service's error in the visitor's language where we know its code; its own words otherwise."""
    known = {
        "course_not_published": _("This course is not open for enrollment."),
        "not_a_member": _("You are not a member of that organization."),
        "enrollment_not_active": _("Your enrollment is not active; enroll again to continue."),
        "not_a_lesson": _("This activity is completed through its own page, not marked as complete."),
        "rating_not_allowed": _("You can rate a course once you have completed it or reached half of it."),
        "invalid_rating": _("Rate from 1 to 5 stars."),
        "cannot_withdraw": _("Only a course in progress can be left."),
    }
    return known.get(exc.code, exc.message)


@require_GET
def catalog(request):
    languages, categories = catalog_selectors.catalog_facets(actor=request.user)
    form = CatalogFilterForm(request.GET or None, languages=languages, categories=categories)
    courses = catalog_selectors.course_with_my_state(catalog_selectors.course_catalog(actor=request.user), request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        status, page = 400, None
    else:
        filters = form.cleaned_data if form.is_bound else {}
        courses = catalog_selectors.courses_filter(
            courses, search=filters.get("search", ""), language=filters.get("language", ""),
            category=filters.get("category", ""),
        )
        try:
            page = Paginator(courses, CATALOG_PAGE_SIZE).page(request.GET.get("page") or 1)
        except (PageNotAnInteger, EmptyPage):
            raise Http404 from None
    query = request.GET.copy()
    query.pop("page", None)
    context = {"nav": "catalog", "form": form, "page": page, "query": query.urlencode(),
               "filtered": any(request.GET.get(name) for name in ("search", "language", "category"))}
    return render(request, "courses/pages/catalog.html", context, status=status)


@require_GET
def course_page(request, slug):
    course = catalog_selectors.course_detail(actor=request.user, slug=slug)
    enrollment = enrollment_selectors.user_enrollment(user=request.user, course=course)
    outline = course_outline(course, enrollment)
    return render(request, "courses/pages/course.html", _course_context(request, course, enrollment, outline))


def _course_context(request, course, enrollment, outline, *, rating_form=None) -> dict:
    can_rate = rating_eligible(enrollment)
    my_rating = None
    if can_rate and rating_form is None:
        my_rating = rating_selectors.ratings_of(course=course).filter(user=request.user).first()
        initial = {"stars": my_rating.stars, "review": my_rating.review} if my_rating else None
        rating_form = RatingForm(initial=initial)
    return {
        "nav": course_nav(outline),
        "course": course,
        "enrollment": enrollment,
        "outline": outline,
        "related": catalog_selectors.related_courses(actor=request.user, course=course),
        "translations": catalog_selectors.course_translations(actor=request.user, course=course),
        "share": sharing.share_links(course),
        "can_rate": can_rate,
        "my_rating": my_rating,
        "distribution": rating_selectors.rating_distribution(course=course),
        "latest_reviews": list(rating_selectors.reviews_visible(course=course)[:LATEST_REVIEWS]),
        "moderator": rating_selectors.can_moderate(actor=request.user, course=course),
        "rating_form": rating_form,
        "sign_in_url": f"{reverse('pages:sign-in')}?next={reverse('pages:course', args=[course.slug])}",
    }


@require_POST
def course_enroll(request, slug):
    course_url = reverse("pages:course", args=[slug])
    if not request.user.is_authenticated:
        return redirect_to_login(course_url)
    course = catalog_selectors.course_get(actor=request.user, slug=slug)
    try:
        _enrollment, created = enrollment_services.enrollment_create(user=request.user, course=course)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, error_message(exc))
        return redirect(course_url)
    if created:
        messages.success(request, _("You are enrolled. Welcome to the course!"))
    else:
        messages.info(request, _("You were already enrolled in this course."))
    back = request.POST.get("next", "")
    if back.startswith(course_url) and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                                       require_https=request.is_secure()):
        return redirect(back)  # the lesson or workshop page the learner enrolled from
    return redirect(course_url)


@require_POST
def course_withdraw(request, slug):
    """Leave a course in progress; the progress is kept, so enrolling again continues where it stopped."""
    course_url = reverse("pages:course", args=[slug])
    if not request.user.is_authenticated:
        return redirect_to_login(course_url)
    course = catalog_selectors.course_get(actor=request.user, slug=slug)
    enrollment = enrollment_selectors.user_enrollment(user=request.user, course=course)
    if enrollment is None:
        messages.error(request, _("You are not enrolled in this course."))
        return redirect(course_url)
    try:
        enrollment_services.enrollment_withdraw(enrollment=enrollment)
    except ApplicationError as exc:
        messages.error(request, error_message(exc))
        return redirect(course_url)
    messages.success(request, _("You left the course. Your progress is kept if you enroll again."))
    return redirect(course_url)


@require_POST
def course_rate(request, slug):
    course_url = reverse("pages:course", args=[slug])
    if not request.user.is_authenticated:
        return redirect_to_login(course_url)
    course = catalog_selectors.course_detail(actor=request.user, slug=slug)
    enrollment = enrollment_selectors.user_enrollment(user=request.user, course=course)
    if not rating_eligible(enrollment):
        messages.error(request, _("You can rate a course once you have completed it or reached half of it."))
        return redirect(course_url)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            _rating, created = rating_services.rating_upsert(user=request.user, course=course, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, _("Thank you for rating this course.") if created
                             else _("Your rating was updated."))
            return redirect(course_url)
    context = _course_context(request, course, enrollment, course_outline(course, enrollment), rating_form=form)
    return render(request, "courses/pages/course.html", context, status=400)
