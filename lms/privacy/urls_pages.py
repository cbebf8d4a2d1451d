"""The privacy pages: the person's at /me/privacy/, organization admins' at /org/privacy/ (mounted by
lms/pages/urls.py)."""
from django.urls import path  # noqa: F401  (each privacy part adds its lines below)

urlpatterns: list = [
]
