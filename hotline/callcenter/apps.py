from django.apps import AppConfig


class CallcenterConfig(AppConfig):
    name = "hotline.callcenter"
    label = "callcenter"
    verbose_name = "呼叫中心"
