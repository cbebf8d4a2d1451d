"""The workshops' permission selectors, access_* selectors and permission classes."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from courses.workshops import selectors
from courses.workshops.permissions import IsSessionInstructor
from lms.errors import Forbidden, NotFound
from lms.permissions import IsPerson, IsReadOnly


def _request(user, method="GET"):
    return SimpleNamespace(user=user, method=method)


def test_access_session_manage_returns_the_session_to_its_instructor(session, instructor):
    assert selectors.access_session_manage(actor=instructor, session_id=session.pk, action="roster") == session


def test_access_session_manage_is_403_for_a_learner_who_sees_the_session(session, learners):
    with pytest.raises(Forbidden) as refused:
        selectors.access_session_manage(actor=learners[0], session_id=session.pk, action="cancel")
    assert refused.value.message == selectors.SESSION_MANAGE_REFUSALS["cancel"]


def test_access_session_manage_is_404_for_a_session_out_of_scope(session, instructor):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.access_session_manage(actor=instructor, session_id=session.pk + 10_000, action="change")


def test_access_registration_own_hides_someone_elses(session, learners, instructor):
    from courses.workshops.services import sessions as workshop_sessions

    registration, _ = workshop_sessions.registration_create(session=session, user=learners[0])
    assert selectors.access_registration_own(actor=learners[0], registration_id=registration.pk) == registration
    with pytest.raises(NotFound):
        selectors.access_registration_own(actor=instructor, registration_id=registration.pk)


def test_the_instructor_class_asks_the_selector(session, instructor, learners):
    assert IsSessionInstructor().has_object_permission(_request(instructor), None, session)
    assert not IsSessionInstructor().has_object_permission(_request(learners[0]), None, session)
    assert not IsSessionInstructor().has_object_permission(_request(instructor), None, object())


def test_a_composed_permission_refuses_with_the_reason_of_the_part_that_said_no(session, instructor, learners):
    composed = (IsPerson & IsSessionInstructor)()
    assert composed.has_permission(_request(instructor), None)
    assert composed.has_object_permission(_request(instructor), None, session)
    assert not composed.has_object_permission(_request(learners[0]), None, session)
    assert (composed.message, composed.code) == (IsSessionInstructor.message, "not_session_instructor")
    api_key = SimpleNamespace(is_authenticated=True, is_api_key=True)
    assert not composed.has_permission(_request(api_key, "POST"), None)
    assert (composed.message, composed.code) == (IsPerson.message, None)


def test_read_only_or_person_composes(session, instructor):
    composed = (IsReadOnly | IsPerson)()
    api_key = SimpleNamespace(is_authenticated=True, is_api_key=True)
    assert composed.has_permission(_request(api_key, "GET"), None)
    assert not composed.has_permission(_request(api_key, "POST"), None)
    assert composed.has_permission(_request(instructor, "POST"), None)
