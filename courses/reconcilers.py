"""Reconcilers of the courses app. ``lms.reconciler`` discovers ``<app>.reconcilers``; each domain keeps its
own in its ``reconcilers.py``, imported here so they register.
"""
import courses.announcements.reconcilers
import courses.certificates.reconcilers
import courses.hr_reports.reconcilers
import courses.reminders.reconcilers
import courses.workshops.reconcilers
import courses.xapi.reconcilers  # noqa: F401
