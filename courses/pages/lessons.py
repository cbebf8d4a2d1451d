"""The activity page (lesson reader, or the page another app registers), marking lessons complete, ebooks."""
from django.http import Http404


def activity_page(request, slug, activity_id):
    raise Http404


def lesson_complete(request, slug, activity_id):
    raise Http404


def lesson_ebook(request, slug, activity_id):
    raise Http404
