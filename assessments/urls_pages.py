"""Page URLs of the assessments app, mounted in the `pages` namespace by lms/urls.py.

Quizzes, role-plays and surveys themselves are drawn at the course's activity address (courses.catalog.pages.activities
registry, registered in AssessmentsConfig.ready); these are the pages around them and their writes.
"""
from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from assessments.instruments import pages as surveys
from assessments.leadership.pages import feedback as leadership
from assessments.leadership.pages import hr as leadership_hr
from assessments.outcomes import pages as outcomes
from assessments.quizzes.pages import attempts as quizzes
from assessments.quizzes.pages import authoring as quiz_authoring
from assessments.quizzes.pages import report as quiz_report
from assessments.roleplays.pages import reviews, roleplays
from assessments.roleplays.pages import teach as roleplay_teaching

urlpatterns = [
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/performances/<id:performance_id>/", reviews.review_page, name="review"),
    path("reviews/calibration/<id:example_id>/", reviews.calibration_page, name="review-calibration"),
    path("quizzes/<id:activity_id>/start/", quizzes.quiz_start, name="quiz-start"),
    path("quizzes/attempts/<id:attempt_id>/", quizzes.quiz_result, name="quiz-result"),
    path("quizzes/attempts/<id:attempt_id>/submit/", quizzes.quiz_submit, name="quiz-submit"),
    path("roleplays/<id:scenario_id>/perform/", roleplays.roleplay_submit, name="roleplay-submit"),
    path("roleplays/performances/<id:performance_id>/", roleplays.roleplay_result, name="roleplay-result"),
    path("roleplays/performances/<id:performance_id>/recording-consent/withdraw/",
         roleplays.roleplay_consent_withdraw, name="roleplay-consent-withdraw"),
    path("surveys/<id:activity_id>/answer/", surveys.survey_answer, name="survey-answer"),
    # HR's workspace: the empathy-growth figures (a section of /hr/, registered in AssessmentsConfig.ready)
    path("hr/empathy/", surveys.hr_empathy, name="hr-empathy"),
    # HR: training and customer satisfaction
    path("hr/outcomes/", outcomes.hr_outcomes, name="hr-outcomes"),
    path("hr/outcomes/scores/", outcomes.hr_outcome_scores, name="hr-outcome-scores"),
    path("hr/outcomes/report/", outcomes.hr_outcome_report, name="hr-outcome-report"),
    # Instructor workspace: the quiz response report and the role-play work
    path("teach/quizzes/<id:activity_id>/report/", quiz_report.quiz_report_page, name="teach-quiz-report"),
    path("teach/roleplays/", roleplay_teaching.teach_roleplays, name="teach-roleplays"),
    path("teach/roleplays/scenarios/<id:scenario_id>/calibration/", roleplay_teaching.teach_roleplay_calibration,
         name="teach-roleplay-calibration"),
    path("teach/roleplays/scenarios/<id:scenario_id>/calibration/new/",
         roleplay_teaching.teach_roleplay_calibration_new, name="teach-roleplay-calibration-new"),
    path("teach/roleplays/calibration/<id:example_id>/edit/", roleplay_teaching.teach_roleplay_calibration_edit,
         name="teach-roleplay-calibration-edit"),
    path("teach/roleplays/rubrics/<id:rubric_id>/agreement/", roleplay_teaching.teach_roleplay_agreement,
         name="teach-roleplay-agreement"),
    # The quiz editor (questions, settings, import and export), linked from the lesson editor.
    path("teach/quizzes/<id:activity_id>/", quiz_authoring.teach_quiz, name="teach-quiz"),
    path("teach/quizzes/<id:activity_id>/import/", quiz_authoring.teach_quiz_import, name="teach-quiz-import"),
    path("teach/quizzes/<id:activity_id>/export/", quiz_authoring.teach_quiz_export, name="teach-quiz-export"),
    path("teach/quizzes/<id:activity_id>/questions/new/", quiz_authoring.teach_quiz_question_new,
         name="teach-quiz-question-new"),
    path("teach/quizzes/<id:activity_id>/questions/<id:question_id>/", quiz_authoring.teach_quiz_question,
         name="teach-quiz-question"),
    path("teach/quizzes/<id:activity_id>/questions/<id:question_id>/delete/",
         quiz_authoring.teach_quiz_question_delete, name="teach-quiz-question-delete"),
    # 360° feedback on leaders: raters, a manager's own results, HR's rounds
    path("feedback/", leadership.feedback_list, name="leadership-feedback"),
    path("feedback/results/", leadership.feedback_results, name="leadership-results"),
    path("feedback/<id:invitation_id>/", leadership.feedback_answer, name="leadership-answer"),
    path("hr/leadership/", leadership_hr.hr_leadership, name="hr-leadership"),
    path("hr/leadership/<id:cycle_id>/", leadership_hr.hr_leadership_cycle, name="hr-leadership-cycle"),
    path("hr/leadership/<id:cycle_id>/close/", leadership_hr.hr_leadership_close, name="hr-leadership-close"),
]
