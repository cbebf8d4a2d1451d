"""The catalog page (/): search, filters, cards, pagination, the learner's state, query counts."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.catalog.models import Course
from courses.catalog.pages.catalog import CATALOG_PAGE_SIZE
from courses.enrollments import services
from tests import factories as people
from tests.courses.catalog.conftest import browser, main_html, portuguese
from tests.courses.factories import CategoryFactory, CourseFactory, EnrollmentFactory, TagFactory

pytestmark = pytest.mark.django_db

URL = reverse("pages:catalog")


def titles(response) -> list[str]:
    return re.findall(r'<h2><a href="/courses/[^"]+/"[^>]*>([^<]+)</a></h2>', main_html(response))


def test_anonymous_visitors_browse_published_public_courses(org):
    CourseFactory(title="Calm voices", summary="Keep your tone steady.")
    CourseFactory(title="Unfinished", status=Course.Status.DRAFT)
    CourseFactory(title="Acme only", organization=org)
    response = browser().get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Calm voices"]
    html = main_html(response)
    assert '<a href="/courses/' in html and "Keep your tone steady." in html
    assert '<label for="id_search">Search courses</label>' in html
    assert "<h1>" in html and html.count("<h1") == 1


def test_members_also_see_their_organizations_courses(org):
    CourseFactory(title="Public one")
    CourseFactory(title="Acme only", organization=org)
    CourseFactory(title="Another company's", organization=people.OrganizationFactory())
    assert titles(browser(people.member(org)).get(URL)) == ["Acme only", "Public one"]


def test_card_shows_language_category_time_and_rating():
    category = CategoryFactory(slug="service", name="Customer service")
    CourseFactory(title="Long one", language="pt-BR", category=category, estimated_minutes=95,
                  rating_average=Decimal("4.50"), rating_count=2)
    CourseFactory(title="Short one", estimated_minutes=45)
    html = main_html(browser().get(URL))
    assert "Português (Brasil)" in html and 'lang="pt-BR"' in html
    assert "Customer service" in html
    assert "1 h 35 min" in html and "45 min" in html
    assert "4.5 out of 5 (2 ratings)" in html and "No ratings yet" in html


def test_search_matches_title_summary_and_topic():
    CourseFactory(title="Calm voices")
    CourseFactory(title="Other", summary="Stay calm on the phone.")
    CourseFactory(title="Tagged", tags=[TagFactory(slug="calm", name="calmness")])
    CourseFactory(title="Barbecue")
    response = browser().get(URL, {"search": "CALM"})
    found = titles(response)
    assert found[0] == "Calm voices"  # the title match ranks first
    assert sorted(found[1:]) == ["Other", "Tagged"]
    assert "3 courses found." in main_html(response)
    assert 'value="CALM"' in main_html(response)  # the search box keeps the words


def test_language_and_category_filters():
    service, food = CategoryFactory(slug="service"), CategoryFactory(slug="food")
    CourseFactory(title="Empathy", language="en", category=service)
    CourseFactory(title="Empatia", language="pt-BR", category=service)
    CourseFactory(title="Bread", language="pt-BR", category=food)
    client = browser()
    assert titles(client.get(URL, {"language": "pt-BR"})) == ["Bread", "Empatia"]
    assert titles(client.get(URL, {"language": "pt-BR", "category": "service"})) == ["Empatia"]
    response = client.get(URL, {"search": "nothing like it"})
    assert titles(response) == [] and "No course matches" in main_html(response)
    assert "Clear the filters" in main_html(response)


@pytest.mark.parametrize("query, field", [
    ({"language": "xx"}, "language"),
    ({"category": "no-such-category"}, "category"),
    ({"search": "x" * 201}, "search"),
])
def test_bad_filters_answer_400_with_the_field_error(query, field):
    CourseFactory(title="Calm voices", category=CategoryFactory(slug="service"))
    response = browser().get(URL, query)
    assert response.status_code == 400
    html = main_html(response)
    assert 'role="alert"' in html and f'id="id_{field}_errors"' in html
    assert titles(response) == []


def test_pagination_keeps_the_filters():
    for n in range(CATALOG_PAGE_SIZE + 3):
        CourseFactory(title=f"Calm course {n:02d}", language="en")
    CourseFactory(title="Other language", language="pt-BR")
    client = browser()
    first = client.get(URL, {"language": "en"})
    assert len(titles(first)) == CATALOG_PAGE_SIZE
    assert 'href="?language=en&amp;page=2"' in main_html(first) and "Page 1 of 2" in main_html(first)
    second = client.get(URL, {"language": "en", "page": 2})
    assert titles(second) == [f"Calm course {n:02d}" for n in range(CATALOG_PAGE_SIZE, CATALOG_PAGE_SIZE + 3)]
    assert "Previous page" in main_html(second)


@pytest.mark.parametrize("page", ["0", "3", "two", "-1"])
def test_a_page_that_does_not_exist_is_404(page):
    CourseFactory()
    assert browser().get(URL, {"page": page}).status_code == 404


def test_signed_in_learner_sees_enrolled_progress_and_completed_state(org):
    learner = people.member(org)
    CourseFactory(title="Not mine")
    EnrollmentFactory(user=learner, course=CourseFactory(title="Going"), progress_percent=40)
    from django.utils import timezone

    EnrollmentFactory(user=learner, course=CourseFactory(title="Finished"), status="completed",
                      completed_at=timezone.now(), progress_percent=100)
    EnrollmentFactory(user=learner, course=CourseFactory(title="Dropped"), status="withdrawn")
    html = main_html(browser(learner).get(URL))
    assert "Enrolled, 40% complete" in html
    assert html.count("badge completed") == 1 and "Not enrolled now" in html
    assert browser().get(URL).content.decode().count("Enrolled,") == 0


def test_course_title_is_escaped():
    CourseFactory(title='<script>alert("x")</script>Calm', summary="<img src=x onerror=alert(1)>")
    html = browser().get(URL).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Calm" in html


def test_portuguese_interface():
    CourseFactory(title="Calm voices", estimated_minutes=130)
    client = portuguese(browser())
    html = main_html(client.get(URL))
    assert "Catálogo de cursos" in html and "Pesquisar cursos" in html and "Idioma do curso" in html
    assert "Nenhuma avaliação ainda" in html and "2 h 10 min" in html
    assert "Calm voices" in html  # course content is not translated


def test_services_keep_catalog_and_api_search_the_same(client_for, org):
    """The API's ?search= and the page's search share courses.catalog.selectors.courses_search."""
    CourseFactory(slug="calm", title="Calm voices")
    CourseFactory(slug="other", title="Other")
    api = client_for(people.member(org)).get("/api/v1/courses/?search=calm voices").json()
    assert [row["slug"] for row in api["results"]] == ["calm"]
    assert titles(browser().get(URL, {"search": "calm voices"})) == ["Calm voices"]


def _catalog(count: int, start: int, learner) -> None:
    categories = [CategoryFactory(slug=f"cat-{n}") for n in range(3)]
    for n in range(start, start + count):
        course = CourseFactory(slug=f"c-{n:03d}", title=f"Course {n:03d}", category=categories[n % 3],
                               language=("en", "pt-BR")[n % 2])
        if n % 2:
            services.enrollment_create(user=learner, course=course)


def _queries(client, query=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query or {})
    assert response.status_code == 200
    return len(captured)


# session, user, roles, languages, categories, count, courses (+category, organization, my state), tags
MAX_CATALOG_QUERIES = 9


def test_catalog_query_count_does_not_grow_with_the_page(org, django_assert_max_num_queries):
    learner = people.member(org)
    client = browser(learner)
    _catalog(6, 0, learner)
    small = _queries(client, {"search": "course"})
    _catalog(6, 6, learner)
    large = _queries(client, {"search": "course"})
    assert small == large
    with django_assert_max_num_queries(MAX_CATALOG_QUERIES):
        response = client.get(URL, {"search": "course", "category": "cat-1"})
    assert main_html(response).count("Enrolled,") == 2
