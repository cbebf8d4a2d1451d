"""Settings for the benchmark: the project's settings, the bench URLconf, throttles out of the way.

Selected with DJANGO_SETTINGS_MODULE=bench.settings by ``python -m bench`` (and so by its
gunicorn subprocess) only. Nothing here changes what a request does except:

- ROOT_URLCONF adds ``/bench/floor/`` next to every project URL;
- throttle rates are so high they never fire (the throttles still run, with their cache reads and
  writes, as in production). Rates are per second so a throttle's history stays short.
"""
from lms.settings import *  # noqa: F403
from lms.settings import REST_FRAMEWORK as _PROJECT_REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"

_NEVER = "1000000/s"
REST_FRAMEWORK = {
    **_PROJECT_REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: _NEVER for scope in _PROJECT_REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
}
