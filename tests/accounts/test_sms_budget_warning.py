"""The platform-wide SMS code budget is a realistic per-deployment figure, and the operators are
warned in the log — once, without any phone number — when 80 % of it is used (issue #14 review)."""

import logging

import pytest
from django.conf import settings as django_settings

from accounts.services import verification_code_send

pytestmark = pytest.mark.django_db


def test_the_default_budget_is_realistic():
    budget, window = django_settings.SMS_CODE_GLOBAL_LIMIT
    assert budget >= 5000 and window == 3600


def test_a_warning_without_phones_when_80_percent_is_used(settings, caplog):
    settings.SMS_CODE_GLOBAL_LIMIT = (5, 3600)
    phones = [f"1370000000{i}" for i in range(5)]
    with caplog.at_level(logging.WARNING, logger="accounts.services"):
        for phone in phones[:3]:
            verification_code_send(phone=phone)
        assert not [r for r in caplog.records if "SMS code budget" in r.getMessage()]
        verification_code_send(phone=phones[3])  # 4 of 5 = 80 %
        verification_code_send(phone=phones[4])  # said once, not again
    warnings = [r for r in caplog.records if "SMS code budget" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    text = warnings[0].getMessage()
    assert "4 of 5" in text and not any(phone in text for phone in phones)
