"""Server-rendered pages of the lms app: sign in and out, password reset, and the shared form helpers."""
