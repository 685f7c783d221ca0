from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = "热线百科"
