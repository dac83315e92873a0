"""The overdue board (超期看板) and its Excel export: the same selector, the same figures."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases.templatetags.case_tags import referral_words
from cases.templatetags.staff_case_tags import channel_label
from core.formatting import cn_datetime
from core.xlsx import BOLD, WorkbookWriter
from supervision import selectors
from supervision.forms import OverdueFilterForm
from supervision.permissions import can_issue_order
from supervision.thresholds import current_thresholds

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _board(request):
    """(form, board or None, sort, descending) for the board and the export alike."""
    user = request.user
    if not selectors.can_use_boards(user):
        raise PermissionDenied
    form = OverdueFilterForm(
        request.GET,
        regions=selectors.board_regions(user),
        units=selectors.board_units(user),
        matters=selectors.top_matters(),
    )
    sort = request.GET.get("sort", "red")
    if sort not in selectors.SORT_COLUMNS:
        sort = "red"
    descending = request.GET.get("dir", "asc" if sort == "unit" else "desc") != "asc"
    board = None
    if form.is_valid():
        board = selectors.overdue_board(user, form.filters(), now=timezone.now(), sort=sort, descending=descending)
    return form, board, sort, descending


#: The unit table's columns: key, heading, short heading for phones.
COLUMNS = [
    ("unit", gettext_lazy("承办单位"), gettext_lazy("单位")),
    ("blue", gettext_lazy("蓝色预警"), gettext_lazy("蓝")),
    ("yellow", gettext_lazy("黄色预警"), gettext_lazy("黄")),
    ("red", gettext_lazy("红色预警（超期）"), gettext_lazy("红")),
    ("total", gettext_lazy("在办合计"), gettext_lazy("合计")),
    ("contact_late", gettext_lazy("首次联系超时"), gettext_lazy("未联系")),
    ("presses", gettext_lazy("群众催办"), gettext_lazy("催办")),
    ("joint_late", gettext_lazy("联办任务超期"), gettext_lazy("联办超期")),
]


@login_required
@require_GET
def overdue_board(request):
    """Counts by warning level per unit (sortable) and the red list, for the user's scope."""
    form, board, sort, descending = _board(request)
    user = request.user
    if board is not None:
        for row in board.red:
            row.can_issue = can_issue_order(user, row.case)
    headers = []
    for key, label, short in COLUMNS:
        active = key == sort
        # A click on the sorted column turns it round; another column starts from its natural
        # direction (units A→Z, figures largest first).
        natural = "asc" if key == "unit" else "desc"
        next_dir = ("asc" if descending else "desc") if active else natural
        headers.append(
            {
                "key": key,
                "label": label,
                "short": short,
                "active": active,
                "dir": next_dir,
                "aria": ("descending" if descending else "ascending") if active else "none",
            }
        )
    filtered = any(request.GET.get(name) for name in form.fields)
    context = {
        "form": form,
        "board": board,
        "headers": headers,
        "sort": sort,
        "descending": descending,
        "filtered": filtered,
        "limit": selectors.RED_LIST_LIMIT,
        "scope": selectors.scope_label(user),
        "shares": {level: f"{round(share * 100)}%" for level, share in current_thresholds().items()},
    }
    return render(request, "supervision/overdue.html", context, status=200 if board is not None else 400)


@login_required
@require_GET
def overdue_export(request):
    """The board's two tables as an Excel workbook (单位统计, 超期清单), same filters and order."""
    form, board, _sort, _descending = _board(request)
    if board is None:
        return overdue_board(request)  # the filters are wrong: the board says what to fix (400)
    content = _workbook(board, form.summary())
    stamp = timezone.localtime(board.now)
    name = _("超期看板") + f"-{stamp:%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    # An ASCII name for old clients and the Chinese one per RFC 5987 / RFC 6266.
    response["Content-Disposition"] = (
        f"attachment; filename=\"overdue-board-{stamp:%Y%m%d-%H%M}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _unit_counts(row: selectors.UnitRow) -> list[int]:
    return [getattr(row, name) for name in selectors.UNIT_COUNTS]


def _workbook(board: selectors.Board, summary: str) -> bytes:
    generated = _("筛选条件：%(f)s；导出时间：%(t)s") % {"f": summary, "t": cn_datetime(board.now)}

    def sheet(ws, headers, rows, widths, totals=None, formats=()):
        ws.header(headers)
        for row in rows:
            ws.row(row, formats=formats)
        if totals is not None:
            ws.row(totals, font=BOLD)
        ws.row([])
        ws.row([generated])
        ws.freeze("A2")
        ws.widths(widths)
        return ws

    book = WorkbookWriter()
    sheet(
        book.sheet(_("单位统计")),
        [
            _("承办单位"),
            _("所在区划"),
            _("蓝色预警"),
            _("黄色预警"),
            _("红色预警（超期）"),
            _("在办合计"),
            _("首次联系超时"),
            _("群众催办（次）"),
            _("联办任务超期"),
        ],
        [[r.unit.name, r.unit.region.name, *_unit_counts(r)] for r in board.units],
        [36, 14, 10, 10, 16, 10, 14, 14, 14],
        totals=[_("合计"), "", *_unit_counts(board.totals)],
    )
    red = sheet(
        book.sheet(_("超期清单")),
        [
            _("案件编号"),
            _("标题"),
            _("超期天数"),
            _("承办单位"),
            _("事项"),
            _("发生地"),
            _("所处环节"),
            _("本环节时限"),
            _("挂牌督办"),
            _("来源渠道"),
            _("诉求次数（含重复）"),
            _("群众催办（次）"),
            _("上级交办"),
        ],  # fmt: skip
        [
            [
                r.case.number,
                r.case.title,
                r.days_overdue,
                r.holder.name,
                r.case.matter.name,
                r.place,
                str(r.case.stage_label),
                cn_datetime(r.case.stage_due_at),
                _("挂牌督办") if r.case.plate_hung_at else "",
                channel_label(r.case.channel),
                r.case.repeat_count,
                r.case.press_count,
                referral_words(r.case),
            ]
            for r in board.red
        ],
        [22, 36, 10, 30, 14, 26, 10, 20, 12, 12, 12, 14, 44],
        formats=["", "", "0.0"],
    )
    if board.red_more:
        red.row([_("仅列出超期最久的 %(n)d 件，请缩小筛选范围查看其余案件。") % {"n": selectors.RED_LIST_LIMIT}])
    return book.content()
