"""The back office of the courses app. Django's admin loads ``<app>.admin``; each domain registers its own
model admins in its ``admin.py``, imported here.
"""
import courses.catalog.admin
import courses.certificates.admin
import courses.enrollments.admin
import courses.hr_reports.admin
import courses.ratings.admin
import courses.reminders.admin
import courses.workshops.admin
import courses.xapi.admin  # noqa: F401
