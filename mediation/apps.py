from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("矛盾调解")

    def ready(self):
        from cases.locks import register_hold_source
        from cases.panels import CasePanel, register_case_panel

        from .services import case_hold_reason
        from .templatetags.mediation_tags import MEDIATION_PANEL_TEMPLATE, case_mediation_panel_context

        # a case in mediation is not returned, transferred, reported or withdrawn underneath it
        register_hold_source(case_hold_reason)
        # the 调解 panel on the staff case page, after the 督办 one
        register_case_panel(CasePanel("mediation", MEDIATION_PANEL_TEMPLATE, case_mediation_panel_context, order=20))
        # the staff home shows the work waiting (accounts does not import mediation)
        from accounts.homes import HomeSection, register_home_section
        from accounts.models import Role

        from .homes import mediation_home

        register_home_section(
            HomeSection("mediation", frozenset({Role.MEDIATOR, Role.DISPATCHER}), mediation_home, order=30)
        )
