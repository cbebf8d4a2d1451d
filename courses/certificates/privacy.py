"""Certificates, their earlier identities and their events.

A certificate must stay verifiable after its learner is erased: its row stays (SCRUB) and verifies as issued to a
learner who asked to be forgotten. ``Certificate.enrollment`` is ``on_delete=PROTECT``, which is why the enrollment
is kept too (``courses.enrollments.privacy``). The learner's name, printed on the certificate and inside its signed
Open Badges credential, is for an erasure step: it clears the name and revokes the credential through the status
list. The PDF carries the name, so it is deleted. An earlier identity of a renewed certificate
(RetiredCertificateCode) is treated the same way. The certificate's event log (issue, mail sent to an address,
revocation) goes with the learner; the staff member who revoked or reissued is detached when erased.
"""
from lms.privacy.registry import Erase, Row, not_personal, personal_data

personal_data(
    "courses.Certificate",
    people={"enrollment__user": Row.SCRUB, "revoked_by": Row.DETACH},
    fields={
        "learner_name": ("their name as printed on the certificate", Erase.STEP),
        "credential": ("the signed Open Badges credential naming them", Erase.STEP),
        "pdf": ("the certificate's PDF, with their name", Erase.DELETE_FILE),
        "revoked_reason": ("why it was revoked", Erase.BLANK),
        "code": ("the public verification code", Erase.KEEP),
        "course_title": ("the course certified", Erase.KEEP),
        "hours_credited": ("hours credited", Erase.KEEP),
        "final_score": ("their final score", Erase.KEEP),
        "issued_at": ("when it was issued", Erase.KEEP),
        "expires_at": ("when it expires", Erase.KEEP),
        "status": ("valid or revoked", Erase.KEEP),
    },
    purpose="Proof of completion that anyone can verify by its code, kept verifiable after erasure.",
)

personal_data(
    "courses.RetiredCertificateCode",
    people={"certificate__enrollment__user": Row.SCRUB},
    fields={
        "learner_name": ("their name as it was printed under the old code", Erase.STEP),
        "credential": ("the old signed credential naming them", Erase.STEP),
        "revoked_reason": ("why the old identity was retired", Erase.BLANK),
        "code": ("the old verification code", Erase.KEEP),
        "issued_at": ("when it was issued", Erase.KEEP),
    },
    purpose="Earlier identities of a renewed certificate, which still verify as revoked.",
)

personal_data(
    "courses.CertificateEvent",
    people={"certificate__enrollment__user": Row.DELETE, "actor": Row.DETACH},
    fields={
        "kind": ("what happened to the certificate", Erase.KEEP),
        "at": ("when", Erase.KEEP),
        "detail": ("details, such as the address it was mailed to", Erase.BLANK),
    },
    purpose="The history of a certificate: issued, rendered, mailed, revoked, reissued.",
    retention="certificate_events",
)

not_personal("courses.Certificate", ["issuer_name", "issuer"], reason="the issuing organization and its name")
not_personal("courses.RetiredCertificateCode", ["issuer_name"], reason="the issuing organization's name")
