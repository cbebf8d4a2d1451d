"""`manage.py compiletranslations`: build the `.mo` files from the `.po` catalogues without gettext."""
from django.core.management.base import BaseCommand

from lms.translations import compile_translations


class Command(BaseCommand):
    help = "Compile the .po translation catalogues into .mo files (pure Python; no gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Recompile even catalogues that look current.")

    def handle(self, *args, force: bool = False, **options):
        written = compile_translations(force=force)
        self.stdout.write(f"compiled {len(written)} catalogue(s)")
