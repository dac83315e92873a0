"""What each kind of message is, in the reader's words (the message centre's label and filter).

Citizens read only the kinds in ``CITIZEN_KINDS`` (their labels use no staff term: the glossary
gate, tests/intake/test_citizen_glossary.py); staff read the rest. A kind missing here is shown
as 其他消息.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Messages to citizens (SMS copies kept for them in the message centre).
CITIZEN_KINDS = {
    "case_update": _("办理进展"),
    "tracking_code": _("诉求登记"),
    "mediation_session": _("调解会安排"),
    "mediation_reminder": _("调解会提醒"),
}

#: Messages to staff: in-app only.
STAFF_KINDS = {
    "case_assignment": _("新派案件"),
    "case_sent_back": _("驳回重办"),
    "warning_blue": _("蓝色预警"),
    "warning_yellow": _("黄色预警"),
    "warning_red": _("红色预警"),
    "contact_warning_blue": _("首次联系蓝色预警"),
    "contact_warning_yellow": _("首次联系黄色预警"),
    "contact_warning_red": _("首次联系超时"),
    "joint_task": _("联办任务"),
    # 退回申请 / 转办申请 and 首接负责 (issue #15, docs/handover.md)
    "handover_request": _("退回/转办申请待审核"),
    "handover_approved": _("退回/转办申请已同意"),
    "handover_refused": _("退回/转办申请未获同意"),
    "first_duty": _("首接负责"),
    "joint_warning_blue": _("联办任务蓝色预警"),
    "joint_warning_yellow": _("联办任务黄色预警"),
    "joint_warning_red": _("联办任务超期"),
    "citizen_voice": _("群众补充材料或留言"),
    "citizen_press": _("群众催办"),
    "citizen_press_alert": _("多次催办"),
    "supervision_order": _("督办"),
    "supervision_press": _("再次督办"),
    "mediation": _("调解"),
    "mediation_outcome": _("调解结果"),
    "court_reply": _("法院答复"),
    "referral_reply": _("移送单位答复"),
    "agreement_batch": _("批量协议书"),
    "agreement_followup": _("履行回访"),
    "risk_warning": _("研判预警"),
    "unreason": _("不合理诉求认定"),
    "case_baoan": _("领导包案"),  # 包案, 挂牌督办, 撤销包案, the result awaiting the leader (issue #15)
}

OTHER = _("其他消息")

#: Where a message of a kind opens when it names no case (a digest of many): a URL name. The page
#: itself checks who may see it.
KIND_LINKS = {
    "risk_warning": "supervision:risk-list",  # the scan's digest (docs/risk-warnings.md, "Messages")
}


def kind_label(kind: str) -> str:
    return str(CITIZEN_KINDS.get(kind) or STAFF_KINDS.get(kind) or OTHER)


def kind_link(kind: str) -> str:
    """The page a message of ``kind`` without a case opens ("" if none)."""
    from django.urls import reverse

    return reverse(KIND_LINKS[kind]) if kind in KIND_LINKS else ""


def kind_choices(*, staff: bool) -> list[tuple[str, str]]:
    """The kinds a reader may filter by: staff see both lists (a handler may also be a party)."""
    kinds = {**STAFF_KINDS, **CITIZEN_KINDS} if staff else CITIZEN_KINDS
    return [(code, str(label)) for code, label in kinds.items()]
