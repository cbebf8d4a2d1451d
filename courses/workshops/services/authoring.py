"""Workshops as a course's managers author them: a new workshop activity with its workshop, changing and deleting
a workshop, and the rule that instructors come from the course's organization."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Course, Module
from courses.workshops.errors import WorkshopConflict, WorkshopError, WorkshopErrorCode
from courses.workshops.models import Registration, Workshop
from courses.workshops.selectors import organization_people
from courses.workshops.services.sessions import workshop_create
from lms.models import User

WORKSHOP_FIELDS = {"description", "requires_approval"}


def workshop_instructors_check(*, course: Course, instructors: Iterable[User], field: str = "instructors"
                               ) -> list[User]:
    """The instructors, each one a person of the course's organization; anyone else is refused."""
    people = list(instructors)
    allowed = set(organization_people(course=course).filter(pk__in=[p.pk for p in people])
                  .values_list("pk", flat=True))
    strangers = [person for person in people if person.pk not in allowed]
    if strangers:
        raise WorkshopError("Instructors are picked among the people of the course's organization.",
                            code=WorkshopErrorCode.INVALID_WORKSHOP,
                            fields={field: [f"User {person.pk} is not a person of this course's organization."
                                            for person in strangers]})
    return people


def workshop_instructors_resolve(*, course: Course, ids: Iterable[int], field: str = "instructors") -> list[User]:
    """The people behind user ids given to the API, each one of the course's organization; an unknown id or anyone
    else is refused, naming the id."""
    wanted = list(dict.fromkeys(ids))
    found = {person.pk: person for person in organization_people(course=course).filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise WorkshopError("Instructors are picked among the people of the course's organization.",
                            code=WorkshopErrorCode.INVALID_WORKSHOP,
                            fields={field: [f"User {pk} is not a person of this course's organization."
                                            for pk in missing]})
    return [found[pk] for pk in wanted]


def workshop_create_in_course(
    *, course: Course, title: str, module: Module | int | None = None, required: bool = False, description: str = "",
    instructors: Iterable[User] = (), requires_approval: bool = False,
) -> Workshop:
    """A new workshop activity at the end of ``module`` (the course's last module when none is given) and its
    workshop, in one transaction."""
    people = workshop_instructors_check(course=course, instructors=instructors)
    if isinstance(module, int):
        module = course.modules.filter(pk=module).first()
        if module is None:
            raise WorkshopError("No such module in this course.", code=WorkshopErrorCode.INVALID_WORKSHOP,
                                fields={"module": ["A module of this course."]})
    if module is not None and module.course_id != course.pk:
        raise WorkshopError("The module belongs to another course.", code=WorkshopErrorCode.INVALID_WORKSHOP,
                            fields={"module": ["A module of this course."]})
    with transaction.atomic():
        module = module or course.modules.order_by("-position", "-id").first()
        if module is None:
            module = catalog_services.module_create(course=course, title=title)
        activity = catalog_services.activity_create(module=module, title=title, kind=Activity.Kind.WORKSHOP,
                                                    required=required)
        return workshop_create(activity=activity, description=description, instructors=people,
                               requires_approval=requires_approval)


def workshop_update(*, workshop: Workshop, instructors: Iterable[User] | None = None, **fields: Any) -> Workshop:
    """Change a workshop's description, approval rule or instructors."""
    unknown = set(fields) - WORKSHOP_FIELDS
    if unknown:
        raise WorkshopError(f"Unknown workshop field(s): {', '.join(sorted(unknown))}.",
                            code=WorkshopErrorCode.INVALID_WORKSHOP)
    people = (workshop_instructors_check(course=workshop.activity.course, instructors=instructors)
              if instructors is not None else None)
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        for name, value in fields.items():
            setattr(workshop, name, value)
        workshop.save()
        if people is not None:
            workshop.instructors.set(people)
    return workshop


def workshop_delete(*, workshop: Workshop) -> None:
    """Delete a workshop and its sessions while nobody has registered for any of them; its activity stays in the
    course (delete it from the course's outline). With registrations: a conflict, nothing deleted."""
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if Registration.objects.filter(session__workshop=workshop).exists():
            raise WorkshopConflict("Learners have registered for this workshop's sessions; cancel its sessions "
                                   "instead of deleting it.", code=WorkshopErrorCode.WORKSHOP_IN_USE)
        workshop.delete()
