"""``manage.py verify_credential FILE|-`` or ``--code CODE``: check an Open Badges credential."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from courses.certificates import open_badges as certificate_credentials
from courses.certificates.models import Certificate


class Command(BaseCommand):
    help = (
        "Verify an Open Badges 3.0 credential issued here: issuer, signature (any of our keys, rotated-out "
        "ones included), validity dates and revocation. Reads a JSON file, '-' for standard input, or the "
        "stored credential of a certificate (--code). Prints one line per check; exits 1 unless all pass."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="A credential.json file, or '-' for standard input.")
        parser.add_argument("--code", help="Verify the stored credential of the certificate with this code.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the result as JSON.")

    def handle(self, path=None, code=None, as_json=False, **options):
        document = self._load(path, code)
        result = certificate_credentials.credential_verify(document)
        report = result.as_dict()
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            for name, outcome in report["checks"].items():
                self.stdout.write(f"{name:<11} {outcome}")
            for message in report["errors"]:
                self.stderr.write(message)
        if not result.verified:
            raise CommandError("The credential does NOT verify.", returncode=1)
        self.stderr.write("The credential verifies.")

    def _load(self, path, code):
        if (path is None) == (code is None):
            raise CommandError("Give a file (or '-') or --code, not both.")
        if code is not None:
            certificate = Certificate.objects.filter(code=code).only("credential").first()
            if certificate is None:
                raise CommandError(f"No certificate has the code {code!r}.")
            if certificate.credential is None:
                raise CommandError("That certificate has no signed credential yet (is a key configured?).")
            return certificate.credential
        try:
            text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
            return json.loads(text)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise CommandError(f"{path} is not JSON: {exc}.") from exc

