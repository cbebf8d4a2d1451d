"""page_size: a whole number from 1 to the maximum; anything else is a 400, above the maximum is capped."""
import pytest

from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.5", "1e3", " 7"])
def test_bad_page_size_is_a_400(client_for, org, value):
    user = factories.member(org, "learner")
    error = assert_error(client_for(user).get("/api/v1/courses/", {"page_size": value}), 400, "invalid")
    assert "page_size" in error["fields"]


def test_page_size_is_capped_at_the_maximum(client_for, org):
    user = factories.member(org, "hr")
    for _ in range(3):
        factories.member(org, "learner")
    body = client_for(user).get(f"/api/v1/organizations/{org.slug}/memberships/", {"page_size": 10_000}).json()
    assert len(body["results"]) == 4


def test_page_size_within_range_is_used(client_for, org):
    user = factories.member(org, "hr")
    for _ in range(3):
        factories.member(org, "learner")
    body = client_for(user).get(f"/api/v1/organizations/{org.slug}/memberships/", {"page_size": 2}).json()
    assert len(body["results"]) == 2
