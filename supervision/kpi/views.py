"""KPI board (统计分析), its Excel export and the monthly analysis report (PDF).

Supervisors see their region subtree, admins everything; anyone else gets 403. The three views
read the same ``KpiBoard`` (``supervision.kpi.measures``), so the export and the report hold
exactly the figures on screen.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.kpi_tables import board_workbook
from core.periods import Period

from . import measures as kpi
from . import tables as kpi_tables
from .exports import monthly_report_pdf
from .forms import KpiFilterForm, parse_month


def _board_for(request) -> tuple[KpiFilterForm, kpi.KpiBoard]:
    if not kpi.can_view_kpi(request.user):
        raise PermissionDenied
    form = KpiFilterForm(request.GET or None)
    # A wrong date falls back to the current month (with the error shown); the region and the
    # order, when valid themselves, are kept.
    chosen: dict = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with every field that is valid by itself
        chosen = form.cleaned_data
    scope = kpi.kpi_scope(request.user, (chosen.get("region") or "").strip())
    board = kpi.kpi_board(scope, form.period(timezone.localdate()), sort=chosen.get("sort") or "on_time")
    return form, board


def _query(board: kpi.KpiBoard, **extra) -> str:
    """The query string that reproduces ``board`` (for the export and report links)."""
    from urllib.parse import urlencode

    period = board.period
    params = {"month": period.month_param} if period.is_month else {"start": period.start, "end": period.end}
    if board.scope.code:
        params["region"] = board.scope.code
    params.update(extra)
    return urlencode(params)


@require_GET
@never_cache
@login_required
def kpi_board(request):
    form, board = _board_for(request)
    tables = kpi_tables.kpi_tables(board)
    return render(
        request,
        "supervision/kpi.html",
        {
            "form": form,
            "board": board,
            "figures": kpi_tables.summary_figures(board),
            "tables": tables,
            "charts": kpi_tables.chart_data(board),
            "query": _query(board),
            "report_query": _query(board, month=board.period.month_param),
            "sort_query": _query(board),
            "sorts": kpi.RANKING_SORTS,
        },
    )


@require_GET
@never_cache
@login_required
def kpi_export(request):
    """The board's tables as an Excel workbook (one sheet per table, Chinese headers)."""
    _form, board = _board_for(request)
    content = board_workbook(board, kpi_tables.kpi_tables(board))
    name = f"kpi-{board.scope.code or 'all'}-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@never_cache
@login_required
def monthly_report(request):
    """The monthly analysis report as a PDF download (?month=2026-10&region=440608)."""
    if not kpi.can_view_kpi(request.user):
        raise PermissionDenied
    month = request.GET.get("month", "")
    period = parse_month(month) if month else Period.current_month(timezone.localdate())
    if period is None:
        return HttpResponse(_("月份格式应为“2026-10”。"), status=400, content_type="text/plain; charset=utf-8")
    scope = kpi.kpi_scope(request.user, request.GET.get("region", "").strip())
    content = monthly_report_pdf(scope, period)
    name = f"monthly-report-{scope.code or 'all'}-{period.month_param}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
