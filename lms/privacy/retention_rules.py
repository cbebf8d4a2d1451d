"""lms's retention rules (lms/privacy/retention.py): the privacy domain's own records."""
from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lms.privacy.models import AccessLogEntry, DataExport, ErasureRecord
from lms.privacy.retention import retention_rule, retention_rule_by_age


@retention_rule("data_exports", label=_("Personal data exports"), date_field="created_at", file_fields=("file",))
def data_exports_expired(cutoff: datetime.datetime) -> QuerySet:
    """Exports asked for before the cutoff, with their archives; one still being built is left alone."""
    return DataExport.objects.filter(created_at__lt=cutoff).exclude(status__in=DataExport.ACTIVE)


retention_rule_by_age("access_log", AccessLogEntry, label=_("Access log"), date_field="at")
retention_rule_by_age("erasure_records", ErasureRecord, label=_("Erasure records"), date_field="erased_at")
