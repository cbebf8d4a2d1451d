"""The assessments app's personal data: each domain declares its models in its ``privacy.py``, imported here so
the registry (``lms.privacy.registry``) finds them all."""
import assessments.instruments.privacy
import assessments.leadership.privacy
import assessments.outcomes.privacy
import assessments.quizzes.privacy
import assessments.roleplays.privacy  # noqa: F401
