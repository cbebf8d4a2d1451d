"""The privacy API under /api/v1/privacy/ (mounted by lms/api/urls.py)."""
from django.urls import path  # noqa: F401  (each privacy part adds its lines below)

urlpatterns: list = [
]
