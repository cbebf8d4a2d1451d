"""Catalog, course page and enrolling. (To be written: the learner-pages issue.)"""
from django.http import Http404


def catalog(request):
    raise Http404


def course_page(request, slug):
    raise Http404


def course_enroll(request, slug):
    raise Http404
