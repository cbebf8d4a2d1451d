from django.core.management.base import BaseCommand, CommandError

from courses.certificates.credentials import keys as credential_keys
from courses.certificates.errors import CredentialKeyError, CredentialKeyNotFound


class Command(BaseCommand):
    help = (
        "Manage the Ed25519 keys that sign Open Badges credentials (PEM files in CREDENTIAL_KEYS_DIR, "
        "never in the database). 'generate' adds a key and makes it the active one; older keys are kept "
        "so credentials they signed still verify. 'list' shows every key, the active one marked."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="Create a new key and make it the active signing key (rotation).")
        sub.add_parser("list", help="List the keys (key id = Multikey publicKeyMultibase).")

    def handle(self, action, **options):
        try:
            if action == "generate":
                key_id = credential_keys.key_generate()
                self.stderr.write(f"New active credential key in {credential_keys.keys_dir()}:")
                self.stdout.write(key_id)
                return
            infos = credential_keys.list_keys()
            if not infos:
                where = credential_keys.keys_dir()
                self.stderr.write(f"No credential keys in {where}; run 'credential_keys generate'.")
                return
            for info in infos:
                marker = "*" if info.active else " "
                self.stdout.write(f"{marker} {info.key_id}  {info.created:%Y-%m-%dT%H:%M:%SZ}")
        except (CredentialKeyError, CredentialKeyNotFound, OSError) as exc:
            raise CommandError(str(exc)) from exc
