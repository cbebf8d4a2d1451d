"""Announcements from a course's or a session's staff to its learners: a notice on their pages and one mail each."""
