"""HR reports: export jobs, the audit of who read reports, webhook endpoints and deliveries.

The files of report exports and the payloads of webhook deliveries hold rows about many learners, with no key to
any one of them a query could follow: erasure steps clear what names the erased person (the organization's
finished exports are deleted; delivery payloads naming them are scrubbed), and retention removes both after
their days. Who asked for an export or read a report (an HR person) is detached from the row when erased, so the
audit keeps what was read without naming the reader. The rollups hold only counts and sums by department.
"""
from lms.privacy.registry import Erase, Row, not_personal, personal_data

personal_data(
    "courses.ReportExport",
    people={"requested_by": Row.DETACH},
    fields={
        "file": ("the exported report: every learner's completions", Erase.STEP),
        "filters": ("what the report was filtered on", Erase.KEEP),
        "created_at": ("when it was asked for", Erase.KEEP),
    },
    purpose="Exports of the completion report HR asked for; the file expires after its hours.",
    retention="report_exports",
)

personal_data(
    "courses.ReportAuditEntry",
    people={"user": Row.DETACH},
    fields={
        "kind": ("which report was read", Erase.KEEP),
        "filters": ("what it was filtered on", Erase.KEEP),
        "at": ("when", Erase.KEEP),
    },
    purpose="The audit trail of who read or exported the organization's reports.",
    retention="report_audit",
)

personal_data(
    "courses.WebhookEndpoint",
    people={"created_by": Row.DETACH},
    fields={"created_at": ("when they added the endpoint", Erase.KEEP)},
    purpose="Where an organization's completion events are sent; who added the endpoint.",
)

personal_data(
    "courses.WebhookDelivery",
    people={},
    fields={"payload": ("the event sent: a learner's name, e-mail and employee id", Erase.STEP)},
    purpose="Completion events sent to an organization's systems, kept to retry and replay.",
    retention="webhook_deliveries",
)

not_personal("courses.WebhookEndpoint", ["disabled_reason"], reason="why deliveries to the endpoint stopped")
not_personal("courses.ReportSyncMark", ["name"], reason="the name of a sync job's clock")
