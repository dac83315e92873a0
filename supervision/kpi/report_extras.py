"""The monthly report's extras (docs/kpi.md): the worst units of a board, and the open cases in
scope furthest past their stage's due time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cases.models import OPEN_STATUSES, Case

from .measures import KpiBoard, KpiRow, KpiScope


def worst_units(board: KpiBoard, *, min_closed: int = 5, limit: int = 5) -> list[KpiRow]:
    """Units with the lowest 按期办结率 among those that closed at least ``min_closed`` cases."""
    rows = [r for r in board.ranking if r.measures.closed >= min_closed]
    return sorted(rows, key=lambda r: (r.measures.on_time_rate, -r.measures.closed, r.key))[:limit]


@dataclass
class OverdueCase:
    number: str
    title: str
    matter: str
    region: str
    unit: str
    status: str
    due_at: dt.datetime
    days_overdue: int


def longest_overdue(scope: KpiScope, *, now: dt.datetime | None = None, limit: int = 10) -> list[OverdueCase]:
    """Open cases in scope past their stage's due time, longest overdue first (one bounded query)."""
    now = now or timezone.now()
    cases = (
        Case.objects.filter(scope.case_filter(), status__in=OPEN_STATUSES, stage_due_at__lt=now)
        .select_related("matter", "region", "lead_unit", "centre")
        .order_by("stage_due_at", "id")[:limit]
    )
    return [
        OverdueCase(
            number=c.number,
            title=c.title,
            matter=c.matter.name,
            region=c.region.name,
            unit=(c.lead_unit or c.centre).name,
            status=c.get_status_display(),
            due_at=c.stage_due_at,
            days_overdue=max((now - c.stage_due_at).days, 0),
        )
        for c in cases
    ]
