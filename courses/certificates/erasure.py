"""Erasing a learner's certificates (an erasure step, lms/privacy/services/erasure.py).

The certificate row stays, so its code still verifies: "issued to a learner who asked to be forgotten", with
no name. The learner's name is blanked (on its earlier identities too), the PDF deleted once the erasure
commits, the signed credential withdrawn and revoked through the status list (reason "erased"), so an outside
verifier holding a copy sees it revoked. The enrollment it certifies stays (its link is PROTECT), scrubbed by
the enrollments' own declarations.
"""
from __future__ import annotations

from django.db import transaction

from courses.certificates.models import Certificate, CertificateEvent, RetiredCertificateCode
from courses.certificates.services import certificate_revoke
from lms.privacy.registry import erasure_step

ERASED_REASON = "erased"


def _delete_file_later(certificate: Certificate) -> None:
    if certificate.pdf and certificate.pdf.name:
        storage, name = certificate.pdf.storage, certificate.pdf.name
        transaction.on_commit(lambda: storage.delete(name))


@erasure_step("certificates", order=20)
def certificates_erase(user, record) -> None:
    certificates = list(Certificate.objects.filter(enrollment__user=user).order_by("pk"))
    for certificate in certificates:
        if certificate.status != Certificate.Status.REVOKED:
            certificate = certificate_revoke(certificate=certificate, actor=None, reason=ERASED_REASON)
        _delete_file_later(certificate)
    ids = [c.pk for c in certificates]
    Certificate.objects.filter(pk__in=ids).update(learner_name="", learner_erased=True, pdf="", credential=None)
    RetiredCertificateCode.objects.filter(certificate_id__in=ids).update(learner_name="", credential=None)
    # The trail keeps what happened and when, not the details that named the learner (addresses, names).
    CertificateEvent.objects.filter(certificate_id__in=ids).exclude(detail={}).update(detail={})
    CertificateEvent.objects.filter(certificate_id__in=ids, kind=CertificateEvent.Kind.REVOKED, actor=None).update(
        detail={"reason": ERASED_REASON})
