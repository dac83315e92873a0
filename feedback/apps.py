from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("回访与群众互动")

    def ready(self):
        from cases.panels import CasePanel, register_case_panel, register_citizen_panel
        from cases.rating_links import register_rating_link_issuer

        from .panels import citizen_panel_context, staff_panel_context
        from .services import rating_link_issue

        # the result SMS carries a single-use rating link (cases does not import feedback)
        register_rating_link_issuer(rating_link_issue)
        # 补充材料 / 留言 / 催办 on the citizen's case page and the tracking result
        register_citizen_panel(CasePanel("feedback", "feedback/_citizen_panel.html", citizen_panel_context, order=10))
        # what the citizen added, their presses and the call-backs, on the staff case page
        register_case_panel(CasePanel("feedback", "feedback/_staff_panel.html", staff_panel_context, order=30))
        # the clerk's home: how many call-backs wait (accounts does not import feedback)
        from accounts.homes import HomeSection, register_home_section
        from accounts.models import Role

        from .homes import callback_home

        register_home_section(HomeSection("feedback", frozenset({Role.CLERK}), callback_home, order=15))
