"""A course's activities in course order with the learner's state, for the course and activity pages.

Built from ``selectors.course_detail`` (modules -> activities -> lesson already fetched) and one
query for the enrollment's progress, so neither page adds a query per activity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from courses.catalog.models import Activity, Course, Module
from courses.enrollments import selectors
from courses.enrollments.models import ActivityProgress, Enrollment


@dataclass
class OutlineItem:
    activity: Activity
    module: Module
    status: str | None  # the learner's progress status; None when not enrolled

    @property
    def done(self) -> bool:
        return self.status == ActivityProgress.Status.PASSED


@dataclass
class OutlineGroup:
    """One module of the outline with its activities and how many of them the learner has done."""
    module: Module
    items: list[OutlineItem]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)


@dataclass
class Outline:
    enrollment: Enrollment | None
    modules: list[tuple[Module, list[OutlineItem]]] = field(default_factory=list)
    items: list[OutlineItem] = field(default_factory=list)
    next_activity: Activity | None = None
    # Where "Resume" goes: the activity opened last if it is not done yet (resumed), else next_activity.
    resume_activity: Activity | None = None
    resumed: bool = False

    @property
    def is_open(self) -> bool:
        return selectors.enrollment_is_open(self.enrollment)

    @property
    def groups(self) -> list[OutlineGroup]:
        return [OutlineGroup(module=module, items=items) for module, items in self.modules]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    def index_of(self, activity_id: int) -> int | None:
        for index, item in enumerate(self.items):
            if item.activity.pk == activity_id:
                return index
        return None

    def neighbours(self, index: int) -> tuple[Activity | None, Activity | None]:
        previous = self.items[index - 1].activity if index > 0 else None
        following = self.items[index + 1].activity if index + 1 < len(self.items) else None
        return previous, following


def course_outline(course: Course, enrollment: Enrollment | None) -> Outline:
    outline = Outline(enrollment=enrollment)
    progress = selectors.progress_of(enrollment=enrollment)
    not_started = ActivityProgress.Status.NOT_STARTED if enrollment is not None else None
    for module in course.modules.all():
        items = []
        for activity in module.activities.all():
            row = progress.get(activity.pk)
            items.append(OutlineItem(activity=activity, module=module, status=row.status if row else not_started))
        outline.modules.append((module, items))
        outline.items.extend(items)
    if outline.is_open:
        outline.next_activity = selectors.next_activity([item.activity for item in outline.items], progress)
        outline.resume_activity, outline.resumed = _resume(outline)
    return outline


def _resume(outline: Outline) -> tuple[Activity | None, bool]:
    """The activity opened last while it is not done; else the next one to do."""
    last_id = outline.enrollment.last_activity_id if outline.enrollment else None
    index = outline.index_of(last_id) if last_id else None
    if index is not None and not outline.items[index].done:
        return outline.items[index].activity, True
    return outline.next_activity, False
