"""The registry of personal data: every personal-looking field is declared, and every declaration can be acted on
(its paths reach a person, its erasure rules can be written, its retention is a known data class)."""
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from courses.models import Course, Enrollment
from lms.models import Membership, User
from lms.privacy import registry
from lms.privacy.registry import (
    RETENTION_CLASSES,
    Erase,
    Row,
    declarations,
    looks_personal,
    not_personal,
    personal_data,
    undeclared,
)
from tests import factories

HOW_TO_DECLARE = (
    "Declare them in the domain's privacy.py beside its models.py (lms: lms/privacy/declarations.py):\n"
    "  personal_data('app.Model', people={'user': Row.DELETE}, fields={'name': ('what it holds', Erase.BLANK)},\n"
    "                purpose='why it is kept', retention='account')\n"
    "or, for what looks personal but is not, not_personal('app.Model', ['field'], reason='why').\n"
    "A foreign key to a person's row (an enrollment) is declared as the first step of a path: "
    "people={'enrollment__user': Row.DELETE}."
)

# Row.DETACH sets the path's first foreign key to null (or removes a many-to-many link). These are declared


def _first_hop(declaration, path):
    return declaration.model._meta.get_field(path.split("__", 1)[0])


def _end_model(model, path):
    """The model a path of foreign keys arrives at (None if a step is not a relation)."""
    for name in path.split("__"):
        model_field = model._meta.get_field(name)
        if not model_field.is_relation:
            return None
        model = model_field.related_model
    return model


def test_every_personal_looking_field_is_declared():
    missing = undeclared()
    assert missing == [], f"Personal-looking fields nobody declared: {', '.join(missing)}.\n{HOW_TO_DECLARE}"


def test_the_project_declares_its_people_and_their_learning():
    known = declarations()
    assert known["lms.User"].people == {"pk": Row.SCRUB}
    for label in ("courses.Enrollment", "courses.ActivityProgress", "assessments.Attempt", "assessments.Performance",
                  "courses.Registration", "courses.Rating", "courses.ReminderLog", "lms.Membership"):
        assert label in known, label


@pytest.mark.django_db
def test_every_people_path_is_a_lookup_from_the_model_to_a_user():
    user = factories.UserFactory()
    for label, declaration in declarations().items():
        for path in declaration.people:
            lookup = {"pk": user.pk} if path == "pk" else {path: user}
            # A path that does not end at the user model raises here (Django checks the instance's model).
            declaration.model.objects.filter(**lookup).exists()
            end = declaration.model if path == "pk" else _end_model(declaration.model, path)
            assert end is type(user), f"{label} {path} ends at {end}"


@pytest.mark.django_db
def test_the_paths_find_a_persons_rows():
    membership = factories.MembershipFactory(manager=factories.MembershipFactory())
    found = Membership.objects.filter(user=membership.user).exists()
    found_as_manager = Membership.objects.filter(manager__user=membership.manager.user).exists()
    assert found and found_as_manager
    assert not Membership.objects.filter(manager__user=membership.user).exists()


def test_every_blanked_or_pseudonymised_field_can_be_written():
    wrong = []
    for label, declaration in declarations().items():
        for personal in declaration.fields:
            model_field = declaration.model._meta.get_field(personal.name)
            text = isinstance(model_field, (models.CharField, models.TextField))
            if personal.erase == Erase.PSEUDONYM and not text:
                wrong.append(f"{label}.{personal.name}: a pseudonym needs a text column")
            if personal.erase == Erase.BLANK and not (model_field.null or model_field.blank or text):
                wrong.append(f"{label}.{personal.name}: blanked but neither null, blank nor text")
            if personal.erase == Erase.DELETE_FILE and not isinstance(model_field, models.FileField):
                wrong.append(f"{label}.{personal.name}: DELETE_FILE on a column that holds no file")
    assert wrong == []


def test_every_stored_file_of_a_person_is_deleted_or_left_to_a_step():
    kept = [f"{label}.{f.name}" for label, d in declarations().items() for f in d.fields
            if isinstance(d.model._meta.get_field(f.name), models.FileField)
            and f.erase not in (Erase.DELETE_FILE, Erase.STEP)]
    assert kept == []
    assert declarations()["assessments.Performance"].fields[0].name == "media"
    assert declarations()["assessments.Performance"].fields[0].erase == Erase.DELETE_FILE


def test_every_retention_is_a_known_data_class():
    configured = getattr(settings, "PRIVACY_RETENTION_DAYS", None)
    for label, declaration in declarations().items():
        assert declaration.retention in RETENTION_CLASSES, label
        if configured is not None and declaration.retention not in ("account", "reminder_log", "report_exports"):
            assert declaration.retention in configured, label
    with pytest.raises(ValueError, match="retention"):
        personal_data("lms.UserToken", people={"user": Row.DELETE}, fields={}, purpose="x", retention="forever")


def test_a_declaration_cannot_name_what_does_not_exist():
    with pytest.raises(ValueError):
        personal_data("lms.UserToken", people={"user": Row.DELETE}, fields={"nickname": ("x", Erase.BLANK)},
                      purpose="x")
    with pytest.raises(ValueError):
        personal_data("lms.UserToken", people={"owner": Row.DELETE}, fields={}, purpose="x")
    with pytest.raises(ValueError):
        not_personal("lms.Department", ["nickname"], reason="x")


def test_certificates_stay_when_their_learner_is_erased():
    known = declarations()
    certificate = known["courses.Certificate"]
    assert certificate.people["enrollment__user"] == Row.SCRUB
    assert {f.name: f.erase for f in certificate.fields}["learner_name"] == Erase.STEP
    # Deleting the enrollment would take the certificate with it (CASCADE) or be refused (PROTECT): it must stay.
    on_delete = _first_hop(certificate, "enrollment__user").remote_field.on_delete
    if on_delete in (models.CASCADE, models.PROTECT):
        assert known["courses.Enrollment"].people["user"] != Row.DELETE


def test_no_kept_row_hangs_off_a_row_erasure_deletes():
    """A row kept (SCRUB or DETACH) through a foreign key that cascades or protects must not hang off a row the
    same person's erasure deletes: the database would delete it too, or refuse."""
    known = declarations()
    wrong = []
    for label, declaration in known.items():
        for path, row in declaration.people.items():
            if row == Row.DELETE or "__" not in path:
                continue
            hop, rest = path.split("__", 1)
            model_field = declaration.model._meta.get_field(hop)
            if model_field.remote_field.on_delete not in (models.CASCADE, models.PROTECT):
                continue
            target = known.get(model_field.related_model._meta.label)
            if target is not None and target.people.get(rest) == Row.DELETE:
                wrong.append(f"{label} {path}: {row} but {target.label} {rest}: delete")
    assert wrong == []


def test_detached_links_are_nullable():
    not_nullable = set()
    for label, declaration in declarations().items():
        for path, row in declaration.people.items():
            if row != Row.DETACH:
                continue
            hop = _first_hop(declaration, path)
            if not (hop.null or hop.many_to_many):
                not_nullable.add(f"{label}.{path.split('__', 1)[0]}")
    assert not_nullable == set(), "DETACH needs a nullable foreign key (on_delete=SET_NULL) to set to null"


def test_a_new_email_column_or_link_to_people_nobody_declared_is_listed(monkeypatch):
    assert looks_personal(models.EmailField())
    assert looks_personal(models.CharField(name="employee_code_note", max_length=5))
    assert not looks_personal(models.CharField(name="colour", max_length=5))
    with isolate_apps("lms", "courses", "assessments") as isolated:
        class Newsletter(models.Model):
            address = models.EmailField()
            topic = models.CharField(max_length=50)
            readers = models.ManyToManyField(User, related_name="+")

            class Meta:
                app_label = "courses"

            def __str__(self) -> str:
                return self.topic

        monkeypatch.setattr(registry, "apps", isolated)
        assert undeclared() == ["courses.Newsletter.address", "courses.Newsletter.readers"]


@isolate_apps("courses")
def test_a_foreign_key_to_someones_row_looks_personal():
    person_models = {label for label, d in declarations().items() if d.owned()}

    class Probe(models.Model):
        enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE)
        course = models.ForeignKey(Course, on_delete=models.CASCADE)

        class Meta:
            app_label = "courses"

        def __str__(self) -> str:
            return str(self.pk)

    assert looks_personal(Probe._meta.get_field("enrollment"), person_models)
    assert not looks_personal(Probe._meta.get_field("course"), person_models)
    # A row that only names its author (an announcement) does not make what points at it someone's.
    assert "courses.Announcement" not in person_models


def test_privacy_report_prints_every_data_class():
    out = StringIO()
    call_command("privacy_report", stdout=out)
    table = out.getvalue()
    assert table.startswith("| data class | models | fields | retention days (default) | purpose |")
    for data_class in RETENTION_CLASSES:
        assert f"\n| {data_class} |" in table
    recordings = next(line for line in table.splitlines() if line.startswith("| recordings |"))
    assert "Performance" in recordings and "media" in recordings
