"""Concurrent posts of one 督办 (a double click, a retry, three tabs): one order, one event.

The probe of issue #19 saw three orders in 21 ms; the double-post check was a SELECT without a
lock. Threads against PostgreSQL give real row-level concurrency; SQLite serialises writers."""

import pytest
from django.db import connection  # noqa: F401 - used by the skipif condition

from cases import services as cs
from cases.models import Case
from routing.models import Unit
from supervision.models import SupervisionOrder, SupervisionOrderEvent
from supervision.services import order_issue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


def test_concurrent_posts_of_one_order_make_one_order_and_one_event(submit_case, user, race):
    case = submit_case()
    cs.case_accept(case=Case.objects.get(pk=case.pk), actor=user("gm_window"))
    unit = Unit.objects.get(code="GM-RSJ")
    supervisor = user("gm_supervisor")

    def post():
        loaded = Case.objects.select_related("region").get(pk=case.pk)
        return order_issue(case=loaded, unit=unit, actor=supervisor, instruction="三日内约谈企业负责人").pk

    results = race(*[post] * 5)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert SupervisionOrder.objects.count() == 1
    assert SupervisionOrderEvent.objects.count() == 1


def test_concurrent_code_requests_to_one_phone_send_one_code(db, race):
    from accounts.models import VerificationCode
    from accounts.services import AccountError, verification_code_send

    results = race(*[lambda: verification_code_send(phone="13900139000")] * 4)
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert all(isinstance(r, AccountError) for r in results if isinstance(r, Exception)), results
    assert VerificationCode.objects.filter(phone="13900139000").count() == 1
