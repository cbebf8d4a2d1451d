"""The HR dashboard: a server-rendered page with the summary, a chart of completions per month and
department (inline SVG drawn here, no script, no CDN), and a CSV download button."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.html import escape
from django.views.decorators.http import require_GET

from courses.hr_reports import queries as reports
from courses.hr_reports import selectors
from courses.hr_reports.models import ReportAuditEntry
from courses.hr_reports.services import exports as report_services
from lms.errors import ApplicationError

PALETTE = ["#2f6fb0", "#d9822b", "#3a9d5d", "#b8434e", "#7b5ea7", "#8c6d3f", "#2aa1a8", "#c36fb1"]
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 260, 40, 40, 16


def completions_chart_svg(labels: list[str], series: dict[str, list[int]]) -> str:
    """A line per department over the months, with axes, month ticks and a legend."""
    top = max([1, *(value for values in series.values() for value in values)])
    inner_w, inner_h = WIDTH - PAD_LEFT - 16, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = inner_w / max(len(labels) - 1, 1)

    def point(index: int, value: int) -> str:
        return f"{PAD_LEFT + index * step:.1f},{PAD_TOP + inner_h - value / top * inner_h:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" '
             f'role="img" aria-label="Completions per month by department" class="chart">']
    parts.append(f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + inner_h}" x2="{WIDTH - 16}" y2="{PAD_TOP + inner_h}" '
                 'stroke="#889"/>')
    parts.append(f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{PAD_TOP + inner_h}" stroke="#889"/>')
    parts.append(f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end" font-size="11">{top}</text>')
    parts.append(f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + inner_h}" text-anchor="end" font-size="11">0</text>')
    for index, label in enumerate(labels):
        parts.append(f'<text x="{PAD_LEFT + index * step:.1f}" y="{PAD_TOP + inner_h + 16}" text-anchor="middle" '
                     f'font-size="10">{escape(label[2:])}</text>')
    for number, (department, values) in enumerate(series.items()):
        color = PALETTE[number % len(PALETTE)]
        points = " ".join(point(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}">'
                     f'<title>{escape(department)}</title></polyline>')
        for i, value in enumerate(values):
            if value:
                x, y = point(i, value).split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"><title>{escape(department)}, '
                             f'{escape(labels[i])}: {value}</title></circle>')
        legend_y = HEIGHT + 4 + 20 * number
        parts.append(f'<rect x="{PAD_LEFT}" y="{legend_y}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{PAD_LEFT + 18}" y="{legend_y + 11}" font-size="12">{escape(department)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@login_required
@require_GET
def reports_dashboard(request):
    user = request.user
    if not selectors.reports_can_read(actor=user):
        raise Http404("No report")  # people without an HR role see no dashboard, as if there were none
    choices = selectors.report_organizations(actor=user)
    slug = request.GET.get("organization") or (choices.order_by("name").values_list("slug", flat=True).first())
    try:
        organization = reports.single_organization(user, slug)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    filters = reports.Filters(organization=organization)
    report_services.report_audit_record(actor=user, kind=ReportAuditEntry.Kind.DASHBOARD, organization=organization,
                                        format="html", filters=filters.as_json())
    summary = reports.summary(actor=user, filters=filters)
    labels, series = reports.completions_by_month(organization=organization)
    return render(request, "courses/reports_dashboard.html", {
        "organization": organization, "organizations": choices.order_by("name"), "summary": summary,
        "chart": completions_chart_svg(labels, series), "has_completions": any(sum(v) for v in series.values()),
        "csv_url": f"/api/v1/reports/completions/?format=csv&bom=true&organization={organization.slug}",
    })
