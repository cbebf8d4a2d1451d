from celery import shared_task

from lms import reconciler, services


@shared_task(name="lms.reconcile")
def reconcile() -> dict:
    return reconciler.reconcile_all()


@shared_task(name="lms.health_ping")
def health_ping(probe_id: int) -> None:
    services.health_probe_answer(probe_id=probe_id)
