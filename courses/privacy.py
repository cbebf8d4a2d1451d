"""The courses app's personal data: each domain declares its models in its ``privacy.py``, imported here so the
registry (``lms.privacy.registry``) finds them all, and the erasure steps the generic rules cannot do (a
certificate kept verifiable without a name, the HR sync's tombstones) in its ``erasure.py``."""
import courses.announcements.privacy
import courses.catalog.privacy
import courses.certificates.erasure
import courses.certificates.privacy
import courses.enrollments.privacy
import courses.hr_reports.erasure
import courses.hr_reports.privacy
import courses.ratings.privacy
import courses.reminders.privacy
import courses.workshops.privacy
import courses.xapi.privacy  # noqa: F401
