from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与岗位")

    def ready(self):
        from . import middleware  # noqa: F401 - connects the session clock to user_logged_in
