from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Imported here, not at the top: page modules import models, which need the app registry ready.
        from assessments import (
            teaching,  # noqa: F401 (adds the role-play reviews owed to the /teach/ home)
            xapi,  # noqa: F401 (adds the assessments' history to the xAPI backfill)
        )
        from assessments.instruments import pages as surveys
        from assessments.quizzes.pages import attempts as quizzes
        from assessments.roleplays.pages import roleplays
        from courses.catalog.pages.activities import register_activity_page
        from courses.hr_reports.sections import hr_section

        # The course's activity address draws quizzes, role-plays and surveys with these pages; courses
        # never imports assessments. (Peer-review reminders register through assessments/reminders.py,
        # which the reminder registry discovers.)
        register_activity_page("quiz")(quizzes.quiz_page)
        register_activity_page("roleplay")(roleplays.roleplay_page)
        register_activity_page("survey")(surveys.survey_page)
        # HR's workspace shows the empathy-growth figures; courses never imports assessments.
        hr_section("empathy", url_name="pages:hr-empathy", label=pgettext_lazy("hr", "Empathy growth"), order=20)
        # HR's customer-satisfaction pages (assessments/outcomes) in the /hr/ navigation.
        hr_section("outcomes", url_name="pages:hr-outcomes", label=pgettext_lazy("hr", "Customer satisfaction"),
                   order=50)
        # HR's workspace draws the 360° feedback section from courses' registry.
        hr_section("leadership", url_name="pages:hr-leadership", label=pgettext_lazy("hr", "360° feedback"), order=40)
