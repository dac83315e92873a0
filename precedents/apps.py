from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrecedentsConfig(AppConfig):
    """类案推荐 (issue #13): the closed cases most like the one at hand, on the staff case page, the
    mediation page and at ``/cases/similar/``. The matching itself is the ``similar`` app's; this
    app decides whose cases may be shown and how (it sits above ``cases`` and ``mediation``, whose
    scopes it reuses)."""

    name = "precedents"
    verbose_name = _("类案推荐")

    def ready(self):
        from cases.panels import CasePanel, register_case_panel

        from .panels import case_panel_context

        # after the 督办 (10) and 调解 (20) panels, before the timeline
        register_case_panel(CasePanel("precedents", "precedents/_loader.html", case_panel_context, order=40))
