"""一键诉讼 screens: the panel on the mediation page, the submission (with a confirmation), the
package download and the court's reply. Writes go through ``mediation.litigation``.

Who: the package carries the parties' ID numbers and phones, so only those who may submit it
(the assigned mediator, the centre's dispatcher, admins) download it or record the reply; anyone
who may see the mediation sees the list of packages and the court's answers. A mediation outside
the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.views import service_call

from ..loading import found_for_staff, mediation_for_staff
from ..models import LitigationPackage, Mediation
from . import selectors as litigation_selectors
from . import services as lit
from .court_gateway import get_gateway
from .forms import SubmitForm, reply_form

# The panel -----------------------------------------------------------------------------------


def panel_context(mediation: Mediation, user) -> dict:
    """The litigation panel on the mediation page. All its queries run here: one for the
    packages, and — only for whoever may submit now — one per evidence provider for the summary
    (the parties and sessions come from the page's prefetch)."""
    packages = litigation_selectors.panel_packages(mediation)
    open_ = lit.litigation_open(mediation)
    if not open_ and not packages:
        return {"show": False}
    may_act = lit.can_litigate(user, mediation)
    blocking = lit.blocking_package(packages)
    gateway = get_gateway()
    labels = {gateway.name: str(getattr(gateway, "label", "") or gateway.name)}
    rows = [
        {
            "package": p,
            "gateway_label": labels.get(p.gateway, p.gateway),
            "can_download": may_act,
            "reply_form": reply_form(p) if may_act and p.state == LitigationPackage.State.SUBMITTED else None,
        }
        for p in packages
    ]
    can_submit = may_act and open_ and blocking is None
    summary = None
    if can_submit:
        summary = {
            "parties": len(mediation.case.parties.all()),
            "sessions": len([s for s in mediation.sessions.all() if s.record]),
            "evidence": len(lit.case_evidence(mediation.case)),
        }
    return {
        "show": True,
        "mediation": mediation,
        "open": open_,
        "may_act": may_act,
        "can_submit": can_submit,
        "resubmit": can_submit and bool(packages),
        "blocking": blocking,
        "summary": summary,
        "submit_form": SubmitForm(auto_id="id_litigation_%s") if can_submit else None,
        "rows": rows,
    }


# Screens -------------------------------------------------------------------------------------


def _package(request, pk: int) -> LitigationPackage:
    """A package of a mediation the user may see (404 otherwise), for those who may act on it."""
    package = found_for_staff(request, litigation_selectors.package_detail, pk)
    if not lit.can_litigate(request.user, package.mediation):
        raise PermissionDenied
    return package


def _back(mediation: Mediation):
    return redirect("mediation:mediation-detail", number=mediation.number)


@login_required
@require_http_methods(["GET", "POST"])
def litigation_submit(request, number):
    """一键诉讼: GET shows what goes to the court and asks for confirmation (the panel posts the
    same form directly); POST builds, stores and hands over the package."""
    mediation = mediation_for_staff(request, number)
    if not lit.can_litigate(request.user, mediation):
        raise PermissionDenied
    form = SubmitForm(request.POST if request.method == "POST" else None, auto_id="id_litigation_%s")
    if request.method == "POST" and form.is_valid():
        # the refusal is flashed on the mediation page, not put on this confirmation form
        with service_call(request=request) as call:
            package = lit.litigation_submit(mediation=mediation, actor=request.user)
        if call.ok:
            messages.success(
                request,
                _("诉讼材料包已提交法院，回执号 %(r)s。法院答复后请在此登记。") % {"r": package.reference or "—"},
            )
        return _back(mediation)
    panel = panel_context(mediation, request.user)
    context = {"mediation": mediation, "case": mediation.case, "form": form, "panel": panel}
    return render(request, "mediation/litigation/submit.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
@never_cache
def litigation_preview(request, number):
    """The package as it would be sent now, to check before submitting; nothing is recorded."""
    mediation = mediation_for_staff(request, number)
    if not lit.can_litigate(request.user, mediation):
        raise PermissionDenied
    if not lit.litigation_open(mediation):
        raise Http404
    data = lit.litigation_package_build(mediation)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return _zip_response(data, lit.package_filename(mediation, f"preview-{stamp}"))


@login_required
@require_GET
@never_cache
def litigation_download(request, pk):
    """The stored package, exactly as it was handed to the court."""
    package = _package(request, pk)
    try:
        handle = package.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = package.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, content_type="application/zip", as_attachment=True, filename=name)
    return _private(response)


def _zip_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # ID numbers and phones inside
    return response


@login_required
@require_http_methods(["GET", "POST"])
def litigation_reply(request, pk):
    """Record the court's reply to a package: 立案 (with the case number) or 退回 (with why)."""
    package = _package(request, pk)
    mediation = package.mediation
    if package.state != LitigationPackage.State.SUBMITTED:
        messages.error(request, _("该诉讼材料包已登记过法院答复，请刷新页面查看。"))
        return _back(mediation)
    form = reply_form(package, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(form) as call:
            lit.litigation_reply(
                package=package,
                actor=request.user,
                state=d["state"],
                court_document=d["court_document"],
                reply=d["reply"],
            )
        if call.ok:
            if d["state"] == LitigationPackage.State.ACCEPTED:
                messages.success(request, _("已登记法院立案，案号 %(d)s。") % {"d": d["court_document"]})
            else:
                messages.success(request, _("已登记法院退回；补充材料后可重新一键诉讼。"))
            return _back(mediation)
    context = {"mediation": mediation, "case": mediation.case, "package": package, "form": form}
    return render(request, "mediation/litigation/reply.html", context, status=400 if request.method == "POST" else 200)
