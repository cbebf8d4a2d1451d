"""Who may ask for an export and open it: a person for themself, an organization's admins for its members,
nobody else (HR and API keys neither); at most one at a time; the link opens only for its subject, until it
expires. The pages in English and Portuguese."""
from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from lms.privacy.models import DataExport
from lms.privacy.selectors import export as selectors
from lms.privacy.services import export as services
from tests import factories
from tests.lms.privacy.test_export import enqueued, export_registry, media  # noqa: F401  (fixtures)

EXPORTS = "/api/v1/privacy/exports/"


def member_export(org, user) -> str:
    return f"/api/v1/privacy/organizations/{org.slug}/members/{user.pk}/export/"


@pytest.fixture
def world(org, other_org):
    return {
        "learner": factories.member(org), "other_learner": factories.member(org), "hr": factories.member(org, "hr"),
        "admin": factories.member(org, "org_admin"), "outsider": factories.member(other_org),
        "other_admin": factories.member(other_org, "org_admin"),
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def page(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_one_export_at_a_time_per_person(world, enqueued):  # noqa: F811
    learner = world["learner"]
    DataExport.objects.create(subject=learner, status=DataExport.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataExport.objects.create(subject=learner, status=DataExport.Status.PENDING)
    answer = api(learner).post(EXPORTS)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "export_active"
    DataExport.objects.filter(subject=learner).update(status=DataExport.Status.READY)
    assert api(learner).post(EXPORTS).status_code == 201
    assert api(world["admin"]).post(member_export(learner.memberships.get().organization, learner)).status_code == 409


@pytest.mark.django_db
def test_a_learner_asks_for_and_reads_only_their_own_exports(world, enqueued):  # noqa: F811
    learner, other = world["learner"], world["other_learner"]
    created = api(learner).post(EXPORTS)
    assert created.status_code == 201 and created.json()["status"] == "pending"
    assert created.json()["organization"] is None and created.json()["download_url"] is None
    theirs = api(other).post(EXPORTS).json()["id"]
    assert [row["id"] for row in api(learner).get(EXPORTS).json()["results"]] == [created.json()["id"]]
    assert api(learner).get(f"{EXPORTS}{created.json()['id']}/").status_code == 200
    assert api(learner).get(f"{EXPORTS}{theirs}/").status_code == 404
    org = learner.memberships.get().organization
    assert api(learner).post(member_export(org, other)).status_code == 404
    assert api(learner).post(member_export(org, learner)).status_code == 404


@pytest.mark.django_db
def test_an_org_admin_asks_for_members_only(world, org, enqueued):  # noqa: F811
    admin, learner = world["admin"], world["learner"]
    created = api(admin).post(member_export(org, learner))
    assert created.status_code == 201 and created.json()["organization"] == org.slug
    export = DataExport.objects.get(pk=created.json()["id"])
    assert (export.subject, export.requested_by, export.organization) == (learner, admin, org)
    listed = api(admin).get(member_export(org, learner)).json()["results"]
    assert [row["id"] for row in listed] == [export.pk] and "download_url" not in listed[0]
    assert api(admin).post(member_export(org, world["outsider"])).status_code == 404
    other_org = world["outsider"].memberships.get().organization
    assert api(admin).post(member_export(other_org, world["outsider"])).status_code == 404
    assert api(world["other_admin"]).post(member_export(org, world["other_learner"])).status_code == 404
    assert api(world["other_admin"]).get(member_export(org, learner)).status_code == 404


@pytest.mark.django_db
def test_hr_and_api_keys_cannot_ask(world, org, enqueued):  # noqa: F811
    assert api(world["hr"]).post(member_export(org, world["learner"])).status_code == 404
    _, raw = factories.api_key_for(org)
    key = APIClient()
    key.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    for method, url in (("post", EXPORTS), ("get", EXPORTS), ("get", f"{EXPORTS}1/"),
                        ("post", member_export(org, world["learner"])), ("get", member_export(org, world["learner"]))):
        assert getattr(key, method)(url).status_code == 403
    assert APIClient().post(EXPORTS).status_code == 401
    assert not DataExport.objects.exists()


def _ready(world, enqueued) -> DataExport:  # noqa: F811
    learner = world["learner"]
    with enqueued.capture(execute=True):
        export = services.export_request(actor=learner, subject=learner)
    return services.export_build(export_id=export.pk)


@pytest.mark.django_db
def test_the_link_opens_only_for_its_subject_until_it_expires(world, enqueued, export_registry, media,  # noqa: F811
                                                               settings):
    export = _ready(world, enqueued)
    link = mail.outbox[0].body.split("/me/privacy/", 1)[1].split()[0]
    url = f"/me/privacy/{link}"
    download = page(world["learner"]).get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert page(world["other_learner"]).get(url).status_code == 404
    assert page(world["admin"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    assert page(world["learner"]).get(url[:-3] + "abc").status_code == 404
    assert page(world["learner"]).get(url.split("?")[0]).status_code == 404
    listed = api(world["learner"]).get(f"{EXPORTS}{export.pk}/").json()
    assert "/me/privacy/exports/" in listed["download_url"]
    settings.PRIVACY_RETENTION_DAYS = {"data_exports": 0}  # the signature outlived its days
    gone = page(world["learner"]).get(url)
    assert gone.status_code == 410 and b"expired" in gone.content
    settings.PRIVACY_RETENTION_DAYS = {"data_exports": 7}
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert page(world["learner"]).get(url).status_code == 410
    assert selectors.export_is_downloadable(DataExport.objects.get(pk=export.pk)) is False


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "button", "heading", "refused"), [
    ("en", "Export my data", "Your privacy", "already being prepared"),
    ("pt-br", "Exportar meus dados", "Sua privacidade", "já está em preparo")])
def test_the_privacy_home_asks_for_an_export(world, enqueued, language, button, heading, refused):  # noqa: F811
    client = page(world["learner"], language)
    home = client.get("/me/privacy/")
    assert home.status_code == 200
    assert heading in home.content.decode() and button in home.content.decode()
    after = client.post("/me/privacy/exports/", follow=True)
    assert button not in after.content.decode()
    assert DataExport.objects.filter(subject=world["learner"], status="pending").count() == 1
    again = client.post("/me/privacy/exports/", follow=True)
    assert again.status_code == 200 and DataExport.objects.filter(subject=world["learner"]).count() == 1
    assert refused in again.content.decode()
    assert Client().get("/me/privacy/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "button"), [("en", "Export data"), ("pt-br", "Exportar dados")])
def test_org_privacy_lists_members_and_asks_on_their_behalf(world, org, enqueued, language, button):  # noqa: F811
    client = page(world["admin"], language)
    listing = client.get("/org/privacy/")
    text = listing.content.decode()
    assert listing.status_code == 200 and world["learner"].email in text and button in text
    assert world["outsider"].email not in text
    done = client.post(f"/org/privacy/members/{world['learner'].pk}/export/", {"organization": org.slug}, follow=True)
    assert done.status_code == 200
    assert DataExport.objects.get(subject=world["learner"]).organization == org
    assert client.post(f"/org/privacy/members/{world['outsider'].pk}/export/",
                       {"organization": org.slug}).status_code == 404
    for refused in ("learner", "hr"):
        assert page(world[refused]).get("/org/privacy/").status_code == 403
    assert page(world["hr"]).post(f"/org/privacy/members/{world['learner'].pk}/export/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "ready", "expired"), [("en", "Ready", "Expired"),
                                                            ("pt-br", "Pronta", "Expirada")])
def test_an_export_whose_link_ran_out_reads_as_expired_everywhere(world, org, language, ready, expired):
    """Until the nightly retention deletes it, a ready export past its link's time says so: on the person's
    page, on the organization admin's, and in the API (no download link)."""
    learner = world["learner"]
    export = DataExport.objects.create(subject=learner, organization=org, status=DataExport.Status.READY,
                                       expires_at=timezone.now() + datetime.timedelta(hours=1))

    def status_cells() -> tuple[str, str, str]:
        mine = page(learner, language).get("/me/privacy/").content.decode()
        admins = page(world["admin"], language).get("/org/privacy/").content.decode()
        row = admins.split(learner.email, 1)[1].split("</tr>", 1)[0]
        return mine, row, api(learner).get(f"{EXPORTS}{export.pk}/").json()["status"]

    mine, row, answered = status_cells()
    assert f"<td>{ready}</td>" in mine and f"<td>{ready}</td>" in row and answered == "ready"
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    mine, row, answered = status_cells()
    assert f"<td>{expired}</td>" in mine and f"<td>{expired}</td>" in row and answered == "expired"
    assert f"<td>{ready}</td>" not in mine
    assert api(learner).get(f"{EXPORTS}{export.pk}/").json()["download_url"] is None
    assert DataExport.objects.get(pk=export.pk).status == DataExport.Status.READY  # stored as it was
