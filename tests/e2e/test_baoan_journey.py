"""包案 and 挂牌督办 (issue #15): the supervisor takes an overdue case and hangs the plate, the badge
shows on the overdue board; the dispatcher is told the review is the leader's; the leader approves."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from test_accessibility import axe_violations
from test_role_homes import click_and_wait, login
from test_supervision_journey import overdue_case

from accounts.models import User
from cases import services as cs
from cases.models import Case, Outcome, Status
from cases.workdays import is_workday


def target_day() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=10)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def open_action(page, name: str):
    action = page.get_by_test_id(f"action-{name}")
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    return action


def test_leader_takes_hangs_and_approves(live_server, demo, new_page, screenshots):
    case = overdue_case()
    assert case.warning_level == "red"

    boss = new_page()
    login(boss, live_server.url, "gm_supervisor")
    boss.goto(f"{live_server.url}/cases/{case.number}/")
    take = open_action(boss, "baoan_take")
    take.get_by_label("目标办结日期").fill(target_day().isoformat())
    take.get_by_label("包案要求（选填）").fill("每周五前报告进展")
    click_and_wait(boss, take.get_by_role("button", name="确认包案"))
    assert "已包案" in boss.content()
    hang = open_action(boss, "plate_hang")
    hang.get_by_label("挂牌理由").fill("欠薪涉及多名工人，群众多次反映")
    click_and_wait(boss, hang.get_by_role("button", name="确认挂牌督办"))
    header = boss.get_by_test_id("case-header")
    assert header.get_by_test_id("plate-badge").inner_text() == "挂牌督办"
    boss.screenshot(path=screenshots / "baoan-1-case.png", full_page=True)

    click_and_wait(boss, boss.locator("nav").get_by_role("link", name="超期看板"))
    red_row = boss.locator("tr[data-testid=red-row]", has_text=case.number)
    assert red_row.get_by_test_id("plate-badge").inner_text() == "挂牌督办"
    plate = boss.get_by_test_id("plate-section")
    assert plate.get_by_test_id("plate-row").filter(has_text=case.number).count() == 1
    boss.screenshot(path=screenshots / "baoan-2-board.png", full_page=True)

    click_and_wait(boss, boss.locator("nav").get_by_role("link", name="我的包案"))
    row = boss.locator("tr[data-testid=baoan-row]", has_text=case.number)
    assert "还剩" in row.get_by_test_id("target").inner_text()
    assert axe_violations(boss) == []  # the page is in the accessibility gate's list too
    boss.screenshot(path=screenshots / "baoan-3-mine.png", full_page=True)

    cs.case_submit_result(
        case=Case.objects.get(pk=case.pk),
        actor=User.objects.get(username="gm_labor"),
        result="已约谈企业负责人，拖欠工资已足额支付。",
        outcome=Outcome.RESOLVED,
    )

    dispatcher = new_page()
    login(dispatcher, live_server.url, "gm_dispatch")
    dispatcher.goto(f"{live_server.url}/cases/{case.number}/")
    notice = dispatcher.get_by_test_id("review-by-leader")
    assert "由包案领导审核" in notice.inner_text()
    assert dispatcher.get_by_test_id("action-approve").count() == 0
    dispatcher.screenshot(path=screenshots / "baoan-4-dispatcher.png", full_page=True)

    boss.goto(f"{live_server.url}/cases/{case.number}/")
    approve = open_action(boss, "approve")
    click_and_wait(boss, approve.get_by_role("button", name="确认审核通过"))
    assert Case.objects.get(pk=case.pk).status == Status.FEEDBACK
    boss.screenshot(path=screenshots / "baoan-5-approved.png", full_page=True)
