"""The mediation workbench: list, the mediation page, assignment with recommendations, the
mediator's accept / decline, sessions and records, the outcome; referring a case; registering a
dispute handed over by a court, petition bureau, police or procuratorate.

Views stay thin: 403 for a screen the role may not use, 404 for a mediation outside the user's
scope; reads through ``mediation.selectors``, writes through ``mediation.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import has_any_role, is_staff_member
from cases import permissions as case_permissions
from cases import selectors as case_selectors
from cases.actions import Action
from core.paging import bounded_page, page_number
from core.views import service_call

from .. import forms as f
from .. import permissions, selectors
from .. import services as s
from ..agreements import views as agreements
from ..litigation import views as litigation
from ..loading import mediation_for_staff
from ..matching import candidates
from ..models import Mediation, MediationSession, SessionStatus
from . import dashboards

STALE = gettext_lazy("该调解刚被他人处理，请查看最新状态。")

TABS = [
    ("requested", gettext_lazy("待指派")),
    ("assigned", gettext_lazy("待接受")),
    ("in_progress", gettext_lazy("调解中")),
    ("ended", gettext_lazy("已结束")),
]


def _may_use_workbench(user) -> bool:
    return permissions.is_mediator(user) or has_any_role(
        user, Role.DISPATCHER, Role.SUPERVISOR, Role.HANDLER, Role.ADMIN
    )


def _detail_url(number: str) -> str:
    return reverse("mediation:mediation-detail", args=[number])


# List ------------------------------------------------------------------------------------------


@login_required
@require_GET
def mediation_list(request):
    """调解工作台: the user's mediations by state (mediators: their own; centre: its area)."""
    user = request.user
    if not _may_use_workbench(user):
        raise PermissionDenied
    counts = selectors.tab_counts(user)
    default = "in_progress" if permissions.is_mediator(user) else "requested"
    if permissions.is_mediator(user) and counts["assigned"]:
        default = "assigned"
    tab = request.GET.get("tab") or default
    if tab not in selectors.LIST_TABS:
        raise Http404
    page = page_number(request)
    rows, has_next = bounded_page(selectors.mediation_list(user, tab=tab), page)
    # a mediator's list never holds an unassigned mediation: no 待指派 tab for them
    shown = [(k, label) for k, label in TABS if not (k == "requested" and permissions.is_mediator(user))]
    tabs = [{"key": k, "label": label, "count": counts.get(k), "active": k == tab} for k, label in shown]
    context = {
        "tabs": tabs,
        "tab": tab,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "is_mediator": permissions.is_mediator(user),
        "can_register_referral": permissions.can_register_referral(user),
    }
    return render(request, "mediation/mediation_list.html", context)


# The mediation page ----------------------------------------------------------------------------


def _accept(m, user, d):
    s.mediation_accept(mediation=m, actor=user, no_conflict=d["no_conflict"])


def _decline(m, user, d):
    s.mediation_decline(mediation=m, actor=user, reason=d["reason"])


def _settle(m, user, d):
    s.mediation_settle(mediation=m, actor=user, note=d["note"])


def _fail(m, user, d):
    s.mediation_fail(mediation=m, actor=user, reason=d["reason"], next_step=d["next_step"])


def _withdraw(m, user, d):
    s.mediation_withdraw(mediation=m, actor=user, reason=d["reason"])


ACTIONS: dict[str, Action] = {
    "accept": Action(gettext_lazy("接受调解"), f.AcceptForm, _accept, "btn-primary", done=gettext_lazy("已接受调解。")),
    "decline": Action(
        gettext_lazy("不接受"),
        f.DeclineForm,
        _decline,
        "btn-outline-danger",
        done=gettext_lazy("已退回，等待重新指派。"),
    ),
    "settle": Action(
        gettext_lazy("登记调解成功"),
        f.SettleForm,
        _settle,
        "btn-success",
        done=gettext_lazy("已登记调解成功，承办单位和移送单位已收到通知。"),
    ),
    "fail": Action(
        gettext_lazy("登记调解不成"), f.FailForm, _fail, "btn-outline-danger", done=gettext_lazy("已登记调解不成。")
    ),
    "withdraw": Action(
        gettext_lazy("撤回调解"), f.WithdrawForm, _withdraw, "btn-outline-secondary", done=gettext_lazy("已撤回调解。")
    ),
}


def _panel_actions(user, mediation: Mediation) -> list[dict]:
    offered = set(permissions.available_actions(user, mediation))
    return [{"name": a, "spec": ACTIONS[a], "form": ACTIONS[a].form()} for a in ACTIONS if a in offered]


def _detail_context(request, mediation: Mediation) -> dict:
    user = request.user
    own = permissions.is_own(user, mediation)
    running = own and mediation.status == "in_progress"
    context = {
        "mediation": mediation,
        "case": mediation.case,
        "parties": mediation.case.parties.all(),
        "full_parties": permissions.can_see_personal_data(user, mediation),
        "sessions": mediation.sessions.all(),
        "timeline": selectors.mediation_timeline(mediation),
        "panel": _panel_actions(user, mediation),
        "can_open_case": case_permissions.can_view_case(user, mediation.case),
        "can_assign": mediation.status in ("requested", "assigned") and permissions.can_assign(user, mediation),
        "can_run": running,
        "session_form": f.SessionForm() if running else None,
        "region_chain": case_selectors.region_chain(mediation.case.region),
        "matter_chain": case_selectors.matter_chain(mediation.case.matter),
    }
    for module, key in (
        (agreements, "agreements_panel"),
        (litigation, "litigation_panel"),
        (dashboards, "stats_panel"),
    ):
        context[key] = module.panel_context(mediation, user)
    return context


@login_required
@require_GET
def mediation_detail(request, number):
    mediation = mediation_for_staff(request, number)
    return render(request, "mediation/mediation_detail.html", _detail_context(request, mediation))


@login_required
def mediation_act(request, number, action):
    """One lifecycle action: GET shows its form (works without JavaScript), POST runs it."""
    if action not in ACTIONS:
        raise Http404
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    mediation = mediation_for_staff(request, number)
    if action not in permissions.available_actions(request.user, mediation):
        raise PermissionDenied
    spec = ACTIONS[action]
    form = spec.form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_call(form, request=request, on_stale=_detail_url(number), stale_message=STALE) as call:
            spec.run(mediation, request.user, form.cleaned_data)
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, spec.done)
            if selectors.can_still_see(request.user, mediation):
                return redirect("mediation:mediation-detail", number=number)
            return redirect("mediation:mediation-list")
    status = 400 if request.method == "POST" else 200
    context = {"mediation": mediation, "case": mediation.case, "action": action, "spec": spec, "form": form}
    return render(request, "mediation/action_form.html", context, status=status)


@login_required
def mediation_assign(request, number):
    """指派调解员: the top three recommendations with their scores explained; any eligible
    mediator may be picked."""
    mediation = mediation_for_staff(request, number)
    if mediation.status not in ("requested", "assigned") or not permissions.can_assign(request.user, mediation):
        raise PermissionDenied
    scored = candidates(mediation.case)
    form = f.AssignForm(request.POST if request.method == "POST" else None, candidates=scored)
    if request.method == "POST" and form.is_valid():
        with service_call(form, request=request, on_stale=_detail_url(number), stale_message=STALE) as call:
            s.mediation_assign(
                mediation=mediation,
                actor=request.user,
                mediator=form.cleaned_data["mediator"],
                note=form.cleaned_data["note"],
            )
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("已指派调解员 %(m)s。") % {"m": form.cleaned_data["mediator"].display_name})
            return redirect("mediation:mediation-detail", number=number)
    eligible = [c for c in scored if c.eligible]
    context = {
        "mediation": mediation,
        "case": mediation.case,
        "form": form,
        "top": eligible[:3],
        "others": eligible[3:],
        "full": [c for c in scored if not c.eligible],
    }
    return render(request, "mediation/assign.html", context, status=400 if request.method == "POST" else 200)


# Sessions --------------------------------------------------------------------------------------


def _own_session(request, number: str, pk: int) -> tuple[Mediation, MediationSession]:
    mediation = mediation_for_staff(request, number)
    if not permissions.is_own(request.user, mediation):
        raise Http404
    session = next((x for x in mediation.sessions.all() if x.pk == pk), None)
    if session is None:
        raise Http404
    session.mediation = mediation
    return mediation, session


def _session_page(request, mediation: Mediation, form, title: str, *, session: MediationSession | None = None):
    """A session form (new, record, cancel); a POST that comes back here was refused: 400."""
    context = {"mediation": mediation, "case": mediation.case, "form": form, "session": session, "title": title}
    return render(request, "mediation/session_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
def session_new(request, number):
    mediation = mediation_for_staff(request, number)
    if not permissions.is_own(request.user, mediation):
        raise PermissionDenied
    form = f.SessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form) as call:
            s.session_schedule(
                mediation=mediation,
                actor=request.user,
                scheduled_at=d["scheduled_at"],
                mode=d["mode"],
                place=d["place"],
                meeting_link=d["meeting_link"],
                participants=d["participants"],
                notify_parties=d["notify_parties"],
            )
        if call.ok:
            messages.success(request, _("调解会已安排。") + (_("已短信通知当事人。") if d["notify_parties"] else ""))
            return redirect("mediation:mediation-detail", number=number)
    return _session_page(request, mediation, form, _("安排调解会"))


@login_required
def session_record(request, number, pk):
    mediation, session = _own_session(request, number, pk)
    initial = {"attendance": session.attendance, "record": session.record}
    form = f.SessionRecordForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            s.session_record(
                session=session,
                actor=request.user,
                attendance=form.cleaned_data["attendance"],
                record=form.cleaned_data["record"],
            )
        if call.ok:
            messages.success(request, _("调解笔录已保存。"))
            return redirect("mediation:mediation-detail", number=number)
    return _session_page(request, mediation, form, _("调解笔录"), session=session)


@login_required
def session_cancel(request, number, pk):
    mediation, session = _own_session(request, number, pk)
    if session.status != SessionStatus.SCHEDULED:
        raise PermissionDenied
    form = f.SessionCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            s.session_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
        if call.ok:
            messages.success(request, _("调解会已取消。"))
            return redirect("mediation:mediation-detail", number=number)
    return _session_page(request, mediation, form, _("取消调解会"), session=session)


# Referral ----------------------------------------------------------------------------------------


@login_required
def case_refer(request, case_number):
    """移交调解 from a case page (its lead handler or the centre's dispatcher)."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    case = case_selectors.case_detail(request.user, case_number)
    if case is None:
        raise Http404
    if not permissions.can_refer(request.user, case):
        raise PermissionDenied
    form = f.ReferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            mediation = s.mediation_request(case=case, actor=request.user, note=form.cleaned_data["note"])
        if call.ok:
            messages.success(
                request, _("已移交调解（%(n)s），等待中心指派调解员；本案计时已中止。") % {"n": mediation.number}
            )
            if selectors.can_still_see(request.user, mediation):
                return redirect("mediation:mediation-detail", number=mediation.number)
            return redirect("cases:case-detail", number=case.number)
    context = {"case": case, "form": form}
    return render(request, "mediation/refer_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
def referral_new(request):
    """登记移送调解: a dispute handed over by a court (诉前委派), petition bureau (访调),
    police (警调) or procuratorate (检调), with its document number."""
    if not permissions.can_register_referral(request.user):
        raise PermissionDenied
    form = f.ReferralForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form) as call:
            mediation = s.referral_register(
                actor=request.user,
                source=d["source"],
                referral_document=d["referral_document"],
                referring_unit=d["referring_unit"],
                matter=d["matter"],
                region=d["region"],
                title=d["title"],
                description=d["description"],
                parties=form.parties(),
                address=d["address"],
            )
        if call.ok:
            messages.success(
                request,
                _("已登记移送调解 %(n)s（案件 %(c)s），等待指派调解员。")
                % {"n": mediation.number, "c": mediation.case.number},
            )
            if selectors.can_still_see(request.user, mediation):
                return redirect("mediation:mediation-detail", number=mediation.number)
            return redirect(reverse("cases:case-detail", args=[mediation.case.number]))
    return render(
        request, "mediation/referral_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
