"""People workloads."""
from __future__ import annotations

from bench import data
from bench.registry import Context, Plan, Request, workload


@workload("me", sizes={"me_users": 100})
def me(ctx: Context) -> Plan:
    """GET /api/v1/me/ with a personal token, spread over --me-users people; floor GET /bench/floor/."""
    org = data.organization()
    users = data.people(org, ctx.sizes["me_users"], prefix="me", roles=("learner",))
    auth = [{"Authorization": f"Token {raw}"} for raw in data.tokens(users)]

    def project(i: int) -> Request:
        return Request("GET", "/api/v1/me/", auth[i % len(auth)])

    def floor(i: int) -> Request:
        return Request("GET", "/bench/floor/", auth[i % len(auth)])

    return Plan(project=project, floor=floor)
