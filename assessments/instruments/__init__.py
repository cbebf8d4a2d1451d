"""Empathy instruments: before and after surveys, their answers, and the empathy-growth report."""
