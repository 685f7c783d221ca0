"""Password policy beyond Django's defaults."""

from django.core.exceptions import ValidationError


class MixedCharactersValidator:
    """Require letters and digits in a password."""

    def validate(self, password: str, user: object = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdecimal() for c in password)):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_not_mixed")

    def get_help_text(self) -> str:
        return "密码必须同时包含字母和数字。"
