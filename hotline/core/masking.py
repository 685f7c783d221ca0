"""Masking of citizens' personal data in lists, exports and for roles that may not see it."""


def mask_phone(phone: str) -> str:
    """13912345678 -> 139****5678; short numbers keep only their last two digits."""
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


def mask_id_number(value: str) -> str:
    """110101199001011234 -> 1101**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str) -> str:
    """张三丰 -> 张**."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)
