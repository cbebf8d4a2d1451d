"""factory_boy factories for the people of the LMS. Apps add their own beside their tests."""
import factory

from lms.models import Department, Membership, Organization, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    timezone = "UTC"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    """Roles via ``roles=[...]`` (default learner)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)

    @classmethod
    def _create(cls, model_class, *args, roles=None, **kwargs):
        roles = roles if roles is not None else ["learner"]
        for role in ("learner", "instructor", "supervisor", "hr", "org_admin"):
            kwargs[f"is_{role}"] = role in roles
        return super()._create(model_class, *args, **kwargs)


def member(organization, *roles, **kwargs) -> User:
    """A new user holding ``roles`` in ``organization``."""
    membership = MembershipFactory(organization=organization, roles=list(roles) or ["learner"], **kwargs)
    return membership.user


def api_key_for(organization, name: str = "HR system", **kwargs):
    """A new organization API key: ``(key, raw)``; only ``raw`` authenticates."""
    from lms import services

    return services.api_key_create(organization=organization, name=name, **kwargs)


def token_for(user, **kwargs):
    """A new personal token for ``user``: ``(token, raw)``."""
    from lms import services

    return services.user_token_create(user=user, **kwargs)
