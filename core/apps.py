from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared tools and template filters (``kpi_tags``); it has no models. Connects the task log
    to django-q2's signals (core/task_log.py)."""

    name = "core"
    verbose_name = _("公共工具")

    def ready(self):
        from core import task_log

        task_log.connect()
