"""Enrollments: enrolling, progress per activity, completion, and the learner's My learning page."""
