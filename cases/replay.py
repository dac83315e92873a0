"""The cases the rule-change replay routes again (``routing.replay``, registered in ``CasesConfig.ready``).

Read-only and set-based: the kinds of case come from one ``GROUP BY`` streamed in chunks; the
listing of single cases walks the primary key in bounded pages. Cases that were never dispatched
and never will be — 不予受理 (rejected) and 已合并 (merged into another case) — are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count

from routing.models import MatterType, Region
from routing.replay import Kind, ReplaySource

from .models import Case, Status

NEVER_ROUTED = [Status.REJECTED, Status.MERGED]
CHUNK = 2000


def _replayed(since: datetime, until: datetime):
    return Case.objects.filter(created_at__gte=since, created_at__lt=until).exclude(status__in=NEVER_ROUTED)


def _codes() -> tuple[dict[int, str], dict[int, str]]:
    return dict(MatterType.objects.values_list("id", "code")), dict(Region.objects.values_list("id", "code"))


def replay_kinds(since: datetime, until: datetime) -> Iterator[tuple[Kind, int]]:
    """(matter, region, party count, channel, severity) → number of cases created in ``[since, until)``."""
    matters, regions = _codes()
    rows = (
        _replayed(since, until)
        .order_by()
        .values_list("matter_id", "region_id", "people_count", "channel", "severity")
        .annotate(n=Count("id"))
    )
    for matter_id, region_id, people, channel, severity, count in rows.iterator(chunk_size=CHUNK):
        yield (matters[matter_id], regions[region_id], people, channel, severity), count


def replay_cases(since: datetime, until: datetime, kinds: set[Kind]) -> Iterator[tuple[str, Kind]]:
    """(case number, kind) of the cases in ``[since, until)`` whose kind is in ``kinds``, by id."""
    matters, regions = _codes()
    rows = (
        _replayed(since, until)
        .order_by("id")
        .values_list("id", "number", "matter_id", "region_id", "people_count", "channel", "severity")
    )
    last = 0
    while True:
        page = list(rows.filter(id__gt=last)[:CHUNK])
        if not page:
            return
        for _pk, number, matter_id, region_id, people, channel, severity in page:
            kind = (matters[matter_id], regions[region_id], people, channel, severity)
            if kind in kinds:
                yield number, kind
        last = page[-1][0]


SOURCE = ReplaySource(kinds=replay_kinds, cases=replay_cases)
