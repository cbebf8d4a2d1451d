"""Reads for the before/after survey activities.

Who sees what (the same rule as the API, assessments/api/instruments.py): a survey's instrument is for
learners with an active or completed enrollment in its course and for the course's managers; a learner
sees only their own response (answers, missing count, score and subscale scores). Whether a survey is
open is ``services.instruments.survey_is_open``'s business; these reads only gather it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from assessments.instruments.models import Instrument, InstrumentItem, InstrumentResponse, Survey
from courses.catalog.models import Activity
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.error_codes import PlatformErrorCode
from lms.errors import Forbidden, NotFound
from lms.models import Organization, Role
from lms.scoping import is_unrestricted, organization_ids_for

READABLE = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


@dataclass
class SurveyState:
    survey: Survey
    instrument: Instrument  # its organization joined, its items prefetched (the API's shape)
    items: list[InstrumentItem]
    enrollment: Enrollment | None  # the learner's own, when active or completed
    response: InstrumentResponse | None  # the learner's own answers, once given
    is_open: bool  # whether the learner can answer now

    @property
    def answered(self) -> bool:
        return self.response is not None


def survey_for_activity(*, activity_id: int) -> Survey | None:
    """The survey an activity gives (None while the activity has none); scope is the caller's to check."""
    return Survey.objects.select_related("activity__course", "instrument").filter(activity_id=activity_id).first()


def taking_enrollment(enrollment: Enrollment | None) -> Enrollment | None:
    """The enrollment when it lets its learner answer surveys (active or completed), else None."""
    return enrollment if enrollment is not None and enrollment.status in READABLE else None


def survey_state(*, survey: Survey, enrollment: Enrollment | None) -> SurveyState:
    """The instrument with its items, the learner's response and whether they can answer now; a constant
    number of queries whatever the number of items."""
    enrollment = taking_enrollment(enrollment)
    instrument = Instrument.objects.prefetch_related("items").select_related("organization").get(
        pk=survey.instrument_id)
    response = InstrumentResponse.objects.filter(survey=survey, enrollment=enrollment).first() if enrollment else None
    is_open = enrollment is not None and response is None and survey_is_open(survey=survey, enrollment=enrollment)
    return SurveyState(survey=survey, instrument=instrument, items=list(instrument.items.all()),
                       enrollment=enrollment, response=response, is_open=is_open)


def earlier_response(*, survey: Survey, enrollment: Enrollment) -> InstrumentResponse | None:
    """For a closing survey, the same learner's answers to the opening survey of the course on the same
    instrument (their own baseline, which they can read at that survey too); None otherwise."""
    if survey.timing != Survey.Timing.AFTER:
        return None
    return (InstrumentResponse.objects
            .filter(enrollment=enrollment, survey__timing=Survey.Timing.BEFORE,
                    survey__activity__course_id=survey.activity.course_id, survey__instrument_id=survey.instrument_id)
            .order_by("submitted_at", "id").first())


def survey_is_open(*, survey: Survey, enrollment: Enrollment) -> bool:
    if enrollment.status not in TAKING:
        return False
    course_id = enrollment.course_id
    if survey.timing == Survey.Timing.BEFORE:
        return not InstrumentResponse.objects.filter(enrollment=enrollment, survey__timing=Survey.Timing.AFTER,
                                                     survey__activity__course_id=course_id).exists()
    if enrollment.status == Enrollment.Status.COMPLETED:
        return True
    others = Activity.objects.filter(course_id=course_id, required=True).exclude(pk=survey.activity_id)
    passed = ActivityProgress.objects.filter(enrollment=enrollment, activity__in=others,
                                             status=ActivityProgress.Status.PASSED).count()
    return passed == others.count()


TAKING = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def instruments_visible_to(*, actor: Any) -> QuerySet[Instrument]:
    """Ours (no organization) and the actor's organizations' own, with their items."""
    instruments = Instrument.objects.prefetch_related("items").select_related("organization").order_by("title", "id")
    if is_unrestricted(actor):
        return instruments
    return instruments.filter(Q(organization__isnull=True) | Q(organization_id__in=organization_ids_for(actor)))


def access_instrument_import(*, actor: Any, organization_slug: str) -> Organization:
    """The organization to import an instrument into: org admins and instructors (superusers: any).

    404 (``organization_not_found``) when it does not exist or the actor is not a member; 403 for a member
    without either role.
    """
    organization = Organization.objects.filter(slug=organization_slug).first()
    allowed = organization_ids_for(actor, Role.ORG_ADMIN, Role.INSTRUCTOR)
    if organization is None or not (is_unrestricted(actor) or organization.pk in allowed):
        if organization is not None and organization.pk in organization_ids_for(actor):
            raise Forbidden("Only org admins and instructors import instruments.")
        raise NotFound("No such organization.", code=PlatformErrorCode.ORGANIZATION_NOT_FOUND)
    return organization
