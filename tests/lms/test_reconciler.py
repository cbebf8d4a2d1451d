import pytest

from lms import reconciler
from lms.tasks import reconcile


@pytest.fixture
def isolated_registry(monkeypatch):
    reconciler.registered()  # import the apps' reconcilers first, so they register into the real registry
    monkeypatch.setattr(reconciler, "_registry", {})
    return reconciler._registry


def test_reconcile_runs_every_registered_function_and_reports_counts(isolated_registry):
    calls = []

    @reconciler.reconciler("first")
    def first() -> int:
        calls.append("first")
        return 3

    @reconciler.reconciler("second")
    def second() -> int:
        calls.append("second")
        return 0

    assert reconcile.run() == {"first": 3, "second": 0}
    assert calls == ["first", "second"]


def test_one_failing_reconciler_does_not_stop_the_others(isolated_registry):
    @reconciler.reconciler("broken")
    def broken() -> int:
        raise RuntimeError("database hiccup")

    @reconciler.reconciler("healthy")
    def healthy() -> int:
        return 7

    assert reconcile.run() == {"broken": "error: RuntimeError", "healthy": 7}


def test_reconciler_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile"]
    assert entry["task"] == "lms.reconcile"
    assert entry["schedule"] > 0


def test_celery_runs_with_the_reliability_settings():
    from lms.celery import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.task_soft_time_limit < conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
