"""The sections of HR's workspace navigation, a registry: each app adds the /hr/ screens it owns.

The reports themselves are added below; another app adds its own from its `ready()` (the 360° feedback and the
customer-satisfaction link live in assessments). The frame (`courses/hr/base.html`) draws them in ``order``.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class HrSection:
    key: str          # what a page sets as hr_nav to mark its link aria-current
    url_name: str     # a URL name of the pages namespace, without arguments
    label: str | Promise
    order: int


_SECTIONS: dict[str, HrSection] = {}


def hr_section(key: str, *, url_name: str, label: str | Promise, order: int) -> None:
    """Adds (or replaces, on a second import) the section ``key``."""
    _SECTIONS[key] = HrSection(key=key, url_name=url_name, label=label, order=order)


def hr_sections() -> list[HrSection]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


hr_section("home", url_name="pages:hr", label=pgettext_lazy("hr", "Overview"), order=0)
hr_section("api-keys", url_name="pages:hr-api-keys", label=pgettext_lazy("hr", "API keys"), order=80)
hr_section("webhooks", url_name="pages:hr-webhooks", label=pgettext_lazy("hr", "Webhooks"), order=90)
hr_section("people", url_name="pages:hr-people", label=pgettext_lazy("hr", "People"), order=10)
hr_section("exports", url_name="pages:hr-exports", label=pgettext_lazy("hr", "Exports"), order=40)
