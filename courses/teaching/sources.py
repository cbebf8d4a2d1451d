"""This app's sources of what needs an instructor now (see `courses.teaching.needs`)."""
from __future__ import annotations
