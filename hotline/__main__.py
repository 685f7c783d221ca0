"""The `hotline` console script: Django management with the project's settings."""

import os
import sys


def main() -> None:
    """Run a management command (`hotline run`, `hotline demo`, `hotline migrate`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
