"""Reminders: your notification preferences, one-click unsubscribe, and organization policies."""
from __future__ import annotations

from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.errors import CoursesErrorCode
from courses.reminders import selectors, services
from courses.reminders.errors import ReminderErrorCode
from courses.reminders.models import ReminderPolicy, ReminderSettings
from courses.reminders.registry import sources
from lms.fields import LocalTimeField
from lms.permissions import IsPerson
from lms.serializers import ModelSerializer, Serializer
from lms.throttles import StrictThrottle

TAGS = ["reminders"]


def _kinds() -> list[str]:
    return list(sources())


class WeekdaysField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=7)
    unique_items = True  # the schema says so (lms.schema)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Give each weekday once.")
        return value


class PreferenceSerializer(Serializer):
    email_enabled = serializers.BooleanField()
    kinds = serializers.SerializerMethodField()
    quiet_start = LocalTimeField(allow_null=True)
    quiet_end = LocalTimeField(allow_null=True)
    quiet_days = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    timezone = serializers.SerializerMethodField()
    email_paused = serializers.SerializerMethodField()
    paused_reason = serializers.CharField()

    def get_kinds(self, obj) -> dict[str, bool]:
        return {kind: kind not in (obj.disabled_kinds or []) for kind in _kinds()}

    def get_timezone(self, obj) -> str:
        return obj.user.timezone

    def get_email_paused(self, obj) -> bool:
        return obj.paused_at is not None


class NotificationPreferencesApi(APIView):
    """Your reminder choices: all on or off, per kind, your own quiet hours and days (empty: your
    organization's), read in your time zone (``/api/v1/me/``'s ``timezone``)."""
    error_codes = {
        "patch": (CoursesErrorCode.INVALID_KIND,),
    }

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        email_enabled = serializers.BooleanField(required=False)
        kinds = serializers.DictField(child=serializers.BooleanField(), required=False)
        quiet_start = LocalTimeField(required=False, allow_null=True)
        quiet_end = LocalTimeField(required=False, allow_null=True)
        quiet_days = WeekdaysField(required=False, allow_null=True)
        resume = serializers.BooleanField(required=False, default=False,
                                          help_text="Resume sending to an address paused after a bounce.")

    @extend_schema(responses=PreferenceSerializer, tags=TAGS)
    def get(self, request):
        return Response(PreferenceSerializer(services.notification_preference_get(user=request.user)).data)

    @extend_schema(request=InputSerializer, responses=PreferenceSerializer, tags=TAGS)
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        quiet = {name: values[name] for name in ("quiet_start", "quiet_end", "quiet_days") if name in values}
        preference = services.notification_preference_update(
            user=request.user, email_enabled=values.get("email_enabled"), kinds=values.get("kinds"),
            quiet_hours=quiet or None, resume=values.get("resume", False))
        return Response(PreferenceSerializer(preference).data)


class UnsubscribeApi(APIView):
    """RFC 8058 one-click unsubscribe: the target of a reminder's ``List-Unsubscribe`` header. No sign-in;
    the signed token names the person and the kind. Strictly throttled."""
    error_codes = (ReminderErrorCode.INVALID_UNSUBSCRIBE_TOKEN,)

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [StrictThrottle]

    @extend_schema(request=None, auth=[], tags=TAGS, responses={200: inline_serializer(
        "UnsubscribeResult", {"unsubscribed": serializers.CharField(help_text="The kind, or * for all.")})})
    @sensitive_variables()  # the token is the credential
    def post(self, request, token: str):
        _, kind = services.notification_unsubscribe(token=token)
        return Response({"unsubscribed": kind})


# --- organization policies ------------------------------------------------------------------------

class PolicySerializer(ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = ReminderPolicy
        fields = ["id", "kind", "course", "enabled", "days", "updated_at"]


class KindSerializer(Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    default_enabled = serializers.BooleanField()
    default_days = serializers.IntegerField()
    days_means = serializers.CharField()
    per_course = serializers.BooleanField()


class PolicyListSerializer(Serializer):
    kinds = KindSerializer(many=True)
    policies = PolicySerializer(many=True)


def _kind_rows() -> list[dict]:
    return [{"kind": kind, "label": src.label, "default_enabled": src.default_enabled,
             "default_days": src.default_days, "days_means": src.days_help, "per_course": src.per_course}
            for kind, src in sources().items()]


class ReminderPolicyListApi(APIView):
    """The kinds with their defaults, and this organization's overrides (org admins)."""
    error_codes = {
        "post": (CoursesErrorCode.COURSE_NOT_FOUND, CoursesErrorCode.INVALID_KIND, ReminderErrorCode.INVALID_POLICY),
    }

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        kind = serializers.ChoiceField(choices=[])
        course = serializers.SlugField(required=False, allow_null=True, default=None)
        enabled = serializers.BooleanField(default=True)
        days = serializers.IntegerField(min_value=0, max_value=365, required=False, allow_null=True, default=None)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["kind"].choices = _kinds()

    @extend_schema(responses=PolicyListSerializer, tags=TAGS)
    def get(self, request, slug: str):
        organization = selectors.reminder_organization_get(actor=request.user, slug=slug)
        policies = selectors.reminder_policies_of(organization=organization)
        return Response(PolicyListSerializer({"kinds": _kind_rows(), "policies": policies}).data)

    @extend_schema(request=InputSerializer, responses={200: PolicySerializer, 201: PolicySerializer}, tags=TAGS)
    def post(self, request, slug: str):
        organization = selectors.reminder_organization_get(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        course = None
        if values.pop("course"):
            course = selectors.reminder_course_get(slug=data.validated_data["course"])
        policy, created = services.reminder_policy_upsert(organization=organization, course=course, **values)
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED if created else 200)


class ReminderPolicyDetailApi(APIView):
    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        enabled = serializers.BooleanField(required=False)
        days = serializers.IntegerField(min_value=0, max_value=365, required=False, allow_null=True)

    def _get(self, request, slug: str, policy_id: int) -> ReminderPolicy:
        organization = selectors.reminder_organization_get(actor=request.user, slug=slug)
        return selectors.reminder_policy_get(organization=organization, policy_id=policy_id)

    @extend_schema(request=InputSerializer, responses=PolicySerializer, tags=TAGS)
    def patch(self, request, slug: str, policy_id: int):
        policy = self._get(request, slug, policy_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(PolicySerializer(services.reminder_policy_update(policy=policy, **data.validated_data)).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Back to the defaults.")}, tags=TAGS)
    def delete(self, request, slug: str, policy_id: int):
        services.reminder_policy_delete(policy=self._get(request, slug, policy_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsSerializer(ModelSerializer):
    quiet_start = LocalTimeField()
    quiet_end = LocalTimeField()
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Empty until first saved.")

    class Meta:
        model = ReminderSettings
        fields = ["from_email", "reply_to", "quiet_start", "quiet_end", "quiet_days", "daily_cap", "updated_at"]


class ReminderSettingsApi(APIView):
    """Sender, Reply-To, quiet hours and days, and the daily cap of an organization (org admins)."""

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        from_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
        reply_to = serializers.EmailField(required=False, allow_blank=True, max_length=254)
        quiet_start = LocalTimeField(required=False)
        quiet_end = LocalTimeField(required=False)
        quiet_days = WeekdaysField(required=False)
        daily_cap = serializers.IntegerField(min_value=1, max_value=50, required=False)

    @extend_schema(responses=SettingsSerializer, tags=TAGS)
    def get(self, request, slug: str):
        organization = selectors.reminder_organization_get(actor=request.user, slug=slug)
        current = selectors.reminder_settings_of(organization=organization)
        return Response(SettingsSerializer(current).data)

    @extend_schema(request=InputSerializer, responses=SettingsSerializer, tags=TAGS)
    def patch(self, request, slug: str):
        organization = selectors.reminder_organization_get(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(SettingsSerializer(
            services.reminder_settings_update(organization=organization, **data.validated_data)).data)

