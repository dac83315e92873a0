"""Masking personal data for lists and logs (CONVENTIONS.md: ``138****5678``)."""

from __future__ import annotations

import re

#: A mainland mobile number or an 18-character resident ID number standing alone in free text.
PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])(?![0-9A-Za-z])")


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


def mask_numbers_in_text(text: str | None) -> str:
    """Free text (a citizen's message) with each phone and ID number in it masked as in lists
    (``138****5678``, ``440608********1234``); the length is kept, so truncating after is safe."""
    if not text:
        return ""
    return PERSONAL_NUMBER.sub(
        lambda m: mask_phone(m.group()) if len(m.group()) == 11 else mask_id_number(m.group()), text
    )
