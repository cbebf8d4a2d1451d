"""Thin Celery tasks of the assessments app."""
from __future__ import annotations

from celery import shared_task

from assessments.roleplays.services import calibration_live
from assessments.roleplays.services import performances as services


@shared_task(name="assessments.roleplays_sweep")
def roleplays_sweep() -> dict:
    """Expire late reviews (supervisor fallback), allocate stale performances, score complete ones."""
    return services.roleplays_sweep()


@shared_task(name="assessments.roleplays_calibration_live_refresh")
def roleplays_calibration_live_refresh() -> int:
    """Refresh peers' calibration weights from their agreement with the supervisors on live work."""
    return calibration_live.calibrations_live_refresh()
