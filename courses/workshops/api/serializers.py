"""Serializers of the workshops API: what a session, workshop, registration and roster row look like, and
the input a session is created or changed with. Serializers never save."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.workshops.models import AttendanceMark, Registration, RegistrationEvent, Workshop, WorkshopSession
from lms.fields import Int64Field
from lms.serializers import ModelSerializer, Serializer


class WorkshopPersonSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class PartSerializer(Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    required = serializers.BooleanField()


class MyRegistrationSerializer(Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Registration.Status.choices)


class SessionSerializer(ModelSerializer):
    title = serializers.CharField(source="display_title")
    workshop = serializers.IntegerField(source="workshop_id")
    activity = serializers.IntegerField(source="workshop.activity_id")
    course = serializers.CharField(source="workshop.activity.course.slug")
    parts = PartSerializer(many=True)
    instructors = WorkshopPersonSerializer(many=True)
    booked = serializers.IntegerField(source="booked_count")
    waitlisted = serializers.IntegerField(source="waitlist_count")
    seats_left = serializers.SerializerMethodField()
    my_registration = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = WorkshopSession
        fields = ["id", "workshop", "activity", "course", "title", "status", "timezone", "starts_at", "ends_at",
                  "parts", "venue", "online_url", "capacity", "booked", "waitlisted", "seats_left", "waitlist_enabled",
                  "registration_opens_at", "registration_closes_at", "cancellation_cutoff_hours", "instructors",
                  "sequence", "my_registration", "ics_url"]

    def get_seats_left(self, obj: WorkshopSession) -> int:
        return max(0, obj.capacity - obj.booked_count)

    @extend_schema_field(MyRegistrationSerializer(allow_null=True))
    def get_my_registration(self, obj: WorkshopSession) -> dict | None:
        registration_id = getattr(obj, "my_registration_id", None)
        return {"id": registration_id, "status": obj.my_status} if registration_id else None

    def get_ics_url(self, obj: WorkshopSession) -> str:
        return f"/api/v1/workshops/sessions/{obj.pk}/ics/"


class WorkshopSerializer(ModelSerializer):
    title = serializers.CharField(source="activity.title")
    activity = serializers.IntegerField(source="activity_id")
    course = serializers.CharField(source="activity.course.slug")
    required = serializers.BooleanField(source="activity.required")
    instructors = WorkshopPersonSerializer(many=True)
    upcoming_sessions = serializers.IntegerField()

    class Meta:
        model = Workshop
        fields = ["id", "title", "activity", "course", "required", "description", "requires_approval", "instructors",
                  "upcoming_sessions"]


class EventSerializer(ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RegistrationEvent
        fields = ["kind", "at", "actor", "detail"]

    def get_actor(self, obj: RegistrationEvent) -> int | None:
        return obj.actor_id


class RegistrationSerializer(ModelSerializer):
    session = serializers.IntegerField(source="session_id")
    session_title = serializers.CharField(source="session.display_title")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    course = serializers.CharField(source="session.workshop.activity.course.slug")

    class Meta:
        model = Registration
        fields = ["id", "session", "session_title", "starts_at", "course", "status", "ticket", "attendance",
                  "registered_at", "updated_at"]


class RegistrationDetailSerializer(RegistrationSerializer):
    learner = WorkshopPersonSerializer(source="user")
    history = EventSerializer(source="events", many=True)

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "learner", "history"]


class MarkSerializer(Serializer):
    part = serializers.IntegerField(source="part_id")
    status = serializers.ChoiceField(choices=AttendanceMark.Status.choices)


class RosterRowSerializer(ModelSerializer):
    learner = WorkshopPersonSerializer(source="user")
    email = serializers.EmailField(source="user.email")
    marks = MarkSerializer(many=True)

    class Meta:
        model = Registration
        fields = ["id", "ticket", "status", "learner", "email", "registered_at", "attendance", "marks"]


class PartInputSerializer(Serializer):
    id = Int64Field(min_value=1, required=False, help_text="Keep this existing part (its calendar UID stays).")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    required = serializers.BooleanField(default=True)


class SessionInputSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    waitlist_enabled = serializers.BooleanField(required=False)
    registration_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    registration_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    cancellation_cutoff_hours = serializers.IntegerField(min_value=0, max_value=24 * 365, required=False)
    parts = PartInputSerializer(many=True, required=False, max_length=20)
