"""Ratings API: a course's visible ratings and their distribution, the caller's own rating (put, delete),
reporting a review, and the staff's moderation list with hide and show again."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.catalog import selectors as catalog_selectors
from courses.ratings import selectors as rating_selectors
from courses.ratings import services
from courses.ratings.errors import RatingErrorCode
from courses.ratings.models import Rating, RatingFlag
from lms.errors import NotFound
from lms.pagination import PageNumberPagination
from lms.permissions import IsPerson
from lms.selectors import none_of
from lms.serializers import ModelSerializer, Serializer


class RatingSerializer(ModelSerializer):
    learner = serializers.CharField(source="reviewer_name", read_only=True,
                                    help_text="First name and last initial; never the email.")

    class Meta:
        model = Rating
        fields = ["id", "stars", "review", "learner", "created_at", "updated_at"]


class ModeratedRatingSerializer(RatingSerializer):
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    hidden_by = serializers.CharField(source="hidden_by.display_name", read_only=True, allow_null=True,
                                      default=None)

    class Meta(RatingSerializer.Meta):
        fields = [*RatingSerializer.Meta.fields, "flag_count", "hidden", "hidden_at", "hidden_by", "hidden_reason"]


class DistributionRowSerializer(Serializer):
    stars = serializers.IntegerField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField()


class RatingSummarySerializer(Serializer):
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()
    distribution = DistributionRowSerializer(many=True)


class RatingListApi(GenericAPIView):
    serializer_class = RatingSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Rating)

    @extend_schema(responses=RatingSerializer(many=True), tags=["ratings"])
    def get(self, request, slug: str):
        """The course's ratings that nobody hid, newest first."""
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        page = self.paginate_queryset(rating_selectors.ratings_visible(course=course))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RatingSummaryApi(APIView):
    @extend_schema(responses=RatingSummarySerializer, tags=["ratings"])
    def get(self, request, slug: str):
        """The average, the count and how many ratings gave each number of stars (hidden ones left out)."""
        course = catalog_selectors.course_get(actor=request.user, slug=slug)
        rows = [{"stars": stars, "count": count, "percent": percent}
                for stars, count, percent in rating_selectors.rating_distribution(course=course)]
        return Response(RatingSummarySerializer({"average": course.rating_average, "count": course.rating_count,
                                                 "distribution": rows}).data)


class RatingFlagApi(APIView):
    """Report another learner's review: once per person; reporting again changes the reason."""
    error_codes = {
        "post": (RatingErrorCode.INVALID_FLAG_REASON, RatingErrorCode.CANNOT_FLAG_OWN_REVIEW),
    }

    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        reason = serializers.ChoiceField(choices=RatingFlag.Reason.choices)
        note = serializers.CharField(max_length=services.MAX_FLAG_NOTE, required=False, allow_blank=True,
                                     default="")

    class OutputSerializer(Serializer):
        rating = serializers.IntegerField()
        reason = serializers.CharField()
        note = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 201: OutputSerializer},
                   tags=["ratings"])
    def post(self, request, slug: str, rating_id: int):
        rating = rating_selectors.access_rating_flag(actor=request.user, slug=slug, rating_id=rating_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag, created = services.rating_flag(rating=rating, user=request.user, **data.validated_data)
        body = {"rating": rating.pk, "reason": flag.reason, "note": flag.note}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED if created else 200)


class RatingModerationListApi(GenericAPIView):
    """Every rating of the course, hidden ones too, the most reported first: for the course's instructors
    and its organization's admins (403 for other people who see the course)."""
    serializer_class = ModeratedRatingSerializer
    pagination_class = PageNumberPagination
    queryset = none_of(Rating)
    permission_classes = [IsPerson]

    @extend_schema(parameters=[OpenApiParameter("flagged", bool, description="Only reported ratings.")],
                   responses=ModeratedRatingSerializer(many=True), tags=["ratings"])
    def get(self, request, slug: str):
        course, _ = rating_selectors.access_rating_moderate(actor=request.user, slug=slug)
        flagged = request.query_params.get("flagged", "").lower() in ("1", "true", "yes")
        page = self.paginate_queryset(rating_selectors.ratings_for_moderation(course=course, flagged_only=flagged))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RatingHideApi(APIView):
    """Hide a rating from the pages and the average, with a reason (the course's staff)."""
    error_codes = {"post": (RatingErrorCode.HIDE_REASON_REQUIRED,)}
    permission_classes = [IsPerson]

    class InputSerializer(Serializer):
        reason = serializers.CharField(max_length=services.MAX_HIDE_REASON)

    @extend_schema(request=InputSerializer, responses=ModeratedRatingSerializer, tags=["ratings"])
    def post(self, request, slug: str, rating_id: int):
        _course, rating = rating_selectors.access_rating_moderate(actor=request.user, slug=slug,
                                                                  rating_id=rating_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_hide(rating=rating, actor=request.user, **data.validated_data)
        return Response(ModeratedRatingSerializer(rating).data)


class RatingUnhideApi(APIView):
    """Show a hidden rating again (the course's staff)."""
    permission_classes = [IsPerson]

    @extend_schema(request=None, responses=ModeratedRatingSerializer, tags=["ratings"])
    def post(self, request, slug: str, rating_id: int):
        _course, rating = rating_selectors.access_rating_moderate(actor=request.user, slug=slug,
                                                                  rating_id=rating_id)
        rating = services.rating_unhide(rating=rating, actor=request.user)
        return Response(ModeratedRatingSerializer(rating).data)


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
