from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from assessments.instruments import api as instruments
from assessments.leadership.api import views as leadership
from assessments.outcomes import api as outcomes
from assessments.quizzes.api import attempts, quizzes
from assessments.roleplays.api import consent as roleplay_consent
from assessments.roleplays.api import views as roleplays

urlpatterns = [
    path("activities/<id:activity_id>/quiz/", quizzes.QuizApi.as_view(), name="quiz"),
    path("activities/<id:activity_id>/quiz/attempts/", quizzes.AttemptStartApi.as_view(), name="quiz-start"),
    path("activities/<id:activity_id>/quiz/statistics/", quizzes.QuizStatisticsApi.as_view(),
         name="quiz-statistics"),
    path("activities/<id:activity_id>/quiz/export/", quizzes.QuizExportApi.as_view(), name="quiz-export"),
    path("activities/<id:activity_id>/quiz/import/", quizzes.QuizImportApi.as_view(), name="quiz-import"),
    path("quiz-attempts/", attempts.AttemptListApi.as_view(), name="quiz-attempts"),
    path("quiz-attempts/<id:attempt_id>/", attempts.AttemptDetailApi.as_view(), name="quiz-attempt"),
    path("quiz-attempts/<id:attempt_id>/submit/", attempts.AttemptSubmitApi.as_view(), name="quiz-attempt-submit"),
    # Role-plays
    path("roleplays/scenarios/", roleplays.ScenarioListApi.as_view(), name="roleplay-scenarios"),
    path("roleplays/scenarios/<id:scenario_id>/", roleplays.ScenarioDetailApi.as_view(), name="roleplay-scenario"),
    path("roleplays/scenarios/<id:scenario_id>/performances/", roleplays.PerformanceCreateApi.as_view(),
         name="roleplay-perform"),
    path("roleplays/scenarios/<id:scenario_id>/calibration-examples/", roleplays.CalibrationExamplesApi.as_view(),
         name="roleplay-calibration-examples"),
    path("roleplays/scenarios/<id:scenario_id>/allocate/", roleplays.AllocateApi.as_view(), name="roleplay-allocate"),
    path("roleplays/calibration-examples/<id:example_id>/reviews/", roleplays.CalibrationReviewApi.as_view(),
         name="roleplay-calibration-review"),
    path("roleplays/performances/", roleplays.PerformanceListApi.as_view(), name="roleplay-performances"),
    path("roleplays/performances/<id:performance_id>/", roleplays.PerformanceDetailApi.as_view(),
         name="roleplay-performance"),
    path("roleplays/performances/<id:performance_id>/media/", roleplays.PerformanceMediaApi.as_view(),
         name="roleplay-performance-media"),
    path("roleplays/performances/<id:performance_id>/reviews/", roleplays.ReviewCreateApi.as_view(),
         name="roleplay-review-create"),
    path("roleplays/reviews/<id:review_id>/", roleplays.ReviewUpdateApi.as_view(), name="roleplay-review"),
    path("roleplays/recording-consent/", roleplay_consent.RecordingConsentTextApi.as_view(),
         name="roleplay-consent-text"),
    path("roleplays/recording-consents/", roleplay_consent.RecordingConsentListApi.as_view(),
         name="roleplay-consents"),
    path("roleplays/recording-consents/<id:consent_id>/", roleplay_consent.RecordingConsentDetailApi.as_view(),
         name="roleplay-consent"),
    path("roleplays/recording-consents/<id:consent_id>/withdraw/",
         roleplay_consent.RecordingConsentWithdrawApi.as_view(), name="roleplay-consent-withdraw"),
    path("roleplays/queue/", roleplays.QueueApi.as_view(), name="roleplay-queue"),
    path("roleplays/assignments/<id:assignment_id>/reassign/", roleplays.AssignmentReassignApi.as_view(),
         name="roleplay-reassign"),
    path("roleplays/rubrics/<id:rubric_id>/agreement/", roleplays.AgreementApi.as_view(), name="roleplay-agreement"),
    # Empathy instruments and growth
    path("instruments/", instruments.InstrumentListApi.as_view(), name="instruments"),
    path("instruments/import/", instruments.InstrumentImportApi.as_view(), name="instrument-import"),
    path("activities/<id:activity_id>/survey/", instruments.SurveyApi.as_view(), name="survey"),
    path("activities/<id:activity_id>/survey/responses/", instruments.SurveyRespondApi.as_view(),
         name="survey-respond"),
    path("reports/empathy-growth/", instruments.EmpathyGrowthApi.as_view(), name="report-empathy-growth"),
    # Training and customer satisfaction (HR)
    path("outcomes/scores/", outcomes.OutcomeScoreListApi.as_view(), name="outcome-scores"),
    path("outcomes/scores/upload/", outcomes.OutcomeScoreUploadApi.as_view(), name="outcome-scores-upload"),
    path("outcomes/report/", outcomes.OutcomeReportApi.as_view(), name="outcome-report"),
    # Instructor workspace: the quiz response report
    path("activities/<id:activity_id>/quiz/report/", quizzes.QuizReportApi.as_view(), name="quiz-report"),
    # 360° feedback on leaders
    path("leadership/cycles/", leadership.CycleListApi.as_view(), name="leadership-cycles"),
    path("leadership/cycles/<id:cycle_id>/", leadership.CycleDetailApi.as_view(), name="leadership-cycle"),
    path("leadership/cycles/<id:cycle_id>/close/", leadership.CycleCloseApi.as_view(), name="leadership-cycle-close"),
    path("leadership/managers/", leadership.ManagerListApi.as_view(), name="leadership-managers"),
    path("leadership/invitations/", leadership.InvitationListApi.as_view(), name="leadership-invitations"),
    path("leadership/invitations/<id:invitation_id>/answer/", leadership.InvitationAnswerApi.as_view(),
         name="leadership-invitation-answer"),
    path("leadership/results/", leadership.MyResultsApi.as_view(), name="leadership-results"),
]
