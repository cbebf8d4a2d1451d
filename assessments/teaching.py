"""What of this app needs an instructor now, for the /teach/ home (``courses.teaching.needs``): the role-play
reviews they owe. Imported by ``AssessmentsConfig.ready()``."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import pgettext

from assessments.roleplays.selectors import teach as roleplay_selectors
from courses.teaching.needs import Need, teach_need_source


@teach_need_source("roleplay-reviews")
def roleplay_reviews_owed(actor: Any) -> list[Need]:
    return [Need(key="roleplay-reviews", label=pgettext("teach", "Role-play reviews you owe"),
                 count=roleplay_selectors.reviews_owed_count(actor=actor), url=reverse("pages:teach-roleplays"))]
