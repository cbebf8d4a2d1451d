"""The lms app's personal data: people, memberships, credentials, provisioning.

Erasing a person keeps their ``User`` row, deactivated, with a pseudonymous address and no name: every foreign
key to it stays valid (enrollments kept for certificates and the organization's statistics, reviews kept
anonymous). Their membership stays too, without the employee id, so the organization's figures by department do
not change; whoever they managed loses them as manager. Their personal tokens go. Their SCIM provisioning record
goes with everything the identity provider told us about them (the erasure record, not this row, refuses a
re-import).
"""
from lms.privacy.access_selectors import access_log_for
from lms.privacy.registry import Erase, Row, export_section, not_personal, personal_data

personal_data(
    "lms.User",
    people={"pk": Row.SCRUB},
    fields={
        "email": ("the e-mail address they sign in with", Erase.PSEUDONYM),
        "first_name": ("first name", Erase.BLANK),
        "last_name": ("last name", Erase.BLANK),
        "timezone": ("their time zone", Erase.BLANK),
        "language": ("their interface language", Erase.BLANK),
        "last_login": ("when they last signed in", Erase.BLANK),
        "date_joined": ("when the account was made", Erase.KEEP),
    },
    purpose="The account: signing in, naming the person on their pages, certificates and reports.",
)

personal_data(
    "lms.Membership",
    people={"user": Row.SCRUB, "manager__user": Row.DETACH},
    fields={
        "employee_id": ("their employee id in the HR system", Erase.BLANK),
        "department": ("their department", Erase.KEEP),
        "created_at": ("when they joined the organization", Erase.KEEP),
    },
    purpose="Their place in an organization: roles, department, manager, employee id for HR reports and sync.",
)

personal_data(
    "lms.UserToken",
    people={"user": Row.DELETE},
    fields={
        "name": ("the label they gave the token", Erase.BLANK),
        "created_at": ("when it was made", Erase.KEEP),
        "last_used_at": ("when it was last used", Erase.BLANK),
    },
    purpose="Personal API tokens that act as the person.",
)

personal_data(
    "lms.ScimUser",
    people={"membership__user": Row.DELETE},
    fields={
        "user_name": ("their user name at the identity provider", Erase.PSEUDONYM),
        "external_id": ("their id at the identity provider", Erase.BLANK),
        "given_name": ("given name as provisioned", Erase.BLANK),
        "family_name": ("family name as provisioned", Erase.BLANK),
        "display_name": ("display name as provisioned", Erase.BLANK),
        "emails": ("e-mail addresses as provisioned", Erase.BLANK),
    },
    purpose="The identity provider's record of the person (SCIM provisioning).",
)

not_personal("lms.Organization", ["name", "logo"], reason="the organization's own name and picture")
not_personal(
    "lms.Organization", ["certificate_signer_name", "certificate_signature"],
    reason="the signatory the organization chose to print on every certificate: an organization setting shown "
           "publicly, not the data of an account holder")
not_personal("lms.Department", ["name"], reason="a department's name")
not_personal("lms.OrganizationAPIKey", ["name"], reason="a label an administrator gave an organization's key")

# --- the access log (lms.privacy.access_services) ---------------------------------------------
personal_data(
    "lms.AccessLogEntry",
    people={"subject": Row.DELETE, "actor": Row.DETACH},
    fields={},  # detail holds the read's filters and ids; addresses are masked when written
    purpose="Show an organization and its people who read whose data, when and how.",
    retention="access_log",
)
not_personal("lms.AccessLogEntry", ["api_key", "api_key_prefix", "api_key_label"],
             reason="An organization's system, not a person: the API key that read, its prefix and name.")
# The person's data exports (lms/privacy/models.py). Only the subject is a path: an admin who asked on a member's
# behalf must not find the member's archive in their own export, so ``requested_by`` is kept as an id.
personal_data(
    "lms.DataExport",
    people={"subject": Row.DELETE},
    fields={
        "requested_by": ("who asked for it (themself or an organization admin), as an id", Erase.KEEP),
        "file": ("the archive of their data", Erase.DELETE_FILE),
        "created_at": ("when it was asked for", Erase.KEEP),
        "expires_at": ("when it is deleted", Erase.KEEP),
    },
    purpose="Answering the person's request for a copy of their data.",
    retention="data_exports",
)


@export_section("access_log")
def access_log(user) -> list[dict]:
    """Who read the person's data: entries naming them, and reads of many people in their organizations."""
    return access_log_for(user)

# --- erasure (lms/privacy/services/erasure.py) ---
personal_data(
    "lms.ErasureRequest",
    people={"user": Row.SCRUB, "requested_by": Row.DETACH},
    fields={},
    purpose="A request to erase a person, until carried out; then only its states and dates remain.",
    retention="erasure_records")
not_personal("lms.Organization", ["legal_hold_reason"],
             reason="Why the organization holds erasures: a legal matter of the organization, not about a person.")
