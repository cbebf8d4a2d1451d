"""My learning: own enrollments with progress, due dates and the next step, own certificates, workshop places."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.certificates.credentials import keys as credential_keys
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.workshops.services import sessions as workshop_sessions
from tests import factories as people
from tests.courses.factories import activities_of, build_course
from tests.courses.workshops.conftest import enrolled, make_session, make_workshop
from tests.helpers import page_text as text
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")




def three_step_course(**fields):
    return build_course(activities=[{"title": "Listen"}, {"title": "Reflect"}, {"title": "Answer"}], **fields)


def certified(user, *, render: bool = True, **course_fields):
    """A completed enrollment of ``user`` with its certificate (rendered to PDF unless told otherwise)."""
    course = build_course(activities=[{"title": "Only step"}], **course_fields)
    enrollment, _ = enrollment_services.enrollment_create(user=user, course=course)
    for activity in activities_of(course):
        enrollment_services.activity_record_result(enrollment=enrollment, activity=activity, passed=True, score=90)
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    if render:
        certificate = certificate_services.certificate_render(certificate_id=certificate.pk)
    return certificate


@pytest.fixture
def learner(db):
    return people.UserFactory(email="ana@example.com")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("pages:my-learning"))
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:sign-in") + "?next=/my/"


def test_enrollments_show_progress_due_date_and_the_next_step(learner):
    course = three_step_course(title="Listening well", due_days=30)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    first, second, _third = activities_of(course)
    enrollment_services.activity_record_result(enrollment=enrollment, activity=first, passed=True, score=100)
    enrollment.refresh_from_db()

    response = signed_in(learner).get(reverse("pages:my-learning"))
    assert response.status_code == 200
    page, body = response.content.decode(), text(response)
    assert f'href="{reverse("pages:course", args=[course.slug])}"' in page and "Listening well" in body
    assert f'<progress max="100" value="{enrollment.progress_percent}" aria-label="Progress in Listening well">' in page
    assert f"{enrollment.progress_percent} % done" in body and 0 < enrollment.progress_percent < 100
    assert "In progress" in body and "Overdue" not in body
    assert "Due" in body and "Last activity" in body and "Next: Reflect" in body
    continue_link = reverse("pages:activity", args=[course.slug, second.pk])
    assert re.search(rf'<a class="button" href="{re.escape(continue_link)}"[^>]*>Continue</a>', page)


def test_overdue_enrollments_are_flagged(learner):
    course = three_step_course(due_days=10)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(due_at=timezone.now() - timedelta(days=2))  # time passes
    response = signed_in(learner).get(reverse("pages:my-learning"))
    assert '<span class="badge bad">Overdue</span>' in response.content.decode()
    assert "not started yet" in text(response)


def test_only_own_enrollments_and_certificates(learner, org):
    hr = people.member(org, "hr")
    colleague = people.member(org)
    theirs = certified(colleague, title="Someone else's course")
    mine = certified(hr, title="HR's own course")
    body = text(signed_in(hr).get(reverse("pages:my-learning")))
    assert "HR's own course" in body and mine.code in signed_in(hr).get(reverse("pages:my-learning")).content.decode()
    assert "Someone else's course" not in body and theirs.code not in body
    assert "You are not enrolled in any course yet." in text(signed_in(learner).get(reverse("pages:my-learning")))


def test_certificates_link_to_pdf_linkedin_credential_and_verify(learner, settings, tmp_path):
    credential_keys.key_generate()
    certificate = certified(learner, title="Empathy basics")
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.credential
    client = signed_in(learner)
    response = client.get(reverse("pages:my-learning"))
    page = response.content.decode()
    links = dict((label, href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', page))
    assert links["Download PDF"] == f"/api/v1/certificates/{certificate.code}/pdf/"
    assert links["Credential (JSON)"] == f"/api/v1/certificates/{certificate.code}/credential.json"
    assert links["Verify"] == f"/verify/{certificate.code}/"
    linkedin = urlparse(html.unescape(links["Add to LinkedIn"]))
    assert linkedin.netloc == "www.linkedin.com"
    assert parse_qs(linkedin.query)["certId"] == [certificate.code]
    assert '<span class="badge valid">Valid</span>' in page and "Empathy basics" in text(response)
    # The links work for the signed-in learner.
    assert client.get(links["Download PDF"])["Content-Type"] == "application/pdf"
    assert client.get(links["Credential (JSON)"]).status_code == 200
    assert client.get(links["Verify"]).status_code == 200


def test_a_certificate_still_being_prepared_and_a_revoked_one(learner):
    pending = certified(learner, render=False, title="Fresh course")
    revoked = certified(learner, title="Old course")
    certificate_services.certificate_revoke(certificate=revoked, actor=None, reason="Issued by mistake")
    page = signed_in(learner).get(reverse("pages:my-learning")).content.decode()
    assert "The PDF is being prepared." in page
    assert f"/api/v1/certificates/{pending.code}/pdf/" not in page
    assert '<span class="badge revoked">Revoked</span>' in page
    assert page.count("Add to LinkedIn") == 1  # the valid one only
    assert "Credential (JSON)" not in page  # no signing key in this test
    assert page.count(">Verify</a>") == 2


def test_upcoming_workshop_places_are_listed(learner):
    workshop = make_workshop()
    enrolled(workshop.activity.course, learner)
    booked = make_session(workshop, capacity=1, title="Morning practice")
    workshop_sessions.registration_create(session=booked, user=learner)
    full = make_session(workshop, capacity=1, title="Evening practice",
                        start=timezone.now() + timedelta(days=9))
    workshop_sessions.registration_create(session=full, user=enrolled(workshop.activity.course))
    workshop_sessions.registration_create(session=full, user=learner)
    response = signed_in(learner).get(reverse("pages:my-learning"))
    page, body = response.content.decode(), text(response)
    assert f'href="{reverse("pages:workshop-session", args=[booked.pk])}"' in page
    assert "Morning practice" in body and "Evening practice" in body
    assert "Booked" in body and "On the waitlist" in body and "You are number 1 on the waitlist." in body


def test_queries_stay_flat_with_many_rows(learner, django_assert_max_num_queries):
    for _ in range(12):
        certified(learner, render=False)
    for number in range(15):
        course = three_step_course()
        enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
        enrollment_services.activity_record_result(enrollment=enrollment, activity=activities_of(course)[number % 3],
                                                   passed=True, score=80)
    workshop = make_workshop()
    enrolled(workshop.activity.course, learner)
    for day in range(1, 9):
        session = make_session(workshop, start=timezone.now() + timedelta(days=day), capacity=1)
        if day % 2:
            workshop_sessions.registration_create(session=session, user=enrolled(workshop.activity.course))
        workshop_sessions.registration_create(session=session, user=learner)
    client = signed_in(learner)
    with django_assert_max_num_queries(10):  # 9, plus the announcements notice
        response = client.get(reverse("pages:my-learning"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<progress") == 28 and page.count(">Verify</a>") == 12
    assert page.count("on the waitlist.") == 4


def test_portuguese(learner):
    certified(learner, title="Curso de escuta")
    client = signed_in(learner)
    client.post("/i18n/setlang/", {"language": "pt-br"})
    body = text(client.get(reverse("pages:my-learning")))
    for words in ("Minha aprendizagem", "Meus cursos", "Meus certificados", "Baixar PDF", "Adicionar ao LinkedIn",
                  "Verificar", "Concluído", "100 % concluído", "Minhas próximas oficinas"):
        assert words in body


def test_course_titles_are_escaped(learner):
    course = three_step_course(title="<script>alert(1)</script>")
    enrollment_services.enrollment_create(user=learner, course=course)
    certified(learner, title="<img src=x onerror=alert(2)>")
    page = signed_in(learner).get(reverse("pages:my-learning")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page


SAME_IN_PORTUGUESE = {"Links"}
MY_TEMPLATES = ["workshops.html", "workshop_session.html", "_when.html", "my_learning.html", "notifications.html"]


def _template_strings() -> list[tuple[str, str, str | None]]:
    """(context, msgid, plural) of every translate/blocktranslate tag in these pages' templates."""
    from pathlib import Path

    from django.conf import settings

    found = []
    for name in MY_TEMPLATES:
        source = (Path(settings.BASE_DIR) / "courses/templates/courses/pages" / name).read_text()
        for match in re.finditer(r'{%\s*translate\s+"([^"]*)"\s+context\s+"([^"]*)"\s*%}', source):
            found.append((match.group(2), match.group(1), None))
        for match in re.finditer(r"{%\s*blocktranslate\b(.*?)%}(.*?){%\s*endblocktranslate\s*%}", source, re.S):
            context = re.search(r'context\s+"([^"]*)"', match.group(1)).group(1)
            singular, _, plural = (re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", part.replace("%", "%%"))
                                   for part in match.group(2).partition("{% plural %}"))
            found.append((context, singular, plural or None))
        assert not re.search(r'{%\s*translate\s+"[^"]*"\s*%}', source), f"{name}: a translate tag without context"
    return found


def test_every_string_of_these_pages_has_a_portuguese_translation():
    from django.utils import translation

    strings = _template_strings()
    assert len(strings) > 80
    with translation.override("pt-br"):
        missing = [(context, msgid) for context, msgid, plural in strings if msgid not in SAME_IN_PORTUGUESE
                   and (translation.npgettext(context, msgid, plural, 2) if plural
                        else translation.pgettext(context, msgid)) in (msgid, plural)]
    assert missing == []
