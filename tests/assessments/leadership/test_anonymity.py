"""Nobody gets one rater's answers: as every role, through the API, the pages and the admin. A manager sees
their results only once the cycle closes, and nothing of a source one rater short of the minimum."""
from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from assessments.leadership.models import LeadershipInvitation, LeadershipResponse
from tests import factories as people
from tests.assessments.leadership.factories import answer, close, launch, world

pytestmark = pytest.mark.django_db
FINGERPRINT = {"asks_before_advising": 1, "repeats_back": 5, "no_interrupting": 1, "notices_strain": 5}


@pytest.fixture
def rated(org):
    """A manager with 3 team members (2 answer: one short of 3), their own manager answers with a fingerprint."""
    w = world(org, team_sizes=(3,))
    manager = w.managers[0]
    cycle = launch(w, minimum=3)
    for member in w.teams[manager.pk][:2]:
        answer(cycle, member, manager, 3)
    answer(cycle, w.director, manager, 3, **FINGERPRINT)
    answer(cycle, manager, manager, 5)
    w.cycle = cycle
    return w


def _api_urls(cycle):
    return [reverse("api:leadership-cycles"), reverse("api:leadership-cycle", args=[cycle.pk]),
            reverse("api:leadership-invitations"), reverse("api:leadership-results"),
            reverse("api:leadership-managers") + f"?organization={cycle.organization.slug}"]


def _page_urls(cycle):
    return [reverse("pages:leadership-feedback"), reverse("pages:leadership-results"),
            reverse("pages:hr-leadership"), reverse("pages:hr-leadership-cycle", args=[cycle.pk]),
            reverse("admin:assessments_leadershipcycle_changelist"),
            reverse("admin:assessments_leadershipcycle_change", args=[cycle.pk])]


def test_no_admin_lists_responses_or_invitations():
    assert LeadershipResponse not in admin.site._registry
    assert LeadershipInvitation not in admin.site._registry


def test_as_every_role_nothing_answers_with_one_raters_answers(rated, client_for, org):
    manager = rated.managers[0]
    close(rated.cycle)
    superuser = people.UserFactory(is_superuser=True, is_staff=True)
    roles = {"learner": people.member(org), "rater": rated.teams[manager.pk][0], "manager": manager,
             "director": rated.director, "hr": rated.hr, "org_admin": rated.admin, "superuser": superuser}
    for role, user in roles.items():
        client = client_for(user)
        for url in _api_urls(rated.cycle):
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (role, url)
            body = json.dumps(response.json()) if response.status_code == 200 else ""
            assert '"answers"' not in body and '"rater' not in body, (role, url)
        browser = Client()
        browser.force_login(user)
        for url in _page_urls(rated.cycle):
            response = browser.get(url)
            assert response.status_code in (200, 302, 403, 404), (role, url)
            assert b"repeats_back" not in response.content, (role, url)


def _my_results(client_for, manager):
    response = client_for(manager).get(reverse("api:leadership-results"))
    assert response.status_code == 200
    return response.json()


def test_results_wait_for_the_close(rated, client_for):
    assert _my_results(client_for, rated.managers[0]) == []


def test_a_team_one_rater_short_shows_nothing_of_the_team_and_the_manager_alone_is_withheld(rated, client_for):
    close(rated.cycle)
    [result] = _my_results(client_for, rated.managers[0])
    groups = {group["source"]: group for group in result["groups"]}
    assert groups["team"] == {"source": "team", "withheld": True, "n": None, "behaviours": []}
    assert groups["manager"] == {"source": "manager", "withheld": True, "n": None, "behaviours": []}
    # all others = 2 team + the director = 3: shown together, the director's fingerprint mixed in
    others = {row["key"]: row for row in groups["others"]["behaviours"]}
    assert groups["others"]["n"] == 3
    assert others["repeats_back"] == {"key": "repeats_back", "mean": pytest.approx(3.67, abs=0.01),
                                      "distribution": [0, 0, 2, 0, 1]}
    gaps = {row["key"]: row for row in result["behaviours"]}
    assert gaps["repeats_back"]["own"] == 5 and gaps["repeats_back"]["gap"] == pytest.approx(1.33, abs=0.01)


def test_without_the_own_manager_two_team_answers_show_nothing_at_all(org, client_for):
    w = world(org, team_sizes=(3,))
    manager = w.managers[0]
    cycle = launch(w, own_manager=False, minimum=3)
    for member in w.teams[manager.pk][:2]:
        answer(cycle, member, manager, 4)
    close(cycle)
    [result] = _my_results(client_for, manager)
    assert all(group["withheld"] and group["behaviours"] == [] for group in result["groups"])
    page = Client()
    page.force_login(manager)
    assert "Too few answers to show anything" in page.get(reverse("pages:leadership-results")).content.decode()


def test_a_rater_never_sees_their_answers_back_and_cannot_answer_twice(rated, client_for):
    member = rated.teams[rated.managers[0].pk][0]
    client = client_for(member)
    invitations = client.get(reverse("api:leadership-invitations")).json()["invitations"]
    assert [(i["answered"], i["source"]) for i in invitations] == [(True, "team")]
    again = client.post(reverse("api:leadership-invitation-answer", args=[invitations[0]["id"]]),
                        {"answers": {"asks_before_advising": 3}}, format="json")
    assert again.status_code in (409, 422)
    other = rated.teams[rated.managers[0].pk][2]
    theirs = LeadershipInvitation.objects.get(rater=other).pk
    assert client.post(reverse("api:leadership-invitation-answer", args=[theirs]), {"answers": {}},
                       format="json").status_code == 404


def test_hr_sees_participation_and_withheld_organization_figures(rated, client_for):
    url = reverse("api:leadership-cycle", args=[rated.cycle.pk])
    assert client_for(rated.hr).get(url).json()["organization_results"] == []  # not while answers come in
    close(rated.cycle)
    body = client_for(rated.hr).get(url).json()
    participation = {row["source"]: (row["invited"], row["answered"]) for row in body["participation"]}
    assert participation == {"self": (1, 1), "team": (3, 2), "peer": (0, 0), "manager": (1, 1)}
    groups = {group["source"]: group for group in body["organization_results"]}
    assert groups["team"]["withheld"] and groups["manager"]["withheld"] and groups["others"]["n"] == 3
    outsider = people.member(people.OrganizationFactory(), "hr")
    assert client_for(outsider).get(reverse("api:leadership-cycle", args=[rated.cycle.pk])).status_code == 404
