"""Masking personal data for lists and logs (CONVENTIONS.md: ``138****5678``)."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    phone = phone.strip()
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * len(phone)


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    number = number.strip()
    if len(number) > 10:
        return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
    return "*" * len(number)
