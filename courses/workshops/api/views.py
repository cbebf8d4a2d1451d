"""Workshops: sessions, registration and the waitlist, attendance, roster, calendars."""
from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.enrollments.errors import EnrollmentErrorCode
from courses.workshops import calendars, roster_csv, selectors
from courses.workshops.api.serializers import (
    PartInputSerializer,
    RegistrationDetailSerializer,
    RegistrationSerializer,
    RosterRowSerializer,
    SessionInputSerializer,
    SessionSerializer,
    WorkshopSerializer,
)
from courses.workshops.errors import WorkshopErrorCode
from courses.workshops.models import AttendanceMark, Registration, Workshop, WorkshopSession
from courses.workshops.permissions import IsSessionInstructor
from courses.workshops.services import attendance as workshop_attendance
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as workshop_sessions
from lms.errors import NotFound
from lms.fields import Int64Field
from lms.filters import Int64Filter, StrictBooleanFilter
from lms.pagination import PageNumberPagination
from lms.permissions import IsAuthenticatedReadOnlyForApiKeys, IsPerson, IsReadOnly
from lms.selectors import none_of
from lms.serializers import Serializer

CALENDAR = {(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="iCalendar (RFC 5545).")}


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _ics_response(data: bytes, filename: str) -> HttpResponse:
    return _download(data, filename, "text/calendar; charset=utf-8")


# --- serializers -----------------------------------------------------------------------------


# --- workshops -------------------------------------------------------------------------------

class WorkshopListApi(GenericAPIView):
    """Workshops in the courses you can see, and those you teach."""

    serializer_class = WorkshopSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Workshop)

    @extend_schema(responses=WorkshopSerializer(many=True), tags=["workshops"])
    def get(self, request):
        queryset = selectors.workshops_visible_to(actor=request.user, course_slug=request.query_params.get("course"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class WorkshopDetailApi(APIView):
    @extend_schema(responses=WorkshopSerializer, tags=["workshops"])
    def get(self, request, workshop_id: int):
        return Response(WorkshopSerializer(selectors.workshop_get(actor=request.user, workshop_id=workshop_id)).data)


# --- sessions --------------------------------------------------------------------------------

class SessionFilter(django_filters.FilterSet):
    upcoming = StrictBooleanFilter(method="filter_upcoming",
                                   help_text="true: scheduled and not started yet; false: the others.")
    course = django_filters.CharFilter(field_name="workshop__activity__course__slug", help_text="A course's slug.")
    workshop = Int64Filter(field_name="workshop_id")
    instructor = django_filters.CharFilter(method="filter_instructor", help_text="A user id, or 'me'.")
    has_seats = StrictBooleanFilter(method="filter_has_seats",
                                    help_text="true: scheduled, not started, with a free seat.")
    status = django_filters.ChoiceFilter(choices=WorkshopSession.Status.choices)

    class Meta:
        model = WorkshopSession
        fields = ["upcoming", "course", "workshop", "instructor", "has_seats", "status"]

    def filter_upcoming(self, queryset, name, value):
        condition = Q(status=WorkshopSession.Status.SCHEDULED, starts_at__gt=timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    @extend_schema_field({"type": "string", "pattern": r"^(me|\d{1,18})$"})
    def filter_instructor(self, queryset, name, value):
        if value == "me":
            user_id = getattr(self.request.user, "pk", None)
        elif value.isdigit() and len(value) <= 18:
            user_id = int(value)
        else:
            raise serializers.ValidationError({"instructor": ["A user id, or 'me'."]})
        return queryset.filter(selectors.sessions_taught_by_q(user_id))

    def filter_has_seats(self, queryset, name, value):
        open_seat = Q(status=WorkshopSession.Status.SCHEDULED, starts_at__gt=timezone.now(),
                      booked_count__lt=F("capacity"))
        return queryset.filter(open_seat) if value else queryset.exclude(open_seat)


def _session_fields(data: dict) -> dict:
    fields = dict(data)
    if "parts" in fields:
        fields["parts"] = [dict(part) for part in fields["parts"]]
    return fields


class SessionListApi(GenericAPIView):
    """Sessions of the workshops you can see. Staff (instructors of the workshop, course managers)
    create sessions with POST."""
    error_codes = {
        "post": (WorkshopErrorCode.INVALID_SESSION,),
    }

    serializer_class = SessionSerializer
    pagination_class = PageNumberPagination
    filterset_class = SessionFilter
    queryset = none_of(WorkshopSession)
    # Anyone signed in lists; only people (never API keys) create.
    permission_classes = [IsAuthenticatedReadOnlyForApiKeys & (IsReadOnly | IsPerson)]

    class CreateInputSerializer(SessionInputSerializer):
        workshop = Int64Field(min_value=1)
        capacity = serializers.IntegerField(min_value=1, max_value=100_000)
        parts = PartInputSerializer(many=True, min_length=1, max_length=20)

    def get_queryset(self):
        return selectors.sessions_visible_to(actor=self.request.user).order_by("starts_at", "id")

    @extend_schema(responses=SessionSerializer(many=True), tags=["workshops"])
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=CreateInputSerializer, responses={201: SessionSerializer}, tags=["workshops"])
    def post(self, request):
        data = self.CreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _session_fields(data.validated_data)
        workshop = selectors.access_workshop_add_session(actor=request.user, workshop_id=fields.pop("workshop"))
        session = workshop_sessions.session_create(workshop=workshop, **fields)
        return Response(SessionSerializer(selectors.session_get(actor=request.user, session_id=session.pk)).data,
                        status=status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    error_codes = {
        "patch": (WorkshopErrorCode.CAPACITY_BELOW_BOOKINGS, WorkshopErrorCode.INVALID_SESSION,
                  WorkshopErrorCode.SESSION_CANCELLED),
    }

    @extend_schema(responses=SessionSerializer, tags=["workshops"])
    def get(self, request, session_id: int):
        return Response(SessionSerializer(selectors.session_get(actor=request.user, session_id=session_id)).data)

    @extend_schema(request=SessionInputSerializer, responses=SessionSerializer, tags=["workshops"])
    def patch(self, request, session_id: int):
        session = selectors.access_session_manage(actor=request.user, session_id=session_id, action="change")
        data = SessionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        workshop_sessions.session_update(session=session, actor=request.user, **_session_fields(data.validated_data))
        return Response(SessionSerializer(selectors.session_get(actor=request.user, session_id=session_id)).data)


class SessionCancelApi(APIView):
    """Cancel the whole session (staff): every place is released and booked learners get a CANCEL."""

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=SessionSerializer, tags=["workshops"])
    def post(self, request, session_id: int):
        session = selectors.access_session_manage(actor=request.user, session_id=session_id, action="cancel")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workshop_sessions.session_cancel(session=session, actor=request.user, reason=data.validated_data["reason"])
        return Response(SessionSerializer(selectors.session_get(actor=request.user, session_id=session_id)).data)


class SessionIcsApi(APIView):
    """The session as an .ics file (every part, in the session's time zone)."""

    @extend_schema(responses=CALENDAR, tags=["workshops"])
    def get(self, request, session_id: int):
        session = selectors.session_get(actor=request.user, session_id=session_id)
        return _ics_response(calendars.session_ics(session), f"workshop-session-{session.pk}.ics")


class RegisterApi(APIView):
    """Take a seat: booked when one is free, waitlisted when full, or waiting for approval.
    A repeat while you hold a place returns it (200)."""
    error_codes = (WorkshopErrorCode.NOT_ENROLLED, WorkshopErrorCode.OVERLAPPING_SESSION,
                   WorkshopErrorCode.REGISTRATION_CLOSED, WorkshopErrorCode.REGISTRATION_NOT_OPEN,
                   WorkshopErrorCode.SESSION_CANCELLED, WorkshopErrorCode.SESSION_FULL,
                   WorkshopErrorCode.SESSION_STARTED)

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={200: RegistrationSerializer, 201: RegistrationSerializer},
                   tags=["workshops"])
    def post(self, request, session_id: int):
        session = selectors.session_get(actor=request.user, session_id=session_id)
        registration, created = workshop_sessions.registration_create(session=session, user=request.user)
        registration = selectors.registrations_of(user=request.user).get(pk=registration.pk)
        return Response(RegistrationSerializer(registration).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttendanceApi(APIView):
    """Mark attendance in bulk (the session's instructors): all marks are saved, or none."""
    error_codes = (EnrollmentErrorCode.ACTIVITY_NOT_IN_COURSE, EnrollmentErrorCode.ENROLLMENT_NOT_ACTIVE,
                   EnrollmentErrorCode.INVALID_SCORE, EnrollmentErrorCode.INVALID_TIME,
                   WorkshopErrorCode.INVALID_ATTENDANCE, WorkshopErrorCode.NOT_SESSION_INSTRUCTOR,
                   WorkshopErrorCode.SESSION_CANCELLED)

    permission_classes = [IsPerson & IsSessionInstructor]

    class InputSerializer(Serializer):
        class Mark(Serializer):
            registration = Int64Field(min_value=1)
            part = Int64Field(min_value=1)
            status = serializers.ChoiceField(choices=AttendanceMark.Status.choices)

        marks = Mark(many=True, min_length=1, max_length=5000)

    class OutputSerializer(Serializer):
        created = serializers.IntegerField()
        changed = serializers.IntegerField()
        unchanged = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, tags=["workshops"])
    def post(self, request, session_id: int):
        session = selectors.session_get(actor=request.user, session_id=session_id)
        self.check_object_permissions(request, session)  # refuse before reading the body
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counts = workshop_attendance.attendance_record(session=session, actor=request.user,
                                                       marks=[dict(mark) for mark in data.validated_data["marks"]])
        return Response(counts)


class RosterApi(GenericAPIView):
    """Everyone registered, in arrival order, with their marks (the session's instructors and course managers)."""

    serializer_class = RosterRowSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Registration)

    @extend_schema(responses=RosterRowSerializer(many=True), tags=["workshops"])
    def get(self, request, session_id: int):
        session = selectors.access_session_manage(actor=request.user, session_id=session_id, action="roster")
        page = self.paginate_queryset(selectors.session_roster(session=session))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RosterCsvApi(APIView):
    """The roster as CSV: one row per learner, one column per part (cells are safe from formula injection)."""

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=["workshops"])
    def get(self, request, session_id: int):
        session = selectors.access_session_manage(actor=request.user, session_id=session_id, action="roster")
        data = roster_csv.roster_csv(session, selectors.session_roster(session=session))
        return _download(data, roster_csv.roster_filename(session), "text/csv; charset=utf-8")


# --- registrations ---------------------------------------------------------------------------

class RegistrationListApi(GenericAPIView):
    """Your workshop registrations, newest first."""

    serializer_class = RegistrationSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Registration)

    @extend_schema(responses=RegistrationSerializer(many=True), tags=["workshops"])
    def get(self, request):
        queryset = selectors.registrations_of(user=request.user, status=request.query_params.get("status"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RegistrationDetailApi(APIView):
    @extend_schema(responses=RegistrationDetailSerializer, tags=["workshops"])
    def get(self, request, registration_id: int):
        registration = selectors.registration_get(actor=request.user, registration_id=registration_id)
        return Response(RegistrationDetailSerializer(registration).data)


class RegistrationCancelApi(APIView):
    """Give up your place (booked seats until the session's cut-off); the next on the waitlist moves up."""
    error_codes = (WorkshopErrorCode.CANCELLATION_CLOSED, WorkshopErrorCode.NOT_REGISTERED)

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses=RegistrationDetailSerializer, tags=["workshops"])
    def post(self, request, registration_id: int):
        registration = selectors.access_registration_own(actor=request.user, registration_id=registration_id)
        workshop_sessions.registration_cancel(registration=registration, actor=request.user)
        registration = selectors.registration_get(actor=request.user, registration_id=registration_id)
        return Response(RegistrationDetailSerializer(registration).data)


class RegistrationDecideApi(APIView):
    error_codes = (WorkshopErrorCode.NOT_APPROVER, WorkshopErrorCode.NOT_PENDING, WorkshopErrorCode.REGISTRATION_CLOSED,
                   WorkshopErrorCode.REGISTRATION_NOT_OPEN, WorkshopErrorCode.SESSION_CANCELLED,
                   WorkshopErrorCode.SESSION_FULL, WorkshopErrorCode.SESSION_STARTED)

    permission_classes = [IsPerson]
    approve = True

    class InputSerializer(Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=RegistrationDetailSerializer, tags=["workshops"])
    def post(self, request, registration_id: int):
        registration = selectors.registration_get(actor=request.user, registration_id=registration_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workshop_sessions.registration_decide(registration=registration, actor=request.user, approve=self.approve,
                                              reason=data.validated_data["reason"])
        registration = selectors.registration_get(actor=request.user, registration_id=registration_id)
        return Response(RegistrationDetailSerializer(registration).data)


class RegistrationApproveApi(RegistrationDecideApi):
    """Approve a registration waiting for approval (the learner's manager or the workshop's staff)."""

    approve = True


class RegistrationDeclineApi(RegistrationDecideApi):
    """Decline a registration waiting for approval."""

    approve = False


# --- calendar feeds --------------------------------------------------------------------------

class CalendarFeedApi(APIView):
    """Your personal calendar feed: POST makes a new secret URL (shown once; the old one stops working),
    DELETE revokes it, GET says whether one is active."""

    permission_classes = [IsPerson]

    class StatusSerializer(Serializer):
        active = serializers.BooleanField()
        prefix = serializers.CharField(allow_null=True)
        created_at = serializers.DateTimeField(allow_null=True)
        last_used_at = serializers.DateTimeField(allow_null=True)

    class CreatedSerializer(Serializer):
        url = serializers.URLField()
        prefix = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(responses=StatusSerializer, tags=["workshops"])
    def get(self, request):
        token = selectors.calendar_feed_status(user=request.user)
        return Response({"active": token is not None, "prefix": token and token.prefix,
                         "created_at": token and token.created_at, "last_used_at": token and token.last_used_at})

    @extend_schema(request=None, responses={201: CreatedSerializer}, tags=["workshops"])
    def post(self, request):
        token, raw = workshop_mail.calendar_feed_create(user=request.user)
        return Response({"url": workshop_mail.calendar_feed_url(raw), "prefix": token.prefix,
                         "created_at": token.created_at}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, tags=["workshops"])
    def delete(self, request):
        workshop_mail.calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedIcsApi(APIView):
    """A personal feed, for calendar apps: the secret in the URL is the only credential."""
    error_codes = (WorkshopErrorCode.FEED_NOT_FOUND,)

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=CALENDAR, tags=["workshops"], auth=[])
    @sensitive_variables()  # the feed's secret is its URL
    def get(self, request, token: str):
        feed = selectors.calendar_feed_token_from_raw(raw=token)
        if feed is None:
            raise NotFound("No active calendar feed has this address.", code=WorkshopErrorCode.FEED_NOT_FOUND)
        workshop_mail.calendar_feed_touch(token=feed)
        return _ics_response(calendars.feed_ics(selectors.calendar_feed_entries(user=feed.user)), "workshops.ics")
