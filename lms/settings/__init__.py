"""Settings for Empathy LMS, read from the environment (see the table in README.md).

With nothing set, the LMS runs on the embedded default: SQLite and Celery's filesystem
transport under ``var/``, mail written to files, DEBUG on. Production sets DEBUG=0 and the
documented variables, and then passes ``manage.py check --deploy``.

One module per concern; ``DJANGO_SETTINGS_MODULE=lms.settings`` loads them all, in this order.
The order matters: ``base`` reads the environment and the paths every other module uses, and a
refused configuration (no SECRET_KEY with DEBUG off, say) stops the load at the first module that
refuses it.
"""
from .base import *
from .database import *
from .auth import *
from .storage import *
from .credentials import *
from .mail import *
from .reminders import *
from .security import *
from .api import *
from .tasks import *
from .reports import *
from .xapi import *
from .logs import *
from .metrics import *
from .privacy import *
from .privacy_erasure import *
