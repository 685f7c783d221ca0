"""Workforce jobs: solving a roster takes up to a minute, so it never runs inside a request."""

from django.conf import settings
from huey.contrib.djhuey import db_task

from hotline.workforce.services import RosterOptions, roster_solve


@db_task()
def roster_solve_task(roster_id: int) -> str:
    # WORKFORCE_ROSTER_TIME_LIMIT_S (default 60 s) bounds the solve; diagnosis gets a third of it.
    limit = float(getattr(settings, "WORKFORCE_ROSTER_TIME_LIMIT_S", 60))
    options = RosterOptions(time_limit_s=limit, diagnose_time_s=max(2.0, limit / 3))
    # WORKFORCE_DEMAND: queue → {"workday": (day, night), "restday": (day, night)} head-counts.
    demand = getattr(settings, "WORKFORCE_DEMAND", None)
    if demand:
        options.queues = demand
    return roster_solve(roster_id=roster_id, options=options).outcome
