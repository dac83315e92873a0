"""Mediation KPIs (调解统计): success rate, days to settle and agreement performance, by month,
mediator, organisation and matter. Definitions are written down in ``docs/kpi.md`` ("调解"):

- 化解成功率: of the mediations **ended** (``ended_at``) in the period, settled ÷ (settled + failed);
  withdrawn ones count in neither (they are shown, but as 撤回).
- 平均调解用时: calendar days from acceptance to the end (local dates, Asia/Shanghai), averaged
  over the settled ones; one decimal.
- 协议履行: the sealed agreements of the mediations settled in the period, by performance status:
  已履行, 未履行, 待履行 (deadline not yet passed) and 待回访 (deadline passed, not yet checked).
  履行率 = 已履行 ÷ (已履行 + 未履行).

Scope: supervisors and dispatchers see the mediations whose **case place** lies in the region
subtree of a unit where they hold that role (``Case.region.path`` prefix, as the supervision board
and ``mediation.selectors.visible_mediations`` do); admins see everything; a mediator's own page
sees only their own mediations.

Every figure is a grouped SQL count: one grouped query over mediations and one over agreements
per breakdown (month, mediator, matter), each returning at most one row per month / mediator /
matter type. The totals are the sum of the month rows and the organisations the sum of their
mediators' rows (a mediator belongs to one organisation), so nothing is counted per mediation in
Python and the number of queries does not grow with the data.

Presentation helpers (``KpiTable``, the Excel writer, the ``kpi_value`` filter) are ``core``'s,
shared with the supervision board; neither board imports the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import user_roles
from cases.selectors import region_scope
from core.periods import add_months, day_start, parse_month, ratio
from routing.models import MatterType, Region

from .models import (
    Agreement,
    AgreementStatus,
    Mediation,
    MediationStatus,
    MediatorProfile,
    OrganisationKind,
    PerformanceStatus,
)

#: Roles that see the mediation KPI board (for their region subtree; admins everything).
BOARD_ROLES = {Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN}
#: Longest period the board accepts, in months (the trend shows every month of it).
MAX_MONTHS = 24
#: In a ``_grouped`` key map: the local month of the mediation's end.
END_MONTH = "@end_month"


# Period -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRange:
    """Whole calendar months (local time) from ``first`` to ``last`` inclusive (both the 1st)."""

    first: dt.date
    last: dt.date

    @classmethod
    def this_year(cls, today: dt.date | None = None) -> MonthRange:
        """January to the current month (the board's default)."""
        today = today or timezone.localdate()
        return cls(dt.date(today.year, 1, 1), dt.date(today.year, today.month, 1))

    @classmethod
    def parse(cls, first: str, last: str) -> MonthRange | None:
        a, b = parse_month(first), parse_month(last)
        return cls(a, b) if a and b else None

    @property
    def start(self) -> dt.date:
        return self.first

    @property
    def end(self) -> dt.date:
        """The last day of the last month."""
        return add_months(self.last, 1) - dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        return day_start(self.first)

    @property
    def end_at(self) -> dt.datetime:
        """Exclusive: the start of the month after ``last``."""
        return day_start(add_months(self.last, 1))

    @property
    def months(self) -> list[dt.date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    @property
    def from_param(self) -> str:
        return month_key(self.first)

    @property
    def to_param(self) -> str:
        return month_key(self.last)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return _("%(y)d年%(m)d月") % {"y": self.first.year, "m": self.first.month}
        if self.first.year == self.last.year:
            return _("%(y)d年%(a)d月至%(b)d月") % {"y": self.first.year, "a": self.first.month, "b": self.last.month}
        return _("%(y1)d年%(m1)d月至%(y2)d年%(m2)d月") % {
            "y1": self.first.year,
            "m1": self.first.month,
            "y2": self.last.year,
            "m2": self.last.month,
        }


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# Scope ------------------------------------------------------------------------------------------


@dataclass
class MediationScope:
    """Which mediations a figure counts: a region subtree (``region`` None and ``mediator`` None:
    everything), narrowed to one mediator's own when ``mediator`` is set."""

    region: Region | None = None
    mediator: MediatorProfile | None = None
    choices: list[Region] = field(default_factory=list)  # what the region picker offers
    nothing: bool = False  # a user with no scope at all (counts nothing)

    @property
    def code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def name(self) -> str:
        region = self.region.name if self.region else _("全部地区")
        if self.mediator is not None:
            return _("%(m)s（%(o)s）") % {"m": self.mediator.display_name, "o": self.mediator.organisation}
        return region

    def mediation_filter(self, prefix: str = "") -> Q:
        """Mediations in the scope (``prefix`` ``"mediation__"`` when reading agreements)."""
        if self.nothing:
            return Q(pk__in=[])
        condition = Q()
        if self.region is not None:
            condition &= Q(**{f"{prefix}case__region__path__startswith": self.region.path})
        if self.mediator is not None:
            condition &= Q(**{f"{prefix}mediator_id": self.mediator.pk})
        return condition


def can_view_board(user) -> bool:
    return user.is_authenticated and bool(user_roles(user) & BOARD_ROLES)


def board_scope(user, region_code: str = "") -> MediationScope:
    """The region subtree ``user`` sees on the board, narrowed to ``region_code`` if given.

    Supervisors and dispatchers: the region of each unit where they hold the role (and below);
    admins: everything. Anyone else is refused (403); a region outside the user's subtree is 403,
    an unknown one 404. A viewer with several separate subtrees sees the first one unless they
    pick another.
    """
    if not can_view_board(user):
        raise PermissionDenied
    region, choices = region_scope(user, {Role.SUPERVISOR, Role.DISPATCHER}, region_code)
    return MediationScope(region=region, choices=choices)


def mediator_scope(profile: MediatorProfile, within: MediationScope | None = None) -> MediationScope:
    """One mediator's own mediations (inside a board viewer's region scope, when given)."""
    region = within.region if within else None
    return MediationScope(region=region, mediator=profile, choices=within.choices if within else [])


# Measures ---------------------------------------------------------------------------------------


@dataclass
class Measures:
    """Additive counts: months, mediators, matters … sum field by field."""

    settled: int = 0
    failed: int = 0
    withdrawn: int = 0
    settle_days: int = 0  # calendar days acceptance → end, summed over the timed settled ones
    settle_timed: int = 0  # settled ones with an acceptance time (all, through the services)
    carried_out: int = 0
    not_carried_out: int = 0
    pending: int = 0  # 待履行: not yet checked, deadline not passed
    awaiting_check: int = 0  # 待回访: not yet checked, deadline passed

    def add(self, other: Measures | dict) -> None:
        values = vars(other) if isinstance(other, Measures) else other
        for name in MEASURE_FIELDS:
            value = values.get(name)
            if value:
                setattr(self, name, getattr(self, name) + value)

    @property
    def ended(self) -> int:
        """The success rate's denominator: settled + failed (withdrawn excluded)."""
        return self.settled + self.failed

    @property
    def success_rate(self) -> float | None:
        return ratio(self.settled, self.ended)

    @property
    def avg_days_to_settle(self) -> float | None:
        return round(self.settle_days / self.settle_timed, 1) if self.settle_timed else None

    @property
    def agreements(self) -> int:
        return self.carried_out + self.not_carried_out + self.pending + self.awaiting_check

    @property
    def performance_rate(self) -> float | None:
        return ratio(self.carried_out, self.carried_out + self.not_carried_out)


MEASURE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Measures))


# The grouped queries ----------------------------------------------------------------------------


def _ended_in(scope: MediationScope, period: MonthRange) -> QuerySet[Mediation]:
    return Mediation.objects.filter(
        scope.mediation_filter(),
        ended_at__gte=period.start_at,
        ended_at__lt=period.end_at,
        status__in=[MediationStatus.SETTLED, MediationStatus.FAILED, MediationStatus.WITHDRAWN],
    )


def _sealed_of_settled(scope: MediationScope, period: MonthRange) -> QuerySet[Agreement]:
    return Agreement.objects.filter(
        scope.mediation_filter("mediation__"),
        status=AgreementStatus.SEALED,
        mediation__status=MediationStatus.SETTLED,
        mediation__ended_at__gte=period.start_at,
        mediation__ended_at__lt=period.end_at,
    )


def _mediation_counts() -> dict:
    settled = Q(status=MediationStatus.SETTLED)
    timed = settled & Q(accepted_at__isnull=False)
    # Local calendar dates (TruncDate uses the current time zone, Asia/Shanghai); date − date is
    # an interval in SQL (days × 86 400 s), summed in the database.
    days = ExpressionWrapper(TruncDate("ended_at") - TruncDate("accepted_at"), output_field=DurationField())
    return {
        "settled": Count("id", filter=settled),
        "failed": Count("id", filter=Q(status=MediationStatus.FAILED)),
        "withdrawn": Count("id", filter=Q(status=MediationStatus.WITHDRAWN)),
        "settle_span": Sum(days, filter=timed),
        "settle_timed": Count("id", filter=timed),
    }


def _agreement_counts(today: dt.date) -> dict:
    pending = Q(performance_status=PerformanceStatus.PENDING)
    return {
        "carried_out": Count("id", filter=Q(performance_status=PerformanceStatus.CARRIED_OUT)),
        "not_carried_out": Count("id", filter=Q(performance_status=PerformanceStatus.NOT_CARRIED_OUT)),
        "pending": Count("id", filter=pending & Q(performance_deadline__gte=today)),
        "awaiting_check": Count("id", filter=pending & Q(performance_deadline__lt=today)),
    }


def _measures(row: dict) -> Measures:
    m = Measures()
    span = row.pop("settle_span", None)
    if span is not None:
        row["settle_days"] = span.days if isinstance(span, dt.timedelta) else int(span)
    m.add(row)
    return m


def _month_of(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _grouped(scope: MediationScope, period: MonthRange, today: dt.date, keys: dict[str, object]):
    """The mediation rows and the agreement rows grouped by ``keys`` (name → field path relative
    to the mediation, or ``END_MONTH``), merged by key: ``{key tuple: (dimensions, Measures)}``."""
    names = list(keys)

    def grouping(prefix: str) -> dict:
        out = {}
        for name, path in keys.items():
            out[f"dim_{name}"] = TruncMonth(f"{prefix}ended_at") if path == END_MONTH else F(f"{prefix}{path}")
        return out

    merged: dict[tuple, tuple[dict, Measures]] = {}
    mediation_rows = _ended_in(scope, period).values(**grouping("")).annotate(**_mediation_counts()).order_by()
    agreement_rows = (
        _sealed_of_settled(scope, period)
        .values(**grouping("mediation__"))
        .annotate(**_agreement_counts(today))
        .order_by()
    )
    for rows in (mediation_rows, agreement_rows):
        for row in rows:
            dims = {name: row.pop(f"dim_{name}") for name in names}
            if "month" in dims:
                dims["month"] = _month_of(dims["month"])
            key = tuple(dims[name] for name in names)
            if key not in merged:
                merged[key] = (dims, Measures())
            merged[key][1].add(_measures(row))
    return merged


# The board --------------------------------------------------------------------------------------


@dataclass
class Row:
    key: object
    label: str
    measures: Measures
    rank: int = 0
    detail: str = ""  # organisation (mediator rows), organisation kind (organisation rows)
    parent: str = ""  # matter rows: the top-level matter's name on a leaf row
    is_group: bool = False  # matter rows: the top-level subtotal


@dataclass
class MediationBoard:
    scope: MediationScope
    period: MonthRange
    generated_at: dt.datetime
    totals: Measures
    trend: list[Row]
    by_mediator: list[Row]
    by_organisation: list[Row]
    by_matter: list[Row]


def _none_last(value) -> tuple:
    return (value is None, -(value or 0))


#: Fewer mediations ended in the period than this, and a rate says little (1 of 1 is 100 %): such
#: rows are ranked after the others.
RANK_MIN_ENDED = 3


def _ranked(rows: list[Row]) -> list[Row]:
    """Rows with at least ``RANK_MIN_ENDED`` ended mediations first; within each group the highest
    化解成功率 first (none last), then more settled, more ended, then by name."""
    rows = sorted(
        rows,
        key=lambda r: (
            r.measures.ended < RANK_MIN_ENDED,
            _none_last(r.measures.success_rate),
            -r.measures.settled,
            -r.measures.ended,
            r.label,
        ),
    )
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows


def mediation_board(scope: MediationScope, period: MonthRange, *, today: dt.date | None = None) -> MediationBoard:
    """Every figure of the board for ``scope`` and ``period``: 7 queries whatever the data."""
    today = today or timezone.localdate()

    # By month (and the totals: their sum).
    by_month = _grouped(scope, period, today, {"month": END_MONTH})
    totals = Measures()
    month_measures: dict[dt.date, Measures] = {}
    for (month,), (_dims, measures) in by_month.items():
        month_measures[month] = measures
        totals.add(measures)
    trend = [Row(month, month_key(month), month_measures.get(month, Measures())) for month in period.months]

    # By mediator (and by organisation: the sum of its mediators).
    mediator_keys = {
        "mediator": "mediator_id",
        "organisation": "mediator__organisation",
        "kind": "mediator__organisation_kind",
        "full_name": "mediator__user__full_name",
        "username": "mediator__user__username",
    }
    by_mediator, organisations = [], {}
    for (pk, *_rest), (dims, measures) in _grouped(scope, period, today, mediator_keys).items():
        if pk is None:  # withdrawn before anyone was assigned
            label, organisation, kind = _("（未指派调解员）"), "", ""
        else:
            label = dims["full_name"] or dims["username"]
            organisation, kind = dims["organisation"], dims["kind"]
        by_mediator.append(Row(pk, label, measures, detail=organisation))
        if pk is not None:
            org = organisations.setdefault(
                (organisation, kind),
                Row((organisation, kind), organisation, Measures(), detail=_kind_label(kind)),
            )
            org.measures.add(measures)

    # By matter: each leaf, under its top-level type (a subtotal row).
    matter_keys = {"code": "case__matter__code", "name": "case__matter__name", "path": "case__matter__path"}
    leaves = _grouped(scope, period, today, matter_keys)
    tops: dict[str, list[Row]] = defaultdict(list)
    for (code, name, path), (_dims, measures) in leaves.items():
        top = [c for c in path.split("/") if c][0]
        tops[top].append(Row(code, name if code != top else _("（未细分）"), measures))
    top_names = dict(MatterType.objects.filter(code__in=list(tops)).values_list("code", "name")) if tops else {}
    by_matter: list[Row] = []
    for top in sorted(tops):
        children = sorted(tops[top], key=lambda r: (-r.measures.ended, str(r.key)))
        subtotal = Measures()
        for child in children:
            subtotal.add(child.measures)
            child.parent = top_names.get(top, top)
        by_matter.append(Row(top, top_names.get(top, top), subtotal, is_group=True))
        by_matter.extend(children)

    return MediationBoard(
        scope=scope,
        period=period,
        generated_at=timezone.now(),
        totals=totals,
        trend=trend,
        by_mediator=_ranked(by_mediator),
        by_organisation=_ranked(list(organisations.values())),
        by_matter=by_matter,
    )


def _kind_label(kind: str) -> str:
    try:
        return str(OrganisationKind(kind).label)
    except ValueError:
        return kind
