"""The privacy domain's Celery tasks (imported by lms/tasks.py, where Celery finds the app's tasks)."""
from celery import shared_task

from lms.privacy.services import export as export_services


@shared_task(name="lms.privacy_export_build", soft_time_limit=50 * 60, time_limit=55 * 60)
def privacy_export_build(export_id: int) -> str | None:
    export = export_services.export_build(export_id=export_id)
    return export.status if export else None

