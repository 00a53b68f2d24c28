"""Masking of personal data (PIPL): ID numbers and phones are shown masked unless revealed."""


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
