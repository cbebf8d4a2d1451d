"""Quizzes: authoring, import and export, attempts under the server's rules, grading and statistics."""
