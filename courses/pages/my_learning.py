"""My learning: enrollments with progress and due dates, certificates, notification preferences."""
from django.http import Http404


def my_learning(request):
    raise Http404


def notification_preferences(request):
    raise Http404
