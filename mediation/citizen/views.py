"""申请调解: the citizen's request page, their own requests, the centre's confirmation screens and
the other party's invitation link (no login: the single-use token in the SMS is the authority)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import has_any_role, is_staff_member
from core.masking import mask_phone
from core.paging import bounded_page, page_number
from core.ratelimit import try_allowed
from core.views import service_call
from routing.models import MatterType, Region

from ..matching import candidates
from ..models import LIVE_REQUEST_STATUSES, RequestStatus
from . import selectors, services
from .forms import ConfirmForm, RefuseForm, RequestForm

INVITE_RATE_LIMIT = getattr(settings, "FEEDBACK_LINK_RATE_LIMIT", (30, 600))


def _letter_prefill(code: str) -> dict:
    """Prefill from a guidance letter of the optional ``consult`` app; anything unknown: nothing."""
    if not code or len(code) > 64 or not apps.is_installed("consult"):
        return {}
    try:
        model = apps.get_model("consult", "GuidanceLetter")
        letter = model.objects.filter(code=code.upper()).first()
    except Exception:  # an optional app of another shape: ignore the preset
        return {}
    if letter is None:
        return {}
    initial = {}
    for field in ("matter", "region"):
        value = getattr(letter, field, None)
        code_value = getattr(value, "code", value)
        if isinstance(code_value, str) and code_value:
            initial[field] = code_value
    # consult's letter keeps the draft it hands intake's claim form (``letter_claim_draft``) in
    # ``result["draft"]``; mediation may not import consult or intake, so it reads the same field.
    result = getattr(letter, "result", None)
    text = result.get("draft", "") if isinstance(result, dict) else ""
    if isinstance(text, str) and text:
        initial["description"] = text[:2000]
    return initial


def _initial(request) -> dict:
    initial = _letter_prefill((request.GET.get("letter") or "").strip())
    code = (request.GET.get("region") or "").strip()
    if code and len(code) <= 32 and Region.objects.filter(code=code).exists():
        initial["region"] = code
    return initial


def _region_code(data) -> str:
    """The deepest region picked in the cascade (``region_0`` …), or a preset ``region``."""
    return RequestForm.base_fields["region"].widget.value_from_datadict(data, {}, "region") or ""


def _recommended(data) -> list:
    """The three recommended mediators for the matter and place chosen so far (or none)."""
    matter = MatterType.objects.filter(code=data.get("matter") or "", active=True, mediable=True).first()
    region_code = _region_code(data)
    region = Region.objects.filter(code=region_code).first()
    if matter is None or region is None:
        return []
    return services.recommended_for(matter, region)


def _citizen_only(request) -> None:
    if is_staff_member(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    """申请调解 (``?region=`` and ``?letter=`` presets)."""
    _citizen_only(request)
    if request.method == "POST":
        recommended = _recommended(request.POST)
        form = RequestForm(request.POST, recommended=recommended)
        if "preview" in request.POST:  # show the mediators for the matter and place; nothing is saved
            initial = {**request.POST.dict(), "region": _region_code(request.POST)}
            form = RequestForm(initial=initial, recommended=recommended)
            return render(request, "mediation/citizen/request_form.html", {"form": form, "recommended": recommended})
        if form.is_valid():
            data = form.cleaned_data
            with service_call(form) as call:
                made = services.request_submit(
                    applicant=request.user,
                    matter=data["matter"],
                    region=data["region"],
                    description=data["description"],
                    other_name=data["other_name"],
                    other_phone=data["other_phone"],
                    preferred=form.preferred_profile(),
                    address=data.get("address") or "",
                )
            if call.ok:
                messages.success(request, _("调解申请已提交，中心确认后会短信邀请对方。"))
                return redirect("mediation:request-detail", pk=made.pk)
        return render(
            request, "mediation/citizen/request_form.html", {"form": form, "recommended": recommended}, status=400
        )
    initial = _initial(request)
    recommended = _recommended(initial)
    form = RequestForm(initial=initial, recommended=recommended)
    return render(request, "mediation/citizen/request_form.html", {"form": form, "recommended": recommended})


@login_required
@require_GET
def request_mine(request):
    """我的调解申请."""
    _citizen_only(request)
    rows = [services.request_sync(row) for row in selectors.own_requests(request.user)[:50]]
    return render(request, "mediation/citizen/request_mine.html", {"rows": rows})


@login_required
@require_GET
def request_detail(request, pk: int):
    _citizen_only(request)
    made = selectors.own_request(request.user, pk)
    if made is None:
        raise Http404
    services.request_sync(made)
    context = {"made": made, "can_cancel": services.can_cancel(request.user, made)}
    return render(request, "mediation/citizen/request_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_cancel(request, pk: int):
    """撤销申请: GET says what will happen (the claim is withdrawn too), POST does it. Another
    citizen's request: 404; one that can no longer be cancelled goes back to its page."""
    _citizen_only(request)
    made = selectors.own_request(request.user, pk)
    if made is None:
        raise Http404
    services.request_sync(made)
    if request.method == "GET":
        if not services.can_cancel(request.user, made):
            return redirect("mediation:request-detail", pk=pk)
        return render(request, "mediation/citizen/request_cancel.html", {"made": made})
    with service_call(None, request=request) as call:
        services.request_cancel(request=made, actor=request.user)
    if call.response:
        return call.response
    if call.ok:
        messages.success(request, _("调解申请已撤销，我们不会再联系对方。"))
    return redirect("mediation:request-detail", pk=pk)


# The centre ----------------------------------------------------------------------------------


def _may_confirm_any(user) -> bool:
    return has_any_role(user, Role.DISPATCHER, Role.ADMIN)


@login_required
@require_GET
def centre_request_list(request):
    """群众调解申请: the centre's list (other party's phone masked)."""
    if not _may_confirm_any(request.user):
        raise PermissionDenied
    status = request.GET.get("status") or RequestStatus.PENDING
    if status not in RequestStatus.values:
        raise Http404
    rows, has_next = bounded_page(
        selectors.by_status(selectors.centre_requests(request.user), status), page_number(request)
    )
    for row in rows:
        row.other_phone_masked = mask_phone(row.other_phone)
    context = {"rows": rows, "has_next": has_next, "status": status, "statuses": RequestStatus.choices}
    return render(request, "mediation/citizen/centre_list.html", context)


def _already_handled(request, made):
    """Two dispatchers acted on the same request at once: the later one is told plainly (409)."""
    return render(request, "mediation/citizen/request_handled.html", {"made": made}, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def centre_request_confirm(request, pk: int):
    """确认调解申请: the three recommended mediators (as for any mediation) and the citizen's wish."""
    if not _may_confirm_any(request.user):
        raise PermissionDenied
    made = selectors.centre_requests(request.user).filter(pk=pk).first()
    if made is None:
        raise Http404
    services.request_sync(made)
    scored = candidates(made.case)
    refusing = request.method == "POST" and "refuse" in request.POST
    refuse_form = RefuseForm(request.POST if refusing else None)
    form = ConfirmForm(
        request.POST if request.method == "POST" and not refusing else None,
        candidates=scored,
        initial={"mediator": str(made.preferred_mediator_id or "")},
    )
    if refusing:
        if made.status not in LIVE_REQUEST_STATUSES:
            return _already_handled(request, made)
        if refuse_form.is_valid():
            with service_call(refuse_form) as call:
                services.request_refuse(request=made, actor=request.user, reason=refuse_form.cleaned_data["reason"])
            if call.response:
                return call.response
            if call.ok:
                messages.success(request, _("已不予调解，申请人会看到您写的理由。"))
                return redirect("mediation:centre-request-confirm", pk=pk)
    elif request.method == "POST":
        if made.status != RequestStatus.PENDING:
            return _already_handled(request, made)
        if form.is_valid():
            with service_call(form) as call:
                services.request_confirm(request=made, actor=request.user, mediator=form.mediator_profile())
            if call.response:
                return call.response
            if call.ok:
                messages.success(request, _("已确认，并已短信邀请对方当事人。"))
                return redirect("mediation:centre-request-confirm", pk=pk)
    eligible = [c for c in scored if c.eligible]
    context = {
        "made": made,
        "form": form,
        "top": eligible[:3],
        "other_phone_masked": mask_phone(made.other_phone),
        "refuse_form": refuse_form,
        "live": made.status in LIVE_REQUEST_STATUSES,
    }
    status = 400 if (form.errors or refuse_form.errors) else 200
    return render(request, "mediation/citizen/centre_confirm.html", context, status=status)


# The other party's link ----------------------------------------------------------------------


def _link_page(request, template: str, context: dict, *, status: int = 200):
    response = render(request, template, context, status=status)
    # The token never leaves in a Referer header (only the origin does); "no-referrer" would make
    # Chromium send ``Origin: null`` with the answer, which Django's CSRF check refuses.
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """No login. Unknown → 404 (nothing changes); expired → 410; answered → what was answered."""
    limit, window = INVITE_RATE_LIMIT
    if not try_allowed(request, scope="mediation:invite", limit=limit, window=window):
        return _link_page(request, "mediation/citizen/invite_gone.html", {"limited": True}, status=429)
    found = services.invitation_find(token)
    state = services.invitation_state(found)
    if state == "invalid":
        return _link_page(request, "mediation/citizen/invite_gone.html", {}, status=404)
    if state == "expired":
        services.invitation_expire(request=found)
        return _link_page(request, "mediation/citizen/invite_gone.html", {"expired": True}, status=410)
    if state == "ended":
        services.request_sync(found)
        return _link_page(request, "mediation/citizen/invite_gone.html", {"ended": found}, status=410)
    if state == "answered":
        return _link_page(request, "mediation/citizen/invite_done.html", {"made": found, "again": True})
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in ("accept", "decline"):
            with service_call(None) as call:
                found = services.invitation_answer(raw=token, accept=answer == "accept")
            if call.ok:
                return _link_page(request, "mediation/citizen/invite_done.html", {"made": found})
            return _link_page(request, "mediation/citizen/invite_gone.html", {}, status=410)
    context = {"made": found, "who": services.mask_name(found.applicant.full_name or "")}
    status = 400 if request.method == "POST" else 200
    return _link_page(request, "mediation/citizen/invite.html", context, status=status)
