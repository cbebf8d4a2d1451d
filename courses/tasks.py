"""Celery tasks of the courses app. Celery discovers ``<app>.tasks``; each domain keeps its own tasks in its
``tasks.py``, imported here so the worker registers them.
"""
import courses.announcements.tasks
import courses.certificates.tasks
import courses.hr_reports.tasks
import courses.reminders.tasks
import courses.workshops.tasks
import courses.xapi.tasks  # noqa: F401
