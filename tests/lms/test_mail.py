"""The one mail renderer (lms/mail.py): the language a person reads, the shared layouts every kind extends, and
the password-reset mail built on them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from lms.mail import mail_build, mail_language
from tests import factories
from tests.mail_helpers import read_mail

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lms.example.test"


@pytest.mark.parametrize(("preferences", "expected"), [
    (("pt-BR",), "pt-br"), (("pt",), "pt-br"), (("PT-pt",), "pt-br"), (("en-GB",), "en"),
    (("fr",), "en"), (("",), "en"), ((None, "pt-BR"), "pt-br"), (("xx", "pt-BR"), "pt-br"),
])
def test_the_language_is_the_persons_own_then_the_fallbacks_then_the_sites(preferences, expected):
    assert mail_language(*preferences) == expected


def test_the_site_default_when_nothing_is_spoken(settings):
    settings.LANGUAGE_CODE = "pt-br"
    assert mail_language("", "de") == "pt-br"


def test_every_kind_is_a_text_and_html_pair_on_the_shared_layouts():
    kinds = {}
    for app in ("lms", "courses", "assessments"):
        for path in (ROOT / app / "templates").rglob("mail/*"):
            if not path.name.startswith("_") and path.suffix in (".txt", ".html"):
                kinds.setdefault(path.with_suffix(""), set()).add(path.suffix)
    assert len(kinds) >= 9  # workshop kinds, certificate, reminder, password reset and the layouts
    for name, suffixes in kinds.items():
        assert suffixes == {".txt", ".html"}, name
        for suffix in suffixes:
            source = name.with_suffix(suffix).read_text()
            if name.name != "base":
                assert re.match(r'\{% extends "(mail/base|courses/mail/_workshop)\.' + suffix[1:], source), name


def test_the_subject_and_both_bodies_follow_the_recipients_language(db):
    # the password reset pair, rendered straight through the renderer in each language
    context = {"email": "ana@example.com", "reset_url": "https://lms.example.test/password-reset/x/y/"}
    english = mail_build(template="lms/mail/password_reset", context=context, to="ana@example.com", language="en",
                         subject="Hello")
    portuguese = mail_build(template="lms/mail/password_reset", context=context, to="ana@example.com",
                            language="pt-br", subject="Olá")
    assert "Someone asked to reset" in english.body and "Alguém pediu para redefinir" in portuguese.body
    assert 'lang="pt-BR"' in portuguese.alternatives[0].content and 'lang="en"' in english.alternatives[0].content


@pytest.mark.parametrize(("language", "subject", "opening", "button"), [
    ("en", "Reset your Empathy LMS password", "Someone asked to reset the password", "Choose a new password"),
    ("pt-BR", "Redefina sua senha do Empathy LMS", "Alguém pediu para redefinir a senha", "Escolha uma nova senha"),
])
def test_the_password_reset_mail_in_the_persons_language_links_to_the_site(db, client, mailoutbox, language,
                                                                           subject, opening, button):
    factories.UserFactory(email="ana@example.com", language=language)
    response = client.post(reverse("pages:password-reset"), {"email": "ana@example.com"})
    assert response.status_code == 302, response.content
    (message,) = mailoutbox
    mail = read_mail(message, organization=None)
    assert mail.subject == subject
    assert opening in mail.text and opening in mail.html and button in mail.html
    link = re.search(r"https://lms\.example\.test(/password-reset/\S+/)", mail.text).group(1)
    assert f'href="https://lms.example.test{link}"' in mail.html
    assert "testserver" not in mail.text  # the link is on SITE_URL, whatever host the request named
    assert client.get(link, follow=True).status_code == 200


@pytest.mark.parametrize(("page_language", "opening"), [
    ("en", "Someone asked to reset the password"),
    ("pt-br", "Alguém pediu para redefinir a senha"),
])
def test_without_a_language_of_their_own_a_person_gets_the_reset_mail_in_the_language_of_the_page(
        db, client, mailoutbox, page_language, opening):
    factories.UserFactory(email="bia@example.com", language="")
    response = client.post(reverse("pages:password-reset"), {"email": "bia@example.com"},
                           HTTP_ACCEPT_LANGUAGE=page_language)
    assert response.status_code == 302, response.content
    (message,) = mailoutbox
    assert opening in read_mail(message, organization=None).text
