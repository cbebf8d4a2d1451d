"""courses.enrollments.services: enrolling, re-enrolling, withdrawing and bulk enrolling."""
from __future__ import annotations

from datetime import timedelta

import pytest

from courses.enrollments import services
from courses.enrollments.errors import EnrollmentConflict
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.services import parse_emails_csv
from courses.errors import CoursesError
from lms.errors import ApplicationError, NotFound
from tests import factories as people
from tests.courses.factories import activities_of, build_course


@pytest.fixture
def course(db):
    return build_course(slug="listening", activities=[{"title": "One"}, {"title": "Two"}])


def test_self_enrollment_is_idempotent(course, org):
    learner = people.member(org)
    first, created = services.enrollment_create(user=learner, course=course)
    again, created_again = services.enrollment_create(user=learner, course=course)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Enrollment.objects.filter(user=learner, course=course).count() == 1
    assert first.organization == org  # a public course is taken for the learner's first organization


def test_due_date_follows_the_course(org):
    course = build_course(due_days=30, activities=[{"title": "One"}])
    enrollment, _ = services.enrollment_create(user=people.member(org), course=course)
    assert enrollment.due_at - enrollment.enrolled_at == timedelta(days=30)


def test_private_course_enrollment_belongs_to_the_owner(org, other_org):
    course = build_course(organization=org, activities=[{"title": "One"}])
    learner = people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    assert enrollment.organization == org
    with pytest.raises(NotFound):
        services.enrollment_create(user=people.member(other_org), course=course)
    assert Enrollment.objects.count() == 1


def test_organization_must_be_one_of_the_learners(course, org, other_org):
    learner = people.member(org)
    with pytest.raises(CoursesError) as excinfo:
        services.enrollment_create(user=learner, course=course, organization=other_org)
    assert excinfo.value.code == "not_a_member"
    assert not Enrollment.objects.exists()


def test_draft_course_is_not_open(org):
    draft = build_course(publish=False, activities=[{"title": "One"}])
    with pytest.raises(EnrollmentConflict) as excinfo:
        services.enrollment_create(user=people.member(org), course=draft)
    assert (excinfo.value.status_code, excinfo.value.code) == (409, "course_not_published")
    assert not Enrollment.objects.exists()


def test_withdraw_then_reenroll_reactivates_the_same_row_and_keeps_progress(course, org):
    learner = people.member(org)
    one, _ = activities_of(course)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    services.lesson_complete(enrollment=enrollment, activity=one)

    withdrawn = services.enrollment_withdraw(enrollment=enrollment)
    assert (withdrawn.status, withdrawn.withdrawn_at is not None) == ("withdrawn", True)
    assert services.enrollment_withdraw(enrollment=enrollment).status == "withdrawn"  # twice is fine

    again, reactivated = services.enrollment_create(user=learner, course=course)
    assert reactivated is True
    assert again.pk == enrollment.pk
    again.refresh_from_db()
    assert (again.status, again.withdrawn_at, again.progress_percent) == ("active", None, 50)
    assert ActivityProgress.objects.filter(enrollment=again, status="passed").count() == 1
    assert Enrollment.objects.count() == 1


def test_completed_enrollment_cannot_be_withdrawn(course, org):
    enrollment, _ = services.enrollment_create(user=people.member(org), course=course)
    for activity in activities_of(course):
        services.lesson_complete(enrollment=enrollment, activity=activity)
    with pytest.raises(EnrollmentConflict) as excinfo:
        services.enrollment_withdraw(enrollment=enrollment)
    assert (excinfo.value.status_code, excinfo.value.code) == (409, "cannot_withdraw")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.withdrawn_at) == ("completed", None)


# --- bulk ---------------------------------------------------------------------------------------

def test_bulk_reports_each_bad_row_and_enrolls_the_good_ones(course, org, other_org):
    hr = people.member(org, "hr")
    ana = people.member(org, user__email="ana@a.example")
    ben = people.member(org, user__email="ben@a.example")
    people.member(other_org, user__email="stranger@b.example")
    emails = ["ana@a.example", "not-an-email", "", "ANA@a.example", "nobody@a.example", "stranger@b.example",
              " Ben@A.example "]

    rows = services.enrollments_bulk_create(actor=hr, course=course, emails=emails)

    assert [(row["row"], row["result"]) for row in rows] == [
        (1, "enrolled"), (2, "error"), (3, "error"), (4, "error"), (5, "error"), (6, "error"), (7, "enrolled"),
    ]
    assert rows[1]["error"] == "Not a valid email address."
    assert rows[2]["error"] == "Email is missing."
    assert rows[3]["error"] == "Repeats row 1."
    assert "Not an active member" in rows[4]["error"] and "Not an active member" in rows[5]["error"]
    assert set(Enrollment.objects.values_list("user__email", flat=True)) == {"ana@a.example", "ben@a.example"}
    assert {e.pk for e in Enrollment.objects.all()} == {rows[0]["enrollment_id"], rows[6]["enrollment_id"]}
    assert all(e.enrolled_by == hr and e.organization == org for e in Enrollment.objects.all())
    assert Enrollment.objects.get(user=ben).pk == rows[6]["enrollment_id"]
    assert ana.enrollments.count() == 1


def test_bulk_resend_enrolls_nobody_twice(course, org):
    hr = people.member(org, "hr")
    people.member(org, user__email="ana@a.example")
    first = services.enrollments_bulk_create(actor=hr, course=course, emails=["ana@a.example"])
    again = services.enrollments_bulk_create(actor=hr, course=course, emails=["ana@a.example"])
    assert first[0]["result"] == "enrolled"
    assert again[0]["result"] == "already_enrolled"
    assert again[0]["enrollment_id"] == first[0]["enrollment_id"]
    assert Enrollment.objects.count() == 1


def test_bulk_reactivates_a_withdrawn_enrollment(course, org):
    hr = people.member(org, "hr")
    ana = people.member(org, user__email="ana@a.example")
    enrollment, _ = services.enrollment_create(user=ana, course=course)
    services.enrollment_withdraw(enrollment=enrollment)
    rows = services.enrollments_bulk_create(actor=hr, course=course, emails=["ana@a.example"])
    assert (rows[0]["result"], rows[0]["enrollment_id"]) == ("reactivated", enrollment.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


def test_a_learner_cannot_bulk_enroll(course, org):
    learner = people.member(org)
    people.member(org, user__email="ana@a.example")
    with pytest.raises(ApplicationError) as excinfo:
        services.enrollments_bulk_create(actor=learner, course=course, emails=["ana@a.example"])
    assert (excinfo.value.status_code, excinfo.value.code) == (403, "permission_denied")
    assert not Enrollment.objects.exists()


def test_an_instructor_of_another_course_cannot_bulk_enroll(course, org):
    instructor = people.member(org, "instructor")
    people.member(org, user__email="ana@a.example")
    with pytest.raises(ApplicationError) as excinfo:
        services.enrollments_bulk_create(actor=instructor, course=course, emails=["ana@a.example"])
    assert excinfo.value.status_code == 403
    course.instructors.add(instructor)
    rows = services.enrollments_bulk_create(actor=instructor, course=course, emails=["ana@a.example"])
    assert rows[0]["result"] == "enrolled"


def test_bulk_into_an_unpublished_course_conflicts(org):
    draft = build_course(publish=False, activities=[{"title": "One"}])
    people.member(org, user__email="ana@a.example")
    with pytest.raises(EnrollmentConflict) as excinfo:
        services.enrollments_bulk_create(actor=people.member(org, "hr"), course=draft, emails=["ana@a.example"])
    assert excinfo.value.status_code == 409
    assert not Enrollment.objects.exists()


def test_bulk_into_another_organizations_private_course_is_refused(org, other_org):
    course = build_course(organization=other_org, activities=[{"title": "One"}])
    people.member(org, user__email="ana@a.example")
    with pytest.raises(ApplicationError) as excinfo:
        services.enrollments_bulk_create(actor=people.member(org, "hr"), course=course, emails=["ana@a.example"])
    assert excinfo.value.status_code == 403
    assert not Enrollment.objects.exists()


def test_bulk_needs_rows(course, org):
    with pytest.raises(ApplicationError) as excinfo:
        services.enrollments_bulk_create(actor=people.member(org, "hr"), course=course, emails=[])
    assert excinfo.value.code == "no_rows"


@pytest.mark.parametrize(("data", "expected"), [
    (b"email\nana@a.example\n\nben@a.example\n", ["ana@a.example", "ben@a.example"]),
    (b"\xef\xbb\xbfName,Email\nAna,ana@a.example\nBen,\n", ["ana@a.example", ""]),
    (b"name,email\nAna\n", [""]),
])
def test_parse_emails_csv(data, expected):
    assert parse_emails_csv(data) == expected


@pytest.mark.parametrize(("data", "code"), [
    ("email\nj\u00e9r\u00f4me@a.example\n".encode("latin-1"), "invalid_encoding"),
    (b"", "empty_file"),
    (b"name\nAna\n", "missing_columns"),
])
def test_parse_emails_csv_rejects(data, code):
    with pytest.raises(ApplicationError) as excinfo:
        parse_emails_csv(data)
    assert (excinfo.value.status_code, excinfo.value.code) == (422, code)


@pytest.mark.parametrize("data", [
    b"name,email\nAna,ana@a.example\nBen,ben@a.example\n",
    b"name;email\r\nAna;ana@a.example\r\nBen;ben@a.example\r\n",
    b"name\temail\nAna\tana@a.example\nBen\tben@a.example\n",
    b"\xef\xbb\xbfname;email\r\nAna;ana@a.example\r\nBen;ben@a.example\r\n",
    b'"Last, first";email\nAna;ana@a.example\nBen;ben@a.example\n',
], ids=["comma", "semicolon", "tab", "bom-semicolon", "quoted-comma-in-header"])
def test_parse_emails_csv_reads_the_delimiter_from_the_header(data):
    assert parse_emails_csv(data) == ["ana@a.example", "ben@a.example"]


@pytest.mark.parametrize("data", [
    "name;email\nJosé;jose@x.example\n".encode("latin-1"),
    "name;email\nJosé;jose@x.example\n".encode("utf-16"),
    "name;email\nJosé;jose@x.example\n".encode("utf-16-le"),
    "name;email\nJosé;jose@x.example\n".encode("utf-16-be"),
    "name;email\nJose;jose@x.example\n".encode("utf-16-le"),  # no BOM, ASCII only
    "name,email\nJose,jose@x.example\n".encode("utf-16-be"),
], ids=["latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-16-le-ascii", "utf-16-be-ascii"])
def test_parse_emails_csv_refuses_what_is_not_utf8_and_says_so(data):
    with pytest.raises(ApplicationError) as excinfo:
        parse_emails_csv(data)
    assert (excinfo.value.status_code, excinfo.value.code) == (422, "invalid_encoding")
    assert "not UTF-8" in str(excinfo.value.message) and "UTF-8" in str(excinfo.value.message).split("not UTF-8")[1]
