from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督办监督")

    def ready(self):
        from cases.panels import CasePanel, register_case_panel
        from cases.services import set_thresholds_source

        from .panels import (
            ORDERS_PANEL_TEMPLATE,
            RISK_PANEL_TEMPLATE,
            case_orders_panel_context,
            case_risk_panel_context,
        )
        from .thresholds import current_thresholds

        # Stage clocks take the admin's thresholds when set (else the settings): see thresholds.py.
        set_thresholds_source(current_thresholds)
        # the 督办 panel on the staff case page
        register_case_panel(CasePanel("supervision", ORDERS_PANEL_TEMPLATE, case_orders_panel_context, order=10))
        # the 研判预警 this case is behind (supervisors of its place; issue #15)
        register_case_panel(CasePanel("risk", RISK_PANEL_TEMPLATE, case_risk_panel_context, order=12))
        # the automatic 督办 of a buck-passed case (推诿, issue #15: cases.handover)
        from cases.handover import register_buck_pass_listener

        from .services import order_issue_automatic

        register_buck_pass_listener(order_issue_automatic)
        # the staff home shows the work waiting (accounts does not import supervision)
        from accounts.homes import HomeSection, register_home_section
        from accounts.models import Role

        from .homes import supervisor_home, unit_orders_home

        register_home_section(
            HomeSection("supervision", frozenset({Role.SUPERVISOR, Role.ADMIN}), supervisor_home, order=5)
        )
        register_home_section(HomeSection("supervision-unit", frozenset({Role.HANDLER}), unit_orders_home, order=25))

        # a 不合理诉求 label approved or revoked on a closed case changes that day's 满意率 (issue #15)
        from cases.unreason import register_label_listener

        from .kpi.snapshot import kpi_day_invalidate

        register_label_listener(kpi_day_invalidate)
