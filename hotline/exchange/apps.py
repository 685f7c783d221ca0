from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "hotline.exchange"
    label = "exchange"
    verbose_name = "数据交换"
