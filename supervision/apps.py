from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督办监督")

    def ready(self):
        from cases.services import set_thresholds_source

        from .thresholds import current_thresholds

        # Stage clocks take the admin's thresholds when set (else the settings): see thresholds.py.
        set_thresholds_source(current_thresholds)
