"""The instructor's back office: courses with module, activity and lesson inlines, preview, publish.

Instructors see the courses they teach; org admins their organization's courses; superusers all.
Saves go through the services, so reading time and estimates follow every edit.
"""
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
