"""People models: the email login is unique regardless of case, at every layer."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from lms import services
from lms.errors import ApplicationError, Conflict
from lms.models import Membership, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_user_create_stores_email_lowercase():
    user = services.user_create(email="  Foo@X.example ")
    assert user.email == "foo@x.example"


def test_emails_differing_only_in_case_conflict_in_the_service():
    services.user_create(email="Foo@x.example")
    with pytest.raises(Conflict) as excinfo:
        services.user_create(email="foo@X.EXAMPLE")
    assert excinfo.value.code == "email_taken"
    assert User.objects.count() == 1


def test_emails_differing_only_in_case_conflict_in_the_database():
    """The constraint holds even for writes that bypass the manager's lowercasing."""
    User(email="Foo@x.example").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="foo@x.example").save()
    assert User.objects.filter(email__iexact="foo@x.example").count() == 1


def test_manager_lookup_by_email_is_case_insensitive():
    user = User.objects.create_user(email="Mixed@Case.example", password="pw")
    assert User.objects.get_by_natural_key("MIXED@case.EXAMPLE") == user


def test_user_get_or_create_finds_existing_user_in_any_case():
    existing = services.user_create(email="ana@x.example")
    user, created = services.user_get_or_create(email="ANA@x.example")
    assert (user, created) == (existing, False)
    assert User.objects.count() == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@x.example"])
def test_invalid_emails_are_rejected(email):
    with pytest.raises(ApplicationError) as excinfo:
        services.user_create(email=email)
    assert excinfo.value.code == "invalid_email"
    assert User.objects.count() == 0


def test_adding_an_existing_person_in_another_case_reuses_the_account(org, other_org):
    first = services.membership_add_person(organization=org, email="sam@x.example")
    second = services.membership_add_person(organization=other_org, email="SAM@x.example")
    assert first.user_id == second.user_id
    assert User.objects.count() == 1


def test_staff_flag_follows_staff_roles(org):
    membership = services.membership_add_person(organization=org, email="sam@x.example", roles=["learner"])
    assert membership.user.is_staff is False
    services.membership_update(membership=membership, roles=["learner", "supervisor"])
    assert User.objects.get(pk=membership.user_id).is_staff is True
    services.membership_update(membership=membership, is_active=False)
    assert User.objects.get(pk=membership.user_id).is_staff is False
    services.membership_update(membership=membership, is_active=True)
    services.membership_delete(membership=membership)
    assert User.objects.get(pk=membership.user_id).is_staff is False


def test_a_member_cannot_manage_themself(org):
    membership = factories.MembershipFactory(organization=org)
    with pytest.raises(ApplicationError) as excinfo:
        services.membership_update(membership=membership, manager=membership)
    assert excinfo.value.code == "manager_cycle"
    assert Membership.objects.get(pk=membership.pk).manager_id is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(manager=membership)
