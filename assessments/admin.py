"""The back office of the assessments app: each domain registers its model admins in its ``admin.py``.
"""
import assessments.leadership.admin
import assessments.outcomes.admin
import assessments.quizzes.admin
import assessments.roleplays.admin  # noqa: F401
