"""Certificates: issue exactly once, render, email at most once, revoke and reissue with an audit trail.

Exactly once rests on the database, not on the queue: the certificate row is unique per
enrollment (a one-to-one constraint) and is created under the enrollment's row lock, so any
number of duplicate or concurrent task runs converge on one row. Rendering and emailing are
separate, idempotent steps that the reconciler re-enqueues when the database shows them
pending (see courses/reconcilers.py).
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from courses.certificates import issue_statements, selectors
from courses.certificates import open_badges as certificate_credentials
from courses.certificates.errors import CertificateErrorCode
from courses.certificates.links import linkedin_add_url, verify_url
from courses.certificates.models import RENEWED_STATUS_INDEX_BASE, Certificate, CertificateEvent, RetiredCertificateCode
from courses.certificates.pdf import TEMPLATE_VERSION, CertificateContent, render_certificate_pdf
from courses.enrollments.models import Enrollment
from courses.errors import CoursesError
from courses.hr_reports.services.exports import enrollments_touch
from courses.hr_reports.services.webhooks import webhook_events_emit
from courses.xapi.services.events import xapi_certificate_earned
from lms.errors import Conflict
from lms.mail import mail_build, mail_language, site_link
from lms.models import Organization, User
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

CODE_BYTES = 15  # 120 random bits -> 20 URL-safe characters


def new_certificate_code() -> str:
    """120 random bits, URL-safe. The first character is a letter or digit: a code starting with
    "-" would be taken for a formula by spreadsheets (and neutralised with a quote in CSV exports)."""
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if code[0].isalnum():
            return code


def _add_months(moment, months: int):
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("unreachable")


def _issuer(enrollment: Enrollment) -> Organization | None:
    """Who issues the enrollment's certificate: the course's organization, else the learner's (a public catalog
    course taken through an organization), else nobody (the public catalog's own name prints)."""
    return enrollment.course.organization or enrollment.organization


def _issuer_name(issuer: Organization | None) -> str:
    return issuer.name if issuer else settings.CERTIFICATE_ISSUER_NAME


def _read(file) -> bytes | None:
    if not file:
        return None
    try:
        with file.open("rb") as handle:
            return handle.read()
    except OSError:  # the row names a file the storage no longer has: the certificate is drawn without it
        logger.warning("certificate picture missing from storage: %s", file.name)
        return None


def _branding(certificate: Certificate) -> dict:
    """The issuing organization's logo, signature and signer (the recorded ``issuer``), as drawn now.

    Reads the issuer the caller loaded with the certificate, in the transaction that holds the certificate's lock
    (``certificate_issue``, ``certificate_render``): it is as current as a re-read."""
    organization = selectors.issuer_of(certificate)
    if organization is None:
        return {}
    return {"logo": _read(organization.logo), "signature": _read(organization.certificate_signature),
            "signer_name": organization.certificate_signer_name,
            "signer_title": organization.certificate_signer_title}


def _frozen(enrollment: Enrollment, issued_at) -> dict:
    """What a certificate certifies, as it stands when it is issued."""
    course = enrollment.course
    issuer = _issuer(enrollment)
    return {"learner_name": enrollment.user.display_name, "course_title": course.title,
            "course_language": course.language, "issuer": issuer,
            "issuer_name": _issuer_name(issuer),
            "hours_credited": course.hours_credited, "final_score": enrollment.final_score, "issued_at": issued_at,
            "expires_at": _add_months(issued_at, course.validity_months) if course.validity_months else None}


def _replaced_by_completion(certificate: Certificate, enrollment: Enrollment) -> bool:
    """A certificate revoked before the enrollment's latest completion: a correction opened the
    enrollment again (``activity_result_correct``) and the learner has since completed it properly.
    One revoked for any other reason (revoked after the completion it certified) stays revoked."""
    return (certificate.status == Certificate.Status.REVOKED and certificate.revoked_at is not None
            and enrollment.completed_at is not None and enrollment.completed_at > certificate.revoked_at)


def _retire(certificate: Certificate) -> RetiredCertificateCode:
    """Keep the revoked identity: its code verifies as revoked, its credential is still served and its status-list
    bit stays set (an outside verifier holding it must keep seeing it revoked)."""
    return RetiredCertificateCode.objects.create(
        certificate=certificate, code=certificate.code,
        status_index=certificate.status_index if certificate.status_index is not None else certificate.pk,
        learner_name=certificate.learner_name, course_title=certificate.course_title,
        issuer_name=certificate.issuer_name, hours_credited=certificate.hours_credited,
        issued_at=certificate.issued_at, expires_at=certificate.expires_at,
        revoked_at=certificate.revoked_at or timezone.now(), revoked_reason=certificate.revoked_reason,
        credential=certificate.credential)


def _renew(certificate: Certificate, enrollment: Enrollment, issued_at) -> Certificate:
    """The revoked certificate's row becomes the new certificate (one row per enrollment): a new code, a new
    status-list bit, what is certified now, valid, nothing rendered or mailed yet. The old identity is retired
    (``_retire``), so it stays verifiable as revoked."""
    replaced = {"code": certificate.code, "revoked_at": certificate.revoked_at.isoformat()
                if certificate.revoked_at else None, "revoked_reason": certificate.revoked_reason}
    retired = _retire(certificate)
    certificate.status_index = RENEWED_STATUS_INDEX_BASE + retired.pk
    old_file = certificate.pdf.name if certificate.pdf else ""
    for name, value in _frozen(enrollment, issued_at).items():
        setattr(certificate, name, value)
    certificate.code = new_certificate_code()
    certificate.status = Certificate.Status.VALID
    certificate.revoked_at, certificate.revoked_by, certificate.revoked_reason = None, None, ""
    certificate.pdf, certificate.credential, certificate.template_version = "", None, 0
    certificate.rendered_at, certificate.emailed_at = None, None
    certificate.save()
    CertificateEvent.objects.create(certificate=certificate, kind=CertificateEvent.Kind.ISSUED,
                                    detail={"enrollment": enrollment.pk, "replaces": replaced})
    if old_file:
        storage = certificate.pdf.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return certificate


def _one_or_none(queryset):
    """The one row a unique lookup finds, or None. Unlike ``first()`` it asks for no ORDER BY (a model's default
    ordering, or the primary key): one row needs no order, and building the clause is measurable per certificate."""
    return next(iter(queryset.order_by()[:1]), None)


def _issued(certificate: Certificate) -> None:
    """What follows every issue, in its transaction: HR's sync, xAPI, the webhook after the commit."""
    enrollments_touch(enrollment_ids=[certificate.enrollment_id])
    xapi_certificate_earned(certificate=certificate)
    certificate_id = certificate.pk
    transaction.on_commit(lambda: webhook_events_emit(event_type="certificate.issued", object_id=certificate_id))


def certificate_issue(*, enrollment_id: int, render: bool = False) -> Certificate | None:
    """The certificate of a completed enrollment, created if missing. None if it is not completed.

    A certificate revoked before the enrollment's latest completion (a corrected result opened the
    enrollment again, and it was completed since) is replaced by a new one: see ``_renew``.

    With ``render``, a new certificate's PDF and signed credential are made in the same transaction as
    its row (one commit, the row lock already held, no existence check for a file name nobody used); an
    existing one is rendered as ``certificate_render`` would (only if it is not current)."""
    with transaction.atomic():
        # One statement: the lock, the learner, course, organizations (and the LRS endpoint, so the "earned"
        # xAPI event needs no look-up of its own), the certificate it may have and the new one's id.
        locked = issue_statements.enrollment_locked(enrollment_id, reserve=render)
        if locked is None or locked.enrollment.status != Enrollment.Status.COMPLETED:
            return None
        enrollment, existing = locked.enrollment, locked.certificate
        if existing is not None and not _replaced_by_completion(existing, enrollment):
            return certificate_render(certificate_id=existing.pk) if render else existing
        issued_at = timezone.now()
        if existing is not None:
            certificate = _renew(existing, enrollment, issued_at)
            _issued(certificate)
            if render:
                _render(certificate, new_file=True)
            return certificate
        if locked.reserved_id is not None:
            return _issue_rendered(locked, issued_at)
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(enrollment=enrollment, code=new_certificate_code(),
                                                         **_frozen(enrollment, issued_at))
                CertificateEvent.objects.create(certificate=certificate, kind=CertificateEvent.Kind.ISSUED,
                                                detail={"enrollment": enrollment.pk})
                _issued(certificate)
        except IntegrityError:
            # Another worker won a race the lock could not prevent (e.g. SQLite): same outcome.
            existing = Certificate.objects.get(enrollment=enrollment)
            return certificate_render(certificate_id=existing.pk) if render else existing
        if render:
            _render(certificate, new_file=True)
    return certificate


def _issue_rendered(locked: issue_statements.Locked, issued_at) -> Certificate:
    """PostgreSQL: a new certificate drawn and signed under the id ``enrollment_locked`` reserved, then written
    with its two events and the enrollment's bump for HR's sync in one statement (what ``_issued`` and
    ``_render`` write in several)."""
    enrollment = locked.enrollment
    certificate = Certificate(pk=locked.reserved_id, enrollment=enrollment, code=new_certificate_code(),
                              **_frozen(enrollment, issued_at))
    size = _drawn(certificate, new_file=True)
    events = [(CertificateEvent.Kind.ISSUED, issued_at, {"enrollment": enrollment.pk}),
              (CertificateEvent.Kind.RENDERED, certificate.rendered_at,
               {"template_version": TEMPLATE_VERSION, "bytes": size})]
    if not issue_statements.certificate_insert(certificate, events):
        # A row for this enrollment (or with this code) exists after all: it stands, and the file drawn for
        # this one is nobody's.
        certificate.pdf.storage.delete(certificate.pdf.name)
        existing = Certificate.objects.get(enrollment=enrollment)
        return certificate_render(certificate_id=existing.pk) or existing
    xapi_certificate_earned(certificate=certificate)
    if locked.webhooks:
        certificate_id = certificate.pk
        transaction.on_commit(lambda: webhook_events_emit(event_type="certificate.issued", object_id=certificate_id))
    return certificate


def certificate_render(*, certificate_id: int, force: bool = False) -> Certificate | None:
    """Generate the PDF and the signed credential, unless they are current. Safe to run twice."""

    with transaction.atomic():
        # Lock only the certificate row (PostgreSQL refuses FOR UPDATE on the outer-joined organizations); the
        # enrollment, learner, course and organizations come along for the PDF, the branding and the credential.
        certificate = _one_or_none(
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__user", "enrollment__course__organization", "enrollment__organization",
                            "issuer")
            .filter(pk=certificate_id)
        )
        if certificate is None or certificate.learner_erased:
            return certificate  # an erased learner's certificate keeps no PDF and no credential
        current = bool(certificate.pdf) and certificate.template_version == TEMPLATE_VERSION and (
            certificate.credential is not None or not certificate_credentials.signing_enabled())
        if current and not force:
            return certificate
        _render(certificate, new_file=False)
    return certificate


def _drawn(certificate: Certificate, *, new_file: bool) -> int:
    """Draw the certificate's PDF into storage and sign its credential, on the instance (nothing saved);
    returns the PDF's size in bytes."""
    pdf = render_certificate_pdf(CertificateContent(
        learner_name=certificate.learner_name, course_title=certificate.course_title,
        language=certificate.course_language, issuer_name=certificate.issuer_name,
        issued_at=certificate.issued_at, hours_credited=certificate.hours_credited, code=certificate.code,
        verify_url=verify_url(certificate.code),
        final_score=certificate.final_score if certificate.show_score else None,
        expires_at=certificate.expires_at, **_branding(certificate),
    ))
    name = f"certificates/{certificate.code}.pdf"
    storage = certificate.pdf.storage
    if new_file:
        # A new certificate's random code names no file yet: write it without Storage.save's existence
        # checks (its search for a free name). _save is the storage API's writing method; a file system
        # storage still refuses to overwrite (O_EXCL) and then picks another name, which it returns.
        certificate.pdf.name = storage._save(name, ContentFile(pdf))
    else:
        if storage.exists(name):
            storage.delete(name)
        certificate.pdf.save(name.rsplit("/", 1)[-1], ContentFile(pdf), save=False)
    certificate.credential = certificate_credentials.build_signed(certificate)
    certificate.template_version = TEMPLATE_VERSION
    certificate.rendered_at = timezone.now()
    return len(pdf)


def _render(certificate: Certificate, *, new_file: bool) -> None:
    """Draw the PDF and sign the credential of a locked certificate row, and record it."""
    size = _drawn(certificate, new_file=new_file)
    certificate.save(update_fields=["pdf", "credential", "template_version", "rendered_at", "updated_at"])
    CertificateEvent.objects.create(certificate=certificate, kind=CertificateEvent.Kind.RENDERED,
                                    detail={"template_version": TEMPLATE_VERSION, "bytes": size})


def certificate_send_issue_email(*, certificate_id: int) -> bool:
    """Email the learner once. The claim (emailed_at) is written before sending: at most once."""
    now = timezone.now()
    claimed = Certificate.objects.filter(
        pk=certificate_id, emailed_at__isnull=True, status=Certificate.Status.VALID, rendered_at__isnull=False
    ).update(emailed_at=now)
    if not claimed:
        return False
    certificate = Certificate.objects.select_related("enrollment__user").get(pk=certificate_id)
    user = certificate.enrollment.user
    message = mail_build(
        template="courses/mail/certificate_issued", to=user.email, language=mail_language(user.language),
        subject=format_lazy(_("Your certificate: {title}"), title=certificate.course_title),
        headers={"X-LMS-Certificate": certificate.code},
        context={"name": certificate.learner_name, "course_title": certificate.course_title,
                 "organization": certificate.issuer_name, "code": certificate.code,
                 "certificate_url": site_link(reverse("pages:my-certificate", args=[certificate.pk])),
                 "verify_url": verify_url(certificate.code), "linkedin_url": linkedin_add_url(certificate)})
    try:
        message.send()
    except Exception:
        # The message certainly did not leave: release the claim so a later run can try again.
        Certificate.objects.filter(pk=certificate_id, emailed_at=now).update(emailed_at=None)
        raise
    CertificateEvent.objects.create(certificate=certificate, kind=CertificateEvent.Kind.EMAILED,
                                    detail={"to": user.email})
    return True


def certificate_revoke(*, certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CoursesError("Say why the certificate is revoked.", code=CertificateErrorCode.REASON_REQUIRED,
                           fields={"reason": ["This field is required."]})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == Certificate.Status.REVOKED:
            raise Conflict("The certificate is already revoked.", code=CertificateErrorCode.ALREADY_REVOKED)
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = actor
        certificate.revoked_reason = reason[:500]
        certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason", "updated_at"])
        CertificateEvent.objects.create(certificate=certificate, kind=CertificateEvent.Kind.REVOKED, actor=actor,
                                        detail={"reason": reason[:500]})
        enrollments_touch(enrollment_ids=[certificate.enrollment_id])
        certificate_id = certificate.pk
        transaction.on_commit(lambda: webhook_events_emit(event_type="certificate.revoked", object_id=certificate_id))
    return certificate


def certificate_reissue(*, certificate: Certificate, actor: User | None, reason: str = "") -> Certificate:
    """Refresh the learner's name, course title and issuer, and regenerate PDF and credential.

    The code never changes. A revoked certificate stays revoked.
    """
    with transaction.atomic():
        # Lock only the certificate row: PostgreSQL refuses FOR UPDATE on the nullable (outer-joined) organizations.
        certificate = Certificate.objects.select_for_update(of=("self",)).select_related(
            "enrollment__user", "enrollment__course__organization", "enrollment__organization", "issuer",
        ).get(pk=certificate.pk)
        if certificate.status == Certificate.Status.REVOKED:
            raise Conflict("A revoked certificate cannot be reissued.", code=CertificateErrorCode.CERTIFICATE_REVOKED)
        enrollment = certificate.enrollment
        before = {"learner_name": certificate.learner_name, "course_title": certificate.course_title,
                  "issuer_name": certificate.issuer_name}
        certificate.learner_name = enrollment.user.display_name
        certificate.course_title = enrollment.course.title
        # The issuer as it is now; the recorded one stays when the enrollment has left its organization since.
        certificate.issuer = _issuer(enrollment) or certificate.issuer
        certificate.issuer_name = _issuer_name(certificate.issuer)
        certificate.save(update_fields=["learner_name", "course_title", "issuer", "issuer_name", "updated_at"])
        enrollments_touch(enrollment_ids=[certificate.enrollment_id])
        after = {"learner_name": certificate.learner_name, "course_title": certificate.course_title,
                 "issuer_name": certificate.issuer_name}
        CertificateEvent.objects.create(certificate=certificate, kind=CertificateEvent.Kind.REISSUED, actor=actor,
                                        detail={"reason": reason[:500], "before": before, "after": after})
        certificate_render(certificate_id=certificate.pk, force=True)
    certificate.refresh_from_db()
    return certificate


def certificate_schedule_issue(enrollment_id: int) -> None:
    """Completion hook: nudge a worker. If the broker is down, the reconciler issues it later."""
    task_enqueue("courses.certificate_issue", args=[enrollment_id], retry=False)


RENDER_GRACE = timedelta(minutes=2)
