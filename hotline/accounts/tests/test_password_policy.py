"""The password policy: at least 10 characters, not common, not all digits, letters and digits mixed."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

from hotline.accounts.models import Role, User


@pytest.mark.parametrize(
    ("password", "expected_code"),
    [
        ("12345678901", "password_entirely_numeric"),
        ("12345678901", "password_not_mixed"),
        ("abcdefghijk", "password_not_mixed"),
        ("Ab1cd2", "password_too_short"),
        ("password123", "password_too_common"),
    ],
)
def test_weak_passwords_are_rejected(password, expected_code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)

    assert expected_code in {e.code for e in exc.value.error_list}


def test_mixed_password_of_ten_or_more_characters_is_accepted():
    assert validate_password("Rexu7Lamb9q") is None
    assert validate_password("热线2026qingHe") is None


@pytest.mark.django_db
def test_password_too_close_to_the_username_is_rejected():
    user = User(username="zhangwei2026", role=Role.AGENT)

    with pytest.raises(ValidationError) as exc:
        validate_password("zhangwei2026", user=user)

    assert "password_too_similar" in {e.code for e in exc.value.error_list}


def test_not_mixed_message_is_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefghijkq")

    messages = [m for e in exc.value.error_list for m in e.messages if e.code == "password_not_mixed"]
    assert messages == ["密码必须同时包含字母和数字。"]
    assert "密码必须同时包含字母和数字。" in password_validators_help_texts()
