"""The monthly report's 研判预警 parts (issue #15): 每月一题候选 — the period's most frequent
problems by place and matter with their trend over the periods before — and 本月预警 — the risk
warnings raised in the period and how they were handled. Both are grouped reads of the scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from cases.models import Case
from core.periods import Period, add_months
from routing.models import MatterType

from ..models import RiskKind, RiskStatus, RiskWarning
from .services import _Directory, risk_rules

#: How many periods before the report's own the trend compares with.
TREND_PERIODS = 2


@dataclass
class TopicRow:
    """One 每月一题 candidate: a matter in a town (or the place above town level it was filed at)."""

    place: str
    matter: str
    count: int
    previous: list[int]  # the periods before, oldest first

    @property
    def trend(self) -> str:
        """The count against the average of the periods before, in words."""
        before = sum(self.previous) / len(self.previous) if self.previous else 0
        if not before:
            return _("新出现")
        change = (self.count - before) / before
        if abs(change) < 0.1:
            return _("基本持平")
        word = _("上升") if change > 0 else _("下降")
        return _("%(word)s%(pct)s%%") % {"word": word, "pct": f"{abs(change) * 100:.0f}"}


def _windows(period: Period) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """(start, end, label) of the ``TREND_PERIODS`` periods before ``period`` and of ``period``
    itself, oldest first: calendar months for a month, else windows of the same length."""
    windows = []
    for back in range(TREND_PERIODS, -1, -1):
        if period.is_month:
            first = add_months(period.start, -back)
            p = Period.month(first.year, first.month)
        else:
            length = (period.end - period.start).days + 1
            p = Period(period.start - dt.timedelta(days=length * back), period.end - dt.timedelta(days=length * back))
        windows.append((p.start_at, p.end_at, p.label))
    return windows


def monthly_topics(scope_path: str, period: Period, *, limit: int = 5) -> tuple[list[TopicRow], list[str]]:
    """The period's ``limit`` most frequent (town, matter) pairs in the scope, with their counts in
    the periods before; and the labels of those periods. One grouped query (place × matter ×
    window) over the three periods' cases; merged duplicates count (each is a citizen's report)."""
    windows = _windows(period)
    cases = Case.objects.filter(created_at__gte=windows[0][0], created_at__lt=windows[-1][1])
    if scope_path:
        cases = cases.filter(region__path__startswith=scope_path)
    counts = {
        f"w{i}": Count("region", filter=Q(created_at__gte=start, created_at__lt=end))
        for i, (start, end, _label) in enumerate(windows)
    }
    rows = cases.values(region_path=F("region__path"), matter_key=F("matter")).annotate(**counts).order_by()
    directory = _Directory()
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * len(windows))
    names: dict[int, str] = {}
    for row in rows:
        town = directory.town(row["region_path"])
        names[town.pk] = town.name
        cell = cells[(town.pk, row["matter_key"])]
        for i in range(len(windows)):
            cell[i] += row[f"w{i}"]
    top = sorted(
        ((key, cell) for key, cell in cells.items() if cell[-1]),
        key=lambda item: (-item[1][-1], -sum(item[1][:-1]), item[0]),
    )[:limit]
    matters = dict(MatterType.objects.filter(pk__in={key[1] for key, _c in top}).values_list("pk", "name"))
    topics = [
        TopicRow(place=names[town_id], matter=matters[matter_id], count=cell[-1], previous=cell[:-1])
        for (town_id, matter_id), cell in top
    ]
    return topics, [label for _s, _e, label in windows[:-1]]


@dataclass
class WarningSummary:
    raised: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    assessed: int = 0
    open: int = 0
    rows: list[RiskWarning] = field(default_factory=list)


def period_warnings(scope_path: str, period: Period, *, limit: int = 10) -> WarningSummary:
    """The risk warnings of the scope raised in the period: counts by kind and by state (now),
    and the first ``limit`` of them, open ones first. Two queries."""
    qs = RiskWarning.objects.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
    if scope_path:
        qs = qs.filter(region__path__startswith=scope_path)
    summary = WarningSummary()
    for row in qs.values("kind", "status").annotate(n=Count("id")).order_by():
        summary.raised += row["n"]
        summary.by_kind[row["kind"]] = summary.by_kind.get(row["kind"], 0) + row["n"]
        if row["status"] == RiskStatus.ASSESSED:
            summary.assessed += row["n"]
        else:
            summary.open += row["n"]
    summary.rows = list(
        qs.select_related("region", "matter").order_by(F("acknowledged_at").asc(nulls_first=True), "created_at", "id")[
            :limit
        ]
    )
    return summary


def warning_text(w: RiskWarning) -> str:
    """A warning's finding in one line (the phone, if any, is already masked)."""
    rules = risk_rules()
    if w.kind == RiskKind.SURGE:
        text = _("近%(d)s日 %(n)s 件") % {"d": rules["surge_days"], "n": w.count}
        if w.ratio:
            text += _("，为前%(w)s周周均的 %(r)s 倍") % {"w": rules["baseline_weeks"], "r": f"{w.ratio:.1f}"}
        return text
    if w.kind == RiskKind.GROUP:
        return _("案件 %(c)s，涉及 %(p)s 人、%(n)s 件诉求") % {"c": w.subject, "p": w.people, "n": w.claims}
    return _("手机号 %(phone)s，近%(d)s日 %(n)s 件诉求") % {
        "phone": w.subject,
        "d": rules["frequent_days"],
        "n": w.count,
    }
