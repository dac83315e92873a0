"""Staff case screens: search, the handler inbox, the centre queues, the case page and its actions.

Views stay thin: check who may look (403 for a screen the role may not use, 404 for a case outside
the user's scope), read through ``cases.selectors``, and hand actions to ``cases.services``.
"""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.permissions import has_any_role, has_role, is_staff_member
from core.paging import COUNT_CAP, bounded_page, capped_total, page_number
from core.views import service_call

from . import forms as f
from . import handover_forms as hf
from . import handover_views, joint_views, selectors
from . import services as s
from .actions import Action
from .baoan import date_words
from .duplicate_views import duplicates_tab
from .duplicates import duplicate_pairs_for
from .handover import handover_request, pending_count
from .handover_models import HandoverKind
from .models import Case, Status
from .permissions import available_actions, is_dispatcher_for, is_handling_unit_member
from .time_left import with_time_left

PAGE_SIZE = 25
#: Deeper pages are refused: an OFFSET that large is a scan, and a search narrows better.
MAX_PAGE = 200

STALE_MESSAGE = gettext_lazy("该案件刚被他人处理，请查看最新状态。")


# Helpers ----------------------------------------------------------------------------------------


def _require_staff(user) -> None:
    if not is_staff_member(user):
        raise PermissionDenied


def case_version(case: Case) -> str:
    """What the page showed: a later transition (by anyone) changes it."""
    return f"{case.status}|{case.updated_at.isoformat()}"


def _home_for(user) -> str:
    if has_role(user, Role.HANDLER):
        return reverse("cases:inbox")
    if has_any_role(user, Role.CLERK, Role.DISPATCHER):
        return reverse("cases:queue")
    return reverse("cases:case-list")


def _after(user, case: Case) -> str:
    """The case page while the user may still see the case; otherwise their inbox or queue."""
    if selectors.still_visible(user, case):
        return reverse("cases:case-detail", args=[case.number])
    return _home_for(user)


# Actions: one form and one service each ---------------------------------------------------------


def _accept(case, user, d):
    s.case_accept(case=case, actor=user, note=d["note"])
    if case.status == Status.DISPATCHED:
        return _("已受理，并按分派规则派至%(unit)s。") % {"unit": case.lead_unit.name}
    return _("已受理，案件进入人工分派队列。")


def _reject(case, user, d):
    s.case_reject(case=case, actor=user, reason=d["reason"], redirect_to=d["redirect_to"])
    return _("已作出不予受理决定，群众将收到理由和建议途径。")


def _resolve_on_spot(case, user, d):
    s.case_resolve_on_spot(case=case, actor=user, result=d["result"])
    return _("已当场办结，等待群众评价。")


def _dispatch(case, user, d):
    s.case_dispatch(
        case=case, actor=user, lead_unit=d["lead_unit"], cooperating_units=d["cooperating_units"], note=d["note"]
    )
    return _("已派单至%(unit)s。") % {"unit": d["lead_unit"].name}


def _sign(case, user, d):
    s.case_sign(case=case, actor=user)
    return _("已签收，请在办理时限内处置。")


def _request_return(case, user, d):
    handover_request(case=case, actor=user, kind=HandoverKind.RETURN, reason=d["reason"])
    return _("退回申请已提交，等待诉求服务中心审核；审核前请继续办理，办理时限照常计算。")


def _request_transfer(case, user, d):
    handover_request(
        case=case, actor=user, kind=HandoverKind.TRANSFER, reason=d["reason"], proposed_unit=d["proposed_unit"]
    )
    return _("转办申请已提交，等待诉求服务中心审核；审核前请继续办理，办理时限照常计算。")


def _transfer(case, user, d):
    s.case_transfer(case=case, actor=user, to_unit=d["to_unit"], reason=d["reason"])
    return _("已转办至%(unit)s。") % {"unit": d["to_unit"].name}


def _escalate(case, user, d):
    s.case_escalate(case=case, actor=user, to_unit=d["to_unit"], reason=d["reason"])
    return _("案件 %(n)s 已上报至%(unit)s。") % {"n": case.number, "unit": d["to_unit"].name}


def _request_extension(case, user, d):
    s.case_request_extension(case=case, actor=user, days=d["days"], reason=d["reason"])
    return _("延期申请已提交，等待审批。")


def _approve_extension(case, user, d):
    s.case_approve_extension(case=case, actor=user, note=d["note"])
    return _("已批准延期，办理时限已顺延。")


def _deny_extension(case, user, d):
    s.case_deny_extension(case=case, actor=user, note=d["note"])
    return _("已不批准延期，请承办单位按原时限办结。")


def _add_note(case, user, d):
    s.case_add_note(case=case, actor=user, note=d["note"], public=d["public"])
    return _("办理进展已记录（%(who)s）。") % {"who": _("群众可见") if d["public"] else _("仅内部可见")}


def _contact(case, user, d):
    s.case_contact(case=case, actor=user, method=d["method"], note=d["note"])
    if case.contacted_late:
        return _("已记录首次联系（%(method)s）；已超过首次联系时限。") % {"method": case.get_contact_method_display()}
    return _("已记录首次联系（%(method)s）。") % {"method": case.get_contact_method_display()}


def _severity(case, user, d):
    before = case.severity
    s.case_severity_set(case=case, actor=user, severity=d["severity"], reason=d["reason"])
    if case.severity == before:
        return _("已确认严重程度为“%(level)s”。") % {"level": case.get_severity_display()}
    return _("严重程度已调整为“%(level)s”。") % {"level": case.get_severity_display()}


def _submit_result(case, user, d):
    s.case_submit_result(
        case=case, actor=user, result=d["result"], outcome=d["outcome"], joint_override=d.get("joint_override", "")
    )
    if case.baoan_leader_id:  # 包案: the leader reviews it, not the centre (docs/baoan.md)
        return _("办理结果已提交，等待包案领导%(leader)s审核。") % {"leader": case.baoan_leader.display_name}
    return _("办理结果已提交，等待诉求服务中心审核。")


def _approve(case, user, d):
    s.case_approve(case=case, actor=user, note=d["note"])
    return _("审核通过，办理结果已告知群众。")


def _send_back(case, user, d):
    s.case_send_back(case=case, actor=user, reason=d["reason"])
    return _("已驳回重办，承办单位将收到通知。")


def _pause(case, user, d):
    s.case_pause(case=case, actor=user, reason=d["reason"])
    return _("已中止计时；恢复后时限顺延。")


def _resume(case, user, d):
    s.case_resume(case=case, actor=user)
    return _("已恢复计时，办理时限已按中止时间顺延。")


def _baoan_take(case, user, d):
    s.case_baoan_take(case=case, actor=user, due_date=d["due_date"], note=d["note"])
    return _("已包案，目标办结日期 %(d)s；本案办理结果由您审核。") % {"d": date_words(d["due_date"])}


def _baoan_release(case, user, d):
    s.case_baoan_release(case=case, actor=user, reason=d["reason"])
    return _("已撤销包案，办理结果恢复由诉求服务中心审核。")


def _plate_hang(case, user, d):
    s.case_plate_hang(case=case, actor=user, reason=d["reason"])
    return _("已挂牌督办，本案在各看板和待办列表中标注“挂牌督办”。")


def _plate_remove(case, user, d):
    s.case_plate_remove(case=case, actor=user, reason=d["reason"])
    return _("已摘牌，各看板不再标注本案。")


def _merge(case, user, d):
    s.case_merge(case=case, actor=user, into=d["target"], note=d["note"])
    return _("已将本案合并到案件 %(n)s。") % {"n": d["target"].number}


ACTIONS: dict[str, Action] = {
    "dispatch": Action(gettext_lazy("派单"), f.DispatchForm, _dispatch, "btn-primary", units=True),
    "accept": Action(gettext_lazy("受理"), f.NoteForm, _accept, "btn-primary", gettext_lazy("受理后按分派规则自动派单；无规则可用时进入人工分派队列。")),
    "resolve_on_spot": Action(gettext_lazy("即接即办"), f.ResolveOnSpotForm, _resolve_on_spot, "btn-outline-secondary", gettext_lazy("当场答复或解决，案件直接进入待评价。")),
    "reject": Action(gettext_lazy("不予受理"), f.RejectForm, _reject, "btn-outline-danger", gettext_lazy("理由和建议途径会告知群众。")),
    "sign": Action(gettext_lazy("签收"), f.SignForm, _sign, "btn-primary", gettext_lazy("签收后开始计算办理时限。")),
    "contact": Action(gettext_lazy("记录首次联系"), f.ContactForm, _contact, "btn-primary", gettext_lazy("签收后须在首次联系时限内通过电话、上门或短信联系群众，并记录联系情况。")),
    "severity": Action(gettext_lazy("确认严重程度"), f.SeverityForm, _severity, "btn-outline-secondary", gettext_lazy("系统按人数、事项和关键词给出建议；中心确认或调整，调整须写明理由。较大、重大案件可能按规则派往上级单位、时限更短。")),
    "submit_result": Action(gettext_lazy("提交办理结果"), f.SubmitResultForm, _submit_result, "btn-primary", gettext_lazy("提交后由诉求服务中心审核。")),
    "add_note": Action(gettext_lazy("添加办理进展"), f.AddNoteForm, _add_note),
    "request_extension": Action(gettext_lazy("申请延期"), f.ExtensionForm, _request_extension, intro=gettext_lazy("审批前办理时限照常计算。")),
    "approve_extension": Action(gettext_lazy("批准延期"), f.NoteForm, _approve_extension, "btn-primary"),
    "deny_extension": Action(gettext_lazy("不批准延期"), f.NoteForm, _deny_extension, "btn-outline-danger"),
    "approve": Action(gettext_lazy("审核通过"), f.NoteForm, _approve, "btn-primary", gettext_lazy("通过后办理结果告知群众，等待评价。")),
    "send_back": Action(gettext_lazy("驳回重办"), f.SendBackForm, _send_back, "btn-outline-danger", gettext_lazy("案件退回主办单位重新办理，办理时限重新计算。")),
    "transfer": Action(gettext_lazy("转办"), f.TransferForm, _transfer, units=True, intro=gettext_lazy("改由其他单位主办，新单位须重新签收。")),
    "escalate": Action(gettext_lazy("上报"), f.EscalateForm, _escalate, intro=gettext_lazy("报送本单位所在地的上级区划单位办理。")),
    "request_return": Action(gettext_lazy("申请退回"), hf.ReturnRequestForm, _request_return, "btn-outline-danger", gettext_lazy("不属于本单位职责时申请退回诉求服务中心重新分派，由中心审核。")),
    "request_transfer": Action(gettext_lazy("申请转办"), hf.TransferRequestForm, _request_transfer, units=True, intro=gettext_lazy("应由其他单位办理时申请转办，由中心审核并指定承办单位。")),
    "merge": Action(gettext_lazy("合并重复件"), f.MergeForm, _merge, "btn-outline-secondary", gettext_lazy("一案多投时，把本案并入另一案件办理。")),
    "pause": Action(gettext_lazy("中止计时"), f.PauseForm, _pause, "btn-outline-secondary", gettext_lazy("等待鉴定、当事人补充材料或法院审理时中止计时，恢复后时限顺延。")),
    "resume": Action(gettext_lazy("恢复计时"), f.SignForm, _resume, "btn-outline-primary"),
    "baoan_take": Action(gettext_lazy("包案"), f.BaoanTakeForm, _baoan_take, "btn-outline-primary", gettext_lazy("由您包案：设定目标办结日期，办理结果改由您审核；可挂牌督办。")),
    "plate_hang": Action(gettext_lazy("挂牌督办"), f.PlateHangForm, _plate_hang, "btn-outline-danger", gettext_lazy("挂牌后本案在超期看板、中心队列、承办单位待办等处标注“挂牌督办”，直至摘牌。")),
    "plate_remove": Action(gettext_lazy("摘牌"), f.PlateRemoveForm, _plate_remove, "btn-outline-secondary"),
    "baoan_release": Action(gettext_lazy("撤销包案"), f.BaoanReleaseForm, _baoan_release, "btn-outline-secondary", gettext_lazy("撤销后办理结果恢复由诉求服务中心审核；已挂牌的一并摘牌。")),
}  # fmt: skip


def _action_form(name: str, case: Case, user, *, data=None, version: str, units=None) -> f.ActionForm:
    extra = {"units": units} if ACTIONS[name].units else {}
    return ACTIONS[name].form(
        data=data, case=case, user=user, initial={"seen": version}, auto_id=f"id_{name}_%s", **extra
    )


def _routing_summary(case: Case) -> str:
    """Why a case waits for manual dispatch, in one line of the stored explanation."""
    lines = case.routing_explanation or []
    for line in lines:
        if "没有适用的规则" in line or "无法确定" in line:
            return line
    return next((line for line in reversed(lines) if line.startswith("转入人工分派")), "")


# Screens ----------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request):
    """Case search for any staff member, over the cases they may see; 25 a page and the total,
    counted up to ``COUNT_CAP`` (shown as "10,000+ 件" beyond, so it stays fast on any table)."""
    user = request.user
    _require_staff(user)
    form = f.CaseSearchForm(request.GET)
    page = page_number(request, max_page=MAX_PAGE)
    rows, has_next, total, total_capped = [], False, 0, False
    if form.is_valid():
        found = selectors.sorted_by_time_left(selectors.case_search(user, **form.filters()), form.cleaned_data["sort"])
        rows, has_next = bounded_page(found, page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
        total, total_capped = capped_total(found, rows, page, has_next, cap=COUNT_CAP)
        rows = with_time_left(rows)
    filtered = any(request.GET.get(k) for k in form.fields if k != "sort")
    context = {
        "form": form,
        "cases": rows,
        "page": page,
        "has_next": has_next,
        "filtered": filtered,
        "total": f"{total:,}",  # 10,000: grouped in every language (zh-hans formats group with "")
        "total_capped": total_capped,
    }
    return render(request, "cases/case_list.html", context, status=200 if form.is_valid() else 400)


INBOX_TABS = [
    (Status.DISPATCHED, gettext_lazy("待签收")),
    (Status.HANDLING, gettext_lazy("处置中")),
    (Status.REVIEWING, gettext_lazy("待审核")),
]


@login_required
@require_GET
def inbox(request):
    """The handler's unit inbox by stage, soonest due first; cooperating cases marked 协办."""
    user = request.user
    if not has_role(user, Role.HANDLER):
        raise PermissionDenied
    tab = request.GET.get("tab") or Status.DISPATCHED
    if tab not in dict(INBOX_TABS) and tab not in (joint_views.JOINT_TAB, handover_views.FIRST_TAB):
        raise Http404
    sort = _time_left_sort(request)
    page = page_number(request, max_page=MAX_PAGE)
    counts = selectors.inbox_counts(user)
    tab_list = [*INBOX_TABS, (joint_views.JOINT_TAB, gettext_lazy("联办任务"))]
    if counts[handover_views.FIRST_TAB] or tab == handover_views.FIRST_TAB:  # 首接负责 (issue #15)
        tab_list.append((handover_views.FIRST_TAB, gettext_lazy("首接负责")))
    tabs = [{"status": st, "label": label, "count": counts[st], "active": st == tab} for st, label in tab_list]
    if tab == joint_views.JOINT_TAB:  # 联办任务 (issue #15): tasks given to the unit, not cases
        joint = joint_views.joint_inbox_tab(request, page=page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
        return render(request, "cases/joint_inbox.html", {"tabs": tabs, "tab": tab, "page": page, **joint})
    if tab == handover_views.FIRST_TAB:  # 首接负责 (issue #15): buck-passed cases the unit answers for
        first = handover_views.first_duty_tab(request, page=page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
        return render(request, "cases/first_duty_inbox.html", {"tabs": tabs, "tab": tab, "page": page, **first})
    found = selectors.sorted_by_time_left(_plated(selectors.handler_inbox(user, status=tab), request), sort)
    rows, has_next = bounded_page(found, page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
    units = set(selectors.handler_unit_ids(user))
    for case in with_time_left(rows):
        case.is_cooperating = case.lead_unit_id not in units
    context = {"tabs": tabs, "tab": tab, "cases": rows, "page": page, "has_next": has_next, "sort": sort}
    context["plate_only"] = plate_only(request)
    return render(request, "cases/inbox.html", context)


def plate_only(request) -> bool:
    """The lists' 挂牌督办 filter (``?plate=1``, issue #15)."""
    return request.GET.get("plate") == "1"


def _plated(qs, request):
    return qs.filter(plate_hung_at__isnull=False) if plate_only(request) else qs


def _time_left_sort(request) -> str:
    """The inbox's and the queues' order: least time left first (the default) or most first."""
    sort = request.GET.get("sort") or "left"
    if sort not in selectors.TIME_LEFT_SORTS:
        raise Http404
    return sort


QUEUE_TABS = [
    (Status.SUBMITTED, gettext_lazy("待受理")),
    (Status.ACCEPTED, gettext_lazy("待派单")),
    (Status.REVIEWING, gettext_lazy("待审核")),
]
#: The dispatcher's 疑似重复 tab (issue #13): pairs of open cases to merge or mark 非重复.
DUPLICATES_TAB = "duplicates"
#: The dispatcher's 退回/转办申请 tab (issue #15, cases.handover).
HANDOVER_TAB = handover_views.QUEUE_TAB


@login_required
@require_GET
def queue(request):
    """The centre's queues: clerks work 待受理; dispatchers also 待派单, 待审核 and 疑似重复."""
    user = request.user
    if has_role(user, Role.DISPATCHER):
        allowed = [st for st, _label in QUEUE_TABS] + [DUPLICATES_TAB, HANDOVER_TAB]
    elif has_role(user, Role.CLERK):
        allowed = [Status.SUBMITTED]
    else:
        raise PermissionDenied
    tab = request.GET.get("tab") or allowed[0]
    if tab not in dict(QUEUE_TABS) and tab not in (DUPLICATES_TAB, HANDOVER_TAB):
        raise Http404
    if tab not in allowed:
        raise PermissionDenied
    sort = _time_left_sort(request)
    page = page_number(request, max_page=MAX_PAGE)
    statuses = [st for st in allowed if st not in (DUPLICATES_TAB, HANDOVER_TAB)]
    counts = selectors.queue_counts(user, statuses)
    if DUPLICATES_TAB in allowed:
        counts[DUPLICATES_TAB] = duplicate_pairs_for(user).count()
    if HANDOVER_TAB in allowed:
        counts[HANDOVER_TAB] = pending_count(user)
    tabs = [
        {"status": st, "label": label, "count": counts[st], "active": st == tab}
        for st, label in [
            *QUEUE_TABS,
            (HANDOVER_TAB, gettext_lazy("退回/转办申请")),
            (DUPLICATES_TAB, gettext_lazy("疑似重复")),
        ]
        if st in allowed
    ]
    if tab == DUPLICATES_TAB:
        context = {"tabs": tabs, "tab": tab, "page": page, **duplicates_tab(request, page=page)}
        return render(request, "cases/duplicates.html", context)
    if tab == HANDOVER_TAB:  # 退回/转办申请 (issue #15): the units' requests waiting for the centre
        found = handover_views.queue_tab(request, page=page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
        return render(request, "cases/handover_queue.html", {"tabs": tabs, "tab": tab, "page": page, **found})
    found = selectors.sorted_by_time_left(_plated(selectors.centre_queue_rows(user, status=tab), request), sort)
    rows, has_next = bounded_page(found, page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
    rows = with_time_left(rows)
    if tab == Status.ACCEPTED:
        for case in rows:
            case.routing_summary = _routing_summary(case)
    context = {"tabs": tabs, "tab": tab, "cases": rows, "page": page, "has_next": has_next, "sort": sort}
    context["plate_only"] = plate_only(request)
    return render(request, "cases/queue.html", context)


def action_spec(name: str, case: Case) -> Action:
    """The action as this case shows it: while a leader owns the case (包案) its result is reviewed
    by them, so the 提交办理结果 form says so instead of naming the centre."""
    spec = ACTIONS[name]
    if name == "submit_result" and case.baoan_leader_id:
        intro = _("提交后由包案领导%(leader)s审核。") % {"leader": case.baoan_leader.display_name}
        return dataclasses.replace(spec, intro=intro)
    return spec


def _load_case(request, number: str) -> Case:
    _require_staff(request.user)
    case = selectors.staff_case_page(request.user, number)
    if case is None:
        raise Http404
    return case


def _claims_with_merged(case: Case) -> list:
    """The case's own claims and those of the duplicates merged into it (一案多投, issue #13), oldest
    first, with who registered them and their attachments: two queries."""
    return list(
        case.claims.model.objects.filter(Q(case=case) | Q(case__merged_into=case))
        .select_related("registered_by", "case")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def _case_page(request, case: Case, *, full_parties: bool = False):
    user = request.user
    version = case_version(case)
    handover_views.load_case_requests(case)  # 退回/转办申请 (issue #15): the panel and the actions
    offered = set(available_actions(user, case))
    names = [a for a in ACTIONS if a in offered]  # the panel's order: forward actions first
    units = selectors.dispatch_units(case) if any(ACTIONS[a].units for a in names) else None
    # 联办任务 (issue #15): read once for the 联办 panel and the submit-result form's guard
    case.joint_task_list = joint_views.case_joint_tasks(case)
    panel = [
        {"name": a, "spec": action_spec(a, case), "form": _action_form(a, case, user, version=version, units=units)}
        for a in names
    ]
    events = list(case.events.all())
    last_return = next((e for e in reversed(events) if e.transition == "return_case"), None)
    # 包案 (issue #15): a reviewer of the centre is told why the review buttons are not there
    review_by_leader = (
        case.status == Status.REVIEWING
        and case.baoan_leader_id is not None
        and "approve" not in offered
        and is_dispatcher_for(user, case)
    )
    with_time_left([case])
    context = {
        "case": case,
        "region_chain": selectors.region_chain(case.region),
        "matter_chain": selectors.matter_chain(case.matter),
        "extension": selectors.pending_extension(case),
        "events": events,
        "claims": _claims_with_merged(case),
        "parties": case.parties.all(),
        "full_parties": full_parties,
        "can_open_parties": is_handling_unit_member(user, case),
        "panel": panel,
        "last_return": last_return,
        "review_by_leader": review_by_leader,
        "version": version,
        "dispatch_units": units,  # reused by the 联办任务 panel's form (None: not loaded)
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_GET
def case_detail(request, number):
    """The staff case page: facts, parties (masked), claims, full timeline and the user's actions."""
    return _case_page(request, _load_case(request, number))


@login_required
@require_POST
@never_cache
def case_parties(request, number):
    """查看完整信息: the handling unit sees unmasked parties for this response only; recorded."""
    case = _load_case(request, number)
    if not s.personal_data_open(case=case, actor=request.user):
        raise PermissionDenied
    messages.info(request, _("您查看了当事人完整信息，本次查看已记录。请勿截屏或外传。"))
    return _case_page(request, case, full_parties=True)


@login_required
def case_act(request, number, action):
    """One action on a case: GET shows its form (no-JS), POST validates and calls the service."""
    if action not in ACTIONS:
        raise Http404
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    user = request.user
    _require_staff(user)
    case = selectors.case_detail(user, number)
    if case is None:
        raise Http404
    version = case_version(case)
    offered = available_actions(user, case)
    if request.method == "POST":
        seen = request.POST.get("seen", "")
        # A page from before someone else's transition: say so rather than act on what the user
        # did not see (progress notes do not conflict with anything and go through).
        if seen and seen != version and (action != "add_note" or action not in offered):
            messages.error(request, STALE_MESSAGE)
            return redirect(_after(user, case))
    if action not in offered:
        raise PermissionDenied
    spec = ACTIONS[action]
    form = _action_form(action, case, user, data=request.POST if request.method == "POST" else None, version=version)
    if request.method == "GET":
        return _action_page(request, case, action, form)
    if not form.is_valid():
        return _action_page(request, case, action, form, status=400)
    with service_call(form, request=request, on_stale=lambda: _after(user, case), stale_message=STALE_MESSAGE) as call:
        message = spec.run(case, user, form.cleaned_data)
    if call.response:
        return call.response
    if not call.ok:
        return _action_page(request, case, action, form, status=400)
    messages.success(request, message)
    if action == "merge":
        return redirect("cases:case-detail", number=form.cleaned_data["target"].number)
    return redirect(_after(user, case))


def _action_page(request, case: Case, action: str, form, *, status: int = 200):
    spec = action_spec(action, case)
    context = {"case": case, "action": action, "spec": spec, "form": form}
    context["item"] = {"name": action, "spec": spec, "form": form}
    if action == "dispatch":
        context["last_return"] = next((e for e in reversed(case.events.all()) if e.transition == "return_case"), None)
    if action in ("approve_extension", "deny_extension"):
        context["extension"] = selectors.pending_extension(case)
    return render(request, "cases/action_form.html", context, status=status)
