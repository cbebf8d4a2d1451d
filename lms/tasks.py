from celery import shared_task
from django.db import OperationalError

from lms import reconciler, services
from lms.privacy import retention
from lms.privacy import tasks as privacy_tasks  # noqa: F401  (registers the privacy tasks)
from lms.privacy.services import erasure as privacy_erasure


@shared_task(name="lms.reconcile")
def reconcile() -> dict:
    return reconciler.reconcile_all()


@shared_task(name="lms.health_ping")
def health_ping(probe_id: int) -> None:
    services.health_probe_answer(probe_id=probe_id)


@shared_task(name="lms.privacy_retention", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def privacy_retention() -> dict:
    """Beat (lms/settings/tasks.py), nightly: every data class past its retention, in batches."""
    return retention.retention_run()


@shared_task(name="lms.privacy_erase")
def privacy_erase(request_id: int) -> bool:
    return privacy_erasure.erasure_run(request_id=request_id)
