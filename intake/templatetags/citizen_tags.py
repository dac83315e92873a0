"""Display helpers for the citizen and public pages."""

from __future__ import annotations

from django import template

from cases.models import Status
from core.masking import mask_numbers_in_text

register = template.Library()

_RESULT_STATUSES = {Status.FEEDBACK, Status.CLOSED}


@register.filter
def result_visible(case) -> bool:
    """A result is shown to citizens once the centre has approved it (待评价) or the case closed."""
    return bool(case and case.result) and case.status in _RESULT_STATUSES


@register.filter
def code_groups(code: str) -> list[str]:
    """A tracking code in groups of five, easier to read out and type (ABCDE FGHIJ)."""
    code = code or ""
    return [code[i : i + 5] for i in range(0, len(code), 5)]


@register.filter
def numbers_masked(text: str) -> str:
    """Free text with each phone and ID number masked (a result written for another citizen)."""
    return mask_numbers_in_text(text)
