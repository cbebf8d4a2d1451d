"""`{% hr_sections as sections %}`: the /hr/ workspace's navigation, from the registry in
courses.hr_reports.sections."""
from django import template

from courses.hr_reports.sections import HrSection
from courses.hr_reports.sections import hr_sections as registered_sections

register = template.Library()


@register.simple_tag
def hr_sections() -> list[HrSection]:
    return registered_sections()
