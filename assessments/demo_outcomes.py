"""Demo customer-satisfaction scores for the demo organization (``make run``), so /hr/outcomes/report/ shows
something: monthly CSAT on 1-5 for every member, four months before and four after each learner's completion of
a course (people who completed nothing get the same months around today). Trained people drift up a little more
than the others; the numbers come from a seeded generator, so loading twice gives the same rows (and the import
is idempotent by external id).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from assessments.outcomes import services as outcome_services
from courses.enrollments.models import Enrollment
from lms.demo import ORG_SLUG, demo_loader
from lms.models import Membership, Organization

MONTHS = 4
SEED = 23


def _month_start(day: date, shift: int) -> date:
    month = day.month - 1 + shift
    return date(day.year + month // 12, month % 12 + 1, 1)


def demo_outcome_rows(organization: Organization, today: date) -> list[dict]:
    """The rows to import: per member, months around their first completion (or around ``today``)."""
    completions: dict[int, date] = {}
    for user_id, completed in Enrollment.objects.filter(
            organization=organization, status=Enrollment.Status.COMPLETED, completed_at__isnull=False
    ).order_by("completed_at").values_list("user_id", "completed_at"):
        completions.setdefault(user_id, completed.date())
    generator = random.Random(SEED)
    rows = []
    for membership in Membership.objects.filter(organization=organization).select_related("user").order_by("pk"):
        centre = completions.get(membership.user_id, today)
        lift = 0.35 if membership.user_id in completions else 0.1
        base = generator.uniform(3.0, 3.8)
        for shift in [*range(-MONTHS - 1, -1), *range(1, MONTHS + 1)]:
            start = _month_start(centre, shift)
            end = _month_start(centre, shift + 1) - timedelta(days=1)
            if end >= today:
                continue
            score = base + (lift if shift > 0 else 0) + generator.gauss(0, 0.15)
            rows.append({"external_id": f"demo-csat-{membership.pk}-{start.isoformat()}",
                         "email": membership.user.email, "metric": "csat", "period_start": start.isoformat(),
                         "period_end": end.isoformat(), "score": f"{min(5.0, max(1.0, score)):.2f}",
                         "scale_min": "1", "scale_max": "5", "responses": str(generator.randint(8, 40)),
                         "source": "demo helpdesk"})
    return rows


@demo_loader(order=45)
def load_outcomes(credentials: dict) -> None:
    organization = Organization.objects.filter(slug=ORG_SLUG).first()
    if organization is None:
        return
    rows = demo_outcome_rows(organization, date.today())
    if rows:
        outcome_services.outcome_scores_import(organization=organization,
                                               rows=outcome_services.rows_from_list(rows))
