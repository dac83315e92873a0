"""Panels from other apps on the staff case page.

``cases`` does not import the apps above it: they register a panel at start-up (supervision's 督办
and mediation's 调解 in their ``AppConfig.ready``), as ``cases.locks`` does for holds. The page
renders the registered panels in ``order`` with ``{% case_panels case %}``.

A panel is a template name and a context function
``context(*, request, user, case, page) -> dict``; ``page`` is the case page's own context, so a
panel can reuse what the page already loaded (its timeline) instead of querying again. Whatever a
context function queries counts in the case page's query-count tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import mark_safe


@dataclass(frozen=True)
class CasePanel:
    name: str
    template: str
    context: Callable[..., dict]
    order: int = 100


_panels: dict[str, CasePanel] = {}


def register_case_panel(panel: CasePanel) -> None:
    _panels[panel.name] = panel


def case_panels() -> list[CasePanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))


# Citizen pages ------------------------------------------------------------------------------------
# The same idea for the citizen's own case page and the public tracking result (intake renders
# them with ``{% citizen_panels claim case mode %}``): ``feedback`` registers 补充材料 / 留言 / 催办.
# ``context(*, request, claim, case, mode) -> dict | None``; ``mode`` is ``"owner"`` (logged in)
# or ``"track"`` (code + last four digits); None leaves the panel out.

_citizen_panels: dict[str, CasePanel] = {}


def register_citizen_panel(panel: CasePanel) -> None:
    _citizen_panels[panel.name] = panel


def citizen_panels() -> list[CasePanel]:
    return sorted(_citizen_panels.values(), key=lambda panel: (panel.order, panel.name))


def render_panels(context, panels: list[CasePanel], **arguments) -> str:
    """Render ``panels`` inside a template ``context``: each one's context function is called with
    the request and ``arguments`` (a None answer leaves the panel out), its template gets that data
    and the page's CSRF token."""
    request = context.get("request")
    csrf_token = context.get("csrf_token")
    html = []
    for panel in panels:
        data = panel.context(request=request, **arguments)
        if data is None:
            continue
        panel_context = context.new(data)
        if csrf_token is not None:
            panel_context["csrf_token"] = csrf_token
        html.append(context.template.engine.get_template(panel.template).render(panel_context))
    return mark_safe("".join(html))  # each panel template escaped its own output
