"""Display helpers for the staff case screens only (the shared ones live in ``case_tags``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from cases.panels import case_panels as registered_panels
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
    request = context.get("request")
    user = getattr(request, "user", None)
    csrf_token = context.get("csrf_token")
    html = []
    for panel in registered_panels():
        data = panel.context(request=request, user=user, case=case, page=context)
        panel_context = context.new(data)
        if csrf_token is not None:
            panel_context["csrf_token"] = csrf_token
        html.append(context.template.engine.get_template(panel.template).render(panel_context))
    return mark_safe("".join(html))  # each panel template escaped its own output
