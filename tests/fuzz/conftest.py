"""The fuzz gate (issue #19): hypothesis profiles and a small world to fuzz against.

``HYPOTHESIS_PROFILE`` picks the budget: ``dev`` (default, ``make test``) sends 5 examples per
target; ``ci`` (``.ci/run``'s PostgreSQL pass) sends 25, derandomized so a failure reproduces;
``deep`` sends 200 with a fresh seed each run, for a hunt by hand.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # the examples share the test's transaction on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    "database": None,  # no .hypothesis/ folder; a failure prints its seed and example
    "print_blob": True,
}
settings.register_profile("dev", max_examples=5, **_COMMON)
settings.register_profile("ci", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=200, **_COMMON)  # a hunt by hand, random each run
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Demo accounts, a case in handling with a 督办 order and a mediation: real objects for the
    path parameters. Built once per module inside a transaction that is rolled back at its end."""
    from django.db import transaction

    from accounts.models import User
    from cases import services as cs
    from cases.models import Case
    from intake.services import claim_submit
    from routing.models import MatterType, Region, Unit
    from supervision.services import order_issue

    # the demo city is loaded once per test database (tests/conftest.py)
    with django_db_blocker.unblock(), transaction.atomic():
        citizen = User.objects.get(phone="13800138000")
        claim, _ = claim_submit(
            channel="web",
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            description="老板拖欠三个月工资，多次讨要无果。",
            contact_name="夏志明",
            contact_phone="13800138000",
            submitter=citizen,
        )
        case = Case.objects.get(pk=claim.case_id)
        cs.case_accept(case=case, actor=User.objects.get(username="gm_window"))
        case = Case.objects.select_related("region").get(pk=case.pk)
        order = order_issue(
            case=case, unit=Unit.objects.get(code="GM-RSJ"), actor=User.objects.get(username="gm_supervisor"),
            instruction="三日内约谈企业负责人",
        )  # fmt: skip
        mediation = _mediation(case)
        warning = _risk_warning(case)
        yield {
            "number": [case.number, mediation.number],
            "case_number": [case.number],
            "code": [claim.tracking_code],
            "pk": [order.pk, 1, warning.pk],
            "object_id": [1, case.pk],
            "action": ["close", "press", "reply", "sign", "accept", "cancel", "withdraw"],
            "fmt": ["json", "xml"],  # Open311's format suffix (interfaces.open311)
        }
        transaction.set_rollback(True)


def _mediation(case):
    """The case referred to mediation and assigned to the demo mediator."""
    from accounts.models import User
    from mediation.services import mediation_request

    return mediation_request(case=case, actor=User.objects.get(username="gm_dispatch"), note="双方同意调解")


def _risk_warning(case):
    """A 研判预警 (issue #15) over the case, so the warning page and its form are fuzzed too."""
    from supervision.models import RiskWarning, RiskWarningCase

    warning = RiskWarning.objects.create(
        kind="group",
        region=case.region.parent,
        window_start=case.created_at,
        window_end=case.created_at,
        count=1,
        people=12,
        subject=case.number,
        subject_key="fuzz",
        fingerprint="fuzz",
    )
    RiskWarningCase.objects.create(warning=warning, case=case)
    return warning
