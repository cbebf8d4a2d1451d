"""Page URLs of the assessments app, mounted in the `pages` namespace by lms/urls.py.

Quizzes, role-plays and surveys themselves are drawn at the course's activity address (courses.catalog.pages.activities
registry, registered in AssessmentsConfig.ready); these are the pages around them and their writes.
"""
from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from assessments.instruments import pages as surveys
from assessments.quizzes.pages import attempts as quizzes
from assessments.roleplays.pages import reviews, roleplays

urlpatterns = [
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/performances/<id:performance_id>/", reviews.review_page, name="review"),
    path("reviews/calibration/<id:example_id>/", reviews.calibration_page, name="review-calibration"),
    path("quizzes/<id:activity_id>/start/", quizzes.quiz_start, name="quiz-start"),
    path("quizzes/attempts/<id:attempt_id>/", quizzes.quiz_result, name="quiz-result"),
    path("quizzes/attempts/<id:attempt_id>/submit/", quizzes.quiz_submit, name="quiz-submit"),
    path("roleplays/<id:scenario_id>/perform/", roleplays.roleplay_submit, name="roleplay-submit"),
    path("roleplays/performances/<id:performance_id>/", roleplays.roleplay_result, name="roleplay-result"),
    path("surveys/<id:activity_id>/answer/", surveys.survey_answer, name="survey-answer"),
]
