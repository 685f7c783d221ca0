"""The job runner (huey consumer) without Django's start-up system checks.

The checks import every URL and view — and with them the search libraries — into a process that
never serves a page; `hotline run` starts this instead of `run_huey` to keep the runner small.
`hotline check` (and CI) still run the checks.
"""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    requires_system_checks: list[str] = []  # type: ignore[assignment]
