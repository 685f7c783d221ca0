from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "hotline.exchange"
    label = "exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from hotline.exchange import signals  # noqa: F401
