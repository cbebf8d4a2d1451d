"""Workshops: live sessions with parts, registration, waitlists and approval, attendance, calendar files
and feeds, workshop mail."""
