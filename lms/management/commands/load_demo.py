import json

from django.conf import settings
from django.core.management.base import BaseCommand

from lms.demo import loaders


class Command(BaseCommand):
    help = "Load the demo organization, people, courses and progress. Safe to run again."

    def handle(self, **options):
        credentials: dict = {"site": settings.SITE_URL}
        for load in loaders():
            load(credentials)
        path = settings.VAR_DIR / "demo-credentials.json"
        path.write_text(json.dumps(credentials, indent=2))
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; logins and the HR API key are in {path}"))
