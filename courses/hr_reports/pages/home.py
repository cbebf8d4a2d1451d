"""HR's workspace home at /hr/."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.hr_reports.pages.frame import hr_organization, hr_page


@hr_page
@require_GET
def hr_home(request):
    organization, organizations = hr_organization(request)
    return render(request, "courses/hr/home.html", {
        "nav": "hr", "hr_nav": "home", "organization": organization, "organizations": organizations,
    })
