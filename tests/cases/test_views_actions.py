"""Every action through the case-act view: valid input moves the case and writes one event; bad
input answers 400 with a Chinese message, keeps what was typed and changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_fsm import ConcurrentTransition

from cases import selectors
from cases import services as s
from cases.models import CaseEvent, ExtensionRequest, Status
from cases.views import case_version
from routing.models import Unit

pytestmark = pytest.mark.django_db


def resolve(data):
    """``"@GM-RSJ"`` → that unit's pk (lists too), so the table below can name units by code."""

    def one(value):
        if isinstance(value, str) and value.startswith("@"):
            return str(Unit.objects.get(code=value[1:]).pk)
        return value

    return {k: [one(v) for v in value] if isinstance(value, list) else one(value) for k, value in data.items()}


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


LONG = "很长的意见" * 401  # 2,005 characters: over the 2,000 limit

# action, start, who, valid input, status after, bad input, message shown, text kept
ACTIONS = [
    ("accept", "submitted", "gm_window", {"note": "材料齐全"}, Status.DISPATCHED,
     {"note": LONG}, "内容过长", LONG),
    ("reject", "submitted", "gm_window", {"reason": "属于劳动仲裁受理范围", "redirect_to": "向区劳动人事争议仲裁委员会申请仲裁"},
     Status.REJECTED, {"reason": "   ", "redirect_to": "向区劳动人事争议仲裁委员会申请仲裁"}, "请填写不予受理的理由", "向区劳动人事争议仲裁委员会申请仲裁"),
    ("resolve_on_spot", "submitted", "gm_window", {"result": "已当场解答欠薪投诉渠道"}, Status.FEEDBACK,
     {"result": ""}, "请填写当场办理的结果", None),
    ("dispatch", "accepted", "gm_dispatch", {"lead_unit": "@GM-RSJ", "cooperating_units": ["@GM-MC-ZZ"], "note": "人工分派"},
     Status.DISPATCHED, {"lead_unit": "", "note": "请尽快联系当事人"}, "请选择主办单位", "请尽快联系当事人"),
    ("sign", "dispatched", "gm_labor", {}, Status.HANDLING, None, None, None),
    ("request_return", "dispatched", "gm_labor", {"reason": "系商业合同纠纷"}, Status.DISPATCHED,
     {"reason": ""}, "请填写退回理由", None),
    ("request_transfer", "handling", "gm_labor", {"proposed_unit": "@GM-MC-ZZ", "reason": "属镇街职责"}, Status.HANDLING,
     {"proposed_unit": "@CC-RSJ", "reason": "属镇街职责"}, "所选单位不在可选范围内", "属镇街职责"),
    ("transfer", "dispatched", "gm_dispatch", {"to_unit": "@GM-MC-ZZ", "reason": "由镇综治中心牵头处理"}, Status.DISPATCHED,
     {"to_unit": "@CC-RSJ", "reason": "由镇综治中心牵头处理"}, "所选单位不在可选范围内", "由镇综治中心牵头处理"),
    ("escalate", "handling", "gm_labor", {"to_unit": "@FS-RSJ", "reason": "涉及多区企业，需市人社局协调"}, Status.DISPATCHED,
     {"to_unit": "@GM-MC-ZZ", "reason": "涉及多区企业，需市人社局协调"}, "所选单位不在可选范围内", "涉及多区企业，需市人社局协调"),
    ("request_extension", "handling", "gm_labor", {"days": "5", "reason": "需调取考勤记录"}, Status.HANDLING,
     {"days": "31", "reason": "需调取考勤记录"}, "延期天数最多 30 个工作日", "需调取考勤记录"),
    ("approve_extension", "extension", "gm_supervisor", {"note": "同意"}, Status.HANDLING,
     {"note": LONG}, "内容过长", LONG),
    ("deny_extension", "extension", "gm_dispatch", {"note": "请按期办结"}, Status.HANDLING,
     {"note": LONG}, "内容过长", LONG),
    ("add_note", "handling", "gm_labor", {"note": "已约谈企业负责人", "public": "on"}, Status.HANDLING,
     {"note": "", "public": "on"}, "请填写办理进展", None),
    ("contact", "handling", "gm_labor", {"method": "phone", "note": "已电话联系申请人，约定明日上门核实"}, Status.HANDLING,
     {"method": "fax", "note": "已电话联系申请人"}, "请从电话、上门、短信中选择联系方式", "已电话联系申请人"),
    ("submit_result", "handling", "gm_labor", {"outcome": "resolved", "result": "企业已足额支付工资"}, Status.REVIEWING,
     {"outcome": "paid", "result": "企业已足额支付工资"}, "请从列表中选择办理结论", "企业已足额支付工资"),
    ("approve", "reviewing", "gm_dispatch", {"note": ""}, Status.FEEDBACK,
     {"note": LONG}, "内容过长", LONG),
    ("send_back", "reviewing", "gm_dispatch", {"reason": "未见书面核查记录"}, Status.HANDLING,
     {"reason": " "}, "请填写驳回理由", None),
    ("merge", "submitted", "gm_window", {"target": "<other>"}, Status.MERGED,
     {"target": "高明-2026-999999", "note": "同一欠薪事项"}, "找不到可合并的案件", "同一欠薪事项"),
]  # fmt: skip


def _prepare(case_in, start, data):
    case = case_in(start)
    if data and data.get("target") == "<other>":
        other = case_in("submitted", text="同一老板拖欠我和工友的工资，一直拖着不给。")
        data = {**data, "target": other.number}
    return case, data


@pytest.mark.parametrize(
    ("action", "start", "who", "valid", "after"), [a[:5] for a in ACTIONS], ids=[a[0] for a in ACTIONS]
)
def test_valid_input_takes_the_action_and_writes_one_event(
    case_in, login, act, action, start, who, valid, after, fresh
):
    case, valid = _prepare(case_in, start, valid)
    before = CaseEvent.objects.filter(case=case).count()
    response = act(login(who), case, action, resolve(valid))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = fresh(case)
    assert case.status == after
    new = list(CaseEvent.objects.filter(case=case).order_by("id")[before:].values_list("transition", flat=True))
    expected = {  # accept dispatches by the rules; a unit's requests wait for the centre (issue #15)
        "accept": ["accept", "dispatch"],
        "request_return": ["handover_request"],
        "request_transfer": ["handover_request"],
    }.get(action, [action])
    assert new == expected
    assert flash(response), "a success message"


@pytest.mark.parametrize(
    ("action", "start", "who", "bad", "message", "kept"),
    [(a[0], a[1], a[2], a[5], a[6], a[7]) for a in ACTIONS if a[5] is not None],
    ids=[a[0] for a in ACTIONS if a[5] is not None],
)
def test_bad_input_is_400_keeps_the_text_and_changes_nothing(
    case_in, login, act, action, start, who, bad, message, kept, fresh
):
    case, _ = _prepare(case_in, start, None)
    before = list(CaseEvent.objects.filter(case=case).values_list("id", flat=True))
    status_before = case.status
    response = act(login(who), case, action, resolve(bad))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "提交的内容有误" in body
    if kept:
        assert kept in body
    assert list(CaseEvent.objects.filter(case=case).values_list("id", flat=True)) == before
    assert fresh(case).status == status_before


def test_extension_request_records_the_days_and_marks_the_case(case_in, login, act, fresh):
    case = case_in("handling")
    act(login("gm_labor"), case, "request_extension", {"days": "5", "reason": "需调取考勤记录"})
    request = ExtensionRequest.objects.get(case=case)
    assert request.days == 5 and fresh(case).extension_pending
    page = login("gm_supervisor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="extension-pending"' in page and "需调取考勤记录" in page


def test_dispatch_sets_lead_and_cooperating_units(case_in, login, act, fresh):
    case = case_in("accepted")
    act(
        login("gm_dispatch"), case, "dispatch", resolve({"lead_unit": "@GM-HC-LDS", "cooperating_units": ["@GM-MC-ZZ"]})
    )
    case = fresh(case)
    assert case.lead_unit.code == "GM-HC-LDS"
    assert [u.code for u in case.cooperating_units.all()] == ["GM-MC-ZZ"]


def test_dispatch_refuses_the_lead_as_cooperating_unit(case_in, login, act, fresh):
    case = case_in("accepted")
    response = act(
        login("gm_dispatch"), case, "dispatch", resolve({"lead_unit": "@GM-RSJ", "cooperating_units": ["@GM-RSJ"]})
    )
    assert response.status_code == 400
    assert "主办单位不能同时作为协办单位" in response.content.decode()
    assert fresh(case).status == Status.ACCEPTED


def test_dispatch_offers_only_active_units(case_in, login):
    case = case_in("accepted")
    page = login("gm_dispatch").get(reverse("cases:case-act", args=[case.number, "dispatch"])).content.decode()
    assert "明城镇农业农村办" in page
    assert "已并入明城镇农业农村办" not in page  # GM-MC-NLY is retired
    assert "分派建议" in page and "系商业合同纠纷" in page  # the suggestion shows why it came back


def test_escalate_offers_only_units_above_the_lead_unit(case_in, login):
    case = case_in("handling")
    page = login("gm_labor").get(reverse("cases:case-act", args=[case.number, "escalate"])).content.decode()
    assert "佛山市人力资源和社会保障局" in page
    assert "明城镇综治中心" not in page.split('name="to_unit"')[1].split("</select>")[0]


def test_public_checkbox_decides_who_sees_a_note(case_in, login, act):
    case = case_in("handling")
    labor = login("gm_labor")
    act(labor, case, "add_note", {"note": "已约谈企业负责人", "public": "on"})
    act(labor, case, "add_note", {"note": "企业负责人态度消极"})
    notes = dict(CaseEvent.objects.filter(case=case, transition="add_note").values_list("note", "public"))
    assert notes == {"已约谈企业负责人": True, "企业负责人态度消极": False}


def test_accept_says_where_the_case_went(case_in, login, act):
    case = case_in("submitted")
    response = act(login("gm_window"), case, "accept")
    assert any("高明区人力资源和社会保障局" in m for m in flash(response))
    assert response.url == reverse("cases:case-detail", args=[case.number])


def test_after_a_return_request_the_handler_stays_on_the_case(case_in, login, act):
    """A 退回申请 changes nothing until the centre decides (issue #15): the unit still has the case."""
    case = case_in("dispatched")
    response = act(login("gm_labor"), case, "request_return", {"reason": "非本单位职责"})
    assert response.status_code == 302 and response.url == reverse("cases:case-detail", args=[case.number])
    follow = login("gm_labor").get(response.url)
    assert follow.status_code == 200 and 'data-testid="handover-pending"' in follow.content.decode()


def test_after_transfer_the_dispatcher_stays_on_the_case(case_in, login, act):
    case = case_in("dispatched")
    response = act(login("gm_dispatch"), case, "transfer", resolve({"to_unit": "@GM-MC-ZZ", "reason": "镇里牵头"}))
    assert response.url == reverse("cases:case-detail", args=[case.number])


def test_after_escalate_the_handler_lands_on_the_inbox(case_in, login, act, fresh):
    case = case_in("handling")
    response = act(login("gm_labor"), case, "escalate", resolve({"to_unit": "@FS-RSJ", "reason": "跨区"}))
    assert response.url == reverse("cases:inbox")
    assert fresh(case).lead_unit.code == "FS-RSJ"


def test_merge_goes_to_the_target_case(case_in, login, act, fresh):
    first = case_in("submitted")
    second = case_in("submitted", text="同一老板拖欠我和工友的工资。")
    response = act(login("gm_window"), second, "merge", {"target": first.number})
    assert response.url == reverse("cases:case-detail", args=[first.number])
    assert fresh(second).merged_into_id == first.pk


def test_merge_refuses_itself_closed_and_foreign_cases(case_in, submit_case, login, user, act, fresh):
    case = case_in("submitted")
    closed = case_in("submitted")
    s.case_reject(case=fresh(closed), actor=user("gm_window"), reason="重复")
    foreign = submit_case(region="440604010001")
    clerk = login("gm_window")
    for target, message in (
        (case.number, "不能合并到案件自身"),
        (closed.number, "找不到可合并的案件"),
        (foreign.number, "找不到可合并的案件"),
    ):
        response = act(clerk, case, "merge", {"target": target})
        assert response.status_code == 400 and message in response.content.decode()
    assert fresh(case).status == Status.SUBMITTED


def test_get_renders_the_action_form_for_no_js(case_in, login):
    case = case_in("handling")
    response = login("gm_labor").get(reverse("cases:case-act", args=[case.number, "submit_result"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="outcome"' in body and 'name="seen"' in body and "确认提交办理结果" in body


def test_stale_double_submit_gets_the_concurrency_message_and_one_sign(case_in, login, fresh):
    from accounts.services import staff_user_ensure

    staff_user_ensure(
        username="gm_labor2",
        full_name="刘洋（高明区人社局）",
        password="x-Pass-2026",
        memberships=[("GM-RSJ", "handler")],
    )
    case = case_in("dispatched")
    seen = {"seen": case_version(fresh(case))}  # both colleagues opened the page before either signed
    first, second = login("gm_labor"), login("gm_labor2")
    url = reverse("cases:case-act", args=[case.number, "sign"])
    one = first.post(url, seen)
    two = second.post(url, seen)
    assert one.status_code == 302 and two.status_code == 302
    assert flash(one) == ["已签收，请在办理时限内处置。"]
    assert flash(two) == ["该案件刚被他人处理，请查看最新状态。"]
    assert two.url == reverse("cases:case-detail", args=[case.number])
    assert CaseEvent.objects.filter(case=case, transition="sign").count() == 1
    assert fresh(case).status == Status.HANDLING


def test_a_write_that_loses_the_race_gets_the_concurrency_message(case_in, login, user, monkeypatch, fresh):
    """Both requests loaded the case before either saved: the FSM's conditional UPDATE decides."""
    case = case_in("dispatched")
    real = selectors.case_detail

    def loaded_then_overtaken(viewer, number):
        stale = real(viewer, number)
        s.case_sign(case=fresh(case), actor=user("gm_labor"))  # the other request commits first
        return stale

    monkeypatch.setattr(selectors, "case_detail", loaded_then_overtaken)
    response = login("gm_labor").post(
        reverse("cases:case-act", args=[case.number, "sign"]), {"seen": case_version(fresh(case))}
    )
    assert response.status_code == 302
    assert flash(response) == ["该案件刚被他人处理，请查看最新状态。"]
    assert CaseEvent.objects.filter(case=case, transition="sign").count() == 1


def test_concurrent_transition_from_the_service_is_reported(case_in, login, act, monkeypatch):
    case = case_in("dispatched")

    def boom(**kwargs):
        raise ConcurrentTransition("lost")

    monkeypatch.setattr(s, "case_sign", boom)
    response = act(login("gm_labor"), case, "sign")
    assert response.status_code == 302 and flash(response) == ["该案件刚被他人处理，请查看最新状态。"]


def test_case_error_from_the_service_is_shown_on_the_form(case_in, login, act, monkeypatch, fresh):
    case = case_in("dispatched")

    def refuse(**kwargs):
        raise s.CaseError("该单位今日已停止签收，请联系中心。")

    monkeypatch.setattr(s, "case_sign", refuse)
    response = act(login("gm_labor"), case, "sign")
    assert response.status_code == 400
    assert "该单位今日已停止签收，请联系中心。" in response.content.decode()
    assert fresh(case).status == Status.DISPATCHED


def test_a_note_on_a_page_older_than_a_transition_still_goes_through(case_in, login, user, fresh):
    case = case_in("dispatched")
    seen = case_version(fresh(case))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    response = login("mc_centre").post(
        reverse("cases:case-act", args=[case.number, "add_note"]), {"seen": seen, "note": "已走访"}
    )
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=case, transition="add_note").count() == 1
