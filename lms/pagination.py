"""Pagination: page numbers for small, stable lists; cursors for large or changing ones.

``page_size`` that is not a whole number of at least 1 is a 400 (not silently the default); one
above the maximum is capped at the maximum, as documented.
"""
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class _StrictPageSize:
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [
                f"A whole number from 1 to {self.max_page_size}."]})
        return min(int(raw), self.max_page_size)


class PageNumberPagination(_StrictPageSize, pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(_StrictPageSize, pagination.CursorPagination):
    """Stable under inserts: a cursor never skips or repeats a row. Views set ``ordering``."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-id",)
