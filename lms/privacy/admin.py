"""The back office's retention page (/admin/privacy/retention/, mounted by lms/urls.py beside the admin):
each data class, its period and cutoff, and what the next retention run would remove. Superusers only:
the counts span every organization."""
from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.privacy import retention


def _kept_for(data_class: str, period) -> str:
    """In the unit its setting has: days, or hours for report exports."""
    if data_class not in settings.PRIVACY_RETENTION_HOURS:
        return ngettext("%(count)d day", "%(count)d days", period.days) % {"count": period.days}
    hours = int(period.total_seconds() // 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def retention_admin_view(request):
    """Wrapped in ``admin.site.admin_view`` (staff sign-in); refused to staff who are not superusers."""
    if not request.user.is_superuser:
        raise PermissionDenied
    now = timezone.now()
    rows = [{"data_class": preview.rule.data_class, "label": preview.rule.label,
             "model": preview.rule.model._meta.label, "cutoff": preview.cutoff,
             "kept_for": _kept_for(preview.rule.data_class, preview.period),
             "count": preview.count, "oldest": preview.oldest}
            for preview in retention.retention_preview(now=now)]
    context = {**admin.site.each_context(request), "title": _("Data retention"), "rows": rows, "now": now}
    return TemplateResponse(request, "admin/privacy/retention.html", context)
