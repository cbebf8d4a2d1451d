"""courses.selectors: who sees which courses and enrollments (the module docstring's rules)."""
from __future__ import annotations

import pytest

from courses.catalog import selectors as catalog_selectors
from courses.enrollments import selectors as enrollment_selectors
from courses.enrollments import services
from lms.authentication import ApiKeyPrincipal
from tests import factories as people
from tests.courses.factories import CategoryFactory, CourseFactory, EnrollmentFactory, TagFactory, build_course


def _slugs(queryset) -> set[str]:
    return set(queryset.values_list("slug", flat=True))


def _key(organization) -> ApiKeyPrincipal:
    key, _ = people.api_key_for(organization)
    return ApiKeyPrincipal(key=key)


@pytest.fixture
def catalog(org, other_org):
    instructor = people.member(org, "instructor")
    courses = {
        "public": CourseFactory(slug="public"),
        "draft": CourseFactory(slug="draft", status="draft", instructors=[instructor]),
        "archived": CourseFactory(slug="archived", status="archived"),
        "mine-private": CourseFactory(slug="mine-private", organization=org),
        "mine-private-draft": CourseFactory(slug="mine-private-draft", organization=org, status="draft"),
        "their-private": CourseFactory(slug="their-private", organization=other_org),
    }
    return {"instructor": instructor, **courses}


def test_learner_sees_published_public_and_own_organizations_courses(catalog, org):
    learner = people.member(org)
    assert _slugs(catalog_selectors.courses_visible_to(actor=learner)) == {"public", "mine-private"}


def test_instructor_also_sees_their_drafts(catalog):
    assert _slugs(catalog_selectors.courses_visible_to(actor=catalog["instructor"])) == {"public", "mine-private",
                                                                                         "draft"}


def test_org_admin_sees_the_organizations_drafts(catalog, org):
    admin = people.member(org, "org_admin")
    assert _slugs(catalog_selectors.courses_visible_to(actor=admin)) == {"public", "mine-private", "mine-private-draft"}


def test_other_organizations_member_does_not_see_private_courses(catalog, other_org):
    assert _slugs(catalog_selectors.courses_visible_to(actor=people.member(other_org))) == {"public", "their-private"}


def test_api_keys_see_published_courses_of_their_organization(catalog, org, other_org):
    assert _slugs(catalog_selectors.courses_visible_to(actor=_key(org))) == {"public", "mine-private"}
    assert _slugs(catalog_selectors.courses_visible_to(actor=_key(other_org))) == {"public", "their-private"}


def test_superuser_sees_everything(catalog):
    admin = people.UserFactory(is_superuser=True, is_staff=True)
    assert len(_slugs(catalog_selectors.courses_visible_to(actor=admin))) == 6


def test_no_duplicates_for_a_course_with_several_instructors(org):
    one, two = people.member(org, "instructor"), people.member(org, "instructor")
    CourseFactory(slug="shared", status="draft", instructors=[one, two], organization=org)
    admin = people.member(org, "org_admin", "instructor")
    CourseFactory(slug="both", status="draft", instructors=[admin, one], organization=org)
    assert sorted(catalog_selectors.courses_visible_to(actor=admin).values_list("slug", flat=True)) == ["both",
                                                                                                        "shared"]
    assert catalog_selectors.courses_manageable_by(actor=admin).count() == 2


def test_inactive_membership_sees_only_the_public_catalog(catalog, org):
    learner = people.member(org, is_active=False)
    assert _slugs(catalog_selectors.courses_visible_to(actor=learner)) == {"public"}


def test_enrollment_scope(org, other_org):
    course = CourseFactory()
    supervisor = people.MembershipFactory(organization=org, roles=["supervisor"])
    report = people.MembershipFactory(organization=org, manager=supervisor)
    peer = people.MembershipFactory(organization=org)
    stranger = people.MembershipFactory(organization=other_org)
    e_report = EnrollmentFactory(user=report.user, course=course, organization=org)
    e_peer = EnrollmentFactory(user=peer.user, course=course, organization=org)
    e_stranger = EnrollmentFactory(user=stranger.user, course=course, organization=other_org)

    def visible(actor) -> set[int]:
        return set(enrollment_selectors.enrollments_visible_to(actor=actor).values_list("pk", flat=True))

    assert visible(report.user) == {e_report.pk}
    assert visible(supervisor.user) == {e_report.pk}
    assert visible(people.member(org, "hr")) == {e_report.pk, e_peer.pk}
    assert visible(people.member(org, "org_admin")) == {e_report.pk, e_peer.pk}
    assert visible(people.member(other_org, "hr")) == {e_stranger.pk}
    assert visible(_key(org)) == {e_report.pk, e_peer.pk}
    instructor = people.member(other_org, "instructor")
    course.instructors.add(instructor)
    assert visible(instructor) == {e_report.pk, e_peer.pk, e_stranger.pk}


def test_hr_scope_follows_the_enrollments_organization_not_the_learners(org, other_org):
    """A person in both organizations who took a course for B is B's business, not A's."""
    learner = people.member(org)
    people.MembershipFactory(user=learner, organization=other_org)
    course = CourseFactory()
    enrollment, _ = services.enrollment_create(user=learner, course=course, organization=other_org)
    assert enrollment.organization == other_org
    hr_a, hr_b = people.member(org, "hr"), people.member(other_org, "hr")
    assert not enrollment_selectors.enrollments_visible_to(actor=hr_a).exists()
    assert list(enrollment_selectors.enrollments_visible_to(actor=hr_b)) == [enrollment]


def test_lesson_is_readable_by_enrolled_learners_and_staff_only(org):
    instructor = people.member(org, "instructor")
    course = build_course(created_by=instructor, activities=[{"title": "Read me"}])
    activity_id = course.activities.get().pk
    learner, outsider = people.member(org), people.member(org)
    enrollment, _ = services.enrollment_create(user=learner, course=course)

    lesson, mine = enrollment_selectors.lesson_for(actor=learner, activity_id=activity_id)
    assert (lesson.activity_id, mine) == (activity_id, enrollment)
    assert enrollment_selectors.lesson_for(actor=instructor, activity_id=activity_id)[1] is None
    from django.http import Http404

    with pytest.raises(Http404):
        enrollment_selectors.lesson_for(actor=outsider, activity_id=activity_id)
    services.enrollment_withdraw(enrollment=enrollment)
    with pytest.raises(Http404):
        enrollment_selectors.lesson_for(actor=learner, activity_id=activity_id)


# --- related courses ------------------------------------------------------------------------------

@pytest.fixture
def related_world(org, other_org):
    listening = CategoryFactory(slug="listening")
    tone, calm, other_tag = TagFactory(slug="tone"), TagFactory(slug="calm"), TagFactory(slug="billing")
    base = CourseFactory(slug="base", language="en", category=listening, tags=[tone, calm])
    CourseFactory(slug="en-category-two-tags", language="en", category=listening, tags=[tone, calm])
    CourseFactory(slug="en-category", language="en", category=listening)
    CourseFactory(slug="en-tag", language="en", tags=[calm, other_tag])
    CourseFactory(slug="fr-category", language="fr", category=listening)
    CourseFactory(slug="es-tag", language="es", tags=[tone])
    CourseFactory(slug="en-draft", language="en", category=listening, status="draft")
    CourseFactory(slug="en-archived", language="en", tags=[tone], status="archived")
    CourseFactory(slug="en-unrelated", language="en", category=CategoryFactory(slug="billing"), tags=[other_tag])
    CourseFactory(slug="en-private-elsewhere", language="en", category=listening, organization=other_org)
    return base


def test_related_courses_rank_language_then_category_then_shared_tags(related_world, org):
    learner = people.member(org)
    base = catalog_selectors.course_detail(actor=learner, slug="base")
    related = catalog_selectors.related_courses(actor=learner, course=base, limit=10)
    assert [course.slug for course in related] == [
        "en-category-two-tags", "en-category", "en-tag", "fr-category", "es-tag"]
    assert [course.slug for course in catalog_selectors.related_courses(actor=learner, course=base)] == [
        "en-category-two-tags", "en-category", "en-tag", "fr-category"]


def test_related_courses_without_category_or_tags_is_empty(org):
    lonely = CourseFactory(slug="lonely")
    CourseFactory(slug="other")
    assert catalog_selectors.related_courses(actor=people.member(org), course=lonely) == []


def test_related_courses_include_private_courses_of_ones_own_organization(related_world, other_org):
    member_b = people.member(other_org)
    slugs = [c.slug for c in catalog_selectors.related_courses(actor=member_b, course=related_world, limit=10)]
    assert "en-private-elsewhere" in slugs
    assert "base" not in slugs and "en-draft" not in slugs


def test_related_courses_never_show_drafts_even_to_their_instructor(related_world, org):
    instructor = people.member(org, "instructor")
    related_world.instructors.add(instructor)
    from courses.catalog.models import Course

    Course.objects.get(slug="en-draft").instructors.add(instructor)
    slugs = [c.slug for c in catalog_selectors.related_courses(actor=instructor, course=related_world, limit=10)]
    assert "en-draft" not in slugs and "base" not in slugs
