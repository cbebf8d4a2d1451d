"""Reminders: pluggable sources (one module per kind in ``sources/``), the sweep, the send, the messages.

See ``registry.py`` for the source interface and README.md ("Reminders") for the rules.
"""
