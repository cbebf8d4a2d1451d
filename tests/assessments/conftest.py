"""Fixtures of the assessments tests."""
import pytest

from tests.assessments.factories import enroll


@pytest.fixture
def learner_client(client):
    """``make(course, user=None)``: the test client signed in as a learner newly enrolled in ``course``."""
    def make(course, user=None):
        enrollment = enroll(course, user)
        client.force_login(enrollment.user)
        return client, enrollment

    return make
