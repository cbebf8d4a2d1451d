"""`manage.py privacy_report`: the registry of personal data as a Markdown table (the README's "Privacy")."""
from django.core.management.base import BaseCommand

from lms.privacy.report_table import report_markdown


class Command(BaseCommand):
    help = "Print the personal data the registry declares, by retention data class, as a Markdown table."

    def handle(self, *args, **options):
        self.stdout.write(report_markdown(), ending="")
