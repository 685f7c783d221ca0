from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotline.accounts"
    label = "accounts"
    verbose_name = "用户与组织"

    def ready(self) -> None:
        from hotline.accounts import signals  # noqa: F401
