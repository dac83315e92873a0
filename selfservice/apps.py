from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfserviceConfig(AppConfig):
    name = "selfservice"
    verbose_name = _("一码解纷")
    default_auto_field = "django.db.models.BigAutoField"
