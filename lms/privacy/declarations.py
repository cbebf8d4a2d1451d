"""The lms app's personal data: people, memberships, credentials, provisioning."""
from lms.privacy.registry import Row, not_personal, personal_data

# --- erasure (lms/privacy/services/erasure.py) ---
personal_data(
    "lms.ErasureRequest",
    people={"user": Row.SCRUB, "requested_by": Row.DETACH},
    fields={},
    purpose="A request to erase a person, until carried out; then only its states and dates remain.",
    retention="erasure_records")
not_personal("lms.Organization", ["legal_hold_reason"],
             reason="Why the organization holds erasures: a legal matter of the organization, not about a person.")
