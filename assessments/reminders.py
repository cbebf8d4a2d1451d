"""Reminder sources of the assessments app, imported here so the reminder registry finds them.
"""
import assessments.leadership.reminders
import assessments.roleplays.reminders  # noqa: F401
