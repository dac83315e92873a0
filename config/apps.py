from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project wiring: settings, urls and the django-q2 schedules (``setup_schedules``)."""

    name = "config"
    verbose_name = "Yikouban"
