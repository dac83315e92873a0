"""The citizen's voice (补充材料 / 留言 / 催办), the SMS rating link and the call-back workbench.

Thin views: who may act (the logged-in party, or the browser that just looked the claim up with
code + last four digits; a clerk of the case's place), a form, one service call, a redirect.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import has_role
from cases.models import Status
from cases.permissions import can_callback, is_citizen_party
from cases.selectors import case_detail
from core.ratelimit import try_allowed
from core.views import service_call
from intake.selectors import citizen_claim, followed_case
from intake.tracking import tracking_granted_claim

from . import services
from .forms import CallbackForm, LinkRatingForm, MaterialForm, MessageForm
from .models import CallOutcome, SupplementKind, SupplementVia
from .selectors import callback_queue, case_call_attempts

WORKBENCH_PAGE = 25
_FORMS = {SupplementKind.MATERIAL: MaterialForm, SupplementKind.MESSAGE: MessageForm}


# Who is speaking --------------------------------------------------------------------------------


class _Speaker:
    """The claim the citizen acts on, the case that takes it, and where to go back to."""

    def __init__(self, request, code: str | None):
        if code is None:  # through the tracking page
            claim = tracking_granted_claim(request)
            if claim is None:
                raise Http404
            self.via, self.actor = SupplementVia.TRACKING, None
            self.back = reverse("intake:track") + "?shown=1"
        else:
            claim = citizen_claim(request.user, code)
            self.via, self.actor = SupplementVia.ACCOUNT, request.user
            self.back = reverse("intake:claim-detail", args=[code]) if claim else ""
        if claim is None:
            raise Http404
        self.claim = claim
        self.case = followed_case(claim.case) or claim.case
        if self.actor is not None and not is_citizen_party(self.actor, self.case):
            raise Http404
        self.code = code


def _speaker(request, code):
    if code is not None and not request.user.is_authenticated:
        return None
    return _Speaker(request, code)


def _gone(request, speaker):
    """The case closed while the page was open: say so on the case page."""
    messages.info(request, _("该诉求已经结束办理，不能再补充材料、留言或催办。"))
    return redirect(speaker.back)


# 补充材料 / 留言 ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def supplement(request, kind: str, code: str | None = None):
    speaker = _speaker(request, code)
    if speaker is None:
        return redirect_to_login(request.get_full_path())
    form_class = _FORMS[kind]
    if request.method == "GET":
        return _supplement_page(request, speaker, kind, form_class())
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        with service_call(form) as call:
            services.supplement_add(
                claim=speaker.claim,
                case=speaker.case,
                kind=kind,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data.get("attachments", []),
                actor=speaker.actor,
                via=speaker.via,
            )
        if call.ok:
            done = (
                _("补充材料已提交，办理单位会及时查看。")
                if kind == SupplementKind.MATERIAL
                else _("留言已提交，办理单位会及时查看。")
            )
            messages.success(request, done)
            return redirect(speaker.back)
    return _supplement_page(request, speaker, kind, form, status=400)


def _supplement_page(request, speaker, kind, form, *, status: int = 200):
    context = {
        "form": form,
        "kind": kind,
        "title": SupplementKind(kind).label,
        "claim": speaker.claim,
        "case": speaker.case,
        "back": speaker.back,
        "left": services.supplements_left_today(speaker.case, kind),
        "limit": settings.FEEDBACK_DAILY_LIMITS[kind],
    }
    return render(request, "feedback/supplement.html", context, status=status)


# 催办 --------------------------------------------------------------------------------------------


@require_POST
def press(request, code: str | None = None):
    speaker = _speaker(request, code)
    if speaker is None:
        return redirect_to_login(request.get_full_path())
    with service_call(request=request) as call:
        services.case_press(case=speaker.case, actor=speaker.actor)
    if call.response:
        return call.response
    if call.ok:
        messages.success(request, _("已催办，我们已提醒办理单位抓紧办理。"))
    return redirect(speaker.back)


# The rating link (/r/<token>/) -----------------------------------------------------------------


def _link_page(request, template: str, context: dict, *, status: int = 200):
    response = render(request, template, context, status=status)
    # the token never leaves the site in a Referer ("no-referrer" would make the browser send
    # "Origin: null" with the form, which the CSRF check refuses)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def rating_link(request, token: str):
    """No login: the token in the SMS is the authority. Unknown, replaced or expired (the case no
    longer awaits its rating) → 404; used → 已评价; else three big buttons."""
    limit, window = settings.FEEDBACK_LINK_RATE_LIMIT
    if not try_allowed(request, scope="feedback:link", limit=limit, window=window):
        return _link_page(request, "feedback/link_invalid.html", {"limited": True}, status=429)
    found = services.rating_token_find(token)
    state = services.rating_token_state(found)
    if state == "invalid":
        return _link_page(request, "feedback/link_invalid.html", {}, status=404)
    if state == "used":
        return _link_page(request, "feedback/link_done.html", {"case": found.case, "again": True})
    form = LinkRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            case = services.rating_link_rate(
                raw=token,
                rating=form.cleaned_data["rating"],
                solved=form.cleaned_data["solved"],
                comment=form.cleaned_data["comment"],
            )
        if call.ok:
            return _link_page(request, "feedback/link_done.html", {"case": case, "rated": case.rating})
        if isinstance(call.error, services.LinkUsed):  # the other click won
            return _link_page(request, "feedback/link_done.html", {"case": found.case, "again": True})
        if isinstance(call.error, services.LinkInvalid):
            return _link_page(request, "feedback/link_invalid.html", {}, status=404)
    status = 400 if request.method == "POST" else 200
    return _link_page(request, "feedback/link_rate.html", {"form": form, "case": found.case}, status=status)


# 回访工作台 --------------------------------------------------------------------------------------


def _require_clerk(user) -> None:
    if not has_role(user, Role.CLERK):
        raise PermissionDenied


@login_required
@require_GET
def workbench(request):
    """Cases awaiting a rating in the clerk's area, oldest result first."""
    _require_clerk(request.user)
    page = Paginator(callback_queue(request.user), WORKBENCH_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "cases": page.object_list, "needed": settings.FEEDBACK_UNREACHED_DAYS}
    return render(request, "feedback/workbench.html", context)


def _callback_case(request, number: str):
    _require_clerk(request.user)
    case = case_detail(request.user, number)
    if case is None:
        raise Http404
    if not can_callback(request.user, case):
        raise PermissionDenied
    return case


@login_required
@require_http_methods(["GET", "POST"])
def callback(request, number: str):
    """Record one call-back call for a case awaiting its rating."""
    case = _callback_case(request, number)
    if request.method == "GET":
        return _callback_page(request, case, CallbackForm())
    if case.status != Status.FEEDBACK:
        messages.info(request, _("该案件已不在待评价状态，无需回访。"))
        return redirect("feedback:workbench")
    form = CallbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form, on_stale=reverse("feedback:callback", args=[number])) as call:
            services.callback_record(
                case=case,
                actor=request.user,
                outcome=data["outcome"],
                rating=data["rating"],
                solved=data["solved"],
                comment=data["comment"],
            )
        if call.response:
            return call.response
        if call.ok:
            messages.success(request, _("回访结果已记录（%(what)s）。") % {"what": CallOutcome(data["outcome"]).label})
            return redirect("feedback:workbench")
    return _callback_page(request, case, form, status=400)


def _callback_page(request, case, form, *, status: int = 200):
    days = services.unanswered_days(case) if case.status == Status.FEEDBACK else []
    context = {
        "case": case,
        "form": form,
        "attempts": case_call_attempts(case),
        "unanswered_days": days,
        "needed": settings.FEEDBACK_UNREACHED_DAYS,
        "can_close": len(days) >= settings.FEEDBACK_UNREACHED_DAYS,
        "applicants": [p for p in case.parties.all() if p.role == "applicant"],
    }
    return render(request, "feedback/callback.html", context, status=status)


@login_required
@require_POST
def close_unreached(request, number: str):
    """未接通: close the case after unanswered calls on three different days."""
    case = _callback_case(request, number)
    with service_call(request=request, on_stale=reverse("feedback:callback", args=[number])) as call:
        services.callback_close_unreached(case=case, actor=request.user)
    if call.response:
        return call.response
    if not call.ok:
        return redirect("feedback:callback", number=number)
    messages.success(request, _("案件 %(n)s 已按“未接通”办结。") % {"n": case.number})
    return redirect("feedback:workbench")
