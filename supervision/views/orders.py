"""督办 screens: issue an order on a case, the supervisor's list, the unit's inbox, an order's page
and its actions (reply, press again, close).

Views stay thin: check who may look (403 for a screen the role may not use, 404 for an order or a
case outside the user's scope), read through ``supervision.selectors``, act through
``supervision.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.permissions import has_role, is_staff_member
from cases.actions import Action
from cases.selectors import handler_unit_ids
from core.formatting import cn_datetime
from core.paging import bounded_page, page_number
from core.views import service_call
from supervision import selectors
from supervision import services as s
from supervision.forms import OrderCloseForm, OrderIssueForm, OrderPressForm, OrderReplyForm
from supervision.models import OrderStatus, SupervisionOrder
from supervision.permissions import can_close_order, can_issue_order, can_reply_order

# Issue ------------------------------------------------------------------------------------------


@login_required
def order_issue(request, number):
    """发起督办 on a case: a supervisor in scope picks the unit, writes the instruction and the
    reply time; the order is created by ``services.order_issue`` and the case page shows it."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    user = request.user
    if not is_staff_member(user):
        raise PermissionDenied
    case = selectors.case_for_order(user, number)
    if case is None:
        raise Http404
    if not can_issue_order(user, case):
        raise PermissionDenied
    targets = selectors.order_targets(case)
    form = OrderIssueForm(request.POST if request.method == "POST" else None, case=case, targets=targets)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with service_call(form) as call:
                order = s.order_issue(
                    case=case,
                    unit=data["unit"],
                    actor=user,
                    instruction=data["instruction"],
                    due_days=data["due_days"],
                )
            if call.ok:
                messages.success(
                    request,
                    _("已向%(unit)s发出督办，请其于 %(due)s 前回复。")
                    % {"unit": order.unit.name, "due": cn_datetime(order.due_at)},
                )
                return redirect("cases:case-detail", number=case.number)
        status = 400
    return render(request, "supervision/order_form.html", {"case": case, "form": form}, status=status)


# Lists ------------------------------------------------------------------------------------------

ORDER_TABS = [
    ("open", gettext_lazy("待回复")),
    ("overdue", gettext_lazy("已逾期")),
    ("replied", gettext_lazy("已回复待审")),
    ("closed", gettext_lazy("已办结")),
]


@login_required
@require_GET
def order_list(request):
    """The supervisor's 督办 orders by state (their region subtree; admins all), 25 a page."""
    user = request.user
    if not selectors.can_use_boards(user):
        raise PermissionDenied
    tab = request.GET.get("status") or "open"
    if tab not in selectors.ORDER_TABS:
        raise Http404
    now = timezone.now()
    page = page_number(request)
    counts = selectors.order_counts(selectors.supervised_orders(user), now=now)
    rows, has_next = bounded_page(selectors.order_list(user, tab=tab, now=now), page)
    tabs = [{"status": key, "label": label, "count": counts[key], "active": key == tab} for key, label in ORDER_TABS]
    context = {"tabs": tabs, "tab": tab, "orders": rows, "page": page, "has_next": has_next, "now": now}
    return render(request, "supervision/orders.html", context)


@login_required
@require_GET
def unit_orders(request):
    """A handler's inbox of orders to their units: open first (overdue flagged), then replied."""
    user = request.user
    if not has_role(user, Role.HANDLER):
        raise PermissionDenied
    now = timezone.now()
    page = page_number(request)
    counts = selectors.unit_order_counts(user, now=now)
    rows, has_next = bounded_page(selectors.unit_orders(user), page)
    context = {
        "counts": counts,
        "orders": rows,
        "page": page,
        "has_next": has_next,
        "now": now,
        "show_unit": len(handler_unit_ids(user)) > 1,  # a handler of one unit knows whose orders these are
    }
    return render(request, "supervision/orders_unit.html", context)


# One order --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OrderAction(Action):
    allowed: Callable  # (user, order) -> bool: the role; the state is the service's to check
    states: tuple[str, ...]  # the states in which the action is offered
    style: str = "btn-primary"


def _reply(order, user, d):
    s.order_reply(order=order, actor=user, reply=d["reply"])
    return _("已回复督办，等待督办人审核。")


def _press(order, user, d):
    order = s.order_press(order=order, actor=user, instruction=d["instruction"], due_days=d["due_days"])
    return _("已再次督办，%(unit)s须于 %(due)s 前回复。") % {
        "unit": order.unit.name,
        "due": cn_datetime(order.due_at),
    }


def _close(order, user, d):
    s.order_close(order=order, actor=user, note=d["note"])
    return _("督办单已办结。")


ACTIONS: dict[str, OrderAction] = {
    "reply": OrderAction(
        label=gettext_lazy("回复督办"), form=OrderReplyForm, run=_reply,
        allowed=can_reply_order, states=(OrderStatus.OPEN,),
        intro=gettext_lazy("说明已采取的措施和结果，回复后由督办人审核。"),
    ),
    "close": OrderAction(
        label=gettext_lazy("办结督办"), form=OrderCloseForm, run=_close,
        allowed=can_close_order, states=(OrderStatus.OPEN, OrderStatus.REPLIED),
        intro=gettext_lazy("督办事项已落实时办结本督办单。"),
    ),
    "press": OrderAction(
        label=gettext_lazy("再次督办"), form=OrderPressForm, run=_press,
        allowed=can_close_order, states=(OrderStatus.OPEN, OrderStatus.REPLIED),
        style="btn-outline-danger", intro=gettext_lazy("回复不到位时再次督办，督办单重新计时。"),
    ),
}  # fmt: skip


def _load(request, pk: int) -> SupervisionOrder:
    if not is_staff_member(request.user):
        raise PermissionDenied
    order = selectors.order_for(request.user, pk)
    if order is None:
        raise Http404
    return order


def _detail(request, order: SupervisionOrder, *, bound: tuple[str, object] | None = None, status: int = 200):
    """The order page with the forms of the actions the user may take now; ``bound`` is the
    (action, form) that failed, shown open with what was typed."""
    user = request.user
    panel = []
    for name, spec in ACTIONS.items():
        failed = bound is not None and bound[0] == name
        # The failed form stays even if the state no longer offers it: nothing typed is lost.
        if not failed and (order.status not in spec.states or not spec.allowed(user, order)):
            continue
        form = bound[1] if failed else spec.form(auto_id=f"id_{name}_%s")
        panel.append({"name": name, "spec": spec, "form": form, "open": failed})
    context = {
        "order": order,
        "case": order.case,
        "panel": panel,
        "history": selectors.order_history(order),
        "place": selectors.place_names([order.case])[order.case.pk],
        "is_overdue": order.is_overdue,
        "back": "unit" if can_reply_order(user, order) else "orders" if selectors.can_use_boards(user) else "case",
    }
    return render(request, "supervision/order_detail.html", context, status=status)


@login_required
@require_GET
def order_detail(request, pk):
    """An order: its case, unit, instruction, due time, state, reply and 督办 history."""
    return _detail(request, _load(request, pk))


@login_required
@require_POST
def order_act(request, pk, action):
    """reply | press | close: 404 for another action or an order out of reach, 403 when the
    user's role may not take it; a form or service error re-shows the page (400) with the text."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    order = _load(request, pk)
    user = request.user
    if not spec.allowed(user, order):
        raise PermissionDenied
    form = spec.form(request.POST, auto_id=f"id_{action}_%s")
    if form.is_valid():
        with service_call(form) as call:
            message = spec.run(order, user, form.cleaned_data)
        if call.ok:
            messages.success(request, message)
            return redirect("supervision:order-detail", pk=order.pk)
        order = selectors.order_for(user, pk) or order  # someone may have acted meanwhile: show it
    return _detail(request, order, bound=(action, form), status=400)
