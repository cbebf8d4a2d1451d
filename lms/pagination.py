"""Pagination: page numbers for small, stable lists; cursors for large or changing ones.

``page_size`` that is not a whole number of at least 1 is a 400 (not silently the default); one
above the maximum is capped at the maximum, as documented. A ``page`` number, or a cursor's
position, outside the 64-bit range of the id columns is a 400 naming the parameter.
"""
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from lms.fields import int64_check


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

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                # No maximum in the schema: a larger number is not refused, it is capped.
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (f"Results per page, at least 1 (default {self.page_size}; "
                                            f"above {self.max_page_size} the maximum is used).")
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
        return parameters


class PageNumberPagination(_StrictPageSize, pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        int64_check(str(number), self.page_query_param)
        return number


class CursorPagination(_StrictPageSize, pagination.CursorPagination):
    """Stable under inserts: a cursor never skips or repeats a row. Views set ``ordering``."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-id",)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            int64_check(cursor.position, self.cursor_query_param)
        return cursor
