"""Screens of 退回申请 / 转办申请 and 首接负责 (cases.handover): the panel on the staff case page,
the centre's decision (approve / refuse), the unit's withdrawal, the dispatcher's queue tab and the
handler's 首接负责 inbox tab. A request whose case the user may not open is a 404; one they may see
but not decide (or withdraw) is a 403 (docs/handover.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.paging import bounded_page
from core.views import service_call

from . import selectors
from .handover import (
    case_handover_requests,
    first_duty_cases,
    handover_approve,
    handover_refuse,
    handover_withdraw,
    pending_for_dispatcher,
)
from .handover_forms import HandoverApproveForm, HandoverRefuseForm
from .handover_models import HandoverKind, HandoverRequest
from .permissions import HANDOVER_STATUSES, can_decide_handover, can_withdraw_handover
from .time_left import with_time_left

PANEL_TEMPLATE = "cases/_handover_panel.html"
#: The dispatcher's queue tab (``?tab=handover``) and the handler's inbox tab (``?tab=first``).
QUEUE_TAB = "handover"
FIRST_TAB = "first"


def load_case_requests(case) -> list[HandoverRequest]:
    """Read the case's requests once for the page (kept on the case: the action panel's
    ``pending_handover`` and this panel use the same list)."""
    rows = case_handover_requests(case)
    case.handover_list = rows
    case._pending_handover = next((r for r in rows if r.is_pending), None)
    return rows


def _decidable(request_row, case) -> bool:
    return request_row.is_pending and case.status in HANDOVER_STATUSES and case.lead_unit_id == request_row.unit_id


def handover_panel_context(*, request, user, case, page):
    """The panel: the pending request (with approve / refuse for the centre's dispatchers, withdraw
    for the requesting unit), the 首接负责 line, and the earlier requests and their decisions."""
    rows = getattr(case, "handover_list", None)
    if rows is None:
        rows = load_case_requests(case)
    if not rows and not case.first_unit_id:
        return None
    pending = next((r for r in rows if r.is_pending), None)
    decide = pending is not None and _decidable(pending, case) and can_decide_handover(user, case)
    context = {
        "case": case,
        "requests": rows,
        "pending": pending,
        "pending_current": pending is not None and _decidable(pending, case),
        "can_withdraw": pending is not None and can_withdraw_handover(user, pending),
        "approve_form": None,
        "refuse_form": None,
    }
    if decide:
        units = page.get("dispatch_units") if pending.kind == HandoverKind.TRANSFER else []
        if units is None:
            units = selectors.dispatch_units(case)
        context["approve_form"] = HandoverApproveForm(request=pending, units=units, auto_id="id_handover_%s")
        context["refuse_form"] = HandoverRefuseForm(auto_id="id_handover_refuse_%s")
    return context


def _request_or_404(user, pk: int) -> tuple[HandoverRequest, object]:
    """The request and its case as the staff page loads it; 404 when the user may not open it."""
    row = HandoverRequest.objects.select_related("case", "unit", "proposed_unit", "requested_by").filter(pk=pk).first()
    if row is None:
        raise Http404
    case = selectors.staff_case_page(user, row.case.number)
    if case is None:
        raise Http404
    row.case = case
    return row, case


def _form_page(request, case, row, form, *, title, action_url, status=200):
    context = {"case": case, "item": row, "form": form, "title": title, "action_url": action_url}
    return render(request, "cases/handover_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_approve(request, pk):
    """同意退回 / 转办 (the centre's dispatchers of the case's place)."""
    row, case = _request_or_404(request.user, pk)
    if not can_decide_handover(request.user, case):
        raise PermissionDenied
    case_url = reverse("cases:case-detail", args=[case.number])
    units = selectors.dispatch_units(case) if row.kind == HandoverKind.TRANSFER else []
    form = HandoverApproveForm(request.POST if request.method == "POST" else None, request=row, units=units)
    title = _("同意%(kind)s") % {"kind": row.get_kind_display()}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form, request=request, on_stale=case_url) as call:
            handover_approve(request=row, actor=request.user, to_unit=d.get("to_unit"), note=d.get("note", ""))
        if call.response:
            return call.response
        if call.ok:
            if row.kind == HandoverKind.RETURN:
                messages.success(request, _("已同意退回，案件 %(n)s 回到待派单队列。") % {"n": case.number})
            else:
                messages.success(request, _("已同意转办，案件已转至%(unit)s。") % {"unit": d["to_unit"].name})
            return redirect("cases:case-detail", number=case.number)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, case, row, form, title=title, action_url=request.path, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_refuse(request, pk):
    """不同意 (the centre's dispatchers of the case's place), with the reason the unit is told."""
    row, case = _request_or_404(request.user, pk)
    if not can_decide_handover(request.user, case):
        raise PermissionDenied
    case_url = reverse("cases:case-detail", args=[case.number])
    form = HandoverRefuseForm(request.POST if request.method == "POST" else None)
    title = _("不同意%(kind)s") % {"kind": row.get_kind_display()}
    if request.method == "POST" and form.is_valid():
        with service_call(form, request=request, on_stale=case_url) as call:
            handover_refuse(request=row, actor=request.user, reason=form.cleaned_data["reason"])
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("已不同意该申请，承办单位将收到理由，案件仍由其办理。"))
            return redirect("cases:case-detail", number=case.number)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, case, row, form, title=title, action_url=request.path, status=status)


@login_required
@require_POST
def request_withdraw(request, pk):
    """撤回申请 (the handlers of the unit that filed it)."""
    row, case = _request_or_404(request.user, pk)
    if not can_withdraw_handover(request.user, row):
        raise PermissionDenied
    case_url = reverse("cases:case-detail", args=[case.number])
    with service_call(request=request, on_stale=case_url) as call:
        handover_withdraw(request=row, actor=request.user)
    if call.response:
        return call.response
    if not call.ok:
        return redirect(case_url)
    messages.success(request, _("已撤回%(kind)s，案件继续由本单位办理。") % {"kind": row.get_kind_display()})
    return redirect("cases:case-detail", number=case.number)


def plate_only(request) -> bool:
    """The lists' 挂牌督办 filter (``?plate=1``), as ``cases.views.plate_only`` (which imports us)."""
    return request.GET.get("plate") == "1"


def queue_tab(request, *, page: int, page_size: int, max_page: int) -> dict:
    """The dispatcher's 退回/转办申请 tab: pending requests of their place, oldest first; a fixed
    number of queries for any page."""
    found = pending_for_dispatcher(request.user)
    if plate_only(request):  # 只看挂牌督办 (?plate=1), as on the other tabs
        found = found.filter(case__plate_hung_at__isnull=False)
    rows, has_next = bounded_page(found, page, page_size=page_size, max_page=max_page)
    with_time_left([r.case for r in rows])
    return {"requests": rows, "has_next": has_next, "plate_only": plate_only(request)}


def first_duty_tab(request, *, page: int, page_size: int, max_page: int) -> dict:
    """The handler's 首接负责 tab: buck-passed cases the unit answers for until a unit signs."""
    found = first_duty_cases(request.user)
    if plate_only(request):
        found = found.filter(plate_hung_at__isnull=False)
    rows, has_next = bounded_page(found, page, page_size=page_size, max_page=max_page)
    return {"cases": with_time_left(rows), "has_next": has_next, "plate_only": plate_only(request)}
