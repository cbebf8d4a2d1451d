from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        # Imported here, not at the top: services import models, which need the app registry ready.
        from django.db.models.signals import pre_delete

        import courses.teaching.sources  # noqa: F401  (registers the /teach/ home's "needs you now" sources)
        from courses.enrollments.models import Enrollment
        from courses.hr_reports.services.exports import people_changed
        from courses.hr_reports.services.sync import tombstone_on_enrollment_delete
        from lms.services import on_people_changed

        # lms never imports courses, so the HR reports' sync key learns of changes to people (names,
        # memberships, departments, managers) through this one hook. What follows a completion is
        # not registered here: courses.enrollments.services._after_enrollment_completed calls it.
        on_people_changed(people_changed)
        # Every delete of an enrollment (its own, or cascaded from its user or course) leaves a tombstone
        # for the incremental sync in the same transaction.
        pre_delete.connect(tombstone_on_enrollment_delete, sender=Enrollment,
                           dispatch_uid="hr_reports_tombstone")
