"""The monthly analysis report of the KPI board (PDF); its Excel export is
``core.kpi_tables.board_workbook``.

The PDF is built on ``core.pdf``: every text is escaped before it reaches a ``Paragraph``, and
ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1) needs no font file — the PDF viewer
supplies the glyphs (on Linux, poppler needs the ``poppler-data`` package for it). Charts are
drawn with ``reportlab.graphics``, no browser needed.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from core import pdf
from core.kpi_tables import DAYS, RATE, fmt
from core.pdf import FONT, para
from core.periods import Period, ratio

from . import measures as kpi
from .report_extras import longest_overdue, worst_units
from .tables import summary_figures

SERIES = [colors.HexColor("#b3261e"), colors.HexColor("#2563eb"), colors.HexColor("#d97706")]


def _styles() -> dict:
    return pdf.styles(
        10.5,
        17,
        overrides={"note": {"spaceBefore": 4}, "small_cell": {"fontSize": 7.5, "leading": 10}},
    )


def _table(headers: list[str], rows: list[list[str]], widths: list[float], styles, *, compact: bool = False) -> Table:
    """A bordered table; ``compact`` (the wide tables with the service rates) uses a 7.5 pt font
    and narrower padding so nine columns still fit the A4 portrait text width."""
    cell = styles["small_cell" if compact else "cell"]
    data = [[para(h, cell) for h in headers]]
    data += [[para(c, cell) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e5e4")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d1d5db")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#faf9f7")]),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *([("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)] if compact else []),
            ]
        )
    )
    return table


#: The service rates of issue #11 at the end of each breakdown row (matter, region, channel, units).
SERVICE_RATES = [
    (lambda: _("响应率"), "response_rate"),
    (lambda: _("解决率"), "solve_rate"),
    (lambda: _("重办率"), "rework_rate"),
]


def _service_headers() -> list[str]:
    return [heading() for heading, _attr in SERVICE_RATES]


def _service_cells(measures) -> list[str]:
    return [fmt(getattr(measures, attr), RATE) for _heading, attr in SERVICE_RATES]


def _legend(drawing: Drawing, x: float, y: float, names: list[str]) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 64
    legend.dx, legend.dy = 8, 8
    legend.colorNamePairs = list(zip(SERIES, names, strict=False))
    drawing.add(legend)


def _axis_fonts(chart) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 7.5
    chart.valueAxis.forceZero = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e5e7eb")
    chart.valueAxis.visibleGrid = True


def _value_max(series: list[list[int]]) -> int:
    top = max([v for values in series for v in values if v is not None] + [0])
    return max(5, int(top * 1.15) + 1)


def trend_chart(board: kpi.KpiBoard, width: float) -> Drawing:
    drawing = Drawing(width, 170)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 36, 34, width - 50, 110
    series = [[r.measures.registered for r in board.trend], [r.measures.closed for r in board.trend]]
    chart.data = series
    chart.categoryAxis.categoryNames = [r.label[2:] for r in board.trend]  # 26-10
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, _value_max(series)
    _axis_fonts(chart)
    for index, color in enumerate(SERIES[:2]):
        chart.lines[index].strokeColor = color
        chart.lines[index].strokeWidth = 1.6
    drawing.add(chart)
    _legend(drawing, 40, 162, [_("受理量"), _("办结量")])
    return drawing


def bar_chart(rows: list[kpi.KpiRow], width: float, *, label_chars: int = 6) -> Drawing:
    drawing = Drawing(width, 185)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 48, width - 50, 110
    series = [[r.measures.registered for r in rows] or [0], [r.measures.closed for r in rows] or [0]]
    chart.data = series
    chart.categoryAxis.categoryNames = [r.label[:label_chars] for r in rows] or [""]
    chart.categoryAxis.labels.angle = 30 if len(rows) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 6 else "n"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, _value_max(series)
    chart.barSpacing, chart.groupSpacing = 1, 8
    _axis_fonts(chart)
    for index, color in enumerate(SERIES[:2]):
        chart.bars[index].fillColor = color
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    _legend(drawing, 40, 177, [_("受理量"), _("办结量")])
    if not rows:
        drawing.add(String(width / 2, 100, _("本期无数据"), fontName=FONT, fontSize=10, textAnchor="middle"))
    return drawing


def _summary_text(board: kpi.KpiBoard) -> str:
    t = board.totals
    return _(
        "%(period)s，%(scope)s共受理群众诉求%(registered)s件，办结%(closed)s件；本期登记案件办结率%(completion)s，"
        "按期办结率%(on_time)s，化解成功率%(mediation)s，就地化解率%(local)s，满意率%(satisfaction)s，"
        "平均办结用时%(days)s个工作日；承办单位退回%(returns)s次。"
        "响应率%(response)s，解决率%(solve)s，重办率%(rework)s；群众催办%(presses)s次。"
        "重复诉求%(repeats)s件，重复诉求率%(repeat_rate)s。"
    ) % {
        "period": board.period.label,
        "scope": board.scope.name,
        "registered": t.registered,
        "closed": t.closed,
        "completion": fmt(board.completion_rate, RATE),
        "on_time": fmt(t.on_time_rate, RATE),
        "mediation": fmt(t.mediation_rate, RATE),
        "local": fmt(t.local_rate, RATE),
        "satisfaction": fmt(t.satisfaction_rate, RATE),
        "days": fmt(t.avg_working_days, DAYS),
        "returns": t.returns,
        "response": fmt(t.response_rate, RATE),
        "solve": fmt(t.solve_rate, RATE),
        "rework": fmt(t.rework_rate, RATE),
        "presses": t.presses,
        "repeats": t.repeats,
        "repeat_rate": fmt(t.repeat_rate, RATE),
    }


def report_title(scope: kpi.KpiScope) -> str:
    return _("%(scope)s群众诉求服务月度分析报告") % {"scope": scope.name}


def monthly_report_pdf(scope: kpi.KpiScope, period: Period, *, now: dt.datetime | None = None) -> bytes:
    """The monthly analysis report: summary figures, trend and breakdown charts, top matters,
    the units with the lowest 按期办结率 (≥ 5 closed), the longest overdue open cases, the 每月一题
    candidates and the period's risk warnings (研判预警)."""
    pdf.register_font()
    now = now or timezone.now()
    board = kpi.kpi_board(scope, period, now=now)
    styles = _styles()
    out = BytesIO()
    title = report_title(scope)
    generated = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    doc = pdf.document(
        out,
        title=title,
        author=_("一口办群众诉求服务平台"),
        margins=(18 * mm,) * 4,
        subject=period.label,
    )
    width = doc.width
    footer = pdf.page_footer(
        left=lambda _page: f"{title}　{period.label}", right=lambda page: _("第 %(n)d 页") % {"n": page}
    )
    story: list = [
        para(title, styles["title"]),
        para(
            _("统计期间：%(period)s　　生成时间：%(at)s") % {"period": period.label, "at": generated},
            styles["subtitle"],
        ),
        Spacer(1, 8),
        *_summary_section(board, width, styles),
        para(_("二、近12个月趋势"), styles["h2"]),
        trend_chart(board, width),
        _service_trend_table(board, width, styles),
        _matter_section(board, width, styles),
        _region_section(board, width, styles),
        *_channel_section(board, width, styles),
        *_worst_units_section(worst_units(board), width, styles),
        *_overdue_section(longest_overdue(scope, now=now), width, styles),
        *_topics_section(scope, period, width, styles),
        *_risk_section(scope, period, width, styles),
    ]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _summary_section(board, width, styles) -> list:
    figures = summary_figures(board)
    return [
        para(_("一、总体情况"), styles["h2"]),
        para(_summary_text(board), styles["body"]),
        Spacer(1, 6),
        _table(
            [_("指标"), _("数值"), _("口径")],
            [[name, fmt(value, kind), definition] for _k, name, value, kind, definition in figures],
            [32 * mm, 24 * mm, width - 56 * mm],
            styles,
        ),
    ]


def _matter_section(board, width, styles) -> KeepTogether:
    return _breakdown_section(
        [para(_("三、事项分布"), styles["h2"]), bar_chart(board.by_matter[:10], width)],
        [para(_("受理量居前的事项大类："), styles["body"])],
        board.by_matter[:5],
        (_("事项大类"), _("化解成功率"), "mediation_rate"),
        width,
        styles,
    )


def _region_section(board, width, styles) -> KeepTogether:
    return _breakdown_section(
        [para(_("四、地区分布"), styles["h2"]), bar_chart(board.by_region, width)],
        [],
        board.by_region,
        (_("地区"), _("就地化解率"), "local_rate"),
        width,
        styles,
    )


def _breakdown_section(head: list, intro: list, rows, columns: tuple[str, str, str], width, styles) -> KeepTogether:
    """A breakdown kept on one page: heading and chart, then a table of ``rows`` with their own
    label and fourth rate (``columns``: label heading, rate heading, ``Measures`` attribute)."""
    label, rate_heading, rate = columns
    table = _table(
        [label, _("受理量"), _("办结量"), _("按期办结率"), rate_heading, _("满意率"), *_service_headers()],
        [
            [
                r.label,
                r.measures.registered,
                r.measures.closed,
                fmt(r.measures.on_time_rate, RATE),
                fmt(getattr(r.measures, rate), RATE),
                fmt(r.measures.satisfaction_rate, RATE),
                *_service_cells(r.measures),
            ]
            for r in rows
        ]
        or [[_("本期无数据")] + [""] * 8],
        [width * 0.2] + [width * 0.1] * 8,
        styles,
        compact=True,
    )
    return KeepTogether([*head, *intro, table])


def _channel_section(board, width, styles) -> list:
    return [
        para(_("五、来源渠道"), styles["h2"]),
        _table(
            [_("来源渠道"), _("受理量"), _("占比"), _("办结量"), _("满意率"), *_service_headers()],
            [
                [
                    r.label,
                    r.measures.registered,
                    fmt(ratio(r.measures.registered, board.totals.registered), RATE),
                    r.measures.closed,
                    fmt(r.measures.satisfaction_rate, RATE),
                    *_service_cells(r.measures),
                ]
                for r in board.by_channel
            ]
            or [[_("本期无数据")] + [""] * 7],
            [width * 0.23] + [width * 0.11] * 7,
            styles,
            compact=True,
        ),
    ]


def _service_trend_table(board, width, styles) -> Table:
    """The three rates (响应率, 解决率, 满意率) and 重办率 of each month of the trend."""
    return _table(
        [_("月份"), _("响应率"), _("解决率"), _("满意率"), _("重办率"), _("催办次数")],
        [
            [
                r.label,
                fmt(r.measures.response_rate, RATE),
                fmt(r.measures.solve_rate, RATE),
                fmt(r.measures.satisfaction_rate, RATE),
                fmt(r.measures.rework_rate, RATE),
                r.measures.presses,
            ]
            for r in board.trend
        ],
        [width * 0.2] + [width * 0.16] * 5,
        styles,
    )


def _worst_units_section(worst, width, styles) -> list:
    heading = para(_("六、按期办结率较低的承办单位"), styles["h2"])
    if not worst:
        return [heading, para(_("本期没有办结 5 件及以上的承办单位。"), styles["body"])]
    table = _table(
        [_("单位"), _("承办量"), _("办结量"), _("按期办结率"), _("满意率"), *_service_headers(), _("退回数")],
        [
            [
                r.label,
                r.cases,
                r.measures.closed,
                fmt(r.measures.on_time_rate, RATE),
                fmt(r.measures.satisfaction_rate, RATE),
                *_service_cells(r.measures),
                r.measures.returns,
            ]
            for r in worst
        ],
        [width * 0.28] + [width * 0.09] * 8,
        styles,
        compact=True,
    )
    return [heading, table, para(_("仅列本期办结 5 件及以上的单位，按按期办结率由低到高排列。"), styles["note"])]


def _overdue_section(overdue, width, styles) -> list:
    heading = para(_("七、重点关注案件（超期最久的在办案件）"), styles["h2"])
    if not overdue:
        return [heading, para(_("截至报告生成时，没有超期的在办案件。"), styles["body"])]
    table = _table(
        [_("案件编号"), _("标题"), _("当前办理单位"), _("所处环节"), _("超期天数")],
        [[c.number, c.title, c.unit, c.status, c.days_overdue] for c in overdue],
        [width * 0.2, width * 0.34, width * 0.22, width * 0.12, width * 0.12],
        styles,
    )
    note = para(_("截至报告生成时仍在办且已超过本环节时限的案件，按超期时间由长到短排列。"), styles["note"])
    return [heading, table, note]


# 研判预警 (issue #15): 每月一题候选 and the period's risk warnings (supervision.risk.report) --------


def _topics_section(scope, period, width, styles) -> list:
    from ..risk.report import monthly_topics

    topics, before = monthly_topics(scope.path, period)
    heading = para(_("八、每月一题候选"), styles["h2"])
    if not topics:
        return [heading, para(_("本期没有登记诉求。"), styles["body"])]
    table = _table(
        [_("地区"), _("事项"), _("本期件数"), *before, _("趋势")],
        [[t.place, t.matter, t.count, *t.previous, t.trend] for t in topics],
        [width * 0.2, width * 0.26, width * 0.12] + [width * 0.14] * len(before) + [width * 0.14],
        styles,
    )
    note = para(
        _("本期诉求件数居前的“镇街 × 事项”，与此前各期比较；可从中选定本月重点治理的问题（每月一题）。"),
        styles["note"],
    )
    return [heading, table, note]


def _clip(value: str, limit: int = 80) -> str:
    """A long text cut for a table cell (a cell taller than the page cannot be laid out)."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _risk_section(scope, period, width, styles) -> list:
    from ..models import RiskKind
    from ..risk.report import period_warnings, warning_text

    summary = period_warnings(scope.path, period)
    heading = para(_("九、本月预警"), styles["h2"])
    if not summary.raised:
        return [heading, para(_("本期没有生成研判预警。"), styles["body"])]
    kinds = "，".join(
        _("%(kind)s %(n)s 条") % {"kind": label, "n": summary.by_kind[code]}
        for code, label in RiskKind.choices
        if summary.by_kind.get(code)
    )
    text = _("本期共生成研判预警 %(n)s 条（%(kinds)s），已研判 %(done)s 条，待研判 %(open)s 条。") % {
        "n": summary.raised,
        "kinds": kinds,
        "done": summary.assessed,
        "open": summary.open,
    }
    table = _table(
        [_("预警时间"), _("类型"), _("地区"), _("情况"), _("研判与措施")],
        [
            [
                timezone.localtime(w.created_at).strftime("%m-%d"),
                w.get_kind_display(),
                w.region.name,
                warning_text(w),
                (_("研判：%(a)s；措施：%(m)s") % {"a": _clip(w.assessment), "m": _clip(w.measures)})
                if w.assessment
                else _("待研判"),
            ]
            for w in summary.rows
        ],
        [width * 0.1, width * 0.13, width * 0.13, width * 0.3, width * 0.34],
        styles,
    )
    note = para(_("待研判的排在前面；最多列出 10 条，研判状态截至报告生成时。"), styles["note"])
    return [heading, para(text, styles["body"]), Spacer(1, 4), table, note]
