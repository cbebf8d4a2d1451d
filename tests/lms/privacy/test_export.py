"""The data export's archive: every declared field of the person, their files and sections, an index, nothing
of anyone else; built by a task that is safe to run twice and mails the person a signed link."""
from __future__ import annotations

import datetime
import decimal
import io
import json
import re
import uuid
import zipfile

import pytest
from celery import current_app
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from lms.privacy import exports, registry
from lms.privacy import tasks as privacy_tasks  # noqa: F401  (registers the tasks)
from lms.privacy.models import DataExport
from lms.privacy.registry import Erase, Row
from lms.privacy.services import export as services
from tests import factories

_PARTS = ("declarations", "not_personal", "erasure_steps", "export_sections")


@pytest.fixture
def export_registry(db):
    """A small registry of our own for the test, the real one saved and put back afterwards."""
    registry.declarations()  # the real declarations are discovered now, not in the middle of the test
    saved = {part: dict(getattr(registry._registry, part)) for part in _PARTS}
    for part in _PARTS:
        getattr(registry._registry, part).clear()
    registry.personal_data("lms.User", people={"pk": Row.SCRUB}, purpose="Signing in and naming the learner.",
                           fields={"email": ("e-mail address", Erase.PSEUDONYM), "first_name": ("first name",
                                   Erase.BLANK), "last_name": ("last name", Erase.BLANK),
                                   "date_joined": ("when the account was made", Erase.KEEP)})
    registry.personal_data("lms.Membership", people={"user": Row.DELETE}, purpose="Placing people in organizations.",
                           fields={"employee_id": ("HR employee id", Erase.BLANK),
                                   "manager": ("their manager's membership", Erase.KEEP)})
    registry.personal_data("lms.DataExport", people={"subject": Row.DELETE}, retention="data_exports",
                           purpose="Answering the person's requests for their data.",
                           fields={"file": ("an earlier archive", Erase.DELETE_FILE),
                                   "created_at": ("when it was asked for", Erase.KEEP)})

    @registry.export_section("test_summary")
    def summary(user):
        return {"organizations": user.memberships.count(), "joined": user.date_joined}

    yield
    for part in _PARTS:
        getattr(registry._registry, part).clear()
        getattr(registry._registry, part).update(saved[part])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class _Sent(list):
    capture: object


@pytest.fixture
def enqueued(monkeypatch, django_capture_on_commit_callbacks):
    """The tasks requests enqueue after their commit (recorded, not run)."""
    sent = _Sent()
    monkeypatch.setattr(services, "task_enqueue", lambda name, args: sent.append((name, args)))
    sent.capture = django_capture_on_commit_callbacks
    return sent


@pytest.fixture
def people(org, media):
    """Alicia (the subject) and Bartholomew (her manager, with an export of his own) in one organization."""
    bob = factories.member(org, "org_admin", employee_id="E-BOB-77")
    bob.first_name, bob.last_name, bob.email = "Bartholomew", "Zzyzxwick", "bart.zzyzxwick@example.com"
    bob.save()
    alice = factories.member(org, employee_id="E-ALI-42", manager=bob.memberships.get())
    alice.first_name, alice.last_name, alice.email = "Alicia", "Quintero", "alicia.q@example.com"
    alice.save()
    for person, text in ((alice, b"Alicia's earlier archive"), (bob, b"Bartholomew Zzyzxwick secret archive")):
        earlier = DataExport.objects.create(subject=person, requested_by=person, status=DataExport.Status.EXPIRED)
        earlier.file.save("earlier.zip", ContentFile(text))
    return alice, bob


def _build(alice, enqueued) -> DataExport:
    with enqueued.capture(execute=True):
        export = services.export_request(actor=alice, subject=alice)
    assert enqueued == [("lms.privacy_export_build", [export.pk])]
    return services.export_build(export_id=export.pk)


def _archive(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def assert_every_declared_field(archive: zipfile.ZipFile, person, export: DataExport) -> int:
    """Generic over whatever the registry declares: each path's rows of ``person``, each with every declared field
    as stored (files as their copy in the archive). Answers how many values it compared."""
    checked = 0
    for declaration in registry.declarations().values():
        model = declaration.model
        domain = json.loads(archive.read(f"{services._domain_of(model)}.json"))
        for path in declaration.people:
            lookup = {"pk": person.pk} if path == "pk" else {path: person}
            expected = set(model._default_manager.filter(**lookup).values_list("pk", flat=True))
            rows = {row["id"]: row for row in domain["rows"] if row["model"] == declaration.label
                    and row["path"] == path}
            assert set(rows) == expected, (declaration.label, path)
            owned = declaration.people[path] != Row.DETACH  # a row that only names them: listed by id alone
            for pk, row in rows.items():
                assert set(row["fields"]) == (set(declaration.field_names()) if owned else set())
                if not owned:
                    continue
                if declaration.label == "lms.DataExport" and pk == export.pk:
                    continue  # the export being built: its row changed once the archive was written
                instance = model._default_manager.get(pk=pk)
                for field in declaration.fields:
                    model_field = model._meta.get_field(field.name)
                    value = row["fields"][field.name]
                    if declaration.label == "lms.DataExport" and field.name == "file":
                        # An earlier archive is named, never copied: it is this same data again.
                        assert value == ("an earlier archive of this data (not copied again)" if instance.file
                                         else "")
                    elif model_field.get_internal_type() in ("FileField", "ImageField"):
                        stored = getattr(instance, field.name)
                        if stored:
                            with stored.open("rb") as handle:
                                assert archive.read(value) == handle.read()
                    elif getattr(model_field, "many_to_many", False):
                        assert sorted(value) == sorted(getattr(instance, field.name).values_list("pk", flat=True))
                    elif getattr(model_field, "concrete", False):
                        assert value == exports.json_safe(getattr(instance, model_field.attname)), field.name
                    checked += 1
    return checked


def test_the_archive_holds_every_declared_field_of_the_person(export_registry, people, enqueued):
    alice, _ = people
    export = _build(alice, enqueued)
    assert export.status == DataExport.Status.READY and export.size > 0
    archive = _archive(export)
    assert assert_every_declared_field(archive, alice, export) >= 8
    assert json.loads(archive.read("test_summary.json"))["organizations"] == 1


@pytest.mark.parametrize("exported", ["alice", "bob"])
def test_with_the_real_registry_too(people, enqueued, exported):
    """The project's own declarations (whatever they are when this runs), on the people of this file: Alicia's
    export, and her manager's, which names her membership as one he manages but holds nothing of hers."""
    alice, bob = people if exported == "alice" else reversed(people)
    export = _build(alice, enqueued)
    assert export.status == DataExport.Status.READY
    archive = _archive(export)
    assert assert_every_declared_field(archive, alice, export) >= 8
    for section in registry.export_sections():
        assert any(name.endswith(f"{exports.safe_name(section)}.json") for name in archive.namelist())
    everything = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()).lower()
    assert alice.email.lower() in everything
    for trace in (bob.email, bob.first_name, bob.last_name, *bob.memberships.values_list("employee_id", flat=True)):
        assert trace.lower() not in everything


def test_nothing_of_a_second_person_is_in_the_archive(export_registry, people, enqueued):
    alice, bob = people
    archive = _archive(_build(alice, enqueued))
    everything = "\n".join([*archive.namelist(), *(archive.read(name).decode("utf-8", "replace")
                                                   for name in archive.namelist())]).lower()
    assert "alicia.q@example.com" in everything and "quintero" in everything
    for trace in (bob.email, bob.first_name, bob.last_name, "E-BOB-77"):
        assert trace.lower() not in everything
    assert str(bob.memberships.get().pk) in everything  # the manager is there only as an id


def test_the_index_says_what_each_file_holds(export_registry, people, enqueued, settings):
    settings.PRIVACY_RETENTION_DAYS = {"data_exports": 7}
    alice, _ = people
    archive = _archive(_build(alice, enqueued))
    index = archive.read("index.html").decode()
    readme = archive.read("README.txt").decode()
    for text in ("lms.json", "lms.privacy.json", "test_summary.json", "Placing people in organizations.",
                 "HR employee id", "7 days"):
        assert text in index
    assert "lms.privacy.json" in readme and "Answering the person's requests for their data." in readme
    assert "<script" not in index and "http" not in index.replace('name="viewport"', "")


def test_the_person_gets_one_mail_with_the_link_and_a_second_run_changes_nothing(export_registry, people, enqueued):
    alice, _ = people
    export = _build(alice, enqueued)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    link = re.search(r"https?://\S+/me/privacy/exports/(\d+)/download/\?token=\S+", message.body)
    assert link and int(link.group(1)) == export.pk
    assert link.group(0).split("/me/")[1] in message.alternatives[0][0].replace("&amp;", "&")
    again = services.export_build(export_id=export.pk)
    assert (again.status, again.file.name, again.emailed_at) == (export.status, export.file.name, export.emailed_at)
    assert len(mail.outbox) == 1
    assert DataExport.objects.filter(subject=alice, status=DataExport.Status.READY).count() == 1


def test_the_mail_is_in_the_person_s_language(export_registry, people, enqueued):
    alice, _ = people
    alice.language = "pt-BR"
    alice.save()
    _build(alice, enqueued)
    assert "exportação" in mail.outbox[0].subject.lower()


def test_a_failed_build_is_marked_failed_and_the_person_may_ask_again(export_registry, people, enqueued,
                                                                      monkeypatch):
    alice, _ = people

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services.exports, "archive_write", broken)
    export = _build(alice, enqueued)
    assert export.status == DataExport.Status.FAILED and not export.file
    assert mail.outbox == []
    assert services.export_request(actor=alice, subject=alice).status == DataExport.Status.PENDING


def test_json_safe_writes_dates_decimals_and_ids_as_text():
    value = {"when": datetime.date(2026, 1, 2), "score": decimal.Decimal("9.50"), "id": uuid.UUID(int=1),
             "raw": b"\x00\x01", "spent": datetime.timedelta(minutes=2), "list": (1, None)}
    assert exports.json_safe(value) == {"when": "2026-01-02", "score": "9.50",
                                        "id": "00000000-0000-0000-0000-000000000001", "raw": "AAE=",
                                        "spent": 120.0, "list": [1, None]}
    assert exports.safe_name("../../etc/passwd") == "passwd" and exports.safe_name("..") == "file"


def test_a_section_named_like_a_domain_file_gets_its_own_name(tmp_path):
    domain = exports.Domain(name="lms", models=[], rows=iter([{"id": 1}]))
    spec = exports.Archive(heading="Export", made_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                           domains=[domain], files=[], sections={"lms": lambda: {"answer": 42}})
    target = io.BytesIO()
    counts = exports.archive_write(target, spec)
    archive = zipfile.ZipFile(target)
    assert counts == {"lms.json": 1, "files": 0, "sections": 1}
    assert json.loads(archive.read("lms.json"))["rows"] == [{"id": 1}]
    assert json.loads(archive.read("section-lms.json")) == {"answer": 42}
    assert len(archive.namelist()) == len(set(archive.namelist()))


def test_the_task_builds_once_however_often_it_runs(export_registry, people, enqueued):
    alice, _ = people
    with enqueued.capture(execute=True):
        export = services.export_request(actor=alice, subject=alice)
    (name, args), = enqueued
    task = current_app.tasks[name]
    assert [task.apply(args=args).get() for _ in range(2)] == ["ready", "ready"]
    assert len(mail.outbox) == 1 and DataExport.objects.get(pk=export.pk).status == DataExport.Status.READY


def test_an_earlier_archive_is_named_not_copied(export_registry, people, enqueued):
    """Copied, each export would hold every earlier one (and they theirs): the row says there was one."""
    alice, _ = people
    archive = _archive(_build(alice, enqueued))
    assert not any(name.startswith("files/lms.DataExport/") for name in archive.namelist())
    everything = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert "Alicia's earlier archive" not in everything
    rows = [row for row in json.loads(archive.read("lms.privacy.json"))["rows"] if row["model"] == "lms.DataExport"]
    assert "an earlier archive of this data (not copied again)" in {row["fields"]["file"] for row in rows}
