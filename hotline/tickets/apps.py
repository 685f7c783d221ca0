from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "hotline.tickets"
    label = "tickets"
    verbose_name = "工单"

    def ready(self) -> None:
        from hotline.tickets import signals  # noqa: F401
