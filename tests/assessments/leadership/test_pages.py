"""The 360° pages in English and Brazilian Portuguese: the rule before answering, answering once, the manager's
results, HR launching and closing a round; and the query counts of the lists, the same at two sizes."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.leadership.behaviours import BEHAVIOURS
from assessments.leadership.models import LeadershipCycle, LeadershipInvitation, LeadershipResponse
from lms.models import User
from tests.assessments.leadership.factories import answer, close, launch, world

pytestmark = pytest.mark.django_db


def browser(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize(("language", "rule"), [
    ("en", "when the group has at least 3 answers. With fewer than 3, nothing of that group is shown."),
    ("pt-br", "quando o grupo tem pelo menos 3 respostas. Com menos de 3, nada desse grupo aparece."),
])
def test_the_rule_is_shown_before_answering_and_the_answer_is_kept_once(org, language, rule):
    w = world(org)
    manager = w.managers[0]
    cycle = launch(w)
    member = w.teams[manager.pk][0]
    invitation = LeadershipInvitation.objects.get(subject__cycle=cycle, rater=member)
    client = browser(member, language)
    listing = client.get(reverse("pages:leadership-feedback")).content.decode()
    assert reverse("pages:leadership-answer", args=[invitation.pk]) in listing
    page = client.get(reverse("pages:leadership-answer", args=[invitation.pk])).content.decode()
    assert rule in page
    form = {f"b-{behaviour.key}": "4" for behaviour in BEHAVIOURS}
    incomplete = client.post(reverse("pages:leadership-answer", args=[invitation.pk]), {"b-repeats_back": "4"})
    assert incomplete.status_code == 200 and LeadershipResponse.objects.count() == 0
    done = client.post(reverse("pages:leadership-answer", args=[invitation.pk]), form)
    assert done.status_code == 302 and LeadershipResponse.objects.count() == 1
    client.post(reverse("pages:leadership-answer", args=[invitation.pk]), form)
    assert LeadershipResponse.objects.count() == 1


def test_someone_elses_invitation_is_absent(org):
    w = world(org)
    cycle = launch(w)
    theirs = LeadershipInvitation.objects.filter(subject__cycle=cycle, source="team").first()
    outsider = w.teams[w.managers[0].pk][-1] if theirs.rater != w.teams[w.managers[0].pk][-1] else w.hr
    assert browser(outsider).get(reverse("pages:leadership-answer", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize(("language", "heading"), [("en", "My 360° results"), ("pt-br", "Meus resultados 360°")])
def test_the_manager_sees_results_after_the_close(org, language, heading):
    w = world(org, team_sizes=(3,))
    manager = w.managers[0]
    cycle = launch(w, own_manager=False)
    for member in w.teams[manager.pk]:
        answer(cycle, member, manager, 4)
    page = browser(manager, language).get(reverse("pages:leadership-results")).content.decode()
    assert heading in page and str(BEHAVIOURS[0].text) not in page  # still open
    close(cycle)
    page = browser(manager, language).get(reverse("pages:leadership-results")).content.decode()
    assert "4.00" in page or "4,00" in page


def test_hr_launches_and_closes_a_round_from_the_pages(org):
    w = world(org, team_sizes=(2, 3))
    client = browser(w.hr)
    home = client.get(reverse("pages:hr-leadership")).content.decode()
    assert "Mia Manager0" in home and 'aria-current="page"' in home
    today = timezone.localdate().isoformat()
    response = client.post(reverse("pages:hr-leadership"), {
        "name": "Q3", "opens_on": today, "closes_on": today, "minimum_raters": "3",
        "managers": [str(w.membership(w.managers[1]).pk)], "own_manager": "on", "self_rating": "on"})
    cycle = LeadershipCycle.objects.get(name="Q3")
    assert response.status_code == 302 and cycle.subjects.count() == 1
    detail = client.get(reverse("pages:hr-leadership-cycle", args=[cycle.pk])).content.decode()
    assert "Participation" in detail
    client.post(reverse("pages:hr-leadership-close", args=[cycle.pk]))
    assert LeadershipCycle.objects.get(pk=cycle.pk).state == "closed"
    assert browser(w.teams[w.managers[0].pk][0]).get(reverse("pages:hr-leadership")).status_code == 403


def _count(client_for, user, url) -> int:
    client = client_for(User.objects.get(pk=user.pk))  # nothing cached on the user object
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_counts_do_not_grow_with_rounds(org, client_for):
    w = world(org, team_sizes=(3,))
    manager, member = w.managers[0], w.teams[w.managers[0].pk][0]
    urls = {"results": (manager, reverse("api:leadership-results")),
            "invitations": (member, reverse("api:leadership-invitations")),
            "cycles": (w.hr, reverse("api:leadership-cycles"))}

    def one_round(name):
        cycle = launch(w, name=name)
        for rater in w.teams[manager.pk]:
            answer(cycle, rater, manager, 4)
        return cycle

    first = one_round("one")
    close(first)
    launch(w, name="open one")
    small = {key: _count(client_for, user, url) for key, (user, url) in urls.items()}
    for name in ("two", "three"):
        close(one_round(name))
        launch(w, name=f"open {name}")
    large = {key: _count(client_for, user, url) for key, (user, url) in urls.items()}
    assert small == large
    assert large["results"] <= 6 and large["invitations"] <= 4 and large["cycles"] <= 4
