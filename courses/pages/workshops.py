"""Upcoming workshop sessions, registering, cancelling, waitlist position, calendar links."""
from django.http import Http404


def workshop_list(request):
    raise Http404


def session_page(request, session_id):
    raise Http404
