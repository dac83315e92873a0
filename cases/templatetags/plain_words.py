"""Filters for the citizen and public pages: the plain words of ``cases.citizen_words``."""

from __future__ import annotations

from django import template

from cases import citizen_words

register = template.Library()


@register.filter
def citizen_status(case) -> str:
    """The case's status in the citizen's words (已交办理单位, not 已派单（待签收）)."""
    return citizen_words.status_words(case.status)


@register.filter
def citizen_due_label(case) -> str:
    return citizen_words.due_label(case.status)


@register.filter
def citizen_late(case) -> bool:
    """Past its due time with the clock running (a paused case is never late)."""
    return citizen_words.is_late(case)


@register.filter
def citizen_paused(case) -> bool:
    return citizen_words.clock_paused(case)


@register.filter
def citizen_paused_words(case) -> str:
    return citizen_words.paused_words(case)


@register.filter
def citizen_countdown(case) -> str:
    """The current step's expected date and the working days left, in plain words."""
    return citizen_words.countdown_words(case)
