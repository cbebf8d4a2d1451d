"""HR reports: the completion report (API, CSV, NDJSON, XLSX exports), the summary and dashboard,
incremental sync, the audit trail and webhooks."""
