"""Citizen and public screens: web submit, my claims, the case page, public tracking, attachments.

Thin views (CONVENTIONS.md): parse with a form, read through ``intake.selectors``, write through
``intake.services`` / ``cases.services``, render. A foreign or unknown claim is a 404, never a 403.
"""

from __future__ import annotations

import re
import time
from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import VerificationPurpose
from accounts.selectors import user_roles
from accounts.services import NOT_REGISTERED, AccountError, citizen_only
from accounts.views import code_login, code_send
from cases.citizen_words import status_words
from cases.duplicates import record_intake_choice
from cases.models import RatedVia, Status
from cases.permissions import available_actions
from cases.selectors import citizen_timeline, region_chain
from cases.services import case_rate, case_withdraw
from core.ratelimit import try_allowed
from core.uploads import stored_upload_response
from core.views import service_call
from routing.models import Channel
from routing.selectors import suggest_matters

from .. import selectors
from ..duplicates import candidate_attach, candidate_pick, candidates
from ..forms import (
    ClaimForm,
    InlineSignInForm,
    RatingForm,
    TrackForm,
    WithdrawForm,
    claim_form_initial_from,
    new_submission_token,
    normalise_phone,
)
from ..held import as_uploads, held_uploads_drop, held_uploads_reshow
from ..presets import claim_presets
from ..services import claim_submit as claim_submit_service
from ..tracking import tracking_grant, tracking_granted_claim
from ..uploads import MAX_FILES, UploadError, check_uploads

CLAIMS_PER_PAGE = 20
#: Public tracking tries per client address and window (seconds); override in settings.
TRACK_RATE_LIMIT = getattr(settings, "INTAKE_TRACK_RATE_LIMIT", (10, 10 * 60))
_TOKEN = re.compile(r"[0-9a-f]{32}")
PHONE = re.compile(r"1[3-9]\d{9}")


def _refused(request, message: str, *, staff_links: bool = False):
    """403 with a page that says why (Django's bare 403 says nothing)."""
    context = {"message": message, "staff_links": staff_links, "roles": {str(r) for r in user_roles(request.user)}}
    return render(request, "intake/citizen/refused.html", context, status=403)


def _submission_key(user, token: str) -> str:
    # Scoped to the account so one person's token can never return another person's claim.
    return f"web-{user.pk}-{token}"


# 1. Submit -----------------------------------------------------------------------------------


#: What a logged-out citizen typed in the claim form, kept in the session until the claim is
#: submitted (the inline sign-in, or a password login that comes back to the form).
DRAFT = "intake_claim_draft"
#: A draft older than this (seconds since the form was last posted) is dropped unread: a phone or
#: a library computer left behind does not show the next person what was typed (docs/security.md).
DRAFT_MAX_AGE = getattr(settings, "CLAIM_DRAFT_MAX_AGE", 2 * 3600)


def _draft_initial(request) -> dict:
    """The kept draft, if it is younger than ``DRAFT_MAX_AGE``; an older one is removed."""
    kept = request.session.get(DRAFT)
    saved = kept.get("saved_at") if isinstance(kept, dict) else None
    data = kept.get("data") if isinstance(kept, dict) else None
    if not isinstance(saved, (int, float)) or not isinstance(data, dict):
        if kept is not None:
            request.session.pop(DRAFT, None)
        return {}
    if time.time() - saved > DRAFT_MAX_AGE:
        request.session.pop(DRAFT, None)
        return {}
    return dict(data)


def _draft_keep(request) -> dict:
    draft = claim_form_initial_from(request.POST)
    request.session[DRAFT] = {"saved_at": time.time(), "data": draft}
    return draft


@require_http_methods(["GET", "POST"])
def claim_submit(request):
    """The web claim form. One claim per form token, however often it is posted.

    Logged out, the form can be filled in all the same; signing in by an SMS code to the contact
    phone happens on the page, and what was typed is kept (``_claim_submit_anonymous``)."""
    user = request.user
    if not user.is_authenticated:
        return _claim_submit_anonymous(request)
    if not user.is_citizen:
        return _refused(
            request,
            _("网上提交仅供群众账号使用。工作人员代群众登记，请使用“窗口登记”或“热线登记”。"),
            staff_links=True,
        )
    if request.method == "GET":
        initial = {
            "submission_token": new_submission_token(),
            "contact_name": user.full_name,
            "contact_phone": user.phone or "",
            "people_count": 1,
            **_draft_initial(request),
            **claim_presets(request.GET),
        }
        return _claim_form_page(request, ClaimForm(initial=initial))

    files_chosen = [f for f in request.FILES.getlist("attachments") if f]
    token = request.POST.get("submission_token", "").strip().lower()
    if _TOKEN.fullmatch(token):
        earlier = selectors.claim_by_submission(user, _submission_key(user, token))
        if earlier is not None:  # a double click or a retry of a post that already succeeded
            held_uploads_drop(owner=user, form_key=token)
            request.session.pop(DRAFT, None)
            return redirect("intake:claim-submitted", code=earlier.tracking_code)

    if "next_level" in request.POST:  # no JavaScript: show the next level of the region cascade
        form = ClaimForm(initial=claim_form_initial_from(request.POST))
        form.find_held(user, request.POST)
        try:
            fresh = check_uploads(files_chosen) if files_chosen else []
        except UploadError:
            fresh = None  # refused files are not kept; the warning asks to choose again
        if fresh is not None and len(fresh) + len(form.held) > MAX_FILES:
            fresh = None
        return _claim_form_page(request, form, files_lost=_hold_files(request, form, files_chosen, fresh))

    data = request.POST
    stale = not _TOKEN.fullmatch(token)
    if stale:  # an old or tampered page: never guess, ask to submit once more
        data = data.copy()
        data["submission_token"] = new_submission_token()
    form = ClaimForm(data, request.FILES, account_phone=user.phone or "", owner=user)
    if stale:
        form.add_error(None, _("页面已过期，请检查填写的内容后再次提交。"))
    if form.is_valid():
        done = _claim_save(request, form, user)
        if done:
            return done
    cleaned = getattr(form, "cleaned_data", {})
    fresh = None if "attachments" in form.errors else cleaned.get("attachments")
    files_lost = _hold_files(request, form, files_chosen, fresh)
    if fresh:
        cleaned["attachments"] = []  # held now: never attached twice
    return _claim_form_page(request, form, files_lost=files_lost, status=_form_status(form))


#: The answers to "附近已有类似问题正在办理" (issue #13): join one (its id), or submit separately.
JOIN_FIELD, SEPARATE_FIELD = "join_case", "similar_choice"
JOIN_GONE = _lazy("您选择加入的问题已经办完或不在附近正在办理的问题之列，请重新选择，或单独提交。")


def _similar_offer(request, form: ClaimForm, user):
    """The similar open case nearby the citizen chose to join, or None (none found, or "submit
    separately"). The candidates come from intake.duplicates by description, place and matter —
    never by phone, which would tell whose cases they are. Sets ``form.similar_offer`` (the
    candidates) when the page must ask first, or when the chosen one is gone (an error on the form)."""
    cleaned = form.cleaned_data
    found = candidates("", cleaned["description"], cleaned["region"].pk, cleaned["matter"].pk, for_user=user)
    join = request.POST.get(JOIN_FIELD, "")
    if join:
        chosen = candidate_pick(found, join)
        if chosen is None:
            form.add_error(None, JOIN_GONE)
            form.similar_offer = found
        return chosen
    if found and request.POST.get(SEPARATE_FIELD) != "separate":
        form.similar_offer = found
    elif found:
        form.similar_separate = found  # "单独提交": remembered for the dispatcher once submitted
    return None


def _claim_save(request, form: ClaimForm, user):
    """Submit the valid ``form`` for ``user``: the redirect to the receipt, or None with the
    service's message on the form — or with ``form.similar_offer`` set: similar open cases nearby
    that the citizen may join instead (the page asks first, everything typed is kept)."""
    cleaned = form.cleaned_data
    chosen = _similar_offer(request, form, user)
    if getattr(form, "similar_offer", None) is not None:
        return None
    # one transaction when joining; else claim_submit's own (no savepoint more on the common path)
    with service_call(form) as call, transaction.atomic() if chosen is not None else nullcontext():
        claim, created = claim_submit_service(
            channel=Channel.WEB,
            matter=cleaned["matter"],
            region=cleaned["region"],
            address=cleaned["address"],
            description=cleaned["description"],
            people_count=cleaned["people_count"],
            contact_name=cleaned["contact_name"],
            contact_phone=cleaned["contact_phone"],
            uploads=as_uploads(form.held) + cleaned["attachments"],
            submitter=user,
            submission_key=_submission_key(user, cleaned["submission_token"]),
        )
        if created and chosen is not None:
            candidate_attach(claim=claim, into=chosen.case, actor=user, reason=chosen.reason)
    if not call.ok:
        return None
    if created and chosen is None and getattr(form, "similar_separate", None):
        record_intake_choice(claim.case, form.similar_separate, actor=user, citizen=True)
    held_uploads_drop(owner=user, form_key=form.form_key)
    request.session.pop(DRAFT, None)
    if chosen is not None:
        messages.success(request, _("已加入附近正在办理的同一问题，您可以用自己的查询码跟进它的进展。"))
    return redirect("intake:claim-submitted", code=claim.tracking_code)


def _form_status(form: ClaimForm) -> int:
    """200 when the form only comes back to ask about similar cases nearby, else 400."""
    return 200 if getattr(form, "similar_offer", None) and not form.errors else 400


SIGN_UP_NEEDS_CONSENT = _lazy(
    "这个手机号还没有账号，登录会同时为您注册：请先填写“联系人”姓名，并勾选同意《个人信息保护说明》，再点“只登录”。"
)


def _inline_code_login(request, phone: str, code: str, *, login_only: bool):
    """The inline sign-in's ``code_login``. "验证并提交" has passed the claim form (name and privacy
    consent); "只登录" has not, so it signs a new phone up only when the name is typed and the
    consent ticked, and otherwise says so — after the code was right, like any unregistered phone."""
    name = request.POST.get("contact_name", "").strip()
    consented = request.POST.get("consent") in ("on", "true", "1")
    sign_up = not login_only or bool(name and consented)
    try:
        return code_login(request, phone=phone, code=code, sign_up=sign_up, full_name=name)
    except AccountError as exc:
        if sign_up or exc.message != str(NOT_REGISTERED):
            raise
        raise AccountError(str(SIGN_UP_NEEDS_CONSENT)) from exc


def _claim_submit_anonymous(request):
    """The claim form for a visitor who is not logged in (issue #14 "Getting in").

    Every post keeps the typed text in the session (``DRAFT``). "获取验证码" sends a login code
    to the contact phone; "验证并提交" checks the claim, then the code, logs the citizen in —
    creating a citizen account for a phone that has none: this page is an explicit sign-up,
    the citizen has typed a name and agreed to the privacy notice — and submits the claim.
    "只登录" logs in and comes back to the form (with the draft) to add photos, which need an
    account to be held (intake.held). Nothing is stored for a claim until the code is right.
    """
    if request.method == "GET":
        initial = {"submission_token": new_submission_token(), "people_count": 1}
        initial.update(_draft_initial(request))
        initial.update(claim_presets(request.GET))
        return _claim_form_page(request, ClaimForm(initial=initial), sign_in=InlineSignInForm())

    draft = _draft_keep(request)
    action = request.POST.get("action", "")
    if action == "password_login":  # the draft is kept; the login page comes back here
        return redirect(f"{reverse('accounts:login')}?next={reverse('intake:claim-submit')}")
    if "next_level" in request.POST:
        return _claim_form_page(request, ClaimForm(initial=draft), sign_in=InlineSignInForm())
    if action == "send_code":
        sign_in = InlineSignInForm(request.POST, sending_code=True)
        phone = normalise_phone(request.POST.get("contact_phone", ""))
        if sign_in.is_valid():
            if not PHONE.fullmatch(phone):
                sign_in.add_error(None, _("请先在“联系电话”中填写 11 位手机号，验证码会发到这个号码。"))
            else:
                with service_call(sign_in):
                    code_send(request, phone=phone, purpose=VerificationPurpose.LOGIN)
        status = 400 if sign_in.errors else 200
        return _claim_form_page(request, ClaimForm(initial=draft), sign_in=sign_in, status=status)

    data = request.POST.copy()
    if not _TOKEN.fullmatch(data.get("submission_token", "").strip().lower()):
        data["submission_token"] = new_submission_token()
    form = ClaimForm(data, account_phone=None, owner=None)
    sign_in = InlineSignInForm(request.POST)
    login_only = action == "login_only"
    ready = sign_in.is_valid() and (login_only or form.is_valid())
    if ready:
        phone = normalise_phone(request.POST.get("contact_phone", ""))
        with service_call(sign_in) as call:
            if not PHONE.fullmatch(phone):
                raise AccountError(_("请先在“联系电话”中填写 11 位手机号，验证码会发到这个号码。"))
            user = _inline_code_login(request, phone, sign_in.cleaned_data["sms_code"], login_only=login_only)
        if call.ok:
            if login_only or not citizen_only(user):
                messages.success(request, _("已登录，您填写的内容已保留。"))
                return redirect("intake:claim-submit")
            done = _claim_save(request, form, user)
            if done:
                return done
            return _claim_form_page(request, form, status=_form_status(form))
    if login_only:
        form = ClaimForm(initial=draft)
    return _claim_form_page(request, form, sign_in=sign_in, status=400)


def _hold_files(request, form: ClaimForm, chosen: list, fresh: list | None) -> int:
    """The form is shown again: held files ticked 移除 are let go, and the valid files just chosen
    (``fresh``, checked; ``None`` when refused) are held for the citizen under the form's token, so
    the page lists them as attached and the next submit sends them (intake.held). Returns how many
    chosen files were not kept, for the warning that asks to choose them again."""
    kept = held_uploads_reshow(owner=request.user, form=form, fresh=fresh)
    return len(chosen) - len(kept)


def _claim_form_page(request, form: ClaimForm, *, files_lost: int = 0, status: int = 200, sign_in=None):
    errors = form.errors if form.is_bound else {}
    # The summary links each wrong field, so a long form on a phone is quick to fix.
    error_links = [
        {"label": form.fields[name].label, "anchor": "id_region_0" if name == "region" else f"id_{name}"}
        for name in errors
        if name in form.fields and name != "submission_token"
    ]
    context = {
        "form": form,
        "files_lost": files_lost,
        "error_count": len(errors),
        "error_links": error_links,
        "sign_in": sign_in,
        "similar": getattr(form, "similar_offer", None),
    }
    return render(request, "intake/citizen/claim_form.html", context, status=status)


# 2. Submitted --------------------------------------------------------------------------------


@login_required
@require_GET
def claim_submitted(request, code: str):
    claim = selectors.citizen_claim(request.user, code)
    if claim is None:
        raise Http404
    return render(request, "intake/citizen/claim_submitted.html", {"claim": claim, "case": claim.case})


# 3. My claims --------------------------------------------------------------------------------


@login_required
@require_GET
def my_claims(request):
    page = Paginator(selectors.citizen_claims(request.user), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "intake/citizen/my_claims.html", {"page": page, "claims": page.object_list})


# 4. The case page and its actions ------------------------------------------------------------


def _owned_claim(request, code: str):
    claim = selectors.citizen_claim(request.user, code)
    if claim is None:
        raise Http404
    return claim


def _case_page(request, claim, *, rating_form=None, action_error: str = "", status: int = 200):
    case = claim.case
    followed = selectors.followed_case(case)
    current = followed or case  # the case whose result the citizen now waits for
    actions = available_actions(request.user, current) if current.is_open else []
    can_rate = "rate" in actions
    context = {
        "claim": claim,
        "case": case,
        "followed": followed,
        "followed_foreign": selectors.followed_is_foreign(claim, followed),
        "timeline": citizen_timeline(case),
        "followed_timeline": citizen_timeline(followed) if followed else [],
        "region_chain": region_chain(case.region),
        "attachments": list(claim.attachments.all()),
        "can_rate": can_rate,
        "rating_form": (rating_form or RatingForm()) if can_rate else None,
        "can_withdraw": followed is None and "withdraw" in actions,
        "action_error": action_error,
    }
    return render(request, "intake/citizen/claim_detail.html", context, status=status)


@login_required
@require_GET
def claim_detail(request, code: str):
    return _case_page(request, _owned_claim(request, code))


def _plain(message: str) -> str:
    """A service's refusal names a status as staff say it (“已派单（待签收）”); citizens read theirs."""
    for status, label in Status.choices:
        message = message.replace(f"“{label}”", f"“{status_words(status)}”")
    return message


def _stale_message() -> str:
    return _("案件刚刚被他人更新，请刷新后重试")


@login_required
@require_POST
def claim_rate(request, code: str):
    """满意 / 基本满意 close the case; 不满意 (with a reason) sends it back for review."""
    claim = _owned_claim(request, code)
    target = selectors.followed_case(claim.case) or claim.case
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _case_page(request, claim, rating_form=form, action_error=_("请按提示修改后再提交评价。"), status=400)
    try:
        with service_call(stale_message=_stale_message()) as call:
            case_rate(
                case=target,
                actor=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                solved=form.cleaned_data["solved"],
                via=RatedVia.WEB,
            )
    except PermissionDenied:  # kept: the service's own refusal, answered with the citizen's page
        return _refused(request, _("您不是该案件的当事人，不能评价。"))
    if not call.ok:  # shown on the case page as it is now, 400 (409 for a stale write)
        error = call.error
        claim = _owned_claim(request, code)
        return _case_page(request, claim, rating_form=form, action_error=_plain(error.message), status=error.status)
    messages.success(request, _("感谢您的评价。"))
    return redirect("intake:claim-detail", code=claim.tracking_code)


@login_required
@require_http_methods(["GET", "POST"])
def claim_withdraw(request, code: str):
    """Withdraw (撤回) the citizen's own open case, after a confirmation step."""
    claim = _owned_claim(request, code)
    case = claim.case
    if request.method == "GET":
        if "withdraw" not in available_actions(request.user, case):
            messages.info(request, _("该诉求当前状态为“%(s)s”，不能撤回。") % {"s": status_words(case.status)})
            return redirect("intake:claim-detail", code=claim.tracking_code)
        return _withdraw_page(request, claim, WithdrawForm())
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _withdraw_page(request, claim, form, status=400)
    try:
        with service_call(stale_message=_stale_message()) as call:
            case_withdraw(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except PermissionDenied:  # kept: the service's own refusal, answered with the citizen's page
        return _refused(request, _("您不是该案件的当事人，不能撤回。"))
    if not call.ok:  # shown on the page as it is now, 400 (409 for a stale write)
        error = call.error
        return _withdraw_page(
            request, _owned_claim(request, code), form, error=_plain(error.message), status=error.status
        )
    messages.success(request, _("诉求已撤回。如有需要，您可以随时重新反映。"))
    return redirect("intake:claim-detail", code=claim.tracking_code)


def _withdraw_page(request, claim, form, *, error: str = "", status: int = 200):
    can_withdraw = "withdraw" in available_actions(request.user, claim.case)
    context = {"claim": claim, "case": claim.case, "form": form, "action_error": error, "can_withdraw": can_withdraw}
    return render(request, "intake/citizen/claim_withdraw.html", context, status=status)


# 5. Public tracking --------------------------------------------------------------------------


def _track_try_allowed(request) -> bool:
    """Count one try for this client; False once it has used up its tries in the window."""
    limit, window = TRACK_RATE_LIMIT
    return try_allowed(request, scope="intake:track", limit=limit, window=window)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Public progress lookup by tracking code + last four digits of the contact phone (POST, so
    codes stay out of URLs and logs). A wrong pair and an unknown code answer exactly the same."""
    if request.method == "GET":
        granted = tracking_granted_claim(request) if request.GET.get("shown") else None
        if granted is not None:  # back from adding materials, a message or a press (feedback)
            return _track_result(request, granted)
        return render(request, "intake/citizen/track.html", {"form": TrackForm()})
    if not _track_try_allowed(request):
        limit, window = TRACK_RATE_LIMIT
        context = {
            "form": TrackForm(),
            "limited": _("查询过于频繁：同一网络 %(m)s 分钟内最多查询 %(n)s 次，请稍后再试。")
            % {"m": window // 60, "n": limit},
        }
        response = render(request, "intake/citizen/track.html", context, status=429)
        response["Retry-After"] = str(window)
        return response
    form = TrackForm(request.POST)
    claim = None
    if form.is_valid():
        claim = selectors.tracked_claim(form.cleaned_data["code"], form.cleaned_data["phone_last4"])
        if claim is None:
            form.add_error(None, _("查询码或手机号后四位不正确"))
    if claim is None:
        return render(request, "intake/citizen/track.html", {"form": form}, status=400)
    tracking_grant(request, claim)
    return _track_result(request, claim)


def _track_result(request, claim):
    case = claim.case
    followed = selectors.followed_case(case)
    context = {
        "form": TrackForm(),
        "claim": claim,
        "case": case,
        "timeline": citizen_timeline(case),
        "followed": followed,
        "followed_foreign": selectors.followed_is_foreign(claim, followed),
        "followed_timeline": citizen_timeline(followed) if followed else [],
    }
    return render(request, "intake/citizen/track.html", context)


# 6. Attachments ------------------------------------------------------------------------------


@require_GET
def attachment(request, pk: int):
    """Serve an attachment to someone who may see its case; a 404 to everyone else."""
    item = selectors.viewable_attachment(request.user, pk)
    if item is None:
        raise Http404
    return stored_upload_response(item)


# 7. Matter suggestion ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def matter_suggest(request):
    """Matter types suggested by the keywords of a description: directory data only.

    GET ``?text=`` as documented; the claim form's script POSTs instead, so what a citizen types
    does not end up in URLs and access logs.
    """
    source = request.POST if request.method == "POST" else request.GET
    text = source.get("text", "")[:2000]
    rows = [
        {"code": m.code, "name": m.name, "parent_name": m.parent.name if m.parent_id else ""}
        for m in suggest_matters(text, limit=3)
    ]
    return JsonResponse(rows, safe=False)
