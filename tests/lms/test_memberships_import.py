"""CSV import of members: every row validated, then all written or none; re-imports change nothing."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.models import Membership, User
from tests.helpers import assert_error
from tests.lms.conftest import ACTORS

pytestmark = pytest.mark.django_db

GOOD_CSV = """email,first_name,last_name,employee_id,department,manager_email,roles
sam@a.example,Sam,Okafor,E-1,Customer Care,,supervisor;learner
Lena@A.example,Lena,Fischer,E-2,CC,sam@a.example,learner
bruno@a.example,Bruno,Souza,E-3,customer care,sam@a.example,
"""


def _url(org) -> str:
    return f"/api/v1/organizations/{org.slug}/memberships/import/"


def _upload(client, org, content: str | bytes, dry_run: bool | None = None):
    raw = content.encode() if isinstance(content, str) else content
    data = {"file": SimpleUploadedFile("people.csv", raw, content_type="text/csv")}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return client.post(_url(org), data, format="multipart")


def _state() -> tuple:
    return (
        sorted(User.objects.values_list("email", "first_name", "last_name")),
        sorted(Membership.objects.values_list("user__email", "organization_id", "department_id", "manager_id",
                                              "employee_id", "is_learner", "is_supervisor", "is_hr", "updated_at")),
    )


@pytest.fixture
def admin_client(world):
    return world.client("org_admin")


def test_good_file_creates_members(world, admin_client):
    before_users = User.objects.count()
    response = _upload(admin_client, world.org, GOOD_CSV)
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["ok"], report["dry_run"], report["created"], report["updated"], report["unchanged"],
            report["errors"]) == (True, False, 3, 0, 0, 0)
    assert [(row["row"], row["email"], row["action"], row["errors"]) for row in report["rows"]] == [
        (2, "sam@a.example", "create", []),
        (3, "lena@a.example", "create", []),
        (4, "bruno@a.example", "create", []),
    ]
    assert User.objects.count() == before_users + 3
    sam = Membership.objects.select_related("user").get(organization=world.org, user__email="sam@a.example")
    lena = Membership.objects.select_related("user").get(organization=world.org, user__email="lena@a.example")
    bruno = Membership.objects.get(organization=world.org, user__email="bruno@a.example")
    assert (sam.user.first_name, sam.user.last_name, sam.employee_id) == ("Sam", "Okafor", "E-1")
    assert sorted(sam.roles) == ["learner", "supervisor"] and sam.manager_id is None
    assert sam.user.is_staff is True
    assert lena.roles == ["learner"] and lena.manager_id == sam.pk
    assert bruno.roles == ["learner"] and bruno.manager_id == sam.pk  # empty roles mean learner
    assert {sam.department_id, lena.department_id, bruno.department_id} == {world.department.pk}
    assert not lena.user.has_usable_password()


def test_reimporting_the_same_file_changes_nothing(world, admin_client):
    assert _upload(admin_client, world.org, GOOD_CSV).status_code == 200
    before = _state()
    report = _upload(admin_client, world.org, GOOD_CSV).json()
    assert (report["ok"], report["created"], report["updated"], report["unchanged"]) == (True, 0, 0, 3)
    assert {row["action"] for row in report["rows"]} == {"unchanged"}
    assert _state() == before


def test_import_updates_existing_members(world, admin_client):
    assert _upload(admin_client, world.org, GOOD_CSV).status_code == 200
    changed = GOOD_CSV.replace("E-3,customer care,sam@a.example,", "E-3,customer care,,hr")
    report = _upload(admin_client, world.org, changed).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    assert [row["action"] for row in report["rows"]] == ["unchanged", "unchanged", "update"]
    bruno = Membership.objects.get(organization=world.org, user__email="bruno@a.example")
    assert (bruno.roles, bruno.manager_id) == (["hr"], None)


def test_existing_user_of_another_organization_joins_without_a_second_account(world, admin_client):
    users = User.objects.count()
    response = _upload(admin_client, world.org, "email,roles\nLearner@B.example,learner\n")
    assert response.json()["created"] == 1
    assert User.objects.count() == users
    assert Membership.objects.filter(user=world.other_member.user).count() == 2


def test_dry_run_validates_and_writes_nothing(world, admin_client):
    before = _state()
    response = _upload(admin_client, world.org, GOOD_CSV, dry_run=True)
    assert response.status_code == 200
    report = response.json()
    assert (report["ok"], report["dry_run"], report["created"]) == (True, True, 3)
    assert _state() == before


def test_dry_run_reports_what_a_real_run_would_do(world, admin_client):
    assert _upload(admin_client, world.org, GOOD_CSV).status_code == 200
    before = _state()
    report = _upload(admin_client, world.org, GOOD_CSV, dry_run=True).json()
    assert [row["action"] for row in report["rows"]] == ["unchanged", "unchanged", "unchanged"]
    moved = GOOD_CSV.replace("E-2,CC,sam@a.example,learner", "E-2,CC,bruno@a.example,learner")
    report = _upload(admin_client, world.org, moved, dry_run=True).json()
    assert [row["action"] for row in report["rows"]] == ["unchanged", "update", "unchanged"]
    assert _state() == before
    report = _upload(admin_client, world.org, moved).json()
    assert [row["action"] for row in report["rows"]] == ["unchanged", "update", "unchanged"]
    lena = Membership.objects.get(organization=world.org, user__email="lena@a.example")
    assert lena.manager.user.email == "bruno@a.example"


BAD_ROWS = [
    ("missing email", ",No,Email,,,,learner", "email is required."),
    ("invalid email", "not-an-email,,,,,,", "'not-an-email' is not a valid email address."),
    ("unknown department", "x@a.example,,,,Nowhere,,", "Unknown department 'Nowhere'."),
    ("unknown role", "x@a.example,,,,,,learner;wizard", "Unknown role(s) wizard"),
    ("manager not found", "x@a.example,,,,,ghost@a.example,", "Manager ghost@a.example is neither in the file"),
    ("own manager", "x@a.example,,,,,x@a.example,", "A person cannot be their own manager."),
    ("too many columns", "x@a.example,X,Y,E-9,,,learner,surplus", "The row has more cells than the header."),
    ("employee id of another member", "x@a.example,,,L-1,,,", "employee_id L-1 belongs to learner@a.example."),
    ("department of another organization", "x@a.example,,,,Billing,,", "Unknown department 'Billing'."),
    ("manager in another organization", "x@a.example,,,,,learner@b.example,", "Manager learner@b.example"),
]


@pytest.mark.parametrize("name, bad_line, message", BAD_ROWS, ids=[row[0] for row in BAD_ROWS])
def test_one_bad_row_rejects_the_whole_file(world, admin_client, name, bad_line, message):
    assert _upload(admin_client, world.org, GOOD_CSV).status_code == 200
    Membership.objects.filter(pk=world.members["learner"].pk).update(employee_id="L-1")
    before = _state()
    users, members = User.objects.count(), Membership.objects.count()
    content = GOOD_CSV + "good@a.example,Good,Row,,,,\n"
    content += bad_line + "\n"
    response = _upload(admin_client, world.org, content)
    assert response.status_code == 400
    report = response.json()
    assert report["ok"] is False and report["errors"] == 1
    bad = report["rows"][-1]
    assert bad["row"] == 6 and bad["action"] == "error"
    assert any(message in error for error in bad["errors"]), bad["errors"]
    # The valid rows are reported as what they would have done, but nothing was written.
    assert [row["action"] for row in report["rows"][:-1]] == ["unchanged", "unchanged", "unchanged", "create"]
    assert (User.objects.count(), Membership.objects.count()) == (users, members)
    assert _state() == before
    assert not User.objects.filter(email="good@a.example").exists()


def test_duplicate_rows_are_reported_on_both_lines(world, admin_client):
    before = _state()
    content = "email,employee_id\nsam@a.example,E-1\nana@a.example,E-1\nSAM@a.example,E-5\n"
    response = _upload(admin_client, world.org, content)
    assert response.status_code == 400
    rows = response.json()["rows"]
    assert [row["action"] for row in rows] == ["error", "error", "error"]
    assert "sam@a.example appears again on line(s) 4." in rows[0]["errors"]
    assert "sam@a.example appears again on line(s) 2." in rows[2]["errors"]
    assert "employee_id E-1 appears on more than one line." in rows[1]["errors"]
    assert _state() == before


def test_a_row_with_several_problems_lists_each(world, admin_client):
    response = _upload(admin_client, world.org, "email,department,roles\n,Nowhere,boss\n")
    errors = response.json()["rows"][0]["errors"]
    assert len(errors) == 3


@pytest.mark.parametrize("content, code", [
    ("email,first_name\nrené@a.example,René\n".encode("latin-1"), "invalid_encoding"),
    (b"first_name,last_name\nA,B\n", "missing_columns"),
    (b"email,shoe_size\na@a.example,42\n", "unknown_columns"),
    (b"email,first_name\n", "empty_file"),
    (b"", "invalid"),
    (b"email\x00,first\n", "invalid_csv"),
])
def test_unreadable_files_are_422_with_the_error_shape(world, admin_client, content, code):
    before = _state()
    assert_error(_upload(admin_client, world.org, content), 422, code)
    assert _state() == before


def test_utf8_with_bom_is_accepted(world, admin_client):
    response = _upload(admin_client, world.org, "\ufeffemail,first_name\nrene@a.example,René\n".encode())
    assert response.status_code == 200
    assert User.objects.get(email="rene@a.example").first_name == "René"


def test_missing_file_is_400(world, admin_client):
    error = assert_error(admin_client.post(_url(world.org), {}, format="multipart"), 400, "invalid")
    assert "file" in error["fields"]


def test_file_larger_than_the_import_limit_is_413(world, admin_client, monkeypatch):
    from lms import imports

    monkeypatch.setattr(imports, "MAX_BYTES", 50)
    before = _state()
    assert_error(_upload(admin_client, world.org, GOOD_CSV), 413, "file_too_large")
    assert _state() == before


def test_json_body_is_415(world, admin_client):
    assert_error(admin_client.post(_url(world.org), {"file": "x"}, format="json"), 415, "unsupported_media_type")


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "org_admin"])
def test_only_org_admins_import(world, actor):
    before = _state()
    response = _upload(world.client(actor), world.org, GOOD_CSV)
    if actor == "anonymous":
        assert_error(response, 401, "not_authenticated")
    elif actor in {"hr", "api_key", "other_api_key"}:
        assert_error(response, 403, "permission_denied")
    else:
        assert_error(response, 404, "not_found")
    assert _state() == before


def test_import_service_is_all_or_nothing_when_a_write_fails(world, monkeypatch):
    """If a write fails half way (a rule broken between validation and writing), nothing stays."""
    from lms import imports, services
    from lms.errors import ApplicationError

    calls = {"n": 0}
    real = services.membership_create

    def fail_on_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ApplicationError("simulated failure")
        return real(**kwargs)

    monkeypatch.setattr(services, "membership_create", fail_on_second)
    before = _state()
    with pytest.raises(ApplicationError):
        imports.memberships_import_csv(organization=world.org,
                                       file=SimpleUploadedFile("people.csv", GOOD_CSV.encode()))
    assert calls["n"] == 2
    assert _state() == before



@pytest.mark.parametrize("content", [
    "email,first_name,last_name\nrene@a.example,René,Lima\n".encode(),
    "email;first_name;last_name\r\nrene@a.example;René;Lima\r\n".encode(),  # Excel in Portuguese locales
    "email\tfirst_name\tlast_name\nrene@a.example\tRené\tLima\n".encode(),
    "\ufeffemail;first_name;last_name\r\nrene@a.example;René;Lima\r\n".encode(),
    "\ufeffemail\tfirst_name\tlast_name\nrene@a.example\tRené\tLima\n".encode(),
    'email;first_name;last_name;roles\nrene@a.example;René;Lima;"learner,hr"\n'.encode(),
], ids=["comma", "semicolon", "tab", "bom-semicolon", "bom-tab", "semicolon-quoted-roles"])
def test_the_delimiter_is_read_from_the_header(world, admin_client, content):
    response = _upload(admin_client, world.org, content)
    assert response.status_code == 200, response.content
    user = User.objects.get(email="rene@a.example")
    assert (user.first_name, user.last_name) == ("René", "Lima")


@pytest.mark.parametrize("content", [
    "first_name;email\nJosé;jose@x.example\n".encode("latin-1"),
    "email,first_name\nrené@a.example,René\n".encode("cp1252"),
    "first_name;email\nJosé;jose@x.example\n".encode("utf-16"),  # with its BOM
    "first_name;email\nJosé;jose@x.example\n".encode("utf-16-le"),
    "first_name;email\nJosé;jose@x.example\n".encode("utf-16-be"),
    "first_name;email\nJose;jose@x.example\n".encode("utf-16-le"),  # no BOM, ASCII only
    "first_name,email\nJose,jose@x.example\n".encode("utf-16-be"),
], ids=["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-16-le-ascii", "utf-16-be-ascii"])
def test_a_file_not_in_utf8_is_refused_and_says_so(world, admin_client, content):
    before = _state()
    error = assert_error(_upload(admin_client, world.org, content), 422, "invalid_encoding")
    assert "not UTF-8" in error["message"] and "UTF-8" in error["message"].split("not UTF-8", 1)[1]
    assert _state() == before
    assert not User.objects.filter(email__startswith="jos").exists()
