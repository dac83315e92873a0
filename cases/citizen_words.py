"""What citizens read about their case, in plain words: one place for every sentence.

Staff pages keep the working vocabulary of the centre (派单, 签收, 处置, 主办 / 协办, 中止计时,
rule ids…); citizens never see it. Every event kind a citizen can see (``CaseEvent.public``) has
one sentence here, built from the event's own snapshots (the unit handling the case and the date
the citizen may expect an answer by, ``CaseEvent.handling_unit`` / ``reply_due_at``), never from the note staff
wrote for each other. The only notes passed through are those written *for* the citizen (a public
progress note, a refusal's reason) or *by* the citizen (a withdrawal reason, a rating comment).

``tests/intake/test_citizen_glossary.py`` renders every citizen page for cases in every state and
fails if a staff term (``STAFF_TERMS``) or a code-like token appears.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.request_log import mask_personal_numbers

from .models import Status
from .workdays import calendar_overrides, is_workday, working_days_between

#: Words of the centre's staff that citizens do not use; the glossary test fails on any of them.
STAFF_TERMS = (
    "流转",
    "处置",
    "签收",
    "派单",
    "分派",
    "主办",
    "协办",
    "承办",
    "中止",
    "计时",
    "指派",
    "移交",
    "退回",
    "驳回",
    "督办",
    "预警",
    "调度",
    "审核通过",
    "一键诉讼",
    "诉讼材料包",
    "SHA-256",
    "哈希",
)

#: A case's status as the citizen reads it (the staff labels say 待派单, 待签收, 处置中).
STATUS_WORDS = {
    Status.SUBMITTED: gettext_lazy("等待受理"),
    Status.ACCEPTED: gettext_lazy("已受理，正在安排办理单位"),
    Status.DISPATCHED: gettext_lazy("已交办理单位"),
    Status.HANDLING: gettext_lazy("办理中"),
    Status.REVIEWING: gettext_lazy("办理结果核实中"),
    Status.FEEDBACK: gettext_lazy("待您评价"),
    Status.CLOSED: gettext_lazy("已办结"),
    Status.REJECTED: gettext_lazy("不予受理"),
    Status.WITHDRAWN: gettext_lazy("已撤回"),
    Status.MERGED: gettext_lazy("已合并办理"),
}

#: What the current due time means to the citizen, per status.
DUE_LABELS = {
    Status.SUBMITTED: gettext_lazy("受理期限"),
    Status.ACCEPTED: gettext_lazy("安排办理单位期限"),
    Status.DISPATCHED: gettext_lazy("办理单位接手期限"),
    Status.HANDLING: gettext_lazy("答复期限"),
    Status.REVIEWING: gettext_lazy("核实期限"),
    Status.FEEDBACK: gettext_lazy("请在此前评价"),
}

#: The mark ``mediation`` puts at the start of the reason when it stops a case's clock.
_MEDIATION_PAUSE = "调解中"


def status_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, ""))


def due_label(status: str) -> str:
    return str(DUE_LABELS.get(status, _("期限")))


def day_words(value) -> str:
    """``11月28日`` (the year when it is not this year's)."""
    local = timezone.localtime(value)
    if local.year != timezone.localtime().year:
        return _("%(y)d年%(m)d月%(d)d日") % {"y": local.year, "m": local.month, "d": local.day}
    return _("%(m)d月%(d)d日") % {"m": local.month, "d": local.day}


def _unit(event) -> str:
    unit = getattr(event, "handling_unit", None)
    return unit.name if unit is not None else _("负责单位")


def _by(event) -> str:
    """``，预计 11月28日 前答复`` when the event knows the date, else nothing."""
    return _("，预计 %(d)s 前答复") % {"d": day_words(event.reply_due_at)} if event.reply_due_at else ""


#: How a claim reached the centre, in the citizen's words (the staff labels say 部门移交, 网格上报).
CHANNEL_WORDS = {
    "web": gettext_lazy("您在网上提交的诉求已登记"),
    "window": gettext_lazy("您在服务窗口反映的诉求已登记"),
    "hotline": gettext_lazy("您通过 12345 热线反映的诉求已登记"),
    "grid": gettext_lazy("网格员代您反映的诉求已登记"),
    "letter": gettext_lazy("您来信反映的诉求已登记"),
    "referral": gettext_lazy("有关部门转来的您的诉求已登记"),
    "api": gettext_lazy("您通过合作平台反映的诉求已登记"),
}


def _submit(event) -> str:
    case = event.case  # the timeline's own case (cached by its prefetch)
    text = str(CHANNEL_WORDS.get(case.channel, _("您反映的诉求已登记")))
    if event.reply_due_at:
        return text + _("，诉求服务中心将在 %(d)s 前受理。") % {"d": day_words(event.reply_due_at)}
    return text + _("，诉求服务中心将尽快受理。")


def _accept(event) -> str:
    return _("诉求服务中心已受理您的诉求，正在安排负责的单位。")


def _dispatch(event) -> str:
    return _("您的诉求已交给 %(u)s 办理%(by)s。") % {"u": _unit(event), "by": _by(event)}


def _sign(event) -> str:
    return _("%(u)s 已接手您的诉求，正在办理%(by)s。") % {"u": _unit(event), "by": _by(event)}


def _return_case(event) -> str:
    return _("原办理单位反映该事项不归其负责，诉求服务中心正在为您另行安排办理单位。")


def _transfer(event) -> str:
    return _("您的诉求已改由 %(u)s 办理%(by)s。") % {"u": _unit(event), "by": _by(event)}


def _escalate(event) -> str:
    return _("您的诉求已报送上级单位 %(u)s 办理%(by)s。") % {"u": _unit(event), "by": _by(event)}


def _approve_extension(event) -> str:
    if event.reply_due_at:
        return _("办理单位需要更多时间，答复期限延长至 %(d)s。") % {"d": day_words(event.reply_due_at)}
    return _("办理单位需要更多时间，答复期限已延长。")


def _add_note(event) -> str:
    return _("办理进展：%(note)s") % {"note": event.note}


def _resolve_on_spot(event) -> str:
    return _("您的诉求已当场办理完毕，请查看办理结果并评价。")


def _approve(event) -> str:
    if event.reply_due_at:
        return _("办理结果已告知您，请在 %(d)s 前评价。") % {"d": day_words(event.reply_due_at)}
    return _("办理结果已告知您，请查看并评价。")


def _reject(event) -> str:
    return _("您的诉求不予受理：%(r)s") % {"r": event.note}


def _rate_closed(event) -> str:
    return _("感谢您的评价，诉求已办结。")


def _rate_unsatisfied(event) -> str:
    return _("您对办理结果不满意，诉求服务中心将重新核实，并督促办理单位重新办理。")


def _auto_close(event) -> str:
    return _("评价期限已过，诉求已办结。")


def _import_close(event) -> str:
    return _("您的诉求已办理完毕。")


def _withdraw(event) -> str:
    return _("诉求已撤回，不再办理。")


def _merge(event) -> str:
    return _("您的诉求与同一事项的诉求合并办理，请关注合并后诉求的进展。")


def _merge_in(event) -> str:
    return _("有群众反映了同一事项，已一并办理。")


def _pause(event) -> str:
    if event.note.startswith(_MEDIATION_PAUSE):
        return _("调解期间，答复期限暂停计算，调解结束后顺延。")
    return _("办理单位正在等待鉴定结论、补充材料等，答复期限暂停计算，之后顺延。")


def _resume(event) -> str:
    if event.reply_due_at:
        return _("答复期限恢复计算，顺延至 %(d)s。") % {"d": day_words(event.reply_due_at)}
    return _("答复期限恢复计算。")


def _mediation_request(event) -> str:
    return _("您的纠纷转入调解，诉求服务中心将为您安排调解员。")


def _mediation_assign(event) -> str:
    return _("已为您安排调解员，调解员将与您联系。")


def _mediation_accept(event) -> str:
    return _("调解员已接手，将与各方约定调解时间。")


def _mediation_session(event) -> str:
    return _("调解员已安排调解会，时间和方式将通过短信告知您。")


def _mediation_settle(event) -> str:
    return _("调解成功：各方已达成调解协议。")


def _mediation_fail(event) -> str:
    return _("调解未能达成协议，工作人员会告诉您可以继续解决的途径（如仲裁、诉讼）。")


def _mediation_withdraw(event) -> str:
    return _("调解已结束，您的诉求继续由办理单位办理。")


def _litigation_submit(event) -> str:
    return _("您的纠纷材料已送交法院，法院将依法处理并与您联系。")


def _court_reply(event) -> str:
    return _("法院已对送交的纠纷材料作出答复，工作人员会告知您后续安排。")


def _supplement(event) -> str:
    # Never the citizen's own text: public tracking shows the timeline without the claim's content.
    return _("您补充的材料已收到，已转给办理单位。")


def _citizen_message(event) -> str:
    return _("您的留言已收到，已转给办理单位。")


def _press(event) -> str:
    return _("您已催办，我们已提醒办理单位抓紧办理。")


def _close_unreached(event) -> str:
    return _("多次电话回访未能联系上您，诉求已办结。")


#: One sentence per event kind a citizen can see. Kinds missing here are never public
#: (submit_result, send_back, request_extension, deny_extension, warnings, 督办, agreements).
SENTENCES = {
    "submit": _submit,
    "accept": _accept,
    "reject": _reject,
    "resolve_on_spot": _resolve_on_spot,
    "dispatch": _dispatch,
    "sign": _sign,
    "return_case": _return_case,
    "transfer": _transfer,
    "escalate": _escalate,
    "approve_extension": _approve_extension,
    "add_note": _add_note,
    "approve": _approve,
    "rate_closed": _rate_closed,
    "rate_unsatisfied": _rate_unsatisfied,
    "auto_close": _auto_close,
    "import_close": _import_close,
    "withdraw": _withdraw,
    "merge": _merge,
    "merge_in": _merge_in,
    "pause": _pause,
    "resume": _resume,
    "mediation_request": _mediation_request,
    "mediation_assign": _mediation_assign,
    "mediation_accept": _mediation_accept,
    "mediation_session": _mediation_session,
    "mediation_settle": _mediation_settle,
    "mediation_fail": _mediation_fail,
    "mediation_withdraw": _mediation_withdraw,
    "litigation_submit": _litigation_submit,
    "court_reply": _court_reply,
    # the citizen's voice and the call-back (feedback, issue #11)
    "supplement": _supplement,
    "citizen_message": _citizen_message,
    "press": _press,
    "close_unreached": _close_unreached,
}


def event_sentence(event) -> str:
    """The sentence a citizen reads for one timeline event ("" for a kind citizens never see)."""
    make = SENTENCES.get(event.transition)
    return make(event) if make else ""


def api_sentence(event) -> str:
    """The citizen's sentence as a partner interface (Open311 ``status_notes``, the partner API's
    status and feed) shows it: phone and ID numbers a staff note or a refusal reason may quote
    are masked, since the text leaves for another system."""
    return mask_personal_numbers(event_sentence(event))


def citizen_events(events) -> list:
    """The events of a timeline that have a citizen sentence, each with ``citizen_text`` set."""
    shown = []
    for event in events:
        text = event_sentence(event) if event.public else ""
        if text:
            event.citizen_text = text
            shown.append(event)
    return shown


def clock_paused(case) -> bool:
    """The case's clock stands still (a mediation, an appraisal): never "overdue" to a citizen."""
    return case.is_open and case.paused_at is not None


def is_late(case) -> bool:
    """Late for the citizen: open, clock running, past the current due time."""
    return bool(case.is_open and case.stage_due_at and not case.paused_at and case.stage_due_at < timezone.now())


def paused_words(case) -> str:
    if case.pause_reason.startswith(_MEDIATION_PAUSE):
        return _("调解期间暂停计算，调解结束后顺延")
    return _("暂停计算，之后顺延")


def countdown_words(case, *, now=None) -> str:
    """The current step's expected date and a countdown in plain words (the citizen's case page and
    the public tracking page): "预计 12月10日 前完成这一步，还有 2 个工作日（含今天）。". "" while the
    clock stands still (``paused_words`` says why) or once the case has ended."""
    if not case.is_open or case.stage_due_at is None or case.paused_at is not None:
        return ""
    now = now or timezone.now()
    due = case.stage_due_at
    today, due_day = timezone.localtime(now).date(), timezone.localtime(due).date()
    overrides = calendar_overrides()  # one query for the whole sentence
    if due < now:
        late = working_days_between(due, now, overrides)
        if late:
            return _("这一步已超过预计时间 %(n)s 个工作日，我们正在尽快办理。") % {"n": late}
        return _("这一步已超过预计时间，我们正在尽快办理。")
    if due_day == today:
        return _("预计今天完成这一步。")
    if case.status == Status.FEEDBACK:  # the rating window runs in calendar days
        return _("请在 %(d)s 前评价，还有 %(n)s 天。") % {"d": day_words(due), "n": (due_day - today).days}
    days = working_days_between(now, due, overrides)
    if is_workday(today, overrides):
        return _("预计 %(d)s 前完成这一步，还有 %(n)s 个工作日（含今天）。") % {"d": day_words(due), "n": days + 1}
    return _("预计 %(d)s 前完成这一步，还有 %(n)s 个工作日。") % {"d": day_words(due), "n": days}
