"""Write the xAPI statements of an organization's existing history to its outbox (sent as usual)."""
from __future__ import annotations

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from courses.xapi import selectors
from courses.xapi.services.backfill import xapi_backfill
from lms.models import Organization


class Command(BaseCommand):
    help = "Write the xAPI statements of an organization's history (idempotent: ids derive from the events)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--since", help="Only events from this date (YYYY-MM-DD) or ISO date-time.")

    def handle(self, *args, organization: str, since: str | None = None, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization {organization!r}.")
        if selectors.active_endpoint_for(org.pk) is None:
            raise CommandError(f"{organization} has no active LRS endpoint: set one first (nothing written).")
        moment = None
        if since:
            moment = parse_datetime(since)
            if moment is None:
                day = parse_date(since) if len(since) == 10 else None
                if day is None:
                    raise CommandError("--since takes a date (YYYY-MM-DD) or an ISO date-time.")
                moment = datetime.combine(day, time.min)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        written = xapi_backfill(organization=org, since=moment)
        self.stdout.write(f"{written} statement(s) written to the outbox of {organization}.")
