"""The courses app's personal data: each domain declares its models in its ``privacy.py``, imported here so the
registry (``lms.privacy.registry``) finds them all."""
import courses.announcements.privacy
import courses.catalog.privacy
import courses.certificates.privacy
import courses.enrollments.privacy
import courses.hr_reports.privacy
import courses.ratings.privacy
import courses.reminders.privacy
import courses.workshops.privacy
import courses.xapi.privacy  # noqa: F401
