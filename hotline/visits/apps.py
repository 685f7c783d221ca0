from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "hotline.visits"
    label = "visits"
    verbose_name = "回访"
