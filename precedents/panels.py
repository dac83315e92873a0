"""The 类案推荐 panel on the staff case page (registered in ``PrecedentsConfig.ready``), and on the
mediation page (``mediation/mediation_detail.html`` includes the same template).

The page only gets a placeholder: the panel's rows are fetched by the browser once the panel is
scrolled into view (``precedents/similar-cases.js``), so the case page's queries do not grow and
the engine runs only for someone who looks. Without JavaScript, the placeholder's link opens the
same search at ``/cases/similar/?case=<number>`` (``?mediation=<number>`` from a mediation)."""

from __future__ import annotations


def case_panel_context(*, request, user, case, page) -> dict:
    """No query: the template builds both addresses from the case number."""
    return {"case": case}
