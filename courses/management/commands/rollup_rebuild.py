"""Rebuild the HR summary's rollup from the enrollments, for every organization or one."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from courses.hr_reports.services.rollup import rollup_rebuild
from lms.models import Organization


class Command(BaseCommand):
    help = "Rebuild the HR summary's rollup from scratch (in one transaction; the refresh task keeps it current)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="Only this organization (its slug).")

    def handle(self, *args, organization: str | None = None, **options):
        organization_id = None
        if organization:
            org = Organization.objects.filter(slug=organization).first()
            if org is None:
                raise CommandError(f"No organization {organization!r}.")
            organization_id = org.pk
        written = rollup_rebuild(organization_id=organization_id)
        self.stdout.write(f"{written} rollup row(s) written for {organization or 'every organization'}.")
