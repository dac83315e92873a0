from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("矛盾调解")

    def ready(self):
        from cases.locks import register_hold_source

        from .services import case_hold_reason

        # a case in mediation is not returned, transferred, reported or withdrawn underneath it
        register_hold_source(case_hold_reason)
