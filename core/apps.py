from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """An app only for its template filters (``kpi_tags``); it has no models."""

    name = "core"
    verbose_name = _("公共工具")
