"""Property: random sequences of writes through every door, interleaved with incremental syncs from saved
cursors; after every step, the state a client builds from the incremental pages (rows by id, tombstoned ids
removed) equals a full fetch of the report. Seeded, many seeds; runs on SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from courses.catalog import services as catalog_services
from courses.catalog.models import Course
from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.hr_reports.tasks import reports_sync_clock
from lms import services as people_services
from lms.models import Membership, User
from tests import factories as people
from tests.courses.factories import activities_of, build_course
from tests.courses.hr_reports.conftest import add_member

URL = "/api/v1/reports/completions/"
SEEDS = range(5)
STEPS = 20
pytestmark = pytest.mark.django_db


class TickingClock:
    """timezone.now(): a moment the test moves by days, plus a microsecond per call so writes stay ordered."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        self.moment += timedelta(microseconds=1)
        return self.moment


def _pages(client, cursor=None) -> tuple[list[dict], str | None]:
    query = {"page_size": 4}
    if cursor:
        query["cursor"] = cursor
    response, results = client.get(URL, query), []
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        results += page["results"]
        if page["next"] is None:
            return results, page["sync_cursor"]
        response = client.get(page["next"])


class Scenario:
    def __init__(self, rng: random.Random, clock: TickingClock, client_for) -> None:
        self.rng, self.clock, self.client_for = rng, clock, client_for
        self.org = people.OrganizationFactory()
        self.other = people.OrganizationFactory()
        self.hr = add_member(self.org, "hr").user
        self.root = people.UserFactory(is_staff=True, is_superuser=True)
        self.courses = [build_course(activities=[{"title": "Read"}, {"title": "Try"}], validity_months=1,
                                     due_days=days) for days in (5, 15)]
        self.departments = [people_services.department_create(organization=self.org, name=f"D{n}") for n in range(2)]
        self.learners: list[User] = []
        for _ in range(4):
            self.add_learner()

    # --- the doors ---------------------------------------------------------------------------
    def add_learner(self) -> None:
        member = add_member(self.org, department=self.rng.choice(self.departments))
        self.learners.append(member.user)
        enrollment_services.enrollment_create(user=member.user, course=self.rng.choice(self.courses),
                                              organization=self.org)

    def _enrollment(self, **where) -> Enrollment | None:
        rows = list(Enrollment.objects.filter(organization=self.org, **where).order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def api_withdraw(self) -> None:
        enrollment = self._enrollment(status=Enrollment.Status.ACTIVE)
        if enrollment:
            response = self.client_for(enrollment.user).post(f"/api/v1/enrollments/{enrollment.pk}/withdraw/")
            assert response.status_code == 200, response.content

    def bulk_csv_import(self) -> None:
        emails = [u.email for u in self.rng.sample(self.learners, k=min(3, len(self.learners)))]
        upload = SimpleUploadedFile("people.csv", ("email\n" + "\n".join(emails) + "\n").encode(), "text/csv")
        course = self.rng.choice(self.courses)
        response = self.client_for(self.root).post(f"/api/v1/courses/{course.slug}/enrollments/bulk/",
                                                   {"file": upload, "organization": self.org.slug},
                                                   format="multipart")
        assert response.status_code == 200, response.content

    def progress(self) -> None:
        enrollment = self._enrollment(status=Enrollment.Status.ACTIVE)
        if enrollment:
            activity = self.rng.choice(activities_of(enrollment.course))
            enrollment_services.activity_record_result(enrollment=enrollment, activity=activity, passed=True,
                                                       score=self.rng.randint(60, 100))

    def certificate(self) -> None:  # the task's work, called eagerly
        enrollment = self._enrollment(status=Enrollment.Status.COMPLETED, certificate__isnull=True)
        if enrollment:
            certificate_services.certificate_issue(enrollment_id=enrollment.pk)

    def admin_course_edit(self) -> None:  # what CourseAdmin.save_model does: the form set the title first
        course = self.rng.choice(self.courses)
        course.title = f"Course {self.rng.randint(1, 10**6)}"
        catalog_services.course_update(course=course)

    def page_course_edit(self) -> None:  # the authoring page at /teach/courses/<slug>/edit/
        course = self.rng.choice(self.courses)
        browser = Client()
        browser.force_login(self.root)
        page = browser.get(f"/teach/courses/{course.slug}/edit/")
        assert page.status_code == 200
        data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
        data["title"] = f"Paged {self.rng.randint(1, 10**6)}"
        response = browser.post(f"/teach/courses/{course.slug}/edit/", data)
        assert response.status_code == 302, page.context["form"].errors
        course.refresh_from_db()
        assert course.title == data["title"]

    def admin_user_rename(self) -> None:  # lms.admin.UserAdmin.save_model after the form changed the name
        user = self.rng.choice(self.learners)
        user.first_name = f"N{self.rng.randint(1, 10**6)}"
        admin.site._registry[User].save_model(None, user, SimpleNamespace(changed_data=["first_name"]), True)

    def membership_move(self) -> None:
        user = self.rng.choice(self.learners)
        people_services.membership_update(membership=Membership.objects.get(user=user, organization=self.org),
                                          department=self.rng.choice(self.departments))

    def due_date(self) -> None:
        enrollment = self._enrollment(status=Enrollment.Status.ACTIVE)
        if enrollment:
            enrollment.due_at = self.clock.moment + timedelta(days=self.rng.randint(-3, 20))
            enrollment.save(update_fields=["due_at", "updated_at"])

    def delete_enrollment(self) -> None:
        enrollment = self._enrollment(certificate__isnull=True)
        if enrollment:
            enrollment.delete()

    def delete_user(self) -> None:
        candidates = [u for u in self.learners if not Certificate.objects.filter(enrollment__user=u).exists()]
        if len(candidates) > 1:
            user = self.rng.choice(candidates)
            self.learners.remove(user)
            user.delete()

    def clock_moves(self) -> None:  # days pass; beat runs the clock task
        self.clock.moment += timedelta(days=self.rng.choice([1, 3, 10, 40]))
        reports_sync_clock()

    DOORS = ["api_withdraw", "bulk_csv_import", "progress", "certificate", "admin_course_edit", "page_course_edit",
             "admin_user_rename",
             "membership_move", "due_date", "delete_enrollment", "delete_user", "clock_moves", "clock_moves",
             "add_learner"]


@pytest.fixture
def clock(monkeypatch):
    ticking = TickingClock(timezone.now())
    monkeypatch.setattr(timezone, "now", ticking)
    return ticking


@pytest.mark.parametrize("seed", SEEDS)
def test_incremental_sync_from_saved_cursors_equals_a_full_report(seed, clock, client_for, settings):
    settings.REPORTS_SYNC_LAG_SECONDS = 0
    rng = random.Random(seed)
    world = Scenario(rng, clock, client_for)
    client = client_for(world.hr)
    # Several clients, each with its own saved cursor and its own copy, syncing at different moments.
    copies: list[dict] = [{"cursor": None, "rows": {}} for _ in range(3)]
    doors_used = set()
    for step in range(STEPS):
        door = rng.choice(Scenario.DOORS) if step else "page_course_edit"
        doors_used.add(door)
        getattr(world, door)()
        response = client.get(URL, {"page_size": 1000})  # the full report: one page, no cursor, no tombstones
        assert response.status_code == 200 and response.json()["next"] is None
        full = {row["enrollment_id"]: row for row in response.json()["results"]}
        assert not any(row.get("deleted") for row in full.values())
        for copy in rng.sample(copies, k=rng.randint(1, len(copies))):
            results, copy["cursor"] = _pages(client, copy["cursor"])
            for row in results:
                if row.get("deleted"):
                    copy["rows"].pop(row["enrollment_id"], None)
                else:
                    copy["rows"][row["enrollment_id"]] = row
            assert copy["rows"] == full, f"seed {seed}, step {step}, after {door}"
    assert Course.objects.exists() and len(doors_used) >= 6
