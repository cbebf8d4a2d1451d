from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Registers this app's reminder kinds (peer reviews owed) with the courses registry, which
        # also discovers ``<app>.reminders`` itself; courses never imports assessments.
        from assessments import reminders  # noqa: F401
