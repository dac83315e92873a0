"""退回申请 in a real browser (issue #15): the handler asks to return a case it does not own; the
centre's dispatcher refuses with a reason; the handler sees the refusal (the case still theirs, on
its clock); the handler asks again and this time the dispatcher agrees — the case is back in the
centre's dispatch queue. axe-core finds nothing on the pages of the journey."""

from __future__ import annotations

import pytest
from test_accessibility import axe_violations, describe
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as s
from cases.models import Case, Status
from intake.services import claim_submit
from routing.models import MatterType, Region

pytestmark = pytest.mark.e2e


def _handling_case() -> Case:
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="明东村一家装修公司拖欠我两个月工资，老板说是合伙分红不是工资。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
    )
    s.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    s.case_sign(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_labor"))
    return Case.objects.get(pk=claim.case_id)


def _ask_return(page, base, number, reason):
    page.goto(f"{base}/cases/{number}/")
    panel = page.get_by_test_id("action-request_return")
    panel.locator("summary").click()
    panel.get_by_label("退回理由").fill(reason)
    click_and_wait(page, panel.get_by_role("button", name="确认申请退回"))


def test_a_return_request_refused_then_approved(live_server, demo, new_page, screenshots):
    case = _handling_case()
    due = case.stage_due_at
    base = live_server.url
    failures: list[str] = []

    def axe(page, name):
        found = axe_violations(page)
        if found:
            failures.append(describe(name, page.url, found))

    handler = new_page()
    login(handler, base, "gm_labor")
    _ask_return(handler, base, case.number, "当事人系合伙人，属合伙纠纷，不属劳动争议。")
    assert "退回申请已提交" in handler.locator("main").inner_text()
    assert handler.get_by_test_id("handover-pending").is_visible()
    axe(handler, "case page with a pending request")

    dispatcher = new_page()
    login(dispatcher, base, "gm_dispatch")
    dispatcher.goto(f"{base}/cases/queue/?tab=handover")
    assert dispatcher.get_by_test_id("handover-row").count() == 1
    axe(dispatcher, "handover requests tab")
    click_and_wait(dispatcher, dispatcher.get_by_role("link", name=f"审核 {case.number}"))
    refuse = dispatcher.get_by_test_id("handover-refuse")
    refuse.locator("summary").click()
    axe(dispatcher, "case page, deciding")
    refuse.get_by_label("不同意的理由").fill("是否合伙需核实，欠薪线索应由人社部门先行调查。")
    click_and_wait(dispatcher, refuse.get_by_role("button", name="确认不同意"))
    assert "已不同意该申请" in dispatcher.locator("main").inner_text()

    handler.reload()
    item = handler.locator("[data-testid=handover-item][data-status=refused]")
    assert item.is_visible() and "欠薪线索应由人社部门先行调查" in item.inner_text()
    assert handler.get_by_test_id("action-request_return").is_visible()  # may ask again
    saved = Case.objects.get(pk=case.pk)
    assert saved.status == Status.HANDLING and saved.stage_due_at == due  # the clock was not restarted
    handler.screenshot(path=screenshots / "handover-refused.png", full_page=True)

    _ask_return(handler, base, case.number, "已核实为合伙分红纠纷，附合伙协议，请中心改派。")
    dispatcher.goto(f"{base}/cases/{case.number}/")
    approve = dispatcher.get_by_test_id("handover-approve")
    approve.locator("summary").click()
    click_and_wait(dispatcher, approve.get_by_role("button", name="确认同意"))
    assert "回到待派单队列" in dispatcher.locator("main").inner_text()
    dispatcher.goto(f"{base}/cases/queue/?tab=accepted")
    assert case.number in dispatcher.locator("main").inner_text()
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    assert not failures, "\n".join(failures)
