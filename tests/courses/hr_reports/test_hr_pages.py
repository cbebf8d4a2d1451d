"""HR's workspace pages: the home (KPIs, chart and its table, filters, downloads), the people list and its
overdue preset, a learner's drill-down, "remind now", the export history, the empathy figures; each scoped
to the reader's organization (a learner in two organizations shows only this one's courses)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportAuditEntry, ReportExport
from courses.hr_reports.services.rollup import rollup_rebuild
from courses.reminders.models import ReminderLog
from courses.reminders.services import nudge, reminders_send
from tests import factories as people
from tests.courses.hr_reports.conftest import add_member, complete, enroll

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_home_shows_kpis_the_chart_with_its_table_and_downloads(world):
    complete(world.enrollments["alice"])
    html = html_of(client_for(world.hr).get("/hr/"))
    assert "Key figures" in html and "Median days to complete" in html
    assert 'role="img"' in html and "<polyline" in html and "26-" not in html.split("<svg", 1)[1].split("</svg>")[0]
    month = timezone.now().strftime("%B %Y")  # the table's long label, in English
    assert "<caption" in html and f'<th scope="row">{month}</th>' in html
    assert '<th scope="col">Support</th>' in html
    assert "/api/v1/reports/completions/?organization=acme&amp;format=csv&amp;bom=true" in html
    assert 'action="/hr/exports/?organization=acme"' in html
    assert "Globex" not in html and "Staying calm" in html  # bob's calm enrollment is Acme's
    assert ReportAuditEntry.objects.filter(kind="dashboard", user=world.hr).count() == 1


def test_home_filters_reach_kpis_tables_chart_and_downloads(world):
    complete(world.enrollments["alice"])
    html = html_of(client_for(world.hr).get("/hr/", {"course": "calm"}))
    assert "Listening well" not in html.split("hr-by-course", 1)[1].split("hr-by-department")[0]
    assert "No completions in the last twelve months." in html  # alice's completion is in the other course
    assert "course=calm" in html.split("format=csv")[0].rsplit("href=", 1)[1]
    html = html_of(client_for(world.hr).get("/hr/", {"department": world.support.pk}))
    assert '<th scope="col">Sales</th>' not in html


def test_home_in_portuguese_formats_months_in_portuguese(world):
    complete(world.enrollments["alice"])
    html = html_of(client_for(world.hr, "pt-br").get("/hr/"))
    assert "Indicadores" in html and "Conclusões por mês, por departamento" in html
    assert " de 20" in html.split("hr-chart-caption", 1)[1]  # "dezembro de 2026"


def test_old_dashboard_redirects_permanently(world):
    answer = client_for(world.hr).get("/reports/dashboard/?organization=acme")
    assert answer.status_code == 301 and answer["Location"] == "/hr/?organization=acme"


def test_people_list_and_the_overdue_preset(world):
    client = client_for(world.hr)
    html = html_of(client.get("/hr/people/"))
    assert "Alice Able" in html and "Bob Baker" in html and "Cleo Both" in html
    html = html_of(client.get("/hr/people/", {"status": "active", "overdue": "on"}))
    assert "Bob Baker" in html and "Alice Able" not in html and "Remind now" in html
    assert "Enrollments: 1" in html


@pytest.mark.parametrize("extra", [0, 60])
def test_people_list_queries_do_not_grow(world, extra, django_assert_max_num_queries):
    for number in range(extra):
        learner = add_member(world.acme, department=world.sales, email=f"p{number}@acme.example").user
        enroll(learner, world.course, world.acme, due_at=timezone.now() - timedelta(days=2))
    rollup_rebuild()  # as the refresh task keeps it: the home's figures come from the rollup
    client = client_for(world.hr)
    with django_assert_max_num_queries(14):
        html_of(client.get("/hr/people/", {"overdue": "on"}))
    with django_assert_max_num_queries(16):
        html_of(client.get("/hr/"))


def test_drill_down_shows_only_this_organizations_courses(world):
    html = html_of(client_for(world.hr).get(f"/hr/people/{world.both.pk}/"))
    assert "Listening well" in html and "Staying calm" not in html
    html = html_of(client_for(world.globex_hr).get(f"/hr/people/{world.both.pk}/"))
    assert "Staying calm" in html and "Listening well" not in html
    assert client_for(world.globex_hr).get(f"/hr/people/{world.alice.pk}/").status_code == 404
    assert client_for(world.hr).get("/hr/people/999999/").status_code == 404
    assert client_for(world.alice).get(f"/hr/people/{world.alice.pk}/").status_code == 403


def test_remind_now_sends_one_mail_a_day_however_often_clicked(world, monkeypatch, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    monkeypatch.setattr(nudge, "task_enqueue", lambda name, args, **options: reminders_send(log_ids=args[0]))
    client = client_for(world.hr)
    url = f"/hr/people/{world.bob.pk}/remind/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {"next": "/hr/people/?overdue=on"}, follow=True)
    assert "Reminder sent to Bob Baker." in first.content.decode()
    assert "already reminded today" in second.content.decode()
    assert second.redirect_chain[-1][0] == "/hr/people/?overdue=on"
    assert ReminderLog.objects.filter(kind="hr_nudge", recipient=world.bob).count() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["bob@acme.example"]
    assert "Listening well" in mailoutbox[0].subject
    assert ReportAuditEntry.objects.filter(kind="reminder", user=world.hr).count() == 1


def test_remind_now_refuses_without_overdue_course_and_outside_scope(world, mailoutbox):
    answer = client_for(world.hr).post(f"/hr/people/{world.alice.pk}/remind/", follow=True)
    assert "has no overdue course here" in answer.content.decode()
    assert client_for(world.globex_hr).post(f"/hr/people/{world.bob.pk}/remind/").status_code == 404
    assert client_for(world.hr).get(f"/hr/people/{world.bob.pk}/remind/").status_code == 405
    assert not ReminderLog.objects.filter(kind="hr_nudge").exists() and not mailoutbox


def test_export_request_and_history(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("courses.hr_reports.services.exports.report_export_schedule", lambda export_id: None)
    client = client_for(world.hr)
    answer = client.post("/hr/exports/?course=listening&overdue=on", {"format": "xlsx"}, follow=True)
    export = ReportExport.objects.get()
    assert export.format == "xlsx" and export.filters == {"course": "listening", "overdue": True}
    html = answer.content.decode()
    assert "The export is being prepared" in html and "course: listening" in html and "Hana Hr" in html
    assert "No export yet" in html_of(client_for(world.globex_hr).get("/hr/exports/"))


def test_empathy_page_wears_the_frame_and_is_scoped(world):
    html = html_of(client_for(world.hr).get("/hr/empathy/"))
    assert "Empathy growth" in html and 'aria-current="page">Empathy growth<' in html
    assert client_for(world.alice).get("/hr/empathy/").status_code == 403
    assert client_for(world.hr).get("/hr/empathy/?organization=globex").status_code == 404


def test_organization_b_never_sees_organization_a(world):
    complete(world.enrollments["alice"])
    client = client_for(world.globex_hr)
    for url in ("/hr/", "/hr/people/", "/hr/people/?overdue=on", f"/hr/people/{world.both.pk}/", "/hr/exports/",
                "/hr/empathy/"):
        html = html_of(client.get(url))
        for secret in ("Listening well", "Alice", "Bob Baker", "acme.example", "Support"):
            assert secret not in html, (url, secret)
    for url in ("/hr/?organization=acme", "/hr/people/?organization=acme", f"/hr/people/{world.alice.pk}/"):
        assert client.get(url).status_code == 404, url
    csv = client.get("/api/v1/reports/completions/", {"format": "csv", "organization": "globex"})
    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "Staying calm" in body and "Listening well" not in body and "alice" not in body


def test_every_section_is_in_the_navigation(world):
    html = html_of(client_for(world.hr).get("/hr/"))
    for href in ('href="/hr/"', 'href="/hr/people/"', 'href="/hr/empathy/"', 'href="/hr/exports/"'):
        assert href in html
    assert Enrollment.objects.count() == 5 and people is not None
