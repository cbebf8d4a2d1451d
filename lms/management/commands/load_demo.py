import json

from django.conf import settings
from django.core.management.base import BaseCommand

from lms.demo import loaders


def mail_destination() -> str:
    """Where this installation's mail goes, as `make run`'s banner shows it."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        return f"{settings.EMAIL_FILE_PATH} (one file per message)"
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return f"SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return settings.EMAIL_BACKEND


class Command(BaseCommand):
    help = "Load the demo organization, people, courses and progress. Safe to run again."

    def handle(self, **options):
        credentials: dict = {"site": settings.SITE_URL, "mail": mail_destination()}
        for load in loaders():
            load(credentials)
        path = settings.VAR_DIR / "demo-credentials.json"
        path.write_text(json.dumps(credentials, indent=2))
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; logins and the HR API key are in {path}"))
