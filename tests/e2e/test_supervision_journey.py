"""The supervisor's journey: board → case → 督办 → the unit replies → the supervisor closes it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as cs
from cases.models import Case
from intake.services import claim_submit
from routing.models import MatterType, Region
from supervision.models import OrderStatus, SupervisionOrder
from supervision.services import warnings_sweep


def overdue_case() -> Case:
    started = timezone.now() - timedelta(days=40)
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="明东村五金厂老板拖欠三个月工资共一万二千元，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
        at=started,
    )
    cs.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"), at=started)
    cs.case_sign(
        case=Case.objects.get(pk=claim.case_id),
        actor=User.objects.get(username="gm_labor"),
        at=started + timedelta(hours=2),
    )
    warnings_sweep()
    return Case.objects.get(pk=claim.case_id)


def test_supervisor_orders_the_unit_and_closes_after_the_reply(live_server, demo, new_page, screenshots):
    case = overdue_case()
    assert case.warning_level == "red"

    boss = new_page()
    login(boss, live_server.url, "gm_supervisor")
    click_and_wait(boss, boss.locator("nav").get_by_role("link", name="超期看板"))
    row = boss.locator("tr", has_text=case.number)
    assert row.count() >= 1, "the overdue case is not on the red list"
    boss.screenshot(path=screenshots / "supervision-1-board.png", full_page=True)
    click_and_wait(boss, row.first.get_by_test_id("issue"))
    form = boss.get_by_test_id("issue-form")
    form.locator("[name=instruction]").fill("请于两个工作日内约谈企业负责人，督促足额支付拖欠工资并回复。")
    boss.screenshot(path=screenshots / "supervision-2-issue.png", full_page=True)
    click_and_wait(boss, form.get_by_role("button", name="发出督办"))
    assert case.number in boss.content()
    order = SupervisionOrder.objects.get(case=case)
    assert order.unit.code == "GM-RSJ" and order.status == OrderStatus.OPEN

    unit = new_page()
    login(unit, live_server.url, "gm_labor")
    click_and_wait(unit, unit.locator("nav").get_by_role("link", name="督办回复"))
    click_and_wait(unit, unit.get_by_test_id("order-link").first)
    reply = unit.get_by_test_id("action-reply")
    if reply.get_attribute("open") is None:
        reply.locator("summary").click()
    reply.locator("textarea[name=reply]").fill("已约谈企业负责人，企业承诺本周内支付全部拖欠工资。")
    click_and_wait(unit, reply.get_by_role("button"))
    unit.screenshot(path=screenshots / "supervision-3-replied.png", full_page=True)
    assert SupervisionOrder.objects.get(pk=order.pk).status == OrderStatus.REPLIED

    boss.goto(f"{live_server.url}/supervision/orders/{order.pk}/")
    close = boss.get_by_test_id("action-close")
    if close.get_attribute("open") is None:
        close.locator("summary").click()
    click_and_wait(boss, close.get_by_role("button"))
    boss.screenshot(path=screenshots / "supervision-4-closed.png", full_page=True)
    assert SupervisionOrder.objects.get(pk=order.pk).status == OrderStatus.CLOSED
    transitions = list(case.events.filter(transition__startswith="order_").values_list("transition", flat=True))
    assert transitions == ["order_issue", "order_reply", "order_close"]
