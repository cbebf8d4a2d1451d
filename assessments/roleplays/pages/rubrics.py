"""A rubric laid out as a table: one row per criterion, one column per level."""
from __future__ import annotations

from typing import Any

from assessments.roleplays.models import Criterion


def rubric_matrix(criteria: list[Criterion]) -> dict[str, Any]:
    """Columns are the level points used by any criterion (lowest first), headed by the first label seen for
    them; each row holds the criterion's level for each column, or None where it has none. Levels come from
    the prefetched ``criterion.levels``."""
    headers: dict[int, str] = {}
    for criterion in criteria:
        for level in criterion.levels.all():
            headers.setdefault(level.points, level.label)
    columns = [{"points": points, "label": headers[points]} for points in sorted(headers)]
    rows = []
    for criterion in criteria:
        by_points = {level.points: level for level in criterion.levels.all()}
        rows.append({"criterion": criterion, "cells": [by_points.get(column["points"]) for column in columns]})
    return {"columns": columns, "rows": rows}
