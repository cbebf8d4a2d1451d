"""The back office for course ratings, scoped to the staff member's courses."""
from __future__ import annotations

from django.contrib import admin

from courses.catalog.admin_scope import CourseScopedAdmin

# --- HR reports: exports, audit log, webhooks ---------------------------------------------
from courses.ratings.models import Rating


@admin.register(Rating)
class RatingAdmin(CourseScopedAdmin):
    list_display = ["course", "user", "stars", "updated_at"]
    list_filter = ["stars"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False
