"""调解协议书 screens: the panel on the mediation page, drafting and editing, signing by SMS code,
the sealed document, group batches with their progress, judicial confirmation, the performance
follow-up, and the public verification page. Writes go through ``mediation.agreements``.

Who: anyone who may see the mediation sees its agreements and downloads them (a mediation outside
the user's scope is a 404); only the assigned mediator acts (403 for other viewers). Phones and ID
numbers are masked on screen except for the mediator running the mediation; the PDF is the legal
document and carries them in full.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import PartyRole
from cases.services import personal_data_open
from core.masking import mask_id_number, mask_phone
from core.paging import page_number
from core.ratelimit import try_allowed
from core.views import service_call

from .. import permissions
from ..loading import found_for_staff, mediation_for_staff
from ..models import (
    Agreement,
    AgreementBatch,
    AgreementStatus,
    Confirmation,
    JudicialStatus,
    Mediation,
    MediationStatus,
    PerformanceStatus,
)
from . import selectors as agreement_selectors
from . import services as ag
from .forms import (
    JudicialDecideForm,
    VerifyForm,
    VoidForm,
    confirm_form,
    edit_form,
    judicial_apply_form,
    performance_form,
    terms_form,
    verify_form,
)
from .pdf import agreement_pdf, judicial_application_pdf

#: Public verification: tries per client address and window (seconds).
VERIFY_RATE_LIMIT = (20, 10 * 60)
BATCH_PAGE = 50
MAX_PAGE = 200

# Loading --------------------------------------------------------------------------------------------


def _agreement(request, pk: int) -> Agreement:
    """An agreement of a mediation the user may see, with its confirmations; 404 otherwise."""
    return found_for_staff(request, agreement_selectors.agreement_detail, pk)


def _confirmation(request, pk: int) -> Confirmation:
    return found_for_staff(request, agreement_selectors.confirmation_detail, pk)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _require_own(request, mediation: Mediation) -> None:
    if not permissions.is_own(request.user, mediation):
        raise PermissionDenied


def _require_download(request, mediation: Mediation) -> None:
    """The PDF shows ID numbers and phones in full: its mediator, or the lead handling unit, whose
    opening is recorded like the case page's 查看完整信息 (others see the masked page only)."""
    if not permissions.can_download_agreement(request.user, mediation):
        raise PermissionDenied
    if not permissions.is_own(request.user, mediation):
        personal_data_open(case=mediation.case, actor=request.user)


def _detail(agreement: Agreement):
    return redirect("mediation:agreement-detail", pk=agreement.pk)


def _private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # names and ID numbers inside
    return response


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(filename)}"
    return _private(response)


def _quote(filename: str) -> str:
    return quote(filename)


# Rows for the templates (no queries: everything comes prefetched) -----------------------------------


def _party_rows(agreement: Agreement, full: bool) -> list[dict]:
    rows = []
    for party in agreement.parties or []:
        try:
            role = PartyRole(party.get("role", "")).label
        except ValueError:
            role = party.get("role", "")
        phone, id_number = party.get("phone", ""), party.get("id_number", "")
        rows.append(
            {
                "name": party.get("name", ""),
                "role": role,
                "phone": phone if full else mask_phone(phone),
                "id_number": id_number if full else mask_id_number(id_number),
            }
        )
    return rows


def _confirmation_rows(agreement: Agreement, *, can_sign: bool, forms_by_pk: dict | None = None) -> list[dict]:
    now = timezone.now()
    rows = []
    for c in agreement.confirmations.all():
        if c.confirmed_at:
            state, css = _("已确认"), "text-bg-success"
        elif c.code_hash and c.code_expires_at and c.code_expires_at > now:
            state, css = _("确认码已发送"), "text-bg-info"
        elif c.code_hash:
            state, css = _("确认码已过期"), "text-bg-warning"
        else:
            state, css = _("待发送确认码"), "text-bg-light border"
        active = can_sign and not c.confirmed_at
        rows.append(
            {
                "c": c,
                "phone": mask_phone(c.phone),
                "state": state,
                "css": css,
                "can_send": active,
                "form": (forms_by_pk or {}).get(c.pk) or (confirm_form(c) if active and c.code_hash else None),
            }
        )
    return rows


def _row(agreement: Agreement, *, own: bool, running: bool) -> dict:
    confirmations = list(agreement.confirmations.all())
    confirmed = sum(1 for c in confirmations if c.confirmed_at)
    return {
        "a": agreement,
        "names": "、".join(p.get("name", "") for p in agreement.parties or []),
        "confirmed": confirmed,
        "total": len(confirmations),
        "can_edit": own and running and agreement.status == AgreementStatus.DRAFT,
        "can_sign": own and running and agreement.status == AgreementStatus.SIGNING,
        "confirmations": _confirmation_rows(
            agreement, can_sign=own and running and agreement.status == AgreementStatus.SIGNING
        ),
    }


# The panel ------------------------------------------------------------------------------------------


def panel_context(mediation: Mediation, user) -> dict:
    """The agreements panel on the mediation page. Its queries all run here: one for the
    agreements (those not in a batch), one for their confirmations, one for the batches with their
    sealed counts; the parties come from the page's prefetch."""
    own = permissions.is_own(user, mediation)
    running = own and mediation.status == MediationStatus.IN_PROGRESS
    agreements = agreement_selectors.panel_agreements(mediation)
    batches = agreement_selectors.panel_batches(mediation)
    if not agreements and not batches and not running:
        return {"show": False}
    applicants = sum(1 for p in mediation.case.parties.all() if p.role == PartyRole.APPLICANT)
    return {
        "show": True,
        "mediation": mediation,
        "own": own,
        "running": running,
        "can_download": permissions.can_download_agreement(user, mediation),
        "rows": [_row(a, own=own, running=running) for a in agreements],
        "batches": batches,
        "can_batch": running and applicants >= 2,
        "applicants": applicants,
        "has_sealed": any(a.status == AgreementStatus.SEALED for a in agreements) or any(b.sealed for b in batches),
    }


# Drafting ------------------------------------------------------------------------------------------


def _form_page(request, *, form, title, mediation=None, agreement=None, intro="", submit=None, extra=None):
    """The agreement form page (of ``agreement``'s mediation when one is given); a POST that comes
    back here was refused, so it answers 400."""
    mediation = mediation or agreement.mediation
    context = {
        "mediation": mediation,
        "case": mediation.case,
        "agreement": agreement,
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit or title,
        **(extra or {}),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "mediation/agreements/form.html", context, status=status)


def _terms_form(request, mediation: Mediation, start):
    """The facts / terms / deadline form of a draft and of a group batch: on a valid POST, hand it
    to ``start`` (``agreement_draft`` or ``agreement_batch_start``). Returns the form and what
    ``start`` made, or None (a GET, bad input, or the service's refusal shown on the form)."""
    form = terms_form(mediation, _posted(request))
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        with service_call(form):
            return form, start(
                mediation=mediation,
                actor=request.user,
                facts=d["facts"],
                terms=d["terms"],
                performance_deadline=d["performance_deadline"],
            )
    return form, None


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request, number):
    """起草调解协议书 from the case's parties."""
    mediation = mediation_for_staff(request, number)
    _require_own(request, mediation)
    form, agreement = _terms_form(request, mediation, ag.agreement_draft)
    if agreement is not None:
        messages.success(request, _("协议书草稿已保存。请核对内容，确认无误后提交各方确认。"))
        return _detail(agreement)
    return _form_page(
        request,
        mediation=mediation,
        form=form,
        title=_("起草调解协议书"),
        intro=_("当事人取自案件登记的当事人（申请人、被申请人、第三人）；提交确认前可随时修改。"),
        submit=_("保存草稿"),
        extra={"parties": _case_party_rows(mediation, full=permissions.can_see_personal_data(request.user, mediation))},
    )


def _case_party_rows(mediation: Mediation, full: bool) -> list[dict]:
    return [
        {
            "name": p.name,
            "role": p.get_role_display(),
            "phone": p.phone if full else p.masked_phone,
            "id_number": p.id_number if full else p.masked_id_number,
        }
        for p in mediation.case.parties.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = _agreement(request, pk)
    mediation = agreement.mediation
    _require_own(request, mediation)
    if agreement.status != AgreementStatus.DRAFT:
        messages.error(request, _("只有草拟中的协议书可以修改；已提交确认的协议书如需改动，请作废后重新起草。"))
        return _detail(agreement)
    form = edit_form(agreement, _posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form) as call:
            ag.agreement_update(
                agreement=agreement,
                actor=request.user,
                facts=d["facts"],
                terms=d["terms"],
                performance_deadline=d["performance_deadline"],
            )
        if call.ok:
            messages.success(request, _("协议书草稿已更新。"))
            return _detail(agreement)
    return _form_page(
        request,
        mediation=mediation,
        agreement=agreement,
        form=form,
        title=_("修改调解协议书"),
        submit=_("保存修改"),
    )


@login_required
@require_POST
def agreement_sign(request, pk):
    """提交各方确认: the text is frozen and a confirmation opened for every party."""
    agreement = _agreement(request, pk)
    _require_own(request, agreement.mediation)
    with service_call(request=request) as call:
        ag.agreement_signing_start(agreement=agreement, actor=request.user)
    if call.ok:
        messages.success(request, _("协议书已提交各方确认。请逐一向当事人发送确认码，并录入当事人告知的确认码。"))
    return _detail(agreement)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_void(request, pk):
    agreement = _agreement(request, pk)
    _require_own(request, agreement.mediation)
    form = VoidForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            ag.agreement_void(agreement=agreement, actor=request.user, reason=form.cleaned_data["reason"])
        if call.ok:
            messages.success(request, _("协议书已作废。"))
            return redirect("mediation:mediation-detail", number=agreement.mediation.number)
    return _form_page(
        request,
        agreement=agreement,
        form=form,
        title=_("作废协议书"),
        intro=_("作废后该协议书不能再确认或修改；如需调整条款，请重新起草。"),
        submit=_("确认作废"),
        extra={"danger": True},
    )


# The agreement page and signing -------------------------------------------------------------------


def _detail_context(request, agreement: Agreement, *, forms_by_pk: dict | None = None) -> dict:
    mediation = agreement.mediation
    user = request.user
    own = permissions.is_own(user, mediation)
    running = own and mediation.status == MediationStatus.IN_PROGRESS
    sealed = agreement.status == AgreementStatus.SEALED
    row = _row(agreement, own=own, running=running)
    row["confirmations"] = _confirmation_rows(agreement, can_sign=row["can_sign"], forms_by_pk=forms_by_pk)
    today = timezone.localdate()
    return {
        "agreement": agreement,
        "mediation": mediation,
        "case": mediation.case,
        "row": row,
        "own": own,
        "running": running,
        "parties": _party_rows(agreement, permissions.can_see_personal_data(user, mediation)),
        "code_minutes": _settings_minutes(),
        "can_void": own and agreement.status in (AgreementStatus.DRAFT, AgreementStatus.SIGNING),
        "can_judicial_apply": own
        and sealed
        and agreement.judicial_status in (JudicialStatus.NONE, JudicialStatus.REFUSED),
        "can_judicial_decide": own and sealed and agreement.judicial_status == JudicialStatus.APPLIED,
        "can_record_performance": own and sealed,
        "deadline_reached": agreement.performance_deadline <= today,
        "not_carried_out": agreement.performance_status == PerformanceStatus.NOT_CARRIED_OUT,
        "verify_url": reverse("mediation:agreement-verify") + f"?code={agreement.code}",
        "can_download": permissions.can_download_agreement(user, mediation),
    }


def _settings_minutes() -> int:
    return settings.AGREEMENT_CODE_MINUTES


@login_required
@require_GET
def agreement_detail(request, pk):
    agreement = _agreement(request, pk)
    return render(request, "mediation/agreements/detail.html", _detail_context(request, agreement))


@login_required
@require_POST
def agreement_code_send(request, pk):
    """Send (or re-send) a party's confirmation code by SMS."""
    row = _confirmation(request, pk)
    agreement = _agreement(request, row.agreement_id)
    _require_own(request, agreement.mediation)
    with service_call(request=request) as call:
        sent = ag.confirmation_code_send(confirmation=row, actor=request.user)
    if call.ok:
        messages.success(
            request,
            _("确认码已发送至 %(name)s 的手机（%(phone)s），%(m)s 分钟内有效。")
            % {"name": sent.name, "phone": mask_phone(sent.phone), "m": _settings_minutes()},
        )
    return redirect(f"{reverse('mediation:agreement-detail', args=[agreement.pk])}#confirmation-{row.pk}")


@login_required
@require_POST
def agreement_confirm(request, pk):
    """Record a party's confirmation with the code they read out. A wrong, expired or used-up code
    re-shows the page with the error under that party's field (what was typed kept)."""
    row = _confirmation(request, pk)
    agreement = _agreement(request, row.agreement_id)
    _require_own(request, agreement.mediation)
    form = confirm_form(row, request.POST)
    if form.is_valid():
        with service_call(form, field="code") as call:
            result = ag.confirmation_confirm(confirmation=row, actor=request.user, code=form.cleaned_data["code"])
        if call.ok:
            if result.status == AgreementStatus.SEALED:
                messages.success(request, _("各方当事人均已确认，协议书已生效并封存。"))
            else:
                messages.success(request, _("已记录 %(name)s 的确认。") % {"name": row.name})
            return redirect(f"{reverse('mediation:agreement-detail', args=[agreement.pk])}#confirmation-{row.pk}")
        agreement = _agreement(request, agreement.pk)  # attempts and states as they are now
    context = _detail_context(request, agreement, forms_by_pk={row.pk: form})
    context["error_confirmation"] = row.pk
    return render(request, "mediation/agreements/detail.html", context, status=400)


# Documents ------------------------------------------------------------------------------------------


@login_required
@require_GET
@never_cache
def agreement_preview(request, pk):
    """The PDF as it stands (a draft or one being signed); a sealed agreement is its stored file."""
    agreement = _agreement(request, pk)
    _require_download(request, agreement.mediation)
    if agreement.status == AgreementStatus.SEALED:
        return redirect("mediation:agreement-document", pk=agreement.pk)
    data = agreement_pdf(agreement, confirmations=list(agreement.confirmations.all()))
    return _pdf_response(data, f"调解协议书-{agreement.code}-草稿.pdf")


@login_required
@require_GET
@never_cache
def agreement_document(request, pk):
    """The sealed PDF exactly as stored (its SHA-256 is the one on record)."""
    agreement = _agreement(request, pk)
    _require_download(request, agreement.mediation)
    if agreement.status != AgreementStatus.SEALED or not agreement.document:
        raise Http404
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False, filename=f"调解协议书-{agreement.code}.pdf"
    )
    return _private(response)


# Judicial confirmation and follow-up ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement_judicial_apply(request, pk):
    agreement = _agreement(request, pk)
    _require_own(request, agreement.mediation)
    form = judicial_apply_form(agreement, _posted(request))
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            ag.agreement_judicial_apply(agreement=agreement, actor=request.user, court=form.cleaned_data["court"])
        if call.ok:
            messages.success(request, _("已登记司法确认申请。请下载申请材料包，由当事人共同向法院提交。"))
            return _detail(agreement)
    return _form_page(
        request,
        agreement=agreement,
        form=form,
        title=_("申请司法确认"),
        intro=_(
            "当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。登记后可下载司法确认申请书及协议书材料包。"
        ),
        submit=_("登记申请"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_judicial_decide(request, pk):
    agreement = _agreement(request, pk)
    _require_own(request, agreement.mediation)
    form = JudicialDecideForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form) as call:
            ag.agreement_judicial_decide(
                agreement=agreement,
                actor=request.user,
                confirmed=d["result"] == JudicialStatus.CONFIRMED,
                document_number=d["document_number"],
            )
        if call.ok:
            messages.success(request, _("已登记法院的司法确认结果。"))
            return _detail(agreement)
    return _form_page(
        request,
        agreement=agreement,
        form=form,
        title=_("登记司法确认结果"),
        intro=_("受理法院：%(c)s") % {"c": agreement.judicial_court},
        submit=_("登记结果"),
    )


def _judicial_ready(request, pk) -> Agreement:
    agreement = _agreement(request, pk)
    _require_own(request, agreement.mediation)
    if agreement.status != AgreementStatus.SEALED or agreement.judicial_status == JudicialStatus.NONE:
        raise Http404
    return agreement


@login_required
@require_GET
@never_cache
def agreement_judicial_application(request, pk):
    """The 司法确认申请书 PDF (generated from what was recorded)."""
    agreement = _judicial_ready(request, pk)
    return _pdf_response(judicial_application_pdf(agreement), f"司法确认申请书-{agreement.code}.pdf")


@login_required
@require_GET
@never_cache
def agreement_judicial_package(request, pk):
    """The application package: the 申请书, the sealed agreement as stored, a manifest of hashes."""
    agreement = _judicial_ready(request, pk)
    try:
        data = ag.judicial_package(agreement)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'司法确认材料-{agreement.code}.zip')}"
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_performance(request, pk):
    """履行回访: carried out or not; not carried out → the page suggests judicial confirmation or
    enforcement."""
    agreement = _agreement(request, pk)
    _require_own(request, agreement.mediation)
    form = performance_form(agreement, _posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        carried_out = d["result"] == PerformanceStatus.CARRIED_OUT
        with service_call(form) as call:
            ag.agreement_performance_record(
                agreement=agreement, actor=request.user, carried_out=carried_out, note=d["note"]
            )
        if call.ok:
            if carried_out:
                messages.success(request, _("已登记：协议已履行。"))
            else:
                messages.warning(
                    request,
                    _("已登记：协议未履行。可引导当事人申请司法确认，或对已确认的协议向人民法院申请强制执行。"),
                )
            return _detail(agreement)
    return _form_page(
        request,
        agreement=agreement,
        form=form,
        title=_("登记履行回访"),
        intro=_("履行期限：%(d)s。") % {"d": agreement.performance_deadline.isoformat()},
        submit=_("登记回访结果"),
    )


# Group disputes -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement_batch_create(request, number):
    """群体纠纷: one set of terms, one agreement per applicant, generated in the background."""
    mediation = mediation_for_staff(request, number)
    _require_own(request, mediation)
    form, batch = _terms_form(request, mediation, ag.agreement_batch_start)
    if batch is not None:
        messages.success(request, _("已开始批量生成协议书，共 %(n)s 份。") % {"n": batch.total})
        return redirect("mediation:agreement-batch", pk=batch.pk)
    applicants = sum(1 for p in mediation.case.parties.all() if p.role == PartyRole.APPLICANT)
    return _form_page(
        request,
        mediation=mediation,
        form=form,
        title=_("批量生成协议书"),
        intro=_(
            "按同一纠纷事实和协议条款，为 %(n)s 名申请人各生成一份协议书（该申请人与全部被申请人为当事人），"
            "生成后逐份提交确认。"
        )
        % {"n": applicants},
        submit=_("开始生成"),
    )


def _batch(request, pk) -> AgreementBatch:
    return found_for_staff(request, agreement_selectors.batch_detail, pk)


def _progress(batch: AgreementBatch) -> dict:
    percent = int(batch.done * 100 / batch.total) if batch.total else 0
    return {
        "done": batch.done,
        "total": batch.total,
        "state": batch.state,
        "state_label": str(batch.get_state_display()),
        "percent": percent,
        "finished": batch.state in (AgreementBatch.State.DONE, AgreementBatch.State.FAILED),
    }


@login_required
@require_GET
def agreement_batch(request, pk):
    """A batch: its progress (polled while it runs) and its agreements, a bounded page at a time."""
    batch = _batch(request, pk)
    page = page_number(request, max_page=MAX_PAGE)
    start = (page - 1) * BATCH_PAGE
    rows = agreement_selectors.batch_agreements(batch, start=start, limit=BATCH_PAGE + 1)
    has_next = len(rows) > BATCH_PAGE
    rows = rows[:BATCH_PAGE]
    context = {
        "batch": batch,
        "mediation": batch.mediation,
        "case": batch.mediation.case,
        "progress": _progress(batch),
        "rows": [
            {
                "a": a,
                "claimant": a.claimant.name if a.claimant else "",
                "confirmed": sum(1 for c in a.confirmations.all() if c.confirmed_at),
                "total": len(a.confirmations.all()),
            }
            for a in rows
        ],
        "page": page,
        "has_next": has_next,
        "start": start,
    }
    return render(request, "mediation/agreements/batch.html", context)


@login_required
@require_GET
@never_cache
def agreement_batch_progress(request, pk):
    """n/total as JSON for the progress page's poll (or as a fragment with ``?fragment=1``)."""
    batch = _batch(request, pk)
    progress = _progress(batch)
    if request.GET.get("fragment"):
        return render(request, "mediation/agreements/_batch_progress.html", {"progress": progress, "batch": batch})
    return JsonResponse(progress)


# Public verification --------------------------------------------------------------------------------


def _verify_try_allowed(request) -> bool:
    """Count one try for this client; False once it has used up its tries in the window."""
    limit, window = VERIFY_RATE_LIMIT
    return try_allowed(request, scope="mediation:verify", limit=limit, window=window)


@never_cache
@require_http_methods(["GET", "POST"])
def agreement_verify(request):
    """Public (no login): does this file or hash match the sealed agreement with this code? The
    answer is 一致 or 不一致 and nothing else: no names, no case data; an unknown code, an
    agreement not sealed and a different file all answer 不一致."""
    if request.method == "GET":
        form = verify_form(request.GET.get("code", ""))
        return render(request, "mediation/agreements/verify.html", {"form": form})
    if not _verify_try_allowed(request):
        limit, window = VERIFY_RATE_LIMIT
        context = {
            "form": verify_form(request.POST.get("code", "")),
            "limited": _("核验过于频繁：同一网络 %(m)s 分钟内最多核验 %(n)s 次，请稍后再试。")
            % {"m": window // 60, "n": limit},
        }
        response = render(request, "mediation/agreements/verify.html", context, status=429)
        response["Retry-After"] = str(window)
        return response
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "mediation/agreements/verify.html", {"form": form}, status=400)
    d = form.cleaned_data
    digest = ag.file_sha256(d["document"]) if d.get("document") else d["sha256"]
    matches = ag.agreement_verify(code=d["code"], sha256=digest)
    context = {
        "form": verify_form(d["code"]),
        "checked": True,
        "matches": matches,
        "digest": digest,
        "code": d["code"],
    }
    return render(request, "mediation/agreements/verify.html", context)
