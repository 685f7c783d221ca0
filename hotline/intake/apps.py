from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "hotline.intake"
    label = "intake"
    verbose_name = "市民门户与外部受理"
