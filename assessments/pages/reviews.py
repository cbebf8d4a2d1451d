"""Reviews owed and given, with the rubric; one's own role-play results."""
from django.http import Http404


def review_list(request):
    raise Http404
