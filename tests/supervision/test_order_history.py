"""An order's page lists its own 督办 activity only, even when the case has several orders."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from routing.models import Unit
from supervision import services as ss
from supervision.models import SupervisionOrder, SupervisionOrderEvent
from supervision.selectors import order_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orders(open_case, user, staff):
    """One 拖欠工资 case with two 督办: to the lead unit (replied, pressed) and to 明城镇综治中心."""
    case = open_case()
    supervisor = user("gm_supervisor")
    to_lead = ss.order_issue(case=case, unit=case.lead_unit, actor=supervisor, instruction="请三日内核实欠薪金额")
    to_town = ss.order_issue(
        case=case, unit=Unit.objects.get(code="GM-MC-ZZ"), actor=supervisor, instruction="请村居协助联系企业"
    )
    lead_handler = user("gm_labor")
    to_lead = SupervisionOrder.objects.get(pk=to_lead.pk)
    ss.order_reply(order=to_lead, actor=lead_handler, reply="已约谈企业负责人，承诺月底前支付")
    ss.order_press(order=SupervisionOrder.objects.get(pk=to_lead.pk), actor=supervisor, instruction="请落实支付凭证")
    return case, SupervisionOrder.objects.get(pk=to_lead.pk), SupervisionOrder.objects.get(pk=to_town.pk)


def test_each_order_lists_only_its_own_activity(two_orders):
    case, to_lead, to_town = two_orders
    assert [e.transition for e in order_history(to_lead)] == ["order_issue", "order_reply", "order_press"]
    assert [(e.transition, e.note) for e in order_history(to_town)] == [
        ("order_issue", "督办明城镇综治中心：请村居协助联系企业")
    ]
    # the case timeline still holds all of them
    assert CaseEvent.objects.filter(case=case, transition__startswith="order_").count() == 4


def test_order_page_shows_its_own_history(two_orders, login):
    _case, to_lead, to_town = two_orders
    page = login("gm_supervisor").get(reverse("supervision:order-detail", args=[to_town.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "请村居协助联系企业" in text
    assert "已约谈企业负责人" not in text and "请落实支付凭证" not in text
    page = login("gm_supervisor").get(reverse("supervision:order-detail", args=[to_lead.pk]))
    text = page.content.decode()
    assert "已约谈企业负责人" in text and "请落实支付凭证" in text


def test_every_order_event_is_linked_once(two_orders):
    case, to_lead, to_town = two_orders
    ss.order_close(order=to_town, actor=to_town.issued_by, note="已落实")
    events = CaseEvent.objects.filter(case=case, transition__startswith="order_")
    links = dict(SupervisionOrderEvent.objects.values_list("event_id", "order_id"))
    assert set(links) == set(events.values_list("id", flat=True))
    assert sorted(links.values()).count(to_town.pk) == 2
