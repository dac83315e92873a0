from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与岗位")

    def ready(self):
        from routing.permissions import register_directory_import_rule, register_rule_simulator_rule

        from .permissions import can_import_directory, can_use_rule_simulator

        # routing does not know roles: admins and dispatchers may use its rule simulator
        register_rule_simulator_rule(can_use_rule_simulator)
        # and only admins import a directory file in the browser (with its rule-change replay)
        register_directory_import_rule(can_import_directory)

        from . import elderly, middleware  # noqa: F401 - connect the session clock and 长辈模式 to user_logged_in
