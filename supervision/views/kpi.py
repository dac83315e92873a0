"""KPI board (统计分析), its Excel export and the monthly analysis report (PDF).

Supervisors see their region subtree, admins everything; anyone else gets 403. The three views
read the same ``KpiBoard`` (``supervision.kpi``), so the export and the report hold exactly the
figures on screen.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.forms import DateField

from .. import kpi, kpi_tables
from ..reports import kpi_workbook, monthly_report_pdf

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: str) -> kpi.Period | None:
    match = MONTH_RE.match(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return kpi.Period.month(year, month)


class KpiFilterForm(forms.Form):
    """The board's period (a month, or a start and end date), region and ranking order."""

    month = forms.CharField(
        label=gettext_lazy("统计月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
    start = DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    region = forms.CharField(label=gettext_lazy("地区"), required=False, max_length=40)
    # An unknown order falls back to 按期办结率 (kpi.RANKING_SORTS) rather than failing the form.
    sort = forms.CharField(label=gettext_lazy("排名依据"), required=False, max_length=20)

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("月份格式应为“2026-10”，请重新选择。"))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) and not self.errors.get("start") and not self.errors.get("end"):
            raise forms.ValidationError(_("按日期统计时请同时填写开始日期和结束日期。"))
        if start and end:
            if start > end:
                raise forms.ValidationError(_("开始日期不能晚于结束日期，请调整后重新统计。"))
            if (end - start).days + 1 > kpi.MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("统计区间最长两年，请缩短日期范围。"))
        return data

    def period(self, today: dt.date) -> kpi.Period:
        """The chosen period; the current month when nothing (valid) was chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return kpi.Period(data["start"], data["end"])
        if data.get("month"):
            return parse_month(data["month"])
        return kpi.Period.current_month(today)


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
    content = kpi_workbook(board, kpi_tables.kpi_tables(board))
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
    period = parse_month(month) if month else kpi.Period.current_month(timezone.localdate())
    if period is None:
        return HttpResponse(_("月份格式应为“2026-10”。"), status=400, content_type="text/plain; charset=utf-8")
    scope = kpi.kpi_scope(request.user, request.GET.get("region", "").strip())
    content = monthly_report_pdf(scope, period)
    name = f"monthly-report-{scope.code or 'all'}-{period.month_param}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
