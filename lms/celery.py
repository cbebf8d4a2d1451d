"""The Celery application. Reliability settings live in lms/settings/tasks.py (CELERY_*)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Long work (exports, bulk issuing, big sweeps) goes to its own queue so short tasks never
# wait behind it. Feature apps route their tasks here by name.
app.conf.task_routes = {"*.long.*": {"queue": "long"}}
app.autodiscover_tasks()
