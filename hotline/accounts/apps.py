from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotline.accounts"
    label = "accounts"
    verbose_name = "用户与组织"
