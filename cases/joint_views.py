"""Screens of the 联办任务 (cases.joint): the panel on the staff case page, giving and withdrawing a
task (lead unit / dispatcher), answering it (the task's unit), the reply files, and the 联办任务 tab
of the handler inbox. Anyone outside the scope gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.paging import bounded_page
from core.uploads import stored_upload_response
from core.views import service_call

from . import selectors
from .joint import (
    CREATE_STATUSES,
    answerable_task,
    case_joint_tasks,
    joint_task_answer,
    joint_task_create,
    joint_task_withdraw,
    unit_open_tasks,
    viewable_task_file,
    with_task_time_left,
)
from .joint_forms import JointAnswerForm, JointTaskForm, JointWithdrawForm
from .models import JointTask, JointTaskStatus
from .permissions import can_manage_joint_tasks, units_with_role

PANEL_TEMPLATE = "cases/_joint_panel.html"


def joint_panel_context(*, request, user, case, page):
    """The 联办任务 panel: the tasks with their answers and files; the form to give one (lead unit /
    dispatcher, while the case is 已派单 or 处置中); the override reasons already on the timeline
    (``page["events"]``, no query)."""
    loaded = getattr(case, "joint_task_list", None)
    tasks = with_task_time_left(case_joint_tasks(case) if loaded is None else loaded)
    manage = can_manage_joint_tasks(user, case)
    form = None
    if manage and case.status in CREATE_STATUSES:
        units = page.get("dispatch_units")
        units = selectors.dispatch_units(case) if units is None else units
        form = JointTaskForm(case=case, units=units, auto_id="id_joint_%s")
    if not tasks and form is None:
        return None
    mine = units_with_role(user, "handler")
    for task in tasks:
        task.answerable = task.status == JointTaskStatus.OPEN and task.unit_id in mine
        task.withdrawable = task.status == JointTaskStatus.OPEN and manage
    overrides = [e for e in page.get("events", []) if e.transition == "joint_override"]
    return {"case": case, "tasks": tasks, "joint_form": form, "overrides": overrides}


def _case_or_404(request, number: str):
    case = selectors.staff_case_page(request.user, number)
    if case is None:
        raise Http404
    return case


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request, number):
    """交办联办任务 (POST from the case page's panel; GET or an invalid form: this page)."""
    case = _case_or_404(request, number)
    if not can_manage_joint_tasks(request.user, case):
        raise Http404
    units = selectors.dispatch_units(case)
    form = JointTaskForm(request.POST or None, case=case, units=units, default_due=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form, request=request) as call:
            joint_task_create(
                case=case, actor=request.user, unit=d["unit"], request=d["request"], due_date=d["due_date"]
            )
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("已向%(unit)s交办联办任务。") % {"unit": d["unit"].name})
            return redirect("cases:case-detail", number=case.number)
    status = 400 if request.method == "POST" else 200
    context = {"case": case, "form": form, "title": _("交办联办任务"), "multipart": False}
    return render(request, "cases/joint_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def task_answer(request, pk):
    """答复联办任务: only the handlers of the task's unit (anyone else: 404)."""
    task = answerable_task(request.user, pk)
    if task is None:
        raise Http404
    case = task.case
    form = JointAnswerForm(request.POST, request.FILES) if request.method == "POST" else JointAnswerForm()
    if request.method == "POST" and form.is_valid():
        with service_call(form, request=request) as call:
            joint_task_answer(
                task=task, actor=request.user, reply=form.cleaned_data["reply"], files=form.cleaned_data["files"]
            )
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("已答复联办任务，主办单位将收到通知。"))
            return redirect("cases:case-detail", number=case.number)
    status = 400 if request.method == "POST" else 200
    with_task_time_left([task])
    context = {"case": case, "task": task, "form": form, "title": _("答复联办任务"), "multipart": True}
    return render(request, "cases/joint_form.html", context, status=status)


@login_required
@require_POST
def task_withdraw(request, pk):
    """撤回联办任务: the lead unit's handlers or a dispatcher (anyone else: 404)."""
    task = JointTask.objects.select_related("case", "unit").filter(pk=pk).first()
    if task is None:
        raise Http404
    case = selectors.staff_case_page(request.user, task.case.number)
    if case is None or not can_manage_joint_tasks(request.user, case):
        raise Http404
    task.case = case
    form = JointWithdrawForm(request.POST)
    if form.is_valid():
        with service_call(form, request=request) as call:
            joint_task_withdraw(task=task, actor=request.user, reason=form.cleaned_data["reason"])
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("已撤回对%(unit)s的联办任务。") % {"unit": task.unit.name})
            return redirect("cases:case-detail", number=case.number)
    context = {"case": case, "task": task, "form": form, "title": _("撤回联办任务"), "multipart": False}
    return render(request, "cases/joint_form.html", context, status=400)


@login_required
@require_GET
def task_file(request, pk):
    """A reply's file, for staff who may see its case; a 404 to everyone else (citizens too)."""
    item = viewable_task_file(request.user, pk)
    if item is None:
        raise Http404
    return stored_upload_response(item)


#: The inbox tab's key (``?tab=joint``); its count comes with the others (``selectors.inbox_counts``).
JOINT_TAB = selectors.JOINT_INBOX_TAB


def joint_inbox_tab(request, *, page: int, page_size: int, max_page: int) -> dict:
    """The 联办任务 tab of the handler inbox: the unit's open tasks, soonest due first, with the
    working days left and the warning level in words. A fixed number of queries for any page."""
    rows, has_next = bounded_page(unit_open_tasks(request.user), page, page_size=page_size, max_page=max_page)
    return {"tasks": with_task_time_left(rows), "has_next": has_next}
