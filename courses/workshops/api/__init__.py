"""The workshops API: workshops, sessions, registrations, attendance, rosters and calendar feeds."""
