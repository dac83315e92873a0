"""Password rules with messages in our own words (Django 5.2 changed the minimum-length msgid,
so its Chinese catalogue no longer matches and the error came out in English)."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as _MinimumLengthValidator
from django.utils.translation import gettext as _


class MinimumLengthValidator(_MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短：至少需要 %(n)d 个字符，请加长后再试。") % {"n": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(n)d 个字符。") % {"n": self.min_length}
