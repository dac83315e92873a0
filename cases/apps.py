from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件")

    def ready(self):
        from accounts.homes import HomeSection, register_home_section
        from accounts.models import Role

        from .homes import centre_home, inbox_home

        # the staff home shows the work waiting (accounts does not import cases)
        register_home_section(HomeSection("cases-centre", frozenset({Role.CLERK, Role.DISPATCHER}), centre_home, 10))
        register_home_section(HomeSection("cases-inbox", frozenset({Role.HANDLER}), inbox_home, 20))

        from routing.replay import register_replay_source

        from .replay import SOURCE

        # routing does not import cases: the rule-change replay reads them through this source
        register_replay_source(SOURCE)

        # the 联办任务 panel on the staff case page (issue #15: cases.joint)
        from .joint_views import PANEL_TEMPLATE, joint_panel_context
        from .panels import CasePanel, register_case_panel

        register_case_panel(CasePanel("joint", PANEL_TEMPLATE, joint_panel_context, order=5))

        # 不合理诉求 / 恶意诉求 (issue #15: cases.unreason): the case page's panel, the centre's count
        from .homes import unreason_home
        from .unreason_views import PANEL_TEMPLATE as UNREASON_PANEL
        from .unreason_views import unreason_panel_context

        register_case_panel(CasePanel("unreason", UNREASON_PANEL, unreason_panel_context, order=8))
        register_home_section(HomeSection("cases-unreason", frozenset({Role.DISPATCHER}), unreason_home, 15))
        # 退回申请 / 转办申请 and 首接负责 (issue #15: cases.handover), above the others
        from . import handover_views

        register_case_panel(
            CasePanel("handover", handover_views.PANEL_TEMPLATE, handover_views.handover_panel_context, order=3)
        )
