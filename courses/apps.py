from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        # Completing an enrollment schedules its certificate (after commit). Registered here,
        # explicitly, rather than through a signal.
        from courses.services.certificates import schedule_certificate_issue
        from courses.services.progress import on_enrollment_completed

        on_enrollment_completed(schedule_certificate_issue)
