"""Screens of 不合理诉求 / 恶意诉求 (cases.unreason): the panel on the staff case page, proposing
(lead unit), deciding and revoking (the centre's dispatchers), and the centre's 待审核 list.

A case outside the user's scope is a 404; a role that may see it but not act, a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import has_role, is_staff_member
from core.paging import bounded_page, page_number
from core.views import service_call

from . import selectors
from .permissions import can_decide_unreason, can_propose_unreason
from .unreason import (
    case_labels,
    label_with_case,
    pending_labels,
    propose_refusal,
    unreason_approve,
    unreason_propose,
    unreason_refuse,
    unreason_revoke,
)
from .unreason_forms import UnreasonDecideForm, UnreasonProposeForm, UnreasonRevokeForm
from .unreason_models import LIVE_STATUSES, UnreasonStatus

PANEL_TEMPLATE = "cases/_unreason_panel.html"
PAGE_SIZE = 25
MAX_PAGE = 200


def unreason_panel_context(*, request, user, case, page):
    """The 不合理诉求认定 panel (staff only; one query): the proposals with their decisions; the form
    to propose (lead unit, when allowed now), to decide (a pending one) or to revoke (an approved
    one) for the centre's dispatchers. Left out when there is nothing to show or do."""
    labels = case_labels(case)
    # the lead unit's own live label (one per case and unit); else a label approved for a unit the
    # case has since left, which the centre may still revoke
    own = next((lb for lb in labels if lb.status in LIVE_STATUSES and lb.unit_id == case.lead_unit_id), None)
    live = own or next((label for label in labels if label.status in LIVE_STATUSES), None)
    propose_form = None
    if own is None and can_propose_unreason(user, case) and propose_refusal(case, timezone.now()) is None:
        propose_form = UnreasonProposeForm(auto_id="id_unreason_%s")
    decide = can_decide_unreason(user, case)
    decide_form = revoke_form = None
    if decide and live is not None:
        if live.status == UnreasonStatus.PENDING:
            decide_form = UnreasonDecideForm(auto_id="id_unreason_decide_%s")
        else:
            revoke_form = UnreasonRevokeForm(auto_id="id_unreason_revoke_%s")
    if not labels and propose_form is None:
        return None
    return {
        "case": case,
        "labels": labels,
        "live": live,
        "propose_form": propose_form,
        "decide_form": decide_form,
        "revoke_form": revoke_form,
    }


def _staff_case(request, number: str):
    if not is_staff_member(request.user):
        raise PermissionDenied
    case = selectors.staff_case_page(request.user, number)
    if case is None:
        raise Http404
    return case


def _form_page(request, *, case, form, title: str, action: str, label=None, status: int = 200):
    context = {"case": case, "form": form, "title": title, "action": action, "label": label}
    return render(request, "cases/unreason_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, number):
    """申请认定不合理诉求 (POST from the panel; GET or an invalid form: this page)."""
    case = _staff_case(request, number)
    if not can_propose_unreason(request.user, case):
        raise PermissionDenied
    form = UnreasonProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        detail = reverse("cases:case-detail", args=[case.number])
        with service_call(form, request=request, on_stale=detail) as call:
            unreason_propose(case=case, actor=request.user, kind=d["kind"], grounds=d["grounds"], reason=d["reason"])
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("认定申请已提交，等待诉求服务中心审核。"))
            return redirect(detail)
    status = 400 if request.method == "POST" else 200
    action = reverse("cases:unreason-propose", args=[case.number])
    return _form_page(request, case=case, form=form, title=_("申请认定不合理诉求"), action=action, status=status)


def _label_or_404(request, pk):
    if not is_staff_member(request.user):
        raise PermissionDenied
    label = label_with_case(request.user, pk)
    if label is None:
        raise Http404
    if not can_decide_unreason(request.user, label.case):
        raise PermissionDenied
    return label


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    """审核认定: approve or refuse a pending proposal (the centre's dispatchers)."""
    label = _label_or_404(request, pk)
    case = label.case
    detail = reverse("cases:case-detail", args=[case.number])
    if label.status != UnreasonStatus.PENDING:
        messages.info(request, _("该认定申请已审核：%(status)s。") % {"status": label.get_status_display()})
        return redirect(detail)
    form = UnreasonDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        approve = d["decision"] == "approve"
        with service_call(form, request=request, on_stale=detail) as call:
            if approve:
                unreason_approve(label=label, actor=request.user, reason=d["reason"])
            else:
                unreason_refuse(label=label, actor=request.user, reason=d["reason"])
        if call.response:
            return call.response
        if call.ok:
            if approve:
                done = _("已认定为%(kind)s，本案不纳入%(unit)s满意率考核。")
            else:
                done = _("已不予认定为%(kind)s，本案继续计入%(unit)s满意率。")
            messages.success(request, done % {"kind": label.get_kind_display(), "unit": label.unit.name})
            return redirect(request.POST.get("next") == "list" and reverse("cases:unreason-list") or detail)
    status = 400 if request.method == "POST" else 200
    action = reverse("cases:unreason-decide", args=[label.pk])
    return _form_page(request, case=case, form=form, title=_("审核认定"), action=action, label=label, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    """撤销认定 of an approved label (the centre's dispatchers), with a reason."""
    label = _label_or_404(request, pk)
    case = label.case
    detail = reverse("cases:case-detail", args=[case.number])
    if label.status != UnreasonStatus.APPROVED:
        messages.info(request, _("该认定当前为“%(status)s”，无需撤销。") % {"status": label.get_status_display()})
        return redirect(detail)
    form = UnreasonRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(form, request=request, on_stale=detail) as call:
            unreason_revoke(label=label, actor=request.user, reason=form.cleaned_data["reason"])
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("已撤销认定，本案重新计入%(unit)s满意率。") % {"unit": label.unit.name})
            return redirect(detail)
    status = 400 if request.method == "POST" else 200
    action = reverse("cases:unreason-revoke", args=[label.pk])
    return _form_page(request, case=case, form=form, title=_("撤销认定"), action=action, label=label, status=status)


@login_required
@require_GET
def pending_list(request):
    """不合理诉求待审核: the proposals of the user's centre, oldest first (dispatchers only)."""
    if not has_role(request.user, Role.DISPATCHER):
        raise PermissionDenied
    page = page_number(request, max_page=MAX_PAGE)
    rows, has_next = bounded_page(pending_labels(request.user), page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
    context = {"labels": rows, "page": page, "has_next": has_next}
    return render(request, "cases/unreason_list.html", context)
