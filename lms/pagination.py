"""Pagination: page numbers for small, stable lists; cursors for large or changing ones."""
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """Stable under inserts: a cursor never skips or repeats a row. Views set ``ordering``."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-id",)
