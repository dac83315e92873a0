"""Clerk and grid-worker screens: window walk-ins and receipts, the hotline, 随手拍."""

from __future__ import annotations

from contextlib import nullcontext

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import ConcurrentTransition

from accounts.models import Role
from accounts.permissions import has_role
from cases.duplicates import record_intake_choice
from cases.permissions import can_accept
from cases.services import CaseError, case_accept, case_merge, case_resolve_on_spot
from core.views import service_call
from notifications.services import notifications_batched
from routing.dispatch import directory_pinned, directory_row
from routing.models import Channel, MatterType, Region
from routing.widgets import RegionCascadeWidget

from ..duplicates import Candidate, candidate_attach, candidate_pick, candidates, candidates_shown
from ..held import held_uploads_release, held_uploads_reshow
from ..models import Claim
from ..selectors_staff import caller_history, citizen_by_phone, claim_for_staff, grid_regions
from ..services import claim_submit
from ..staff_forms import (
    GridReportForm,
    HotlineClaimForm,
    LetterClaimForm,
    ReferralClaimForm,
    WindowClaimForm,
    staff_submission_key,
)


def _require(request, role: str) -> None:
    if not has_role(request.user, role):
        raise PermissionDenied


def _submit(form, *, channel: str, request):
    arguments = form.claim_arguments(clerk=request.user)
    return claim_submit(channel=channel, submitter=citizen_by_phone(arguments["contact_phone"]), **arguments)


def _hold_files(request, form) -> None:
    """The form is shown again: its held files are kept up to date with the valid ones just chosen,
    so the page still lists them and the next submit sends them (intake.held)."""
    fresh = None if "attachments" in form.errors else getattr(form, "cleaned_data", {}).get("attachments")
    if held_uploads_reshow(owner=request.user, form=form, fresh=fresh):
        form.cleaned_data["attachments"] = []  # held now: never attached twice


def _shown_again(request, form, template: str, context: dict | None = None, status: int = 400):
    _hold_files(request, form)
    return render(request, template, {"form": form, **(context or {})}, status=status)


# Duplicates at intake (issue #13, intake.duplicates) ------------------------------------------

#: The ids of the candidates shown beside the form (hidden inputs of _duplicates.html).
SHOWN_FIELD = "shown_candidate"
NOT_A_CANDIDATE = _lazy("要并入的案件不存在、已结束或不在本次重复提示之列，请在右侧重新选择，或登记为新案件。")


def _contact_phone(data) -> str:
    return (data.get("contact_phone") or data.get("resident_phone") or "").strip()


def _form_candidates(request, form) -> list[Candidate]:
    """The candidates of a valid staff form, as the clerk may see them."""
    data = form.cleaned_data
    return candidates(
        _contact_phone(data), data["description"], data["region"].pk, data["matter"].pk, for_user=request.user
    )


def _duplicate_decision(request, form) -> tuple[list[Candidate], Candidate | None, bool]:
    """``(candidates, chosen, stop)`` for a valid form: ``chosen`` is the candidate the clerk
    attached the claim to; ``stop`` means the form goes back — to choose (candidates found, no
    choice made) or because the chosen case is not a candidate (an error on the form)."""
    choice = form.cleaned_data.get("attach_candidate")
    if not choice and form.cleaned_data.get("register_new"):
        # the clerk has decided: nothing is looked up; the candidates shown are remembered
        return candidates_shown(request.POST.getlist(SHOWN_FIELD), for_user=request.user), None, False
    key = staff_submission_key(request.user, form.cleaned_data.get("submission_key"))
    if key and Claim.objects.filter(submission_key=key).exists():
        return [], None, False  # a double click or a retry: claim_submit returns the first claim
    found = _form_candidates(request, form)
    if choice:
        chosen = candidate_pick(found, choice)
        if chosen is None:
            form.add_error(None, NOT_A_CANDIDATE)
            return found, None, True
        return found, chosen, False
    return found, None, bool(found) and not form.cleaned_data.get("register_new")


def _asked(request, form, template: str, found: list[Candidate], context: dict | None = None):
    """The form again with the candidates beside it: 200 when only the choice is missing, 400 when
    the choice was wrong. Everything typed is kept, the chosen files held (intake.held)."""
    status = 400 if form.errors else 200
    context = {"duplicates": found, "duplicates_checked": True, "duplicates_ask": True, **(context or {})}
    return _shown_again(request, form, template, context, status=status)


def _one_transaction(chosen: Candidate | None):
    """Registering and attaching commit together; registering alone keeps claim_submit's own
    transaction (no savepoint more on the common path)."""
    return transaction.atomic() if chosen is not None else nullcontext()


def _attach(request, claim, chosen: Candidate) -> None:
    candidate_attach(claim=claim, into=chosen.case, actor=request.user, reason=chosen.reason)


def _remember_register_new(request, form, claim, created: bool, found: list[Candidate]) -> None:
    """ "都不是，登记为新案件": the candidates shown are remembered (cases.duplicates
    ``record_intake_choice``), so the nightly scan does not flag them again."""
    if created and found and form.cleaned_data.get("register_new"):
        record_intake_choice(claim.case, found, actor=request.user)


def _attached_message(request, chosen: Candidate) -> None:
    if not chosen.in_scope:  # the number of a case outside the clerk's scope is not shown
        messages.success(request, _("已登记并并入其他区域在办的同一事项（%(why)s）。") % {"why": chosen.reason})
        return
    messages.success(request, _("已登记并并入案件 %(n)s（%(why)s）。") % {"n": chosen.number, "why": chosen.reason})


@login_required
@require_POST
def duplicates_panel(request):
    """The candidates beside a staff form as it is typed (a debounced POST from staff_intake.js;
    POST keeps the phone and the text out of URLs and access logs). Clerks and grid workers."""
    if not (has_role(request.user, Role.CLERK) or grid_regions(request.user)):
        raise PermissionDenied
    data = request.POST
    with directory_pinned():
        region_code = RegionCascadeWidget().value_from_datadict(data, None, "region") or ""
        region = directory_row(Region, region_code) if region_code else None
        matter = directory_row(MatterType, data.get("matter", "").strip()) if data.get("matter") else None
        found = candidates(
            _contact_phone(data),
            data.get("description", "")[:2000],
            region.pk if region else None,
            matter.pk if matter else None,
            for_user=request.user,
        )
    return render(request, "intake/staff/_duplicates.html", {"duplicates": found, "duplicates_checked": True})


def _follow_up(request, case, step: str, result: str = "") -> None:
    """Accept or resolve right after registering; a case outside the clerk's area stays registered."""
    if step == WindowClaimForm.NEXT_REGISTER:
        messages.info(request, _("已登记，案件在待受理队列中。"))
        return
    if not can_accept(request.user, case):
        messages.warning(
            request,
            _("该地点不在本中心受理范围，已登记并转交 %(centre)s 受理。") % {"centre": case.centre.name},
        )
        return
    try:
        if step == WindowClaimForm.NEXT_ON_SPOT:
            case_resolve_on_spot(case=case, actor=request.user, result=result)
            messages.success(request, _("已当场办结，请群众在收到短信后评价。"))
        else:
            case_accept(case=case, actor=request.user)
            messages.success(request, _("已受理并按规则派单。"))
    # Kept by hand: the claim is registered whatever happens here, so any refusal or stale write is
    # a warning beside the receipt, not an error on a form that no longer applies.
    except (CaseError, ConcurrentTransition):
        messages.warning(request, _("已登记，但受理未完成：案件状态已变化，请在队列中查看。"))


@login_required
@require_http_methods(["GET", "POST"])
def window_register(request):
    """窗口登记: register a walk-in, then accept / resolve on the spot / leave registered."""
    _require(request, Role.CLERK)
    if request.method == "GET":
        return render(request, "intake/staff/window_form.html", {"form": WindowClaimForm()})
    # One directory snapshot for the whole request (one stamp read: the matter picker, the matter
    # and place checked, the registration and the acceptance), and the messages of both commits
    # (receipt code, 已受理, 已派单, the units') leave in one delivery task.
    with notifications_batched(), directory_pinned():
        form = WindowClaimForm(request.POST, request.FILES, owner=request.user)
        template = "intake/staff/window_form.html"
        if not form.is_valid():
            return _shown_again(request, form, template)
        found, chosen, stop = _duplicate_decision(request, form)
        if stop:
            return _asked(request, form, template, found)
        data = form.cleaned_data
        with service_call(form) as call, _one_transaction(chosen):
            claim, created = _submit(form, channel=Channel.WINDOW, request=request)
            if created and chosen is not None:
                _attach(request, claim, chosen)
        if not call.ok:
            return _shown_again(request, form, template, {"duplicates": found, "duplicates_checked": True})
        held_uploads_release(owner=request.user, form=form)
        _remember_register_new(request, form, claim, created and chosen is None, found)
        if created and chosen is not None:
            _attached_message(request, chosen)
        elif created:
            _follow_up(request, claim.case, data["next_step"], data.get("on_spot_result", ""))
    return redirect("intake:receipt", code=claim.tracking_code)


@login_required
@require_GET
def receipt(request, code: str):
    """回执: printable acknowledgement with the tracking code, for the clerk who registered it."""
    claim = claim_for_staff(request.user, code)
    if claim is None:
        raise Http404
    return render(request, "intake/staff/receipt.html", {"claim": claim, "case": claim.case})


@login_required
@require_http_methods(["GET", "POST"])
def hotline_register(request):
    """12345 热线登记, keyboard-first; may attach the call to an earlier open case (merge)."""
    _require(request, Role.CLERK)
    if request.method == "GET":
        return render(request, "intake/staff/hotline_form.html", {"form": HotlineClaimForm(clerk=request.user)})
    form = HotlineClaimForm(request.POST, request.FILES, clerk=request.user, owner=request.user)
    template = "intake/staff/hotline_form.html"
    history = caller_history(request.user, request.POST.get("contact_phone", ""))
    if not form.is_valid():
        return _shown_again(request, form, template, {"history": history})
    data, target = form.cleaned_data, form.target
    found, chosen = [], None
    if target is None:  # attached from the caller's history: the clerk has chosen already
        found, chosen, stop = _duplicate_decision(request, form)
        if stop:
            return _asked(request, form, template, found, {"history": history})
    try:
        with transaction.atomic():
            claim, created = _submit(form, channel=Channel.HOTLINE, request=request)
            if created and target is not None:
                case_merge(
                    case=claim.case,
                    actor=request.user,
                    into=target,
                    note=_("同一来电人反映同一事项，并入 %(n)s") % {"n": target.number},
                )
            elif created and chosen is not None:
                _attach(request, claim, chosen)
    # Kept by hand: the merge target was chosen on this form, so a refusal of the merge — including
    # PermissionDenied and a stale target, which the helper would answer 403/409 — goes on the form
    # and rolls back the registration with it.
    except (CaseError, PermissionDenied, ConcurrentTransition) as exc:
        form.add_error(None, getattr(exc, "message", None) or _("无法并入该案件，请刷新后重试。"))
        return _shown_again(request, form, template, {"history": history, "duplicates": found})
    held_uploads_release(owner=request.user, form=form)
    _remember_register_new(request, form, claim, created and chosen is None and target is None, found)
    if created and chosen is not None:
        _attached_message(request, chosen)
    elif created and target is not None:
        messages.success(request, _("已登记并并入案件 %(n)s。") % {"n": target.number})
    elif created and data["accept_now"]:
        _follow_up(request, claim.case, WindowClaimForm.NEXT_ACCEPT)
    elif created:
        messages.info(request, _("已登记，案件在待受理队列中。"))
    return redirect("intake:receipt", code=claim.tracking_code)


@login_required
@require_POST
def hotline_caller(request):
    """The caller's earlier claims in this centre's area (an htmx-style partial). POST, so the
    caller's phone stays out of URLs and access logs."""
    _require(request, Role.CLERK)
    phone = request.POST.get("contact_phone", "").strip()
    return render(
        request, "intake/staff/_caller_history.html", {"history": caller_history(request.user, phone), "phone": phone}
    )


@login_required
@require_http_methods(["GET", "POST"])
def grid_report(request):
    """随手拍: a grid worker reports what they saw, photo required, place defaulting to their grid."""
    grids = grid_regions(request.user)
    if not grids:
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "intake/staff/grid_form.html", {"form": GridReportForm(grid_regions=grids)})
    form = GridReportForm(request.POST, request.FILES, grid_regions=grids, owner=request.user)
    template = "intake/staff/grid_form.html"
    if not form.is_valid():
        return _shown_again(request, form, template)
    found, chosen, stop = _duplicate_decision(request, form)
    if stop:
        return _asked(request, form, template, found)
    with service_call(form) as call, _one_transaction(chosen):
        claim, created = _submit(form, channel=Channel.GRID, request=request)
        if created and chosen is not None:
            _attach(request, claim, chosen)
    if not call.ok:
        return _shown_again(request, form, template, {"duplicates": found, "duplicates_checked": True})
    held_uploads_release(owner=request.user, form=form)
    _remember_register_new(request, form, claim, created and chosen is None, found)
    if created and chosen is not None:
        _attached_message(request, chosen)
        return redirect("intake:grid-report")
    messages.success(
        request, _("已上报，编号 %(n)s，查询码 %(c)s。") % {"n": claim.case.number, "c": claim.tracking_code}
    )
    return redirect("intake:grid-report")


def _clerk_register(request, form_class, *, channel: str, template: str):
    """A clerk's registration screen with "accept now" (来信, 上级交办): GET shows the form; POST
    registers, then accepts and routes when asked, else leaves the case in the queue."""
    _require(request, Role.CLERK)
    if request.method == "GET":
        return render(request, template, {"form": form_class()})
    with notifications_batched(), directory_pinned():
        form = form_class(request.POST, request.FILES, owner=request.user)
        if not form.is_valid():
            return _shown_again(request, form, template)
        found, chosen, stop = _duplicate_decision(request, form)
        if stop:
            return _asked(request, form, template, found)
        with service_call(form) as call, _one_transaction(chosen):
            claim, created = _submit(form, channel=channel, request=request)
            if created and chosen is not None:
                _attach(request, claim, chosen)
        if not call.ok:
            return _shown_again(request, form, template, {"duplicates": found, "duplicates_checked": True})
        held_uploads_release(owner=request.user, form=form)
        _remember_register_new(request, form, claim, created and chosen is None, found)
        if created and chosen is not None:
            _attached_message(request, chosen)
        elif created and form.cleaned_data["accept_now"]:
            _follow_up(request, claim.case, WindowClaimForm.NEXT_ACCEPT)
        elif created:
            messages.info(request, _("已登记，案件在待受理队列中。"))
    return redirect("intake:receipt", code=claim.tracking_code)


@login_required
@require_http_methods(["GET", "POST"])
def letter_register(request):
    """来信登记: a letter with its scan (required), date and number."""
    return _clerk_register(request, LetterClaimForm, channel=Channel.LETTER, template="intake/staff/letter_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def referral_register(request):
    """上级交办: a case handed down with its document number and the authority's deadline."""
    return _clerk_register(
        request, ReferralClaimForm, channel=Channel.REFERRAL, template="intake/staff/referral_form.html"
    )
