"""What the reconciler re-enqueues for certificates (see lms/reconciler.py): missing, unrendered and
unsent certificates, a few at a time."""
from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone

from courses.certificates import open_badges as certificate_credentials
from courses.certificates.models import Certificate
from courses.certificates.pdf import TEMPLATE_VERSION
from courses.certificates.services import RENDER_GRACE
from courses.certificates.tasks import certificate_email, certificate_issue, certificate_render
from courses.enrollments.models import Enrollment
from lms.reconciler import reconciler

BATCH = 500


@reconciler("certificates-missing")
def certificates_missing() -> int:
    """Completed enrollments without a certificate (e.g. the broker was down at completion), or whose
    certificate was revoked before their latest completion (a corrected result, then completed again)."""

    replaced = Q(certificate__status=Certificate.Status.REVOKED, completed_at__gt=F("certificate__revoked_at"))
    ids = list(
        Enrollment.objects.filter(Q(certificate__isnull=True) | replaced, status=Enrollment.Status.COMPLETED)
        .order_by("completed_at", "id").values_list("id", flat=True)[:BATCH]
    )
    for enrollment_id in ids:
        certificate_issue.apply_async(args=[enrollment_id], retry=False)
    return len(ids)


@reconciler("certificates-unrendered")
def certificates_unrendered() -> int:
    """Certificates whose PDF or credential is missing or from an older template (a credential is
    missing only once a signing key exists: certificates issued before the first key get one then)."""

    cutoff = timezone.now() - RENDER_GRACE
    pending = Q(rendered_at__isnull=True) | Q(template_version__lt=TEMPLATE_VERSION)
    if certificate_credentials.signing_enabled():
        pending |= Q(credential__isnull=True)
    ids = list(
        Certificate.objects.filter(pending, issued_at__lt=cutoff, learner_erased=False)
        .order_by("id").values_list("id", flat=True)[:BATCH]
    )
    for certificate_id in ids:
        certificate_render.apply_async(args=[certificate_id], retry=False)
    return len(ids)


@reconciler("certificates-unsent")
def certificates_unsent() -> int:
    """Valid, rendered certificates whose issue email was never claimed."""

    cutoff = timezone.now() - RENDER_GRACE
    ids = list(
        Certificate.objects.filter(emailed_at__isnull=True, status=Certificate.Status.VALID,
                                   rendered_at__isnull=False, rendered_at__lt=cutoff)
        .order_by("id").values_list("id", flat=True)[:BATCH]
    )
    for certificate_id in ids:
        certificate_email.apply_async(args=[certificate_id], retry=False)
    return len(ids)
