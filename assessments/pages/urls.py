"""Page URLs of the assessments app, mounted in the `pages` namespace by lms/urls.py.

Quizzes and role-plays themselves are drawn at the course's activity address (courses.pages.activities
registry, registered in AssessmentsConfig.ready); these are the pages around them.
"""
from django.urls import path

from assessments.pages import reviews

urlpatterns = [
    path("reviews/", reviews.review_list, name="reviews"),
]
