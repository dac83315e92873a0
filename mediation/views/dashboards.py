"""Mediation dashboards (调解统计): the KPI board for supervisors, dispatchers and admins with its
Excel export, a mediator's own figures, and the mediator directory (调解员名录).

Figures come from ``mediation.kpi`` (definitions in docs/kpi.md, "调解"); the page and the Excel
workbook are rendered from the same tables, so the export holds exactly the figures on screen.
Tables, the workbook writer and the figure formatting are ``core.kpi_tables``'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.selectors import user_roles
from core.kpi_tables import DAYS, INT, RATE, TEXT, KpiTable, board_workbook, summary_table

from .. import forms as f
from .. import kpi, selectors
from ..matching import mediator_loads
from ..models import MediatorProfile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def panel_context(mediation, user) -> dict:
    """Extra context for the mediation page's dashboards panel (no queries in templates)."""
    return {}


# Tables -----------------------------------------------------------------------------------------


@dataclass
class BoardTable(KpiTable):
    """A ``KpiTable`` (what the Excel writer takes) with, per row, an optional link for its name
    cell and whether it is a subtotal (shown in bold)."""

    links: list[str] = field(default_factory=list)
    subtotals: list[bool] = field(default_factory=list)

    @property
    def display_rows(self) -> list[tuple[list, str, bool]]:
        links = self.links or [""] * len(self.rows)
        subtotals = self.subtotals or [False] * len(self.rows)
        return list(zip(self.rows, links, subtotals, strict=True))


def _measure_columns() -> list[tuple[str, str, str]]:
    """(attribute of ``kpi.Measures``, kind, header) of the figures every breakdown shows."""
    return [
        ("settled", INT, _("调解成功")),
        ("failed", INT, _("调解不成")),
        ("withdrawn", INT, _("撤回")),
        ("success_rate", RATE, _("化解成功率")),
        ("avg_days_to_settle", DAYS, _("平均调解用时（天）")),
        ("carried_out", INT, _("已履行")),
        ("not_carried_out", INT, _("未履行")),
        ("pending", INT, _("待履行")),
        ("awaiting_check", INT, _("待回访")),
    ]


def _cells(measures: kpi.Measures) -> list:
    return [(getattr(measures, name), kind) for name, kind, _header in _measure_columns()]


def _headers(*first: str) -> list[str]:
    return [*first, *(header for _name, _kind, header in _measure_columns())]


def summary_figures(board: kpi.MediationBoard) -> list[tuple[str, str, object, str, str]]:
    """(key, name, value, kind, definition) of each headline figure."""
    t = board.totals
    return [
        (
            "success_rate",
            _("化解成功率"),
            t.success_rate,
            RATE,
            _("期内结束的调解中：调解成功 ÷（调解成功 + 调解不成），撤回的不计"),
        ),
        ("settled", _("调解成功"), t.settled, INT, _("期内调解成功（达成协议并封存）的调解数")),
        ("failed", _("调解不成"), t.failed, INT, _("期内登记调解不成的调解数")),
        ("withdrawn", _("撤回"), t.withdrawn, INT, _("期内撤回的调解数（不计入化解成功率）")),
        (
            "avg_days_to_settle",
            _("平均调解用时"),
            t.avg_days_to_settle,
            DAYS,
            _("调解成功的，自调解员接受至调解成功的自然日数的平均值"),
        ),
        ("agreements", _("已封存协议"), t.agreements, INT, _("期内调解成功的调解中，已封存生效的调解协议书份数")),
        ("carried_out", _("已履行"), t.carried_out, INT, _("回访确认已履行的协议份数")),
        ("not_carried_out", _("未履行"), t.not_carried_out, INT, _("回访确认未履行的协议份数（可申请强制执行）")),
        ("pending", _("待履行"), t.pending, INT, _("尚未回访、履行期限未届满的协议份数")),
        ("awaiting_check", _("待回访"), t.awaiting_check, INT, _("履行期限已届满但尚未回访的协议份数")),
        (
            "performance_rate",
            _("协议履行率"),
            t.performance_rate,
            RATE,
            _("已回访的协议中：已履行 ÷（已履行 + 未履行）"),
        ),
    ]


def _mediator_link(pk, board: kpi.MediationBoard) -> str:
    if pk is None:
        return ""
    return reverse("mediation:mediator-stats", args=[pk]) + "?" + _query(board)


def board_tables(board: kpi.MediationBoard, *, mediator_page: bool = False) -> list[BoardTable]:
    """The tables of the board (and of a mediator's page: without the organisation and mediator
    rankings)."""
    tables = [
        summary_table(summary_figures(board), table=BoardTable),
        BoardTable(
            "trend",
            _("按月份"),
            _headers(_("月份")),
            [[(row.label, TEXT), *_cells(row.measures)] for row in board.trend],
            note=_("按调解结束时间（北京时间）所在月份统计；协议按其所属调解的结束月份计。"),
        ),
    ]
    if not mediator_page:
        tables += [
            BoardTable(
                "organisation",
                _("按调解组织"),
                _headers(_("排名"), _("调解组织"), _("组织类型")),
                [
                    [(row.rank, INT), (row.label, TEXT), (row.detail, TEXT), *_cells(row.measures)]
                    for row in board.by_organisation
                ],
            ),
            BoardTable(
                "mediator",
                _("调解员排名"),
                _headers(_("排名"), _("调解员"), _("所属调解组织")),
                [
                    [(row.rank, INT), (row.label, TEXT), (row.detail or "—", TEXT), *_cells(row.measures)]
                    for row in board.by_mediator
                ],
                links=[_mediator_link(row.key, board) for row in board.by_mediator],
                note=_(
                    "按化解成功率从高到低排名，相同时按调解成功数、结案数；"
                    "期内结案不足 %(n)d 件的排在其后（样本太少，比率参考意义有限），无结案的排在最后。"
                )
                % {"n": kpi.RANK_MIN_ENDED},
            ),
        ]
    tables.append(
        BoardTable(
            "matter",
            _("按事项"),
            _headers(_("事项大类"), _("具体事项")),
            [
                [(row.label if row.is_group else row.parent, TEXT), (_("小计") if row.is_group else row.label, TEXT)]
                + _cells(row.measures)
                for row in board.by_matter
            ],
            subtotals=[row.is_group for row in board.by_matter],
        )
    )
    return tables


def chart_data(board: kpi.MediationBoard) -> dict:
    """What the page's chart script draws (embedded with ``json_script``)."""

    def percent(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    organisations = board.by_organisation[:10]
    return {
        "labels": {
            "settled": _("调解成功"),
            "failed": _("调解不成"),
            "success_rate": _("化解成功率（%）"),
            "empty": _("本期无数据"),
        },
        "titles": {"trend": _("月度趋势"), "organisation": _("各调解组织化解成功率（前10）")},
        "trend": {
            "months": [row.label for row in board.trend],
            "settled": [row.measures.settled for row in board.trend],
            "failed": [row.measures.failed for row in board.trend],
            "success_rate": [percent(row.measures.success_rate) for row in board.trend],
        },
        "organisation": {
            "labels": [row.label for row in organisations],
            "settled": [row.measures.settled for row in organisations],
            "failed": [row.measures.failed for row in organisations],
            "success_rate": [percent(row.measures.success_rate) for row in organisations],
        },
    }


def _query(board: kpi.MediationBoard) -> str:
    """The query string that reproduces ``board``'s period and region (export, mediator links)."""
    params = {"start": board.period.from_param, "end": board.period.to_param}
    if board.scope.region is not None and board.scope.mediator is None and board.scope.code:
        params["region"] = board.scope.code
    return urlencode(params)


def _board_for(request) -> tuple[f.PeriodForm, kpi.MediationBoard]:
    if not kpi.can_view_board(request.user):
        raise PermissionDenied
    form, region = f.period_form(request.GET)
    scope = kpi.board_scope(request.user, region)
    return form, kpi.mediation_board(scope, form.period())


# Views ------------------------------------------------------------------------------------------


@require_GET
@never_cache
@login_required
def mediation_kpi(request):
    """The mediation KPI board (调解统计) of the viewer's region subtree."""
    form, board = _board_for(request)
    return render(
        request,
        "mediation/dashboards/kpi.html",
        {
            "form": form,
            "board": board,
            "figures": summary_figures(board),
            "tables": board_tables(board),
            "charts": chart_data(board),
            "query": _query(board),
        },
    )


@require_GET
@never_cache
@login_required
def mediation_kpi_export(request):
    """The board's tables as an Excel workbook (one sheet per table, the page's figures)."""
    _form, board = _board_for(request)
    content = board_workbook(board, board_tables(board))
    name = f"mediation-kpi-{board.scope.code or 'all'}-{board.period.from_param}-{board.period.to_param}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@never_cache
@login_required
def mediator_stats(request, pk: int | None = None):
    """A mediator's figures: their own (``stats/``), or — for board viewers — one mediator's within
    the viewer's region subtree (``stats/<id>/``). Anyone else: 403 on their own page (no
    profile), 404 on another's (it is not confirmed to exist)."""
    own = selectors.mediator_of(request.user)
    form, region = f.period_form(request.GET)
    if pk is None or (own is not None and own.pk == pk):
        if own is None:
            raise PermissionDenied
        scope = kpi.mediator_scope(own)
    else:
        if not kpi.can_view_board(request.user):
            raise Http404
        profile = selectors.mediator_by_pk(pk)
        if profile is None:
            raise Http404
        scope = kpi.mediator_scope(profile, kpi.board_scope(request.user, region))
    board = kpi.mediation_board(scope, form.period())
    return render(
        request,
        "mediation/dashboards/mediator_stats.html",
        {
            "form": form,
            "board": board,
            "mediator": scope.mediator,
            "is_own": own is not None and own.pk == scope.mediator.pk,
            "figures": summary_figures(board),
            "tables": board_tables(board, mediator_page=True),
            "charts": chart_data(board),
        },
    )


# The directory ----------------------------------------------------------------------------------


def _is_staff(user) -> bool:
    return bool(user_roles(user) - {Role.CITIZEN})


@dataclass
class DirectoryRow:
    profile: MediatorProfile
    load: int

    @property
    def full(self) -> bool:
        return self.load >= self.profile.max_concurrent


@require_GET
@never_cache
@login_required
def mediator_directory(request):
    """调解员名录: every mediator with organisation, kind, specialties, regions served, current
    load / maximum and whether active; filtered by organisation kind, specialty and region.

    A specialty filter keeps mediators whose specialties include the chosen matter, a type above
    it or one below it; a region filter those serving the region, a region above it, or one below.
    """
    if not _is_staff(request.user):
        raise PermissionDenied
    form = f.DirectoryForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    matters, regions = selectors.directory_matters(), selectors.directory_regions()
    matter = next((m for m in matters if m.code == data.get("matter")), None)
    region = next((r for r in regions if r.code == data.get("region")), None)
    if data.get("matter") and matter is None:
        form.add_error("matter", _("没有这个事项类型，请从列表中选择。"))
    if data.get("region") and region is None:
        form.add_error("region", _("没有这个地区，请从列表中选择。"))
    profiles = selectors.mediator_directory(
        kind=data.get("kind", ""), active=data.get("active", ""), matter=matter, region=region
    )
    page = Paginator(profiles, 50).get_page(request.GET.get("page"))
    loads = mediator_loads([p.pk for p in page.object_list])
    rows = [DirectoryRow(p, loads.get(p.pk, 0)) for p in page.object_list]
    params = {k: v for k, v in (data or {}).items() if v}
    return render(
        request,
        "mediation/dashboards/directory.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "matters": matters,
            "regions": regions,
            "chosen": {
                "kind": data.get("kind", ""),
                "matter": data.get("matter", ""),
                "region": data.get("region", ""),
                "active": data.get("active", ""),
            },
            "page_query": urlencode(params),
            "can_view_board": kpi.can_view_board(request.user),
        },
    )
