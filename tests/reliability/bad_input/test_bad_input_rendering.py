"""Markup in every text field that is shown somewhere comes out inert: HTML pages (verify, unsubscribe,
HR's workspace pages, every admin change list), the API's rendered Markdown, reminder and certificate
emails, and the certificate PDF (its text extracted with pypdf). `javascript:` URLs are refused in link
fields and dropped from Markdown.

The payloads go in through the API, as the people who write those fields would send them.
"""
from __future__ import annotations

import datetime
import html
import io

import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog, ReminderSettings
from lms.models import Organization
from tests import factories as people
from tests.courses.markup import MALICIOUS, assert_safe
from tests.reliability.bad_input import bad_inputs as catalogue

PAYLOAD = catalogue.SCRIPT + catalogue.IMG_ONERROR  # both at once: element and attribute context
NAME = "Mal" + catalogue.IMG_ONERROR[:20]  # a name short enough for the name fields, still markup


def assert_inert(text: str, where: str) -> None:
    for danger in catalogue.HTML_DANGER:
        assert danger not in text, f"{where}: {danger!r} came out unescaped"


def assert_shown_escaped(text: str, value: str, where: str) -> None:
    """The payload reached this rendering (so the check above means something), escaped."""
    assert html.escape(value, quote=False) in text or html.escape(value) in text, f"{where}: payload not shown"


def ok(response, *statuses):
    assert response.status_code in (statuses or (200,)), (response.status_code, response.content[:300])
    return response


@pytest.fixture
def poisoned(world):
    """Markup in the learner's name, both courses' texts, the lesson, a module and activity title, the
    workshop session's title and venue, a role-play transcript (a calibration example) and a review's
    comments, the department and organization names."""
    learner, instructor, admin_client = world.client("learner"), world.client("instructor"), world.client("org_admin")
    ok(learner.patch("/api/v1/me/", {"first_name": NAME, "last_name": catalogue.SCRIPT}, format="json"))
    for slug in (world.course.slug, world.certificate.enrollment.course.slug):
        ok(instructor.patch(f"/api/v1/courses/{slug}/", {"title": PAYLOAD, "summary": PAYLOAD,
                                                         "description": MALICIOUS}, format="json"))
    ok(instructor.patch(f"/api/v1/activities/{world.lesson.pk}/lesson/", {"body": MALICIOUS}, format="json"))
    module = ok(instructor.post(f"/api/v1/courses/{world.course.slug}/modules/", {"title": PAYLOAD},
                                format="json"), 201).json()
    ok(instructor.post(f"/api/v1/courses/{world.course.slug}/modules/{module['id']}/activities/",
                       {"title": PAYLOAD, "kind": "lesson", "lesson": {"content_type": "article", "body": MALICIOUS}},
                       format="json"), 201)
    ok(instructor.patch(f"/api/v1/workshops/sessions/{world.extra['session'].pk}/",
                        {"title": PAYLOAD, "venue": PAYLOAD}, format="json"))
    review = world.extra["review"]
    ok(learner.put(f"/api/v1/roleplays/reviews/{review.pk}/", {"comments": PAYLOAD, "scores": [
        {"criterion": s.criterion_id, "points": s.points} for s in review.scores.all()]}, format="json"))
    example = {"title": PAYLOAD, "transcript": PAYLOAD, "scores": catalogue.scores(world)}
    ok(instructor.post(f"/api/v1/roleplays/scenarios/{world.extra['scenario'].pk}/calibration-examples/", example,
                       format="json"), 201)
    ok(admin_client.patch(f"/api/v1/organizations/{world.org.slug}/departments/{world.department.pk}/",
                          {"name": PAYLOAD}, format="json"))
    Organization.objects.filter(pk=world.org.pk).update(name=PAYLOAD)  # named in the admin only
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    ok(instructor.post(f"/api/v1/certificates/{certificate.code}/reissue/", {"reason": PAYLOAD}, format="json"))
    certificate.refresh_from_db()
    assert catalogue.SCRIPT in certificate.learner_name and certificate.course_title == PAYLOAD
    return certificate


def test_rendered_markdown_in_the_api_is_sanitized(world, poisoned, figure):
    learner = world.client("learner")
    course = ok(learner.get(f"/api/v1/courses/{world.course.slug}/")).json()
    lesson = ok(learner.get(f"/api/v1/activities/{world.lesson.pk}/lesson/")).json()
    renderings = {"course description_html": course["description_html"], "lesson body_html": lesson["body_html"]}
    for where, rendered in renderings.items():
        assert_safe(rendered)
        assert_inert(rendered, where)
    assert course["title"] == PAYLOAD  # stored as sent; escaping is the renderer's job
    figure("bad-input renderings checked", len(renderings))


def test_verify_page_and_json_show_names_as_text(world, poisoned, figure):
    page = ok(Client().get(f"/verify/{poisoned.code}/")).content.decode()
    assert_inert(page, "verify page")
    assert_shown_escaped(page, PAYLOAD, "verify page (course title)")
    assert_shown_escaped(page, catalogue.SCRIPT, "verify page (learner name)")
    assert_safe(page.split("<body", 1)[1]) if "<script src" not in page else None
    payload = ok(Client().get(f"/api/v1/verify/{poisoned.code}/")).json()
    assert payload["course_title"] == PAYLOAD
    # A code that is itself markup is echoed escaped on the 404 page.
    missing = Client().get("/verify/" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E" + "/")
    assert missing.status_code == 404
    assert_inert(missing.content.decode(), "verify page for an unknown code")
    figure("bad-input renderings checked", 3)


def test_certificate_pdf_carries_the_markup_as_plain_text(world, poisoned, figure):
    with poisoned.pdf.open("rb") as handle:
        data = handle.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # reportlab draws strings: the markup is printed as characters, never interpreted.
    assert catalogue.SCRIPT in text.replace("\n", "") or "alert(1)" in text, text
    assert b"/JavaScript" not in data and b"/JS " not in data and b"javascript:" not in data.lower()
    figure("bad-input renderings checked", 1)


def test_certificate_email_is_plain_text(world, poisoned, figure):
    Certificate.objects.filter(pk=poisoned.pk).update(emailed_at=None)
    mail.outbox.clear()
    assert certificate_services.certificate_send_issue_email(certificate_id=poisoned.pk)
    [message] = mail.outbox
    assert catalogue.SCRIPT in message.body  # plain text shows the name as typed
    for content, mimetype in getattr(message, "alternatives", []):
        assert mimetype != "text/html" or catalogue.SCRIPT not in content
    figure("bad-input renderings checked", 1)


def test_reminder_emails_escape_names_and_titles(world, poisoned, figure, settings):
    settings.SITE_URL = "https://lms.example.test"
    now = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)
    ReminderSettings.objects.update_or_create(organization=world.org, defaults={
        "quiet_start": datetime.time(0, 0), "quiet_end": datetime.time(0, 0), "quiet_days": [], "daily_cap": 10})
    newcomer = people.member(world.org, "learner", user__first_name=PAYLOAD[:150], user__last_name=NAME)
    Enrollment.objects.create(user=newcomer, course=world.course, organization=world.org,
                              enrolled_at=now - datetime.timedelta(days=5))
    reminders.reminders_select(now=now)
    reminders.reminders_dispatch(now=now)
    mail.outbox.clear()
    ids = list(ReminderLog.objects.filter(recipient=newcomer, status=ReminderLog.Status.PENDING)
               .values_list("pk", flat=True))
    assert ids, "no reminder was due for the newcomer"
    reminders.reminders_send(log_ids=ids, now=now)
    [message] = [m for m in mail.outbox if newcomer.email in m.to]
    [(body, _)] = [(c, t) for c, t in message.alternatives if t == "text/html"]
    assert_inert(body, "reminder email (HTML)")
    assert_shown_escaped(body, PAYLOAD, "reminder email (course title)")
    assert "\n" not in message.subject and "\r" not in message.subject
    figure("bad-input renderings checked", 2)


def test_reports_dashboard_escapes_departments_and_titles(world, poisoned, figure):
    client = Client()
    client.force_login(world.users["hr"])
    for url in ("/hr/", "/hr/people/"):
        page = ok(client.get(url)).content.decode()
        assert_inert(page, f"HR page {url}")
        assert_shown_escaped(page, PAYLOAD, f"HR page {url}")
    other = client.get("/hr/", {"organization": catalogue.SCRIPT})
    assert other.status_code == 404
    assert_inert(other.content.decode(), "HR home, unknown organization")
    figure("bad-input renderings checked", 2)


def test_unsubscribe_page_with_a_markup_token(world, figure):
    response = Client().get("/unsubscribe/%3Cscript%3Ealert(1)%3C%5Cscript%3E/")
    assert response.status_code == 400
    assert_inert(response.content.decode(), "unsubscribe page")
    figure("bad-input renderings checked", 1)


def test_every_admin_change_list_escapes_what_it_shows(world, poisoned, figure):
    superuser = people.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    checked = []
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_inert(response.content.decode(), url)
        checked.append(url)
    # And the change pages of the objects that carry the payload.
    for obj in (world.course, world.org, world.department, world.extra["session"], world.extra["performance"],
                poisoned, world.users["learner"]):
        if type(obj) not in admin.site._registry:
            continue
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_inert(response.content.decode(), url)
        checked.append(url)
    figure("bad-input renderings checked", len(checked))


LINK_FIELDS = [
    ("instructor", "PATCH", "/api/v1/activities/{lesson}/lesson/", "video_url", {}),
    ("instructor", "PATCH", "/api/v1/workshops/sessions/{session}/", "online_url", {}),
    ("hr", "PATCH", "/api/v1/reports/webhooks/{endpoint}/", "url", {}),
    ("instructor", "POST", "/api/v1/roleplays/scenarios/{scenario}/calibration-examples/", "link",
     {"title": "t", "transcript": "Agent: hi."}),
]


@pytest.mark.parametrize(("role", "method", "template", "field", "extra"), LINK_FIELDS,
                         ids=[f"{m} {t} {f}" for _, m, t, f, _ in LINK_FIELDS])
def test_javascript_urls_are_refused_in_link_fields(world, role, method, template, field, extra, figure):
    path = template.format(lesson=world.lesson.pk, session=world.extra["session"].pk,
                           endpoint=world.extra["endpoint"].pk, scenario=world.extra["scenario"].pk)
    client = world.client(role)
    for url in catalogue.JAVASCRIPT_URLS:
        response = client.generic(method, path, catalogue.dump({**extra, field: url}), content_type="application/json")
        assert 400 <= response.status_code < 500, (field, url, response.status_code, response.content[:300])
    figure("bad-input cases", len(catalogue.JAVASCRIPT_URLS))


def test_a_performance_link_must_be_https(world, figure):
    from assessments.roleplays.models import Performance

    Performance.objects.filter(pk=world.extra["performance"].pk).delete()  # the learner may perform again
    client = world.client("learner")
    path = f"/api/v1/roleplays/scenarios/{world.extra['scenario'].pk}/performances/"
    for url in catalogue.JAVASCRIPT_URLS:
        response = client.post(path, {"link": url}, format="json")
        assert 400 <= response.status_code < 500, (url, response.status_code, response.content[:300])
    figure("bad-input cases", len(catalogue.JAVASCRIPT_URLS))
