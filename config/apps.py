from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project wiring: settings, urls and the django-q2 schedules (``setup_schedules``)."""

    name = "config"
    verbose_name = "Yikouban"

    def ready(self):
        from notifications.links import set_reader

        from .message_links import READER

        set_reader(READER)  # the message centre's links to case pages (config/message_links.py)
