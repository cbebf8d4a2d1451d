from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "People and access"

    def ready(self) -> None:
        # Imported here, not at the top: prometheus_client must load after the settings put
        # PROMETHEUS_MULTIPROC_DIR in the environment, and a Celery worker (which serves no request,
        # so never loads the middleware) must connect the task signal handlers.
        import lms.metrics  # noqa: F401
