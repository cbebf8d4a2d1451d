"""Reconcilers of the assessments app, imported here so ``lms.reconciler`` registers them.
"""
import assessments.roleplays.reconcilers  # noqa: F401
