"""Catalog selectors shared by the API and the pages: search, filters, facets, translations, my state."""
from __future__ import annotations

import pytest

from courses.catalog import selectors
from courses.catalog.models import Course
from courses.enrollments import services
from tests import factories as people
from tests.courses.factories import CategoryFactory, CourseFactory, TagFactory

pytestmark = pytest.mark.django_db


def slugs(queryset) -> list[str]:
    return sorted(queryset.values_list("slug", flat=True))


def test_search_needs_every_word_in_title_summary_or_tag_and_never_repeats_a_course():
    CourseFactory(slug="a", title="Calm voices", tags=[TagFactory(slug="calm"), TagFactory(slug="calmer")])
    CourseFactory(slug="b", title="Voices", summary="Stay calm.")
    CourseFactory(slug="c", title="Calm")
    found = selectors.courses_search(Course.objects.all(), "calm VOICES")
    assert list(found.order_by("slug").values_list("slug", flat=True)) == ["a", "b"]
    # Only the first eight words count, so a long query cannot build a huge condition.
    assert slugs(selectors.courses_search(Course.objects.all(), "calm " + "zzz " * 7 + "ignored")) == []
    assert slugs(selectors.courses_search(Course.objects.all(), "calm " * 8 + "ignored")) == ["a", "b", "c"]


def test_filter_by_language_and_category_ignores_empty_values():
    service = CategoryFactory(slug="service")
    CourseFactory(slug="en", language="en", category=service)
    CourseFactory(slug="pt", language="pt-BR", category=service)
    CourseFactory(slug="pt-food", language="pt-BR")
    everything = Course.objects.all()
    assert slugs(selectors.courses_filter(everything)) == ["en", "pt", "pt-food"]
    assert slugs(selectors.courses_filter(everything, language="PT-br")) == ["pt", "pt-food"]
    assert slugs(selectors.courses_filter(everything, language="pt-BR", category="service")) == ["pt"]


def test_facets_list_only_what_the_actor_sees(org):
    CourseFactory(language="en", category=CategoryFactory(slug="b", name="Bread"))
    CourseFactory(language="es", category=CategoryFactory(slug="s", name="Service"), organization=org)
    CourseFactory(language="fr", category=CategoryFactory(slug="h", name="Hidden"), status=Course.Status.DRAFT)
    CourseFactory(language="pt-BR")
    assert selectors.catalog_facets(actor=people.UserFactory()) == (["en", "pt-BR"], [("b", "Bread")])
    assert selectors.catalog_facets(actor=people.member(org)) == (["en", "es", "pt-BR"],
                                                                  [("b", "Bread"), ("s", "Service")])


def test_translations_are_the_original_and_its_other_translations(org):
    original = CourseFactory(slug="en", language="en")
    pt = CourseFactory(slug="pt", language="pt-BR", translation_of=original)
    CourseFactory(slug="es", language="es", translation_of=original)
    CourseFactory(slug="draft", language="fr", translation_of=original, status=Course.Status.DRAFT)
    CourseFactory(slug="private", language="de", translation_of=original, organization=org)
    outsider = people.UserFactory()
    assert [c.slug for c in selectors.course_translations(actor=outsider, course=original)] == ["es", "pt"]
    assert [c.slug for c in selectors.course_translations(actor=outsider, course=pt)] == ["en", "es"]
    member = people.member(org)
    assert "private" in [c.slug for c in selectors.course_translations(actor=member, course=pt)]


def test_my_state_annotates_status_and_progress(org):
    learner = people.member(org)
    mine = CourseFactory(slug="mine")
    CourseFactory(slug="other")
    services.enrollment_create(user=learner, course=mine)
    rows = {c.slug: c for c in selectors.course_with_my_state(Course.objects.all(), learner)}
    assert (rows["mine"].is_enrolled, rows["mine"].my_status, rows["mine"].my_progress) == (True, "active", 0)
    assert (rows["other"].is_enrolled, rows["other"].my_status, rows["other"].my_progress) == (False, None, None)
