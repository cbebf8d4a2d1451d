from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        # Completing an enrollment schedules its certificate (after commit). Registered here,
        # explicitly, rather than through a signal.
        from courses.certificates.services import schedule_certificate_issue
        from courses.enrollments.services import on_enrollment_completed

        on_enrollment_completed(schedule_certificate_issue)

        # HR reports: completions reach webhooks, and changes to people reach incremental sync.
        from courses.hr_reports.services.exports import people_changed
        from courses.hr_reports.services.webhooks import on_enrollment_completed_emit
        from lms.services import on_people_changed

        on_enrollment_completed(on_enrollment_completed_emit)
        on_people_changed(people_changed)
