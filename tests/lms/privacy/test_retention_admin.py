"""The back office's retention page: each data class with its period, cutoff, what the next run removes and
the oldest of it; in English and Portuguese; superusers only."""
from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from lms import services
from tests import factories as people
from tests.lms.privacy.retention_world import Parents

pytestmark = pytest.mark.django_db
URL = "/admin/privacy/retention/"


class _Table(HTMLParser):
    """The cells' text of each body row of the retention table, by the row's model."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "tr" and "data-model" in attributes:
            self._row = self.rows.setdefault(attributes["data-model"] or "", [])
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _rows(response) -> dict[str, dict[str, str]]:
    table = _Table()
    table.feed(response.content.decode())
    return {model: {"class": cells[0], "label": cells[1], "kept": cells[3], "count": cells[5], "oldest": cells[6]}
            for model, cells in table.rows.items()}


def test_the_page_lists_each_class_with_what_the_next_run_removes(client, org):
    parents = Parents(org)
    long_ago = timezone.now() - timedelta(days=800)
    for _ in range(3):
        parents.certificate_event(long_ago)
    parents.certificate_event(timezone.now())
    client.force_login(people.UserFactory(is_staff=True, is_superuser=True))
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = _rows(response)
    events = rows["courses.CertificateEvent"]
    assert events == {"class": "certificate_events", "label": "Certificate events", "kept": "730 days",
                      "count": "3", "oldest": long_ago.strftime("%Y-%m-%d")}
    assert rows["courses.ReportExport"]["kept"] == "24 hours"
    assert rows["assessments.Performance"]["count"] == "0"
    assert {row["class"] for row in rows.values()} >= {
        "reminder_log", "notification_log", "certificate_events", "webhook_deliveries", "report_audit",
        "report_exports", "recordings", "xapi_outbox"}


def test_the_page_speaks_portuguese(client):
    client.force_login(people.UserFactory(is_staff=True, is_superuser=True))
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="pt-br")
    text = response.content.decode()
    assert "Retenção de dados" in text
    assert _rows(response)["courses.CertificateEvent"]["kept"] == "730 dias"


def test_the_page_is_refused_to_anyone_but_superusers(client, org):
    assert client.get(URL).status_code == 302  # signed out: the admin's sign-in
    client.force_login(people.member(org))
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    org_admin = people.member(org, "org_admin")
    services.user_sync_staff_flag(user=org_admin)  # staff in the admin, for their organization only
    assert org_admin.is_staff
    client.force_login(org_admin)
    assert client.get(URL).status_code == 403
