"""Role-plays in the browser: the scenario and its rubric at the activity's address with the learner's
submission form (a transcript or a recording), submitting through ``services.performance_submit``, and
the learner's results (``roleplay_selectors.performance_detail``): the reviews, the per-criterion scores
and the gap between the self-review and how the others saw it."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments.roleplays import consent, selectors
from assessments.roleplays.errors import RoleplayConflict, RoleplayError
from assessments.roleplays.models import Performance, ReviewerRole, Scenario
from assessments.roleplays.pages.forms import PerformanceForm
from assessments.roleplays.pages.rubrics import rubric_matrix
from assessments.roleplays.selectors import consent as consent_selectors
from assessments.roleplays.services import consent as consent_services
from assessments.roleplays.services import performances as services
from courses.catalog.pages.player import activity_player
from courses.enrollments import selectors as course_selectors
from courses.enrollments.models import Enrollment
from lms.errors import NotFound

READABLE = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)
WAITING = (Performance.Status.SUBMITTED, Performance.Status.IN_REVIEW)
STEP_LABELS = {
    Performance.Step.PEERS: gettext_lazy("Your peers"), Performance.Step.SUPERVISOR: gettext_lazy("Your supervisor"),
    Performance.Step.INSTRUCTORS: gettext_lazy("The course's instructors"),
    Performance.Step.ADMINS: gettext_lazy("Your organization's admins"),
    Performance.Step.CLOSED: gettext_lazy("Nobody"),
}


def role_label(role: str) -> str:
    return {
        ReviewerRole.SELF: _("Self-review"), ReviewerRole.PEER: _("Peer"),
        ReviewerRole.SUPERVISOR: _("Supervisor or instructor"), ReviewerRole.PARTNER: _("Partner (as the customer)"),
        ReviewerRole.EXPERT: _("Expert"),
    }.get(role, role)


def performance_error(exc: RoleplayError | RoleplayConflict) -> str:
    """The service's refusal, in the reader's language where we know the case."""
    return {
        "invalid_media": _("This file is not an audio or video recording. Use MP3, WAV, OGG, FLAC, MP4, M4A, "
                           "MOV or WebM."),
        "media_too_large": _("The recording is larger than %(size)s MB.") % {
            "size": settings.ROLEPLAY_MEDIA_MAX_BYTES // (1024 * 1024)},
        "performance_pending": _("Your previous performance is still being reviewed; you can perform again once "
                                 "it is scored."),
        "enrollment_required": _("Enroll in the course to perform this scenario."),
        "recording_consent_required": _("Tick the consent box to send a recording, or send only a transcript. "
                                        "If the box was ticked, the consent text has changed: read it again."),
    }.get(exc.code, exc.message)


def _enrollment(request: HttpRequest, course) -> Enrollment | None:
    enrollment = course_selectors.user_enrollment(user=request.user, course=course)
    return enrollment if enrollment is not None and enrollment.status in READABLE else None


def _render_scenario(request: HttpRequest, scenario: Scenario, *, form: PerformanceForm | None = None,
                     status: int = 200, player: dict | None = None) -> HttpResponse:
    activity = scenario.activity
    enrollment = _enrollment(request, activity.course)
    performances = list(selectors.own_performances(actor=request.user, scenario=scenario)) if enrollment else []
    waiting = next((p for p in performances if p.status in WAITING), None)
    if enrollment is not None and waiting is None and form is None:
        form = PerformanceForm()
    context = {
        **(player or activity_player(request, activity)), "scenario": scenario,
        "rubric": rubric_matrix(list(scenario.rubric.criteria.all())), "enrolled": enrollment is not None,
        "performances": performances, "waiting": waiting, "form": form if enrollment else None,
        "consent": consent.current(),
    }
    return render(request, "assessments/pages/roleplay.html", context, status=status)


def roleplay_page(request: HttpRequest, course, activity, enrollment, player: dict | None = None) -> HttpResponse:
    """The role-play activity: scenario, rubric, the learner's performances and the form to send one."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scenario = selectors.scenario_for_activity(actor=request.user, activity_id=activity.pk)
    return _render_scenario(request, scenario, player=player)


@require_POST
@login_required
def roleplay_submit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """Send a performance (multipart: transcript and/or recording). Bad input: the form again with the error
    (400) and nothing stored; a performance still in review: back to the scenario with the reason."""
    scenario = selectors.scenario_get(actor=request.user, scenario_id=scenario_id)
    activity_url = reverse("pages:activity", args=[scenario.activity.course.slug, scenario.activity_id])
    enrollment = _enrollment(request, scenario.activity.course)
    if enrollment is None:
        messages.error(request, _("Enroll in the course to perform this scenario."))
        return redirect(activity_url)
    form = PerformanceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("media")
        # Read one byte past the limit at most: the service refuses anything larger without our holding it all.
        media = (upload.read(settings.ROLEPLAY_MEDIA_MAX_BYTES + 1), upload.name) if upload else None
        try:
            performance = services.performance_submit(enrollment=enrollment, scenario=scenario,
                                                      transcript=form.cleaned_data["transcript"], media=media,
                                                      recording_consent=form.consent_version())
        except RoleplayConflict as exc:
            messages.error(request, performance_error(exc))
            return redirect(activity_url)
        except RoleplayError as exc:
            field = next((name for name in exc.fields if name in form.fields), None)
            form.add_error(field, performance_error(exc))
        else:
            messages.success(request, _("Your role-play is in. Reviewers have %(days)s days to score it.")
                             % {"days": scenario.review_days})
            return redirect("pages:roleplay-result", performance.pk)
    return _render_scenario(request, scenario, form=form, status=400)


@login_required
def roleplay_result(request: HttpRequest, performance_id: int) -> HttpResponse:
    """A performance and what the reader may see of its reviews; for the performer (and staff) the score
    breakdown per criterion with the self-review gap."""
    performance = selectors.performance_get(actor=request.user, performance_id=performance_id)
    body = selectors.performance_detail(actor=request.user, performance=performance)
    if body["performer"] is None:
        raise Http404  # peers and partners review at their own page; this one is the performer's
    scenario = performance.scenario
    criteria = selectors.rubric_criteria(rubric_id=scenario.rubric_id)
    titles = {criterion.pk: criterion.title for criterion in criteria}
    reviews = []
    for review in body["reviews"]:
        label = role_label(review["role"])
        if review["role"] == ReviewerRole.PEER:
            label = _("Peer %(number)s") % {"number": review["label"].rsplit(" ", 1)[-1]}
        reviews.append({**review, "label": label,
                        "scores": [{"title": titles.get(s["criterion"], ""), "points": s["points"]}
                                   for s in review["scores"]]})
    own = performance.enrollment.user_id == request.user.pk
    breakdown = body["breakdown"]
    if breakdown and not breakdown["roles"] and all(row["self"] is None for row in breakdown["criteria"]):
        breakdown = None  # nothing scored yet: no table of dashes
    context = {
        **activity_player(request, scenario.activity), "performance": performance, "scenario": scenario,
        "breakdown": breakdown, "reviews": reviews, "own": own, "recording_consent": body["recording_consent"],
        "performer": body["performer"], "standing": body["standing"],
        "step_label": STEP_LABELS.get(body["standing"]["escalation_step"], ""),
        "self_reviewed": any(r["role"] == ReviewerRole.SELF for r in body["reviews"]),
        "roles": [{"label": role_label(role), "score": score, "weight": body["breakdown"]["role_weights"].get(role)}
                  for role, score in body["breakdown"]["roles"].items()] if body["breakdown"] else [],
    }
    return render(request, "assessments/pages/roleplay_result.html", context)


@require_POST
@login_required
def roleplay_consent_withdraw(request: HttpRequest, performance_id: int) -> HttpResponse:
    """The performer withdraws their consent to the recording: it is deleted now (a link: removed); the
    transcript, reviews and score stay. Anyone else's performance: 404."""
    try:
        recording_consent = consent_selectors.recording_consent_of_performance(actor=request.user,
                                                                               performance_id=performance_id)
    except NotFound as exc:
        raise Http404 from exc
    already = recording_consent.withdrawn_at is not None
    consent_services.recording_consent_withdraw(consent=recording_consent, actor=request.user)
    if not already:
        link = recording_consent.performance.kind == Performance.Kind.LINK
        messages.success(request, _("Consent withdrawn: the link to your recording is removed. Reviewers go on "
                                    "with the transcript.") if link
                         else _("Consent withdrawn: the recording is deleted. Reviewers go on with the transcript."))
    return redirect("pages:roleplay-result", performance_id)
