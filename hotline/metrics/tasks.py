"""Report jobs: generating a month takes seconds to tens of seconds, so it never runs inside a request."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hotline.metrics.reports.services import monthly_report_draft_due, monthly_report_generate


@db_task()
def monthly_report_generate_task(report_id: int) -> str:
    return monthly_report_generate(report_id=report_id).status


@db_periodic_task(crontab(hour="22", minute="30"))
def monthly_report_draft_due_task() -> str:
    # Daily at 22:30 UTC = 06:30 in China: on the 1st it drafts last month's report before work starts;
    # on other days it does nothing unless the 1st was missed (the runner was down), then it catches up.
    report = monthly_report_draft_due()
    return report.label if report else ""
