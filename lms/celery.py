"""The Celery application. Reliability settings live in lms/settings/tasks.py (CELERY_*)."""
import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from lms import request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Long work (exports, bulk issuing, big sweeps) goes to its own queue so short tasks never
# wait behind it. Feature apps route their tasks here by name.
app.conf.task_routes = {"*.long.*": {"queue": "long"}}
app.autodiscover_tasks()

# The request id follows a request into its tasks, and a task into the tasks it enqueues.
before_task_publish.connect(request_ids.publish_add_request_id, weak=False)
task_prerun.connect(request_ids.task_prerun_set_context, weak=False)
task_postrun.connect(request_ids.task_postrun_clear_context, weak=False)
