"""The registry as a Markdown table, one row per retention data class (``manage.py privacy_report``, the
README's "Privacy" section)."""
from __future__ import annotations

from django.conf import settings

from lms.privacy.registry import RETENTION_CLASSES, Declaration, Erase, declarations

# What each data class is, in a few words. The days come from settings.PRIVACY_RETENTION_DAYS; until that
# setting exists, from these defaults (privacy's design: reminder_log and report_exports reuse their settings).
CLASS_PURPOSE = {
    "account": "learning, certificates, reviews and HR reports, as long as the account lives",
    "reminder_log": "send each reminder once, cap and fold them",
    "notification_log": "send each workshop mail, announcement and session message once",
    "certificate_events": "the history of each certificate",
    "webhook_deliveries": "retry and replay events sent to an organization's systems",
    "report_audit": "who read or exported the organization's reports",
    "report_exports": "report files HR asked for",
    "data_exports": "a person's own export of their data",
    "recordings": "role-play recordings, counted from when the performance is scored",
    "access_log": "who read which person's data",
    "xapi_outbox": "statements for the organization's LRS, counted from when they are sent",
    "erasure_records": "when an erasure was asked and by whom, to refuse re-import",
}
_FALLBACK_DAYS = {
    "notification_log": 365, "certificate_events": 730, "webhook_deliveries": 90, "report_audit": 365,
    "data_exports": 7, "recordings": 90, "access_log": 365, "xapi_outbox": 30, "erasure_records": 1825,
}


def retention_days(data_class: str) -> str:
    """The class's days as the table shows them ("account": while the account lives)."""
    if data_class == "account":
        return "while the account lives"
    if data_class == "reminder_log":
        return str(settings.REMINDER_LOG_RETENTION_DAYS)
    if data_class == "report_exports":
        hours = settings.REPORTS_EXPORT_TTL_HOURS
        return f"{hours / 24:g} ({hours} hours)"
    configured = getattr(settings, "PRIVACY_RETENTION_DAYS", {})
    return str(configured.get(data_class, _FALLBACK_DAYS[data_class]))


def _fields(group: list[Declaration]) -> str:
    """The fields erasure changes (KEEP fields are figures and dates that name no one once the row is
    anonymous), each once."""
    names = sorted({f.name for d in group for f in d.fields if f.erase != Erase.KEEP})
    return ", ".join(names) or "—"


def report_rows() -> list[tuple[str, str, str, str, str]]:
    by_class: dict[str, list[Declaration]] = {name: [] for name in RETENTION_CLASSES}
    for declaration in declarations().values():
        by_class[declaration.retention].append(declaration)
    rows = []
    for name in RETENTION_CLASSES:
        group = sorted(by_class[name], key=lambda d: d.label.split(".", 1)[1])
        models = ", ".join(d.label.split(".", 1)[1] for d in group) or "—"
        rows.append((name, models, _fields(group), retention_days(name), CLASS_PURPOSE[name]))
    return rows


def report_markdown() -> str:
    lines = ["| data class | models | fields | retention days (default) | purpose |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in report_rows()]
    return "\n".join(lines) + "\n"
