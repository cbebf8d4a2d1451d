"""Empathy instruments: our short instrument, JSON import, scoring rules, and before/after survey activities."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from assessments.instruments import services
from assessments.instruments.models import Instrument, InstrumentItem, InstrumentResponse
from assessments.instruments.services import score_answers
from assessments.roleplays.errors import RoleplayError
from courses.catalog import services as catalog_services
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress
from tests import factories as people
from tests.courses.factories import build_course
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _document(**changes):
    document = {"format": "empathy-lms/instrument", "version": 1, "slug": "our-scale", "title": "Our scale",
                "scale": {"min": 1, "max": 5, "allow_na": True}, "scoring": "mean", "max_missing": 1,
                "items": [{"key": "a", "text": "A", "subscale": "one"}, {"key": "b", "text": "B", "reverse": True,
                                                                         "subscale": "one"},
                          {"key": "c", "text": "C", "subscale": "two"}, {"key": "d", "text": "D", "subscale": "two"}]}
    document.update(changes)
    return document


def test_our_instrument_is_short_and_ours():
    instrument = services.default_instrument_ensure()
    assert services.default_instrument_ensure() == instrument
    items = list(instrument.items.all())
    assert len(items) == 10 and instrument.organization is None
    assert sum(item.reverse for item in items) == 3
    assert {item.subscale for item in items} == {"noticing", "understanding", "responding"}
    assert "Empathy LMS" in instrument.licence


def test_scoring_reverse_items_missing_rule_sum_and_subscales():
    instrument = services.instrument_import_json(document=_document(), organization=None)
    items = list(instrument.items.all())
    # b is reversed: 2 -> 1 + 5 - 2 = 4. Mean of 5, 4, 3, 4 = 4.0; subscales one = 4.5, two = 3.5.
    missing, score, subscales = score_answers(instrument, items, {"a": 5, "b": 2, "c": 3, "d": 4})
    assert (missing, score, subscales) == (0, Decimal("4.0000"), {"one": Decimal("4.5000"), "two": Decimal("3.5000")})
    # One N/A is tolerated (max_missing 1): mean of the answered ones; subscale two keeps 3.
    missing, score, subscales = score_answers(instrument, items, {"a": 5, "b": 2, "c": 3, "d": None})
    assert (missing, score, subscales["two"]) == (1, Decimal("4.0000"), Decimal("3.0000"))
    # Two missing: over the limit, no score (the response is still kept by the service).
    assert score_answers(instrument, items, {"a": 5, "b": 2})[1] is None
    instrument.scoring = Instrument.Scoring.SUM
    # Sum prorated: mean 4 over the answered three x 4 items = 16.
    assert score_answers(instrument, items, {"a": 5, "b": 2, "c": 3})[1] == Decimal("16.0000")


@pytest.mark.parametrize("change", [
    {"format": "other"}, {"version": 2}, {"slug": "Not A Slug"}, {"title": ""},
    {"scale": {"min": 5, "max": 1}}, {"scale": {"min": 0, "max": 20}}, {"scoring": "median"},
    {"max_missing": -1}, {"items": [{"key": "a", "text": "A"}]},
    {"items": [{"key": "a", "text": "A"}, {"key": "a", "text": "B"}]},
    {"items": [{"key": "a", "text": "A"}, {"key": "b", "text": "B", "reverse": "yes"}]},
])
def test_bad_instrument_documents_are_rejected_whole(change):
    with pytest.raises(RoleplayError) as error:
        services.instrument_import_json(document=_document(**change), organization=None)
    assert error.value.code == "invalid_instrument"
    assert not Instrument.objects.exists() and not InstrumentItem.objects.exists()


def test_organizations_import_their_own_instrument_through_the_api(client_for, org, other_org):
    admin_user = people.member(org, "org_admin")
    client = client_for(admin_user)
    response = client.post("/api/v1/instruments/import/", {"organization": org.slug, "document": _document()},
                           format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["organization"], response.json()["version"]) == (org.slug, 1)
    again = client.post("/api/v1/instruments/import/", {"organization": org.slug, "document": _document()},
                        format="json")
    assert again.json()["version"] == 2
    assert_error(client.post("/api/v1/instruments/import/", {"organization": other_org.slug,
                                                             "document": _document()}, format="json"), 404)
    assert_error(client_for(people.member(org)).post("/api/v1/instruments/import/", {
        "organization": org.slug, "document": _document()}, format="json"), 403)
    bad = copy.deepcopy(_document())
    bad["items"] = []
    assert_error(client.post("/api/v1/instruments/import/", {"organization": org.slug, "document": bad},
                             format="json"), 422, "invalid_instrument")
    services.default_instrument_ensure()
    outsider = people.member(other_org)
    slugs = {row["slug"] for row in client_for(outsider).get("/api/v1/instruments/").json()}
    assert slugs == {"service-empathy-check"}


@pytest.fixture
def surveyed(org):
    instrument = services.instrument_import_json(document=_document(), organization=org)
    course = build_course(publish=False, organization=org, activities=[{"title": "Read"}])
    module = course.modules.get()
    before = services.survey_activity_create(module=module, title="Before", instrument=instrument, timing="before",
                                             position=0)
    after = services.survey_activity_create(module=module, title="After", instrument=instrument, timing="after")
    catalog_services.course_publish(course=course)
    learner = people.member(org)
    enrollment, _ = enrollment_services.enrollment_create(user=learner, course=course)
    return course, before, after, learner, enrollment


def test_before_at_enrollment_and_after_at_completion(client_for, surveyed):
    course, before, after, learner, enrollment = surveyed
    client = client_for(learner)
    state = client.get(f"/api/v1/activities/{before.activity_id}/survey/").json()
    assert state["open"] is True and state["response"] is None and len(state["instrument"]["items"]) == 4
    assert client.get(f"/api/v1/activities/{after.activity_id}/survey/").json()["open"] is False
    answers = {"a": 4, "b": 2, "c": 3, "d": None}
    assert_error(client.post(f"/api/v1/activities/{after.activity_id}/survey/responses/", {"answers": answers},
                             format="json"), 409, "survey_not_open")
    response = client.post(f"/api/v1/activities/{before.activity_id}/survey/responses/", {"answers": answers},
                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["response"]["score"] == "3.6667"
    assert_error(client.post(f"/api/v1/activities/{before.activity_id}/survey/responses/", {"answers": answers},
                             format="json"), 409, "survey_answered")
    lesson = course.activities.get(kind="lesson")
    enrollment_services.lesson_complete(enrollment=enrollment, activity=lesson)
    done = client.post(f"/api/v1/activities/{after.activity_id}/survey/responses/",
                       {"answers": {"a": 5, "b": 1, "c": 4, "d": 4}}, format="json")
    assert done.status_code == 201 and done.json()["response"]["score"] == "4.5000"
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert ActivityProgress.objects.filter(enrollment=enrollment, status="passed").count() == 3
    # The opening survey is closed once the closing one is answered (a late "before" is not a baseline).
    assert InstrumentResponse.objects.count() == 2


@pytest.mark.parametrize(("answers", "status"), [
    ({"a": 6}, 422), ({"a": 0}, 422), ({"zz": 3}, 422),  # the shape the schema gives, outside the instrument
    ({"a": "3"}, 400), ({"a": 2.5}, 400), ([1, 2], 400),  # not the shape the schema gives
])
def test_bad_answers_are_refused_and_nothing_is_recorded(client_for, surveyed, answers, status):
    _, before, _, learner, _ = surveyed
    response = client_for(learner).post(f"/api/v1/activities/{before.activity_id}/survey/responses/",
                                        {"answers": answers}, format="json")
    assert_error(response, status)
    assert not InstrumentResponse.objects.exists()


def test_surveys_are_hidden_from_outsiders(client_for, surveyed, other_org):
    _, before, _, _, _ = surveyed
    assert_error(client_for(people.member(other_org)).get(f"/api/v1/activities/{before.activity_id}/survey/"), 404)
