"""The completions chart of HR's home, an inline SVG built here (no script, no CDN).

The SVG is a picture (``role="img"`` with a translated label); the figures it draws are in the data table
the page shows beside it, which is what assistive technology reads. Month labels are formatted in the
reader's language by Django ("Jan 2026", "jan 2026"), never as ambiguous "26-01".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import pgettext

PALETTE = ["#2f6fb0", "#b35c00", "#2e7d4f", "#b8434e", "#6a4c9c", "#7a5c2e", "#1f7f86", "#a4488f"]
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 260, 40, 40, 16


@dataclass(frozen=True)
class MonthSeries:
    """Months (first days), their short and long labels, and one count per month for each department."""

    months: list[date]
    short: list[str]
    long: list[str]
    series: dict[str, list[int]]

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """For the data table: a month's long label, its count per department (in ``series`` order), total."""
        return [(self.long[i], counts := [values[i] for values in self.series.values()], sum(counts))
                for i in range(len(self.months))]

    @property
    def has_completions(self) -> bool:
        return any(sum(values) for values in self.series.values())


def month_series(keys: list[str], series: dict[str, list[int]]) -> MonthSeries:
    """``keys`` as "YYYY-MM" (``queries.completions_by_month``) -> dates and labels in the active language."""
    months = [date(int(key[:4]), int(key[5:7]), 1) for key in keys]
    return MonthSeries(months=months, short=[date_format(m, "M Y") for m in months],
                       long=[date_format(m, "YEAR_MONTH_FORMAT") for m in months], series=series)


def completions_chart_svg(data: MonthSeries) -> str:
    """A line per department over the months, with axes, month ticks (every other one when crowded) and a
    legend. Decorative detail only: the page's table carries the numbers."""
    labels, series = data.short, data.series
    top = max([1, *(value for values in series.values() for value in values)])
    inner_w, inner_h = WIDTH - PAD_LEFT - 24, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = inner_w / max(len(labels) - 1, 1)
    every = 1 if len(labels) <= 6 else 2

    def point(index: int, value: int) -> tuple[float, float]:
        return PAD_LEFT + index * step, PAD_TOP + inner_h - value / top * inner_h

    title = escape(pgettext("hr", "Completions per month by department; the table below has the figures."))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" '
             f'role="img" aria-label="{title}" class="chart" focusable="false">']
    parts.append(f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + inner_h}" x2="{WIDTH - 16}" y2="{PAD_TOP + inner_h}" '
                 'stroke="#667"/>')
    parts.append(f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{PAD_TOP + inner_h}" stroke="#667"/>')
    parts.append(f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end" font-size="12">{top}</text>')
    parts.append(f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + inner_h}" text-anchor="end" font-size="12">0</text>')
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % every == 0:
            parts.append(f'<text x="{PAD_LEFT + index * step:.1f}" y="{PAD_TOP + inner_h + 18}" '
                         f'text-anchor="middle" font-size="12">{escape(label)}</text>')
    for number, (department, values) in enumerate(series.items()):
        color = PALETTE[number % len(PALETTE)]
        points = " ".join("{:.1f},{:.1f}".format(*point(i, v)) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        for i, value in enumerate(values):
            if value:
                x, y = point(i, value)
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
        legend_y = HEIGHT + 4 + 20 * number
        parts.append(f'<rect x="{PAD_LEFT}" y="{legend_y}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{PAD_LEFT + 18}" y="{legend_y + 11}" font-size="13">{escape(department)}</text>')
    parts.append("</svg>")
    return "".join(parts)
