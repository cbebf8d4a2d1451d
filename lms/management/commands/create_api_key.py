from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms import services
from lms.models import ApiKeyScope, Organization


class Command(BaseCommand):
    help = "Create an API key for an organization and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument("--name", default="HR integration")
        parser.add_argument("--scope", action="append", dest="scopes", choices=ApiKeyScope.values,
                            help="reports:read (the default), people:read or scim:write; repeat for several.")
        parser.add_argument("--expires-in-days", type=int, default=365, help="0 for a key that never expires.")

    def handle(self, organization, name, expires_in_days, scopes=None, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with slug '{organization}'.")
        expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days > 0 else None
        key, raw = services.api_key_create(organization=org, name=name, expires_at=expires, scopes=scopes)
        self.stderr.write(f"API key '{key.name}' for {org.name} (prefix {key.prefix}); it is not shown again:")
        self.stdout.write(raw)
