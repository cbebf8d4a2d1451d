"""Builders for the role-play tests: everything goes through the services, as the product does."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assessments.roleplays.models import Criterion, Performance, Scenario
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import rubrics as roleplay_rubrics
from courses.catalog import services as catalog_services
from courses.catalog.models import Course
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from lms.models import Membership, User
from tests import factories as people
from tests.courses.factories import build_course


@dataclass
class World:
    course: Course
    scenario: Scenario
    instructor: User
    supervisor: User
    learners: list[User] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)


def roleplay_course(*, organization, instructor=None, public: bool = False, **scenario_fields: Any) -> tuple[
        Course, Scenario]:
    """A published course (private to ``organization`` unless ``public``) with one role-play activity."""
    instructor = instructor or people.member(organization, "instructor")
    course = build_course(publish=False, created_by=instructor, organization=None if public else organization)
    course.instructors.add(instructor)
    rubric = scenario_fields.pop("rubric", None) or roleplay_rubrics.default_rubric_ensure()
    scenario_fields.setdefault("opportunities", [{"key": "party", "cue": "The gift is for a party tomorrow."},
                                                 {"key": "again", "cue": "Third time calling."}])
    scenario = roleplay_performances.roleplay_activity_create(
        module=course.modules.get(), title="Broken birthday gift", rubric=rubric,
        persona="A parent whose gift arrived broken.", situation="The party is tomorrow.", **scenario_fields)
    catalog_services.course_publish(course=course)
    return course, scenario


def world(organization, *, learners: int = 4, department=None, **scenario_fields: Any) -> World:
    """A role-play course with ``learners`` enrolled members whose manager is one supervisor."""
    supervisor_membership = people.MembershipFactory(organization=organization, roles=["supervisor"])
    course, scenario = roleplay_course(organization=organization, **scenario_fields)
    result = World(course=course, scenario=scenario, instructor=course.instructors.get(),
                   supervisor=supervisor_membership.user)
    for _ in range(learners):
        membership = people.MembershipFactory(organization=organization, manager=supervisor_membership,
                                              department=department)
        enrollment, _ = enrollment_services.enrollment_create(user=membership.user, course=course)
        result.learners.append(membership.user)
        result.enrollments.append(enrollment)
    return result


def add_learner(w: World, organization, **membership_fields) -> Enrollment:
    membership = people.MembershipFactory(organization=organization, **membership_fields)
    enrollment, _ = enrollment_services.enrollment_create(user=membership.user, course=w.course)
    w.learners.append(membership.user)
    w.enrollments.append(enrollment)
    return enrollment


def criteria_of(scenario: Scenario) -> list[Criterion]:
    return list(Criterion.objects.filter(rubric_id=scenario.rubric_id).order_by("position", "id"))


def scores(scenario: Scenario, points: int | list[int] = 3) -> list[dict[str, int]]:
    criteria = criteria_of(scenario)
    values = points if isinstance(points, list) else [points] * len(criteria)
    return [{"criterion": c.pk, "points": p} for c, p in zip(criteria, values, strict=True)]


def perform(w: World, index: int, **fields: Any) -> Performance:
    fields.setdefault("transcript", "Agent: I hear the party is tomorrow. Let's fix this today.")
    return roleplay_performances.performance_submit(enrollment=w.enrollments[index], scenario=w.scenario, **fields)


def membership_of(user: User, organization) -> Membership:
    return Membership.objects.get(user=user, organization=organization)
