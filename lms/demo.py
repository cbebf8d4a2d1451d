"""Demo data, loaded by ``manage.py load_demo`` (and so by ``make run``). Idempotent.

Each app keeps a ``demo.py`` with a function decorated ``@demo_loader(order)``; the command
discovers them and runs them in order, passing a shared dict of credentials that is printed
and written to ``var/demo-credentials.json``.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from lms import selectors, services
from lms.models import Department, Membership, Organization, OrganizationAPIKey, Role, User

DemoLoader = Callable[[dict], None]
_loaders: list[tuple[int, str, DemoLoader]] = []

DEMO_PASSWORD = "empathy-demo-2026"  # noqa: S105 - published demo login, printed by make run
ORG_SLUG = "acme-support"
DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
HR_KEY_NAME = "Demo HR key"
HR_KEY_FILE = "demo-hr-api-key"  # the raw demo key, kept between runs (VAR_DIR, mode 0600)

# One person per role, plus learners in different places of the org chart.
PEOPLE = [
    # email, first, last, roles, department, manager email, employee id
    ("admin@acme.example", "Olivia", "Admin", [Role.ORG_ADMIN, Role.LEARNER], None, None, "A-001"),
    ("hr@acme.example", "Hana", "Ramos", [Role.HR, Role.LEARNER], None, None, "A-002"),
    ("instructor@acme.example", "Ines", "Carvalho", [Role.INSTRUCTOR], "Customer Care", None, "A-003"),
    ("supervisor@acme.example", "Samuel", "Okafor", [Role.SUPERVISOR, Role.LEARNER], "Customer Care", None, "A-004"),
    ("learner@acme.example", "Lena", "Fischer", [Role.LEARNER], "Customer Care", "supervisor@acme.example", "A-101"),
    ("learner2@acme.example", "Bruno", "Souza", [Role.LEARNER], "Customer Care", "supervisor@acme.example", "A-102"),
    ("learner3@acme.example", "Aiko", "Tanaka", [Role.LEARNER], "Technical Support", "supervisor@acme.example",
     "A-103"),
    # A role-play cohort (assessments' demo): enough peers for real rater-agreement and growth figures.
    ("learner4@acme.example", "Maya", "Costa", [Role.LEARNER], "Customer Care", "supervisor@acme.example", "A-104"),
    ("learner5@acme.example", "Tomas", "Novak", [Role.LEARNER], "Customer Care", "supervisor@acme.example", "A-105"),
    ("learner6@acme.example", "Ruth", "Mensah", [Role.LEARNER], "Customer Care", "supervisor@acme.example", "A-106"),
    ("learner7@acme.example", "Kenji", "Mori", [Role.LEARNER], "Technical Support", "supervisor@acme.example",
     "A-107"),
    ("learner8@acme.example", "Ana", "Lima", [Role.LEARNER], "Technical Support", "supervisor@acme.example", "A-108"),
    ("learner9@acme.example", "Omar", "Haddad", [Role.LEARNER], "Technical Support", "supervisor@acme.example",
     "A-109"),
]
DEPARTMENTS = [("Customer Care", "CC"), ("Technical Support", "TS")]


def demo_loader(order: int) -> Callable[[DemoLoader], DemoLoader]:
    def register(func: DemoLoader) -> DemoLoader:
        name = f"{func.__module__}.{func.__name__}"
        if all(existing != name for _, existing, _ in _loaders):
            _loaders.append((order, name, func))
        return func

    return register


def loaders() -> list[DemoLoader]:
    autodiscover_modules("demo")
    return [func for _, _, func in sorted(_loaders, key=lambda item: (item[0], item[1]))]


@demo_loader(order=0)
@transaction.atomic
def load_people(credentials: dict) -> None:
    org = Organization.objects.filter(slug=ORG_SLUG).first() or services.organization_create(
        slug=ORG_SLUG, name="Acme Support", timezone_name="America/Sao_Paulo", default_language="en"
    )
    if not org.logo:  # drawn once with Pillow from flat shapes (lms/demo_data/)
        services.organization_branding_set(
            organization=org, logo=(DEMO_DATA / "acme-logo.png").read_bytes(),
            signature=(DEMO_DATA / "acme-signature.png").read_bytes(), signer_name="Ana Souza",
            signer_title="Head of Customer Care")
    departments = {}
    for name, code in DEPARTMENTS:
        departments[name] = (
            Department.objects.filter(organization=org, name=name).first()
            or services.department_create(organization=org, name=name, code=code)
        )
    if not User.objects.filter(email__iexact="superuser@acme.example").exists():
        User.objects.create_superuser(email="superuser@acme.example", password=DEMO_PASSWORD,
                                      first_name="Site", last_name="Operator")
    members: dict[str, Membership] = {}
    for email, first, last, roles, department, manager, employee_id in PEOPLE:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = services.user_create(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
        membership = Membership.objects.filter(user=user, organization=org).first()
        if membership is None:
            membership = services.membership_create(
                organization=org, user=user, roles=list(roles),
                department=departments.get(department) if department else None,
                manager=members.get(manager) if manager else None, employee_id=employee_id,
            )
        members[email] = membership
    logins = credentials.setdefault("logins", [])
    logins.append({"email": "superuser@acme.example", "password": DEMO_PASSWORD, "roles": ["superuser"]})
    for email, _, _, roles, *_ in PEOPLE:
        logins.append({"email": email, "password": DEMO_PASSWORD, "roles": [str(r) for r in roles]})

    credentials["organization"] = ORG_SLUG
    credentials["hr_api_key"] = demo_hr_key(org)


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / HR_KEY_FILE


def demo_hr_key(org: Organization) -> str:
    """The demo HR key, the same from one run to the next so an HR script keeps working after a restart.

    Only a hash is stored in the database, so the raw key is kept in VAR_DIR (mode 0600). A new install,
    a lost file, or a key revoked or expired meanwhile gets a new key; older demo keys are revoked then,
    so usable keys never pile up.
    """
    path = _key_file()
    raw = path.read_text().strip() if path.exists() else ""
    key = selectors.api_key_from_raw(raw=raw) if raw else None
    if key is not None and key.organization_id == org.pk and key.name == HR_KEY_NAME and not key.revoked:
        return raw
    OrganizationAPIKey.objects.filter(organization=org, name=HR_KEY_NAME, revoked=False).update(revoked=True)
    _, raw = services.api_key_create(organization=org, name=HR_KEY_NAME,
                                     expires_at=timezone.now() + timedelta(days=90))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(raw + "\n")
    path.chmod(0o600)  # a file left by an older run may have had looser bits
    return raw
