"""Celery tasks of the assessments app, one module per domain, imported here so the worker registers them.
"""
import assessments.roleplays.tasks  # noqa: F401
