"""The tables behind the KPI board (``core.kpi_tables.KpiTable``; the same ones go to the Excel
export and the PDF), its headline figures with their definitions, and the data its charts draw."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.kpi_tables import DAYS, INT, RATE, TEXT, Cell, KpiTable, summary_table
from core.periods import ratio

from .measures import KpiBoard


def summary_figures(board: KpiBoard) -> list[tuple[str, str, object, str, str]]:
    """(key, name, value, kind, definition) of each headline figure: counts first, then rates (the
    figures of issue #11 last, so the earlier rows keep their places in the exports)."""
    t = board.totals
    return [
        ("registered", _("受理量"), t.registered, INT, _("期内登记的案件数（含其后不予受理、撤回、合并的）")),
        ("closed", _("办结量"), t.closed, INT, _("期内办结（状态为已办结）的案件数，不论何时登记")),
        ("still_open", _("期末在办"), board.cohort_open, INT, _("期内登记的案件中，期末仍在办理的件数")),
        (
            "avg_working_days",
            _("平均办结用时"),
            t.avg_working_days,
            DAYS,
            _("登记至办结的工作日数，按期内办结案件平均"),
        ),
        ("returns", _("退回次数"), t.returns, INT, _("期内承办单位将案件退回中心重新分派的次数")),
        (
            "completion_rate",
            _("办结率"),
            board.completion_rate,
            RATE,
            _("期内登记的案件中：期末已办结 ÷（期末已办结 + 期末仍在办）"),
        ),
        (
            "on_time_rate",
            _("按期办结率"),
            t.on_time_rate,
            RATE,
            _("期内办结案件中，办结前各环节从未超期（红色预警）的比例"),
        ),
        (
            "mediation_rate",
            _("化解成功率"),
            t.mediation_rate,
            RATE,
            _("可调解事项的期内办结案件中：调解成功 ÷（调解成功 + 暂无法解决 + 已引导其他途径）"),
        ),
        ("local_rate", _("就地化解率"), t.local_rate, RATE, _("期内办结案件中，由乡镇街道及以下单位办结的比例")),
        (
            "satisfaction_rate",
            _("满意率"),
            t.satisfaction_rate,
            RATE,
            _("已评价的期内办结案件中，满意与基本满意的比例"),
        ),
        (
            "response_rate",
            _("响应率"),
            t.response_rate,
            RATE,
            _("首次联系时限在期内届满的案件中，承办单位按时联系群众的比例（时限届满前撤回、合并且未联系的不计）"),
        ),
        (
            "solve_rate",
            _("解决率"),
            t.solve_rate,
            RATE,
            _("期内办结且群众回答了“问题是否解决”的案件中，回答已解决的比例（联系不上、未回答的不计）"),
        ),
        (
            "rework_rate",
            _("重办率"),
            t.rework_rate,
            RATE,
            _("期内驳回重办次数 ÷ 期内提交办理结果次数"),
        ),
        ("presses", _("催办次数"), t.presses, INT, _("期内群众对在办案件点击“催办”的次数")),
        # issue #13, after the figures of issue #11 (earlier rows keep their places in the exports)
        ("repeats", _("重复诉求数"), t.repeats, INT, _("期内作为重复诉求并入其他案件（已合并）的件数")),
        (
            "repeat_rate",
            _("重复诉求率"),
            t.repeat_rate,
            RATE,
            _("期内并入其他案件的重复诉求数 ÷ 期内受理量"),
        ),
    ]


#: The measures after the label in the breakdown tables: (attribute of ``Measures``, kind).
#: The three rates and re-work (issue #11), at the end of the trend, matter and channel tables.
SERVICE_MEASURES = [("response_rate", RATE), ("solve_rate", RATE), ("rework_rate", RATE)]
TREND_MEASURES = [
    ("registered", INT),
    ("repeat_rate", RATE),
    ("closed", INT),
    ("month_completion_rate", RATE),
    ("on_time_rate", RATE),
    ("satisfaction_rate", RATE),
    *SERVICE_MEASURES,
]
MATTER_MEASURES = [
    ("registered", INT),
    ("repeat_rate", RATE),
    ("closed", INT),
    ("on_time_rate", RATE),
    ("mediation_rate", RATE),
    ("satisfaction_rate", RATE),
    *SERVICE_MEASURES,
]
REGION_MEASURES = [
    ("registered", INT),
    ("repeat_rate", RATE),
    ("closed", INT),
    ("on_time_rate", RATE),
    ("local_rate", RATE),
    ("satisfaction_rate", RATE),
]


def _service_headers() -> list[str]:
    return [_("响应率"), _("解决率"), _("重办率")]


def _measure_rows(rows, names: list[tuple[str, str]]) -> list[list[Cell]]:
    """One line per row: its label, then the named measures."""
    return [[(row.label, TEXT)] + [(getattr(row.measures, name), kind) for name, kind in names] for row in rows]


def kpi_tables(board: KpiBoard) -> list[KpiTable]:
    return [
        summary_table(summary_figures(board)),
        KpiTable(
            "trend",
            _("月度趋势（近12个月）"),
            [
                _("月份"),
                _("受理量"),
                _("重复诉求率"),
                _("办结量"),
                _("办结率"),
                _("按期办结率"),
                _("满意率"),
                *_service_headers(),
            ],
            _measure_rows(board.trend, TREND_MEASURES),
        ),
        KpiTable(
            "matter",
            _("按事项大类"),
            [
                _("事项大类"),
                _("受理量"),
                _("重复诉求率"),
                _("办结量"),
                _("按期办结率"),
                _("化解成功率"),
                _("满意率"),
                *_service_headers(),
            ],
            _measure_rows(board.by_matter, MATTER_MEASURES),
        ),
        KpiTable(
            "region",
            _("按地区"),
            [_("地区"), _("受理量"), _("重复诉求率"), _("办结量"), _("按期办结率"), _("就地化解率"), _("满意率")],
            _measure_rows(board.by_region, REGION_MEASURES),
        ),
        _channel_table(board),
        _ranking_table(board),
    ]


def _channel_table(board: KpiBoard) -> KpiTable:
    total_registered = board.totals.registered
    return KpiTable(
        "channel",
        _("按来源渠道"),
        [_("来源渠道"), _("受理量"), _("占比"), _("重复诉求率"), _("办结量"), _("满意率"), *_service_headers()],
        [
            [
                (row.label, TEXT),
                (row.measures.registered, INT),
                (ratio(row.measures.registered, total_registered), RATE),
                (row.measures.repeat_rate, RATE),
                (row.measures.closed, INT),
                (row.measures.satisfaction_rate, RATE),
            ]
            + [(getattr(row.measures, name), kind) for name, kind in SERVICE_MEASURES]
            for row in board.by_channel
        ],
        note=_(
            "满意率、解决率按期内办结案件的来源渠道统计；评价方式（网上、短信链接、电话回访）不影响口径。"
            "重复诉求率按重复诉求本身的来源渠道统计（例如热线重复来电）。"
        ),
    )


def _ranking_table(board: KpiBoard) -> KpiTable:
    return KpiTable(
        "ranking",
        _("承办单位排名"),
        [
            _("排名"),
            _("单位"),
            _("承办量"),
            _("办结量"),
            _("按期办结率"),
            _("满意率"),
            _("已剔除不合理诉求（件）"),
            _("退回数"),
            *_service_headers(),
            _("催办数"),
            _("推诿次数"),
        ],
        [
            [
                (row.rank, INT),
                (row.label, TEXT),
                (row.cases, INT),
                (row.measures.closed, INT),
                (row.measures.on_time_rate, RATE),
                (row.measures.satisfaction_rate, RATE),
                (row.measures.unreason_excluded, INT),
                (row.measures.returns, INT),
                (row.measures.response_rate, RATE),
                (row.measures.solve_rate, RATE),
                (row.measures.rework_rate, RATE),
                (row.measures.presses, INT),
                (row.measures.buck_passes, INT),
            ]
            for row in board.ranking
        ],
        sort_keys=[
            "",
            "",
            "cases",
            "closed",
            "on_time",
            "satisfaction",
            "",
            "returns",
            "response",
            "solve",
            "rework",
            "presses",
            "buck_passes",
        ],
        note=_(
            "承办量：期内签收（即接即办的为受理中心当场办结）的案件数；办结量、按期办结率、满意率、解决率按期内办结的案件计；"
            "满意率不含经诉求服务中心认定为不合理诉求、恶意诉求的案件，剔除件数列在其后（全区、各事项、各渠道的满意率不剔除）；"
            "退回数：期内退回中心重新分派的次数；响应率按首次联系时限在期内届满的案件计；重办率：期内被驳回重办次数 ÷ 提交办理结果次数；"
            "催办数：群众对本单位主办案件的催办次数；推诿次数：本单位的退回/转办申请中心不同意，或同意后案件仍在单位间多次移交（两次及以上）的次数。"
            "点击列名可按该列排序。"
        ),
    )


def chart_data(board: KpiBoard) -> dict:
    """What ``static/js/kpi-charts.js`` draws (embedded in the page with ``json_script``)."""

    def percent(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    matters = board.by_matter[:10]
    return {
        "labels": {
            "registered": _("受理量"),
            "closed": _("办结量"),
            "on_time_rate": _("按期办结率（%）"),
            "empty": _("本期无数据"),
        },
        "titles": {
            "trend": _("月度趋势（近12个月）"),
            "matter": _("按事项大类（前10）"),
            "region": _("按地区"),
            "channel": _("按来源渠道（受理量）"),
        },
        "trend": {
            "months": [row.label for row in board.trend],
            "registered": [row.measures.registered for row in board.trend],
            "closed": [row.measures.closed for row in board.trend],
            "on_time_rate": [percent(row.measures.on_time_rate) for row in board.trend],
        },
        "matter": {
            "labels": [row.label for row in matters],
            "registered": [row.measures.registered for row in matters],
            "closed": [row.measures.closed for row in matters],
        },
        "region": {
            "labels": [row.label for row in board.by_region],
            "registered": [row.measures.registered for row in board.by_region],
            "closed": [row.measures.closed for row in board.by_region],
        },
        "channel": [{"name": row.label, "value": row.measures.registered} for row in board.by_channel],
    }
