"""The back office for course ratings and their reports, scoped to the staff member's courses; hiding and
showing again go through the services, so the course's average follows."""
from __future__ import annotations

from django.contrib import admin

from courses.catalog.admin_scope import CourseScopedAdmin
from courses.ratings import services
from courses.ratings.models import Rating, RatingFlag


class RatingFlagInline(admin.TabularInline):
    model = RatingFlag
    extra = 0
    fields = ["user", "reason", "note", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(CourseScopedAdmin):
    list_display = ["course", "user", "stars", "flag_count", "is_hidden", "updated_at"]
    list_filter = ["stars", ("hidden_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["flag_count", "hidden_at", "hidden_by", "hidden_reason"]
    inlines = [RatingFlagInline]
    actions = ["hide", "show_again"]
    ordering = ["-flag_count", "-updated_at"]

    @admin.display(boolean=True, description="Hidden")
    def is_hidden(self, obj: Rating) -> bool:
        return obj.is_hidden

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Hide the selected ratings (reason: hidden from the back office)")
    def hide(self, request, queryset):
        for rating in queryset:
            services.rating_hide(rating=rating, actor=request.user, reason="Hidden from the back office.")

    @admin.action(description="Show the selected ratings again")
    def show_again(self, request, queryset):
        for rating in queryset:
            services.rating_unhide(rating=rating, actor=request.user)
