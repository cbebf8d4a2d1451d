"""Ratings API: a course's ratings, and the caller's own rating (put, delete)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import selectors as catalog_selectors
from courses.ratings import selectors as rating_selectors
from courses.ratings import services
from courses.ratings.errors import RatingErrorCode
from courses.ratings.models import Rating
from lms.errors import NotFound
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer


class RatingSerializer(ModelSerializer):
    learner = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Rating
        fields = ["stars", "review", "learner", "created_at", "updated_at"]


class RatingListApi(GenericAPIView):
    serializer_class = RatingSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Rating)

    @extend_schema(responses=RatingSerializer(many=True), tags=["ratings"])
    def get(self, request, slug: str):
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        page = self.paginate_queryset(rating_selectors.ratings_of(course=course))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MyRatingApi(APIView):
    """Your rating of the course: completed it or reached 50% to rate; once, editable."""
    error_codes = {
        "put": (RatingErrorCode.INVALID_RATING, RatingErrorCode.RATING_NOT_ALLOWED),
    }

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        stars = serializers.IntegerField(min_value=1, max_value=5)
        review = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(responses=RatingSerializer, tags=["ratings"])
    def get(self, request, slug: str):
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        rating = rating_selectors.ratings_of(course=course).filter(user=request.user).first()
        if rating is None:
            raise NotFound("You have not rated this course.")
        return Response(RatingSerializer(rating).data)

    @extend_schema(request=InputSerializer, responses={200: RatingSerializer, 201: RatingSerializer},
                   tags=["ratings"])
    def put(self, request, slug: str):
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating, created = services.rating_upsert(user=request.user, course=course, **data.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(request=None, responses={204: None}, tags=["ratings"])
    def delete(self, request, slug: str):
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        services.rating_delete(user=request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)
