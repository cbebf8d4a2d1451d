"""The lms app's personal data: people, memberships, credentials, provisioning."""
from lms.privacy.registry import Row, not_personal, personal_data

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
