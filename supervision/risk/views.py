"""研判预警 screens: the supervisor's list of warnings of their region and a warning's page with the
cases behind it and the assessment form (研判意见 + 措施).

Supervisors and admins only (403 for anyone else); a warning outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.permissions import can_view_case
from core.paging import bounded_page, page_number
from core.views import service_call

from .. import selectors as board
from ..models import RiskKind, RiskStatus
from . import selectors
from .forms import RiskAssessForm, RiskFilterForm
from .permissions import can_assess_risk_warning
from .services import risk_rules, risk_warning_assess


def _refuse_others(user) -> None:
    if not board.can_use_boards(user):
        raise PermissionDenied


@login_required
@require_GET
def risk_list(request):
    """The warnings of the user's region, newest first; filter by status and kind; 25 a page."""
    user = request.user
    _refuse_others(user)
    form = RiskFilterForm(request.GET or None)
    status = kind = ""
    code = 200
    if form.is_bound:
        if form.is_valid():
            status, kind = form.cleaned_data["status"], form.cleaned_data["kind"]
        else:
            code = 400
    page = page_number(request)
    rows, has_next = [], False
    if code == 200:
        rows, has_next = bounded_page(selectors.risk_warnings(user, status=status, kind=kind), page)
    counts = selectors.risk_status_counts(user)
    context = {
        "form": form,
        "warnings": rows,
        "page": page,
        "has_next": has_next,
        "filtered": bool(status or kind),
        "open_count": counts.get(RiskStatus.OPEN, 0),
        "assessed_count": counts.get(RiskStatus.ASSESSED, 0),
        "scope": board.scope_label(user),
        "rules": risk_rules(),
    }
    return render(request, "supervision/risk_list.html", context, status=code)


@login_required
@require_http_methods(["GET", "POST"])
def risk_detail(request, pk):
    """A warning: what was found, the cases behind it (personal data masked), its history and —
    for a supervisor covering its place — the assessment form."""
    user = request.user
    _refuse_others(user)
    warning = selectors.risk_warning_for(user, pk)
    if warning is None:
        raise Http404
    may_assess = can_assess_risk_warning(user, warning)
    form = RiskAssessForm(initial={"assessment": warning.assessment, "measures": warning.measures})
    code = 200
    if request.method == "POST":
        if not may_assess:
            raise PermissionDenied
        form = RiskAssessForm(request.POST)
        if form.is_valid():
            with service_call(form) as call:
                risk_warning_assess(warning=warning, actor=user, **form.cleaned_data)
            if call.ok:
                messages.success(request, _("研判意见和措施已记录。"))
                return redirect("supervision:risk-detail", pk=warning.pk)
        code = 400
    cases = selectors.risk_warning_cases(warning)
    context = {
        "warning": warning,
        "cases": [(case, can_view_case(user, case)) for case in cases],
        "cases_cut": warning.count > len(cases) and len(cases) >= selectors.CASES_SHOWN,
        "history": selectors.risk_warning_history(warning),
        "form": form if may_assess else None,
        "rules": risk_rules(),
        "kinds": RiskKind,
    }
    return render(request, "supervision/risk_detail.html", context, status=code)
