"""Reminder policies as the sweep applies them: every kind's rules after the organizations' and the
courses' overrides."""
from __future__ import annotations

from courses.reminders.models import ReminderPolicy
from courses.reminders.registry import KindPolicies, Rule, sources


def effective_policies() -> dict[str, KindPolicies]:
    """Every kind's rules: its defaults, then the organizations' rules, then the courses' rules (which
    take their days from the organization's rule when they leave days empty). One query."""
    rows = sorted(ReminderPolicy.objects.all(), key=lambda policy: policy.course_id is not None)
    result = {kind: KindPolicies(default=Rule(src.default_enabled, src.default_days))
              for kind, src in sources().items()}
    for policy in rows:  # organization rules first, so course rules can inherit from them
        kind_policies = result.get(policy.kind)
        if kind_policies is None:
            continue  # a kind whose module is gone
        if policy.course_id is None:
            days = policy.days if policy.days is not None else kind_policies.default.days
            kind_policies.by_org[policy.organization_id] = Rule(policy.enabled, days)
        elif sources()[policy.kind].per_course:
            base = kind_policies.by_org.get(policy.organization_id, kind_policies.default)
            days = policy.days if policy.days is not None else base.days
            kind_policies.by_course[(policy.organization_id, policy.course_id)] = Rule(policy.enabled, days)
    return result
