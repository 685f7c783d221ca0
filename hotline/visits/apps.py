from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "hotline.visits"
    label = "visits"
    verbose_name = "回访"

    def ready(self) -> None:
        from hotline.visits import signals  # noqa: F401
