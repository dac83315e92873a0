"""Screen-reader pass over the citizen's main journey (issue #17): submit → track → rate, reading
Chromium's own accessibility tree (DevTools ``Accessibility.getFullAXTree``, what a screen reader
is given) on each page: the controls the citizen uses exist with the right role and name, say
their state (required, checked, pressed), and no control on the page is left without a name.

The citizen then drives the form through those roles and names (``get_by_role``), and chooses the
rating with the keyboard, as a screen-reader user would."""

from __future__ import annotations

import pytest
from test_journeys import pick_region
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as cs
from cases.models import Case, Outcome, Status
from intake.models import Claim

pytestmark = pytest.mark.e2e

CITIZEN_PHONE = "13800138000"
TEXT = "明东村五金厂老板拖欠我三个月工资共一万二千元，多次讨要无果。"
#: Roles a user operates; each one must have a name.
CONTROL_ROLES = {"button", "link", "textbox", "combobox", "checkbox", "radio", "spinbutton", "searchbox", "switch"}


def ax_tree(page) -> list[dict]:
    """Chromium's accessibility tree of the page: the nodes a screen reader sees (not ignored), each
    as {"role", "name", and its properties: required, checked, pressed, level…}."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    tree = []
    for node in nodes:
        if node.get("ignored"):
            continue
        props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        tree.append({"role": node["role"]["value"], "name": (node.get("name") or {}).get("value", ""), **props})
    return tree


def summary(tree: list[dict]) -> str:
    return "\n  ".join(f"{n['role']} {n['name']!r}" for n in tree if n["role"] in CONTROL_ROLES | {"heading", "region"})


def one(tree: list[dict], role: str, name: str, **state) -> dict:
    """The single node with this role and name, in this state (e.g. ``required=True``)."""
    found = [n for n in tree if n["role"] == role and n["name"] == name]
    assert len(found) == 1, (
        f"expected one {role} named {name!r}, found {len(found)}; the page reads:\n  {summary(tree)}"
    )
    for key, value in state.items():
        assert found[0].get(key) == value, f"{role} {name!r}: {key} is {found[0].get(key)!r}, expected {value!r}"
    return found[0]


def check_page(page, controls: list[tuple]) -> list[dict]:
    """Every control named; the header's landmarks and switch; then the page's own controls."""
    tree = ax_tree(page)
    unnamed = [n for n in tree if n["role"] in CONTROL_ROLES and not n["name"].strip()]
    assert not unnamed, f"{page.url}: controls without a name: {unnamed}"
    one(tree, "link", "跳到正文")
    one(tree, "navigation", "主导航")
    one(tree, "button", "长辈模式", pressed="false")  # a toggle that says its state
    assert [n for n in tree if n["role"] == "main"], "no main landmark"
    for role, name, *state in controls:
        one(tree, role, name, **(state[0] if state else {}))
    return tree


def to_awaiting_rating(claim: Claim) -> None:
    """The centre and the unit handle the case through the services (the journey tests cover their screens)."""
    staff = User.objects.get
    case = Case.objects.get(pk=claim.case_id)
    cs.case_accept(case=case, actor=staff(username="gm_window"))
    cs.case_sign(case=Case.objects.get(pk=case.pk), actor=staff(username="gm_labor"))
    cs.case_submit_result(
        case=Case.objects.get(pk=case.pk),
        actor=staff(username="gm_labor"),
        result="经劳动监察约谈，五金厂已足额支付拖欠工资一万二千元。",
        outcome=Outcome.RESOLVED,
    )
    cs.case_approve(case=Case.objects.get(pk=case.pk), actor=staff(username="gm_dispatch"))


def test_citizen_journey_reads_right_to_a_screen_reader(live_server, demo, new_page):
    from django.core.cache import cache

    cache.clear()  # public tracking is rate-limited per address
    page = new_page()
    login(page, live_server.url, CITIZEN_PHONE)
    click_and_wait(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="我要反映", exact=True))

    # 1. Submit: every field named by its label, required ones said to be required.
    check_page(
        page,
        [
            ("heading", "我要反映诉求", {"level": 1}),
            ("region", "1 反映什么事"),
            ("region", "2 在哪里发生"),
            ("region", "3 怎么联系您"),
            ("region", "4 照片和材料"),
            ("region", "个人信息保护说明"),
            ("textbox", "诉求内容*", {"required": True}),
            ("combobox", "事项类型*"),
            ("spinbutton", "涉及人数*", {"required": True}),
            ("group", "发生地点*"),
            ("combobox", "省"),
            ("combobox", "市"),
            ("combobox", "区县"),
            ("textbox", "详细地址", {"required": False}),
            ("textbox", "联系人*", {"required": True}),
            ("textbox", "联系电话*", {"required": True}),
            ("button", "附件"),  # the file picker
            ("checkbox", "我已阅读并同意《个人信息保护说明》*", {"checked": "false"}),
            ("button", "提交诉求"),
            ("link", "取消"),
        ],
    )
    form = page.get_by_test_id("claim-form")
    form.get_by_role("textbox", name="诉求内容").fill(TEXT)
    form.get_by_role("combobox", name="事项类型").select_option(label="拖欠工资")
    pick_region(page, "高明区", "明城镇", "明东村")
    consent = form.get_by_role("checkbox", name="我已阅读并同意《个人信息保护说明》")
    consent.focus()
    page.keyboard.press("Space")
    one(ax_tree(page), "checkbox", "我已阅读并同意《个人信息保护说明》*", checked="true")
    click_and_wait(page, form.get_by_role("button", name="提交诉求"))

    tree = check_page(
        page,
        [
            ("heading", "诉求已提交", {"level": 1}),
            ("region", "诉求已提交"),
            ("link", "查看诉求详情"),
            ("heading", "接下来", {"level": 2}),
        ],
    )
    code = page.get_by_test_id("tracking-code").get_attribute("aria-label")
    claim = Claim.objects.get(tracking_code=code)
    read = " ".join(n["name"] for n in tree if n["role"] == "StaticText")
    assert claim.case.number in read and "138****8000" in read and "待受理" in read  # said, not only shown

    # 2. Track, without an account.
    public = new_page()
    public.goto(live_server.url + "/")
    click_and_wait(public, public.get_by_role("navigation", name="主导航").get_by_role("link", name="进度查询"))
    check_page(
        public,
        [
            ("heading", "办理进度查询", {"level": 1}),
            ("textbox", "查询码*", {"required": True}),
            ("textbox", "手机号后四位*", {"required": True}),
            ("button", "查询"),
            ("link", "登录"),
        ],
    )
    public.get_by_role("textbox", name="查询码").fill(code)
    public.get_by_role("textbox", name="手机号后四位").fill(CITIZEN_PHONE[-4:])
    click_and_wait(public, public.get_by_role("button", name="查询"))
    tree = check_page(
        public,
        [("region", "查询结果"), ("region", "办理动态"), ("link", "查询其他诉求")],
    )
    read = " ".join(n["name"] for n in tree if n["role"] == "StaticText")
    assert claim.case.number in read and "待受理" in read

    # 3. Rate: the result reaches the citizen; the rating is chosen with the keyboard.
    to_awaiting_rating(claim)
    click_and_wait(page, page.get_by_role("link", name="查看诉求详情"))
    check_page(
        page,
        [
            ("heading", f"诉求 {claim.case.number}", {"level": 1}),
            ("navigation", "位置"),
            ("link", "‹ 我的诉求"),
            ("region", "办理进度"),
            ("region", "请评价办理结果"),
            ("group", "您对办理结果是否满意*"),
            ("radio", "满意", {"checked": "false"}),
            ("radio", "基本满意", {"checked": "false"}),
            ("radio", "不满意", {"checked": "false"}),
            ("textbox", "评价意见", {"required": False}),
            ("button", "提交评价"),
        ],
    )
    page.get_by_role("radio", name="满意", exact=True).focus()
    page.keyboard.press("Space")
    one(ax_tree(page), "radio", "满意", checked="true")
    page.get_by_role("textbox", name="评价意见").fill("处理很及时，谢谢！")
    click_and_wait(page, page.get_by_role("button", name="提交评价"))

    tree = check_page(page, [("heading", f"诉求 {claim.case.number}", {"level": 1})])
    assert not [n for n in tree if n["role"] == "region" and n["name"] == "请评价办理结果"]
    assert Case.objects.get(pk=claim.case_id).status == Status.CLOSED
    read = " ".join(n["name"] for n in tree if n["role"] == "StaticText")
    assert "已办结" in read and "处理很及时，谢谢！" in read
