from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from assessments.api import attempts, quizzes

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
]
