"""Announcements API: a course's announcements (its staff read all, its learners those addressed to them) and
announcing to its active learners."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from courses.announcements import selectors, services
from courses.announcements.errors import AnnouncementErrorCode
from courses.announcements.models import MAX_BODY, MAX_SUBJECT, Announcement
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer


class AnnouncementSerializer(ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True, allow_null=True, default=None)
    session = serializers.IntegerField(source="session_id", read_only=True, allow_null=True)

    class Meta:
        model = Announcement
        fields = ["id", "subject", "body", "author", "session", "created_at"]


class AnnouncementInputSerializer(Serializer):
    subject = serializers.CharField(max_length=MAX_SUBJECT)
    body = serializers.CharField(max_length=MAX_BODY)


class CourseAnnouncementsApi(GenericAPIView):
    """GET: newest first; the course's instructors and organization admins read every announcement, its learners
    the ones addressed to them, anyone else who sees the course gets 403. POST (the course's staff): announce to
    every learner with an active enrollment, by email (once each) and on their pages. Sending the same subject and
    body again within an hour answers the first announcement (200) and mails nobody twice."""
    serializer_class = AnnouncementSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Announcement)
    permission_classes = [IsPerson]
    error_codes = {"post": (AnnouncementErrorCode.ANNOUNCEMENT_INVALID,)}

    @extend_schema(responses=AnnouncementSerializer(many=True), tags=["announcements"])
    def get(self, request, slug: str):
        course, staff = selectors.access_course_announcements_read(actor=request.user, slug=slug)
        announcements = (selectors.course_announcements(course=course) if staff
                         else selectors.announcements_received(user=request.user, course=course))
        page = self.paginate_queryset(announcements)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=AnnouncementInputSerializer,
                   responses={201: AnnouncementSerializer, 200: AnnouncementSerializer}, tags=["announcements"])
    def post(self, request, slug: str):
        course = selectors.access_course_announce(actor=request.user, slug=slug)
        data = AnnouncementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement, created = services.announcement_create(author=request.user, course=course,
                                                             **data.validated_data)
        return Response(AnnouncementSerializer(announcement).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
