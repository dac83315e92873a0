"""Display helpers shared by staff and citizen case pages."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Status
from cases.panels import citizen_panels as registered_citizen_panels
from cases.panels import render_panels
from cases.time_left import WARNING_WORDS
from cases.time_left import time_left as compute_time_left
from core.formatting import cn_date, cn_datetime
from core.masking import mask_numbers_in_text, mask_phone

register = template.Library()

_STATUS_CLASS = {
    Status.SUBMITTED: "text-bg-secondary",
    Status.ACCEPTED: "text-bg-info",
    Status.DISPATCHED: "text-bg-primary",
    Status.HANDLING: "text-bg-primary",
    Status.REVIEWING: "text-bg-warning",
    Status.FEEDBACK: "text-bg-success",
    Status.CLOSED: "text-bg-dark",
    Status.REJECTED: "text-bg-light border",
    Status.WITHDRAWN: "text-bg-light border",
    Status.MERGED: "text-bg-light border",
}

#: The staff timeline's wording for each transition (citizens read ``cases.citizen_words``).
EVENT_LABELS = {
    "submit": _("提交诉求"),
    "accept": _("受理"),
    "reject": _("不予受理"),
    "resolve_on_spot": _("当场办结"),
    "dispatch": _("派单"),
    "sign": _("签收"),
    "return_case": _("退回"),
    "transfer": _("转办"),
    "escalate": _("上报"),
    "handover_request": _("提出退回/转办申请"),
    "handover_withdraw": _("撤回退回/转办申请"),
    "handover_refuse": _("不同意退回/转办申请"),
    "first_duty_start": _("首接负责：多次移交，由首接单位负责"),
    "first_duty_end": _("首接责任解除"),
    "request_extension": _("申请延期"),
    "approve_extension": _("批准延期"),
    "deny_extension": _("不批准延期"),
    "add_note": _("办理进展"),
    "submit_result": _("提交办理结果"),
    "approve": _("审核通过"),
    "send_back": _("驳回重办"),
    "rate_closed": _("群众评价，办结"),
    "rate_unsatisfied": _("群众不满意，重新审核"),
    "auto_close": _("逾期未评价，自动办结"),
    "import_close": _("原系统已办结（历史数据导入）"),
    "withdraw": _("撤回"),
    "merge": _("合并到其他案件"),
    "merge_in": _("合并重复诉求"),
    "pause": _("中止计时"),
    "resume": _("恢复计时"),
    "warning_blue": _("蓝色预警"),
    "warning_yellow": _("黄色预警"),
    "warning_red": _("红色预警：已超期"),
    "contact": _("首次联系群众"),
    "severity_confirm": _("确认严重程度"),
    "severity_change": _("调整严重程度"),
    "contact_warning_blue": _("首次联系蓝色预警"),
    "contact_warning_yellow": _("首次联系黄色预警"),
    "contact_warning_red": _("首次联系红色预警：已超过时限"),
    "joint_task_create": _("交办联办任务"),
    "unreason_propose": _("申请认定不合理诉求"),
    "unreason_approve": _("认定不合理诉求"),
    "unreason_refuse": _("不予认定不合理诉求"),
    "unreason_revoke": _("撤销不合理诉求认定"),
    "unreason_lapse": _("不合理诉求认定申请失效"),
    "joint_task_answer": _("答复联办任务"),
    "joint_task_withdraw": _("撤回联办任务"),
    "joint_override": _("未等联办答复即提交办理结果"),
    "joint_warning_blue": _("联办任务蓝色预警"),
    "joint_warning_yellow": _("联办任务黄色预警"),
    "joint_warning_red": _("联办任务红色预警：超过答复期限"),
    "order_issue": _("督办"),
    "order_reply": _("督办回复"),
    "order_press": _("再次督办"),
    "order_close": _("督办办结"),
    # written by the mediation app through cases.services.case_record
    "mediation_request": _("移交调解"),
    "mediation_assign": _("指派调解员"),
    "mediation_accept": _("调解员接受调解"),
    "mediation_decline": _("调解员未接受，待重新指派"),
    "mediation_session": _("调解会"),
    "mediation_settle": _("调解成功"),
    "mediation_fail": _("调解不成"),
    "mediation_withdraw": _("撤回调解"),
    "mediation_invite": _("邀请对方调解"),
    "mediation_invite_answer": _("对方答复调解邀请"),
    "mediation_request_refuse": _("不予调解"),
    "mediation_request_cancel": _("群众撤销调解申请"),
    "agreement_sealed": _("调解协议书生效"),
    "judicial_apply": _("申请司法确认"),
    "judicial_decide": _("司法确认结果"),
    "performance_check": _("履行回访"),
    "litigation_submit": _("一键诉讼：材料已移送法院"),
    "court_reply": _("法院答复"),
    # written by the feedback app (群众补充材料、留言、催办，回访; issue #11)
    "supplement": _("群众补充材料"),
    "citizen_message": _("群众留言"),
    "press": _("群众催办"),
    "callback_attempt": _("电话回访"),
    "close_unreached": _("回访未接通，办结"),
    # written by the partner API (partner_api) for a referring body's reply
    "referral_reply": _("移送单位答复"),
    # the dispatcher's 疑似重复 decision (issue #13, cases.duplicates)
    "not_duplicate": _("排除疑似重复"),
    # 包案 and 挂牌督办 (issue #15, cases.baoan)
    "baoan_take": _("领导包案"),
    "baoan_release": _("撤销包案"),
    "plate_hang": _("挂牌督办"),
    "plate_remove": _("摘牌"),
}


@register.filter
def status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "text-bg-secondary")


@register.filter
def event_label(transition: str) -> str:
    return str(EVENT_LABELS.get(transition, transition))


@register.filter
def yk_datetime(value) -> str:
    """``2026年11月21日 14:05`` in Beijing time."""
    return cn_datetime(value)


@register.filter
def yk_date(value) -> str:
    return cn_date(value)


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value)


@register.filter
def masked_numbers(value: str) -> str:
    """Phone and ID numbers inside free text masked (text typed by the public, shown to the public)."""
    return mask_numbers_in_text(value)


@register.filter
def overdue(due) -> bool:
    return bool(due) and due < timezone.now()


@register.filter
def late(case) -> bool:
    """An open case past its current due time with its clock running: a paused clock (中止计时,
    a mediation) is never shown as 已超期, since resuming moves the due time later."""
    return bool(case.is_open and case.stage_due_at and case.paused_at is None and case.stage_due_at < timezone.now())


@register.filter
def time_left(case):
    """The case's ``TimeLeft`` (lists set it for a page with ``cases.time_left.with_time_left``;
    a single case is computed here, reading the work calendar once)."""
    if hasattr(case, "time_left"):
        return case.time_left
    case.time_left = compute_time_left(case)
    return case.time_left


@register.filter
def warning_words(level: str) -> str:
    return str(WARNING_WORDS.get(level, ""))


@register.simple_tag(takes_context=True)
def citizen_panels(context, claim, case, mode):
    """The panels other apps registered for the citizen's case page and the tracking result
    (``cases.panels.citizen_panels``), in order."""
    return render_panels(context, registered_citizen_panels(), claim=claim, case=case, mode=mode)


@register.filter
def referral_words(case) -> str:
    """``上级交办 · 文号 佛诉交〔2026〕35号 · 时限 2026年12月20日`` for a case handed down by a
    higher authority (its deadline caps the stage clocks); "" for any other case."""
    if not case.referral_due_at:
        return ""
    parts = [str(_("上级交办"))]
    if case.referral_document:
        parts.append(str(_("文号 %(d)s")) % {"d": case.referral_document})
    parts.append(str(_("时限 %(t)s")) % {"t": cn_date(case.referral_due_at)})
    return " · ".join(parts)


@register.filter
def baoan_left(day) -> str:
    """包案 target date in words: "还剩 3 天", "今天到期", "超期 2 天" (never colour alone)."""
    from cases.baoan import target_left

    return target_left(day)[1]


@register.filter
def baoan_overdue(day) -> bool:
    from cases.baoan import target_left

    return day is not None and target_left(day)[0] < 0
