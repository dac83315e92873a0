"""推诿次数 (issue #15, docs/handover.md): the grouped count behind ``KpiDaily.buck_passes``, read by
``supervision.kpi.measures.fine_rows`` (the board's live part and the snapshot writer alike).
A module of its own because ``measures`` is at its size limit."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate

from cases.models import HandoverRequest

from .measures import Ranges, _in_ranges, _under, matter_top, place


def buck_pass_rows(ranges: Ranges, scope_path: str, base_path: str | None = None) -> QuerySet:
    """推诿次数 (issue #15, docs/handover.md) per day × place × matter × channel × unit: the unit's
    退回/转办申请 charged in the period (``charged_at``: refused by the centre, or approved on a case
    that became buck-passed), by the unit that asked. Found through the partial index
    ``handover_charged``."""
    return (
        HandoverRequest.objects.filter(_in_ranges("charged_at", ranges), _under(scope_path, "case__"))
        .annotate(day=TruncDate("charged_at"))
        .values(
            "day",
            region_path=place("case__", base_path),
            matter_top=matter_top("case__"),
            channel_code=F("case__channel"),
            unit_code=F("unit__code"),
        )
        .annotate(buck_passes=Count("id"))
        .order_by()
    )
