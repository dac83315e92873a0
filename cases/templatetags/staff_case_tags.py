"""Display helpers for the staff case screens only (the shared ones live in ``case_tags``)."""

from __future__ import annotations

from django import template

from cases.panels import case_panels as registered_panels
from cases.panels import render_panels
from routing.models import Channel

register = template.Library()

_CHANNEL_LABELS = dict(Channel.choices)


@register.filter
def channel_label(code: str) -> str:
    """``window`` → 窗口登记 (``Case.channel`` is a plain code column)."""
    return str(_CHANNEL_LABELS.get(code, code))


@register.simple_tag(takes_context=True)
def case_panels(context, case):
    """The panels other apps registered for the staff case page (``cases.panels``), in order."""
    user = getattr(context.get("request"), "user", None)
    return render_panels(context, registered_panels(), user=user, case=case, page=context)
