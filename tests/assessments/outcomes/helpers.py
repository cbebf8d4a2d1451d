"""Building blocks of the outcome tests: a CSV upload and a completed course."""
from __future__ import annotations

from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from courses.enrollments.models import Enrollment

HEADER = "external_id,employee_id,email,metric,period_start,period_end,score,scale_min,scale_max,responses,source"


def csv_file(*lines: str, header: str = HEADER, name: str = "scores.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([header, *lines]) + "\n").encode(), content_type="text/csv")


def complete(enrollment: Enrollment, when: datetime) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.COMPLETED,
                                                       completed_at=when.replace(tzinfo=UTC))
