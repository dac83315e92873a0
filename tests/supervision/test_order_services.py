"""督办 services: double posts, closed cases, concurrent presses."""

import pytest

from cases import services as cs
from cases.models import Case
from routing.models import Unit
from supervision.models import SupervisionOrder
from supervision.services import SupervisionError, order_issue, order_press, order_reply

pytestmark = pytest.mark.django_db


def test_the_same_order_posted_twice_is_one_order(submit_case, user):
    case = submit_case()
    cs.case_accept(case=Case.objects.get(pk=case.pk), actor=user("gm_window"))
    case = Case.objects.select_related("region").get(pk=case.pk)
    unit = Unit.objects.get(code="GM-RSJ")
    first = order_issue(case=case, unit=unit, actor=user("gm_supervisor"), instruction="三日内约谈企业负责人")
    second = order_issue(case=case, unit=unit, actor=user("gm_supervisor"), instruction="三日内约谈企业负责人")
    assert first.pk == second.pk and SupervisionOrder.objects.count() == 1


def test_a_closed_case_cannot_be_supervised(submit_case, user):
    case = submit_case()
    cs.case_reject(case=Case.objects.get(pk=case.pk), actor=user("gm_window"), reason="已进入诉讼程序")
    with pytest.raises(SupervisionError):
        order_issue(
            case=Case.objects.select_related("region").get(pk=case.pk),
            unit=Unit.objects.get(code="GM-RSJ"),
            actor=user("gm_supervisor"),
            instruction="请核查",
        )


def test_pressing_counts_each_press(submit_case, user):
    case = submit_case()
    cs.case_accept(case=Case.objects.get(pk=case.pk), actor=user("gm_window"))
    case = Case.objects.select_related("region").get(pk=case.pk)
    order = order_issue(
        case=case, unit=Unit.objects.get(code="GM-RSJ"), actor=user("gm_supervisor"), instruction="约谈"
    )
    order_reply(order=order, actor=user("gm_labor"), reply="已约谈")
    stale = SupervisionOrder.objects.get(pk=order.pk)
    order_press(order=SupervisionOrder.objects.get(pk=order.pk), actor=user("gm_supervisor"), instruction="落实付款")
    order_press(order=stale, actor=user("gm_supervisor"), instruction="再次落实")  # a stale copy still counts
    assert SupervisionOrder.objects.get(pk=order.pk).pressed == 2
