"""Display helpers for the staff case screens only (the shared ones live in ``case_tags``)."""

from __future__ import annotations

from django import template

from routing.models import Channel

register = template.Library()

_CHANNEL_LABELS = dict(Channel.choices)


@register.filter
def channel_label(code: str) -> str:
    """``window`` → 窗口登记 (``Case.channel`` is a plain code column)."""
    return str(_CHANNEL_LABELS.get(code, code))
