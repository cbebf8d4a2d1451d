"""Certificate reads: the caller's certificates, one by code, the public lookup, and who may download
or manage one."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.catalog.models import Course
from courses.catalog.selectors import course_can_manage
from courses.certificates import selectors
from courses.certificates.models import Certificate, RetiredCertificateCode
from courses.enrollments.models import Enrollment
from courses.enrollments.selectors import enrollment_scope_q
from lms.errors import Forbidden, NotFound
from lms.models import Organization, Role
from lms.scoping import is_unrestricted, organization_ids_for, person_id


def certificates_visible_to(*, actor: Any) -> QuerySet:
    """Certificates of the enrollments the actor may see (own, managed courses, HR's organization, team)."""

    return Certificate.objects.filter(
        enrollment__in=Enrollment.objects.filter(enrollment_scope_q(actor)).values("pk")
    ).select_related("enrollment__course", "enrollment__user", "enrollment__organization")


def certificate_get(*, actor: Any, code: str):
    return get_object_or_404(certificates_visible_to(actor=actor), code=code)


def certificate_can_download(*, actor: Any, certificate) -> bool:
    """The learner, and HR or org admins of the learner's organization (for the enrollment)."""
    if is_unrestricted(actor):
        return True
    enrollment = certificate.enrollment
    if person_id(actor) is not None and enrollment.user_id == actor.pk:
        return True
    return enrollment.organization_id in organization_ids_for(actor, Role.HR, Role.ORG_ADMIN)


def access_certificate_download(*, actor: Any, code: str):
    """The certificate, for its PDF: 404 when invisible, and 404 too when visible but not the actor's to download."""
    certificate = certificate_get(actor=actor, code=code)
    if not certificate_can_download(actor=actor, certificate=certificate):
        raise NotFound("Not found.")
    return certificate


def access_certificate_manage(*, actor: Any, code: str, action: str):
    """The certificate, to ``action`` it ("revoke", "reissue"): 404 when invisible, 403 unless the actor manages it."""
    certificate = certificate_get(actor=actor, code=code)
    if not certificate_can_manage(actor=actor, certificate=certificate):
        raise Forbidden(f"Only the course's instructors and org admins may {action} certificates.")
    return certificate


def certificate_credential_row(*, code: str) -> Mapping[str, Any] | None:
    """The certificate's stored credential as ``{"credential": ...}``, or None (codes longer than 64: None). A
    retired code (``RetiredCertificateCode``) still has its credential served: its status entry says revoked."""
    if len(code) > 64:
        return None
    rows = list(Certificate.objects.filter(code=code).order_by().values("credential").union(
        RetiredCertificateCode.objects.filter(code=code).order_by().values("credential"), all=True)[:1])
    return rows[0] if rows else None


def certificate_last_pk() -> int:
    return Certificate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def certificate_can_manage(*, actor: Any, certificate) -> bool:
    """Revoke and reissue: the course's instructors and org admins (of the course's or the enrollment's org)."""
    if is_unrestricted(actor):
        return True
    if person_id(actor) is None:
        return False
    enrollment = certificate.enrollment
    if enrollment.organization_id in organization_ids_for(actor, Role.ORG_ADMIN):
        return True
    return course_can_manage(actor=actor, course=enrollment.course)


def certificate_public(*, code: str):
    """For public verification: the certificate with this code, or the one that replaced it (a retired code:
    its ``code`` differs), or None; one query either way, with the organizations ``issuer_of`` reads."""

    retired = RetiredCertificateCode.objects.filter(code=code).values("certificate_id")
    return (Certificate.objects.select_related("issuer").filter(Q(code=code) | Q(pk__in=retired)).first())


def retired_certificate_public(*, code: str) -> RetiredCertificateCode | None:
    """For public verification of a code that a renewed certificate replaced (it verifies as revoked)."""
    return (RetiredCertificateCode.objects
            .select_related("certificate__issuer").filter(code=code).first())


def issuer_of(certificate: Certificate) -> Organization | None:
    """The organization that issued the certificate, as recorded at issue (its issuer name says the same);
    ``None`` for the public catalog's certificates. Recorded, not derived from the enrollment, which leaves its
    organization when the learner is erased. Reads what the caller loaded (``select_related("issuer")``)."""
    return certificate.issuer


def own_certificate(*, user: Any, certificate_id: int) -> Certificate:
    """One of the user's own certificates, with its course and issuer loaded; 404 for anyone else's."""
    certificate = (Certificate.objects.select_related("enrollment__course", "issuer")
                   .filter(pk=certificate_id, enrollment__user_id=person_id(user) or 0).defer("credential")
                   .annotate(has_credential=ExpressionWrapper(Q(credential__isnull=False),
                                                              output_field=BooleanField()))
                   .first())
    if certificate is None:
        raise Http404
    return certificate


def own_certificates(*, user: Any) -> QuerySet[Certificate]:
    """The user's own certificates, newest first, without loading the signed credential itself."""
    return (selectors.certificates_visible_to(actor=user).filter(enrollment__user_id=user.pk)
            .defer("credential")
            .annotate(has_credential=ExpressionWrapper(Q(credential__isnull=False), output_field=BooleanField()))
            .order_by("-issued_at", "-id"))


def course_with_certificates(*, slug: str) -> Course | None:
    """The course whose Achievement is public: it has issued at least one certificate (a course that
    never did is not named by any credential, so anonymous callers learn nothing of it)."""
    if len(slug) > 100:
        return None
    return (Course.objects.select_related("organization")
            .filter(slug=slug, pk__in=Enrollment.objects.filter(certificate__isnull=False).values("course_id"))
            .first())
