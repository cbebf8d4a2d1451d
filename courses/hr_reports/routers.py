"""The optional read replica for HR reports (REPORTS_DATABASE_URL).

Report querysets pin themselves to ``courses.hr_reports.queries.reports_database()`` (the ``reports`` alias
when configured), because a streamed report is evaluated after the view returns. The router keeps
everything else off the replica: it is never migrated, and rows read from it may be related to rows
of the primary.
"""
from __future__ import annotations

REPLICA = "reports"


class ReportsReplicaRouter:
    def db_for_read(self, model, **hints):
        return None  # the default database, unless a report queryset chose the replica itself

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
