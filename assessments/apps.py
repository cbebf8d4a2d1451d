from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Registers this app's reminder kinds (peer reviews owed) with the courses registry, which
        # also discovers ``<app>.reminders`` itself; courses never imports assessments.
        from assessments.instruments import pages as surveys
        from assessments.quizzes import pages as quizzes
        from assessments.roleplays import reminders  # noqa: F401
        from assessments.roleplays.pages import roleplays
        from courses.catalog.pages.activities import register_activity_page

        # The course's activity address draws quizzes, role-plays and surveys with these pages.
        register_activity_page("quiz")(quizzes.quiz_page)
        register_activity_page("roleplay")(roleplays.roleplay_page)
        register_activity_page("survey")(surveys.survey_page)
