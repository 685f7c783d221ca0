from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "hotline.metrics"
    label = "metrics"
    verbose_name = "指标与报表"
