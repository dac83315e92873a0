"""KPI board reads (统计分析): the figures, breakdowns, trend and unit ranking of one period.

Every measure (受理量, 办结率, 按期办结率, 化解成功率, 就地化解率, 满意率 — a unit's leaves out the
cases approved as 不合理诉求 for it —, 平均办结用时, 退回, 承办量, 响应率, 解决率, 重办率, 催办, 重复诉求率,
推诿次数) is defined in ``docs/kpi.md``.

Everything is counted with grouped SQL. Complete past days — and the day in progress up to its
last full hour — are read from the daily snapshot (``KpiDaily``, written by
``supervision.kpi.snapshot``); the rest (the last hour or so, or days the
schedule has not covered yet) are counted live with the very same grouped queries, so both paths
give the same numbers. 办结率 depends on the period's end: for a calendar month it follows from
additive same-month counts; for another date range it is one more grouped query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from django.core.exceptions import PermissionDenied
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, StrIndex, Substr, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.selectors import user_roles
from cases.models import Case, CaseEvent, Outcome, Rating, Status, WorkCalendarDay
from cases.selectors import region_scope
from cases.workdays import is_workday
from core.periods import Period, add_months, day_start, month_label, ratio
from routing.models import LEVEL_RANK, Channel, MatterType, Region, RegionLevel, Unit

from ..models import KpiDaily, KpiDailyRun, KpiDimension

#: A red warning raised in one of these stages makes a closed case "not on time"; a red in the
#: feedback stage only means the citizen has not rated yet (the case then closes itself).
LATE_STAGE_STATUSES = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
#: Statuses a case ends in; ``closed_at`` is set to the finishing event's time by the same service.
FINISHED_STATUSES = [Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED]
FINISHING_TRANSITIONS = ["rate_closed", "auto_close", "reject", "withdraw", "merge"]
RETURN_TRANSITION = "return_case"
RESULT_TRANSITION = "submit_result"
SEND_BACK_TRANSITION = "send_back"
PRESS_TRANSITION = "press"
#: Events counted for the unit leading the case when they happened (``CaseEvent.handling_unit``)
#: rather than the acting unit: a send-back is the centre's act on the lead unit's work, a press
#: the citizen's on the lead unit's case.
LEAD_UNIT_TRANSITIONS = [SEND_BACK_TRANSITION, PRESS_TRANSITION]
#: 响应率: a case withdrawn or merged before its contact deadline without a contact counts in neither.
CONTACT_VOID_STATUSES = [Status.WITHDRAWN, Status.MERGED]
#: A unit takes a case on (承办) when it signs for it; the centre when it resolves it at the window.
TAKING_TRANSITIONS = ["sign", "resolve_on_spot"]
MEDIATION_OUTCOMES = [Outcome.MEDIATED, Outcome.UNRESOLVABLE, Outcome.REFERRED]
SATISFIED_RATINGS = [Rating.SATISFIED, Rating.BASIC]
#: A case the centre approved as 不合理诉求 / 恶意诉求 for the unit it is counted under (the lead
#: unit, else the result unit: ``finished_rows``' ``unit``); such a case leaves that unit's 满意率.
UNREASON_OF_UNIT = Q(unreason_unit_id__isnull=False) & (
    Q(unreason_unit_id=F("lead_unit_id")) | Q(lead_unit_id__isnull=True, unreason_unit_id=F("result_unit_id"))
)
#: 就地化解: the result unit sits at one of these levels.
LOCAL_LEVELS = [RegionLevel.TOWN, RegionLevel.VILLAGE, RegionLevel.GRID]
TOWN_RANK = LEVEL_RANK[RegionLevel.TOWN]
#: Longest period the board accepts (the live fallback stays bounded).
MAX_PERIOD_DAYS = 731
TREND_MONTHS = 12


# Measures ---------------------------------------------------------------------------------------


@dataclass
class Measures:
    """Additive counts: a day, a region, a matter … sum field by field."""

    registered: int = 0
    taken: int = 0
    closed: int = 0
    on_time: int = 0
    mediated: int = 0
    mediation_closed: int = 0
    local: int = 0
    rated: int = 0
    satisfied: int = 0
    working_days: int = 0
    returns: int = 0
    closed_same_month: int = 0
    ended_same_month: int = 0
    # issue #11: 响应率 (contact clock), 解决率 (call-back answer), 重办率, 催办
    contact_due: int = 0
    contacted_on_time: int = 0
    answered: int = 0
    solved: int = 0
    results: int = 0
    send_backs: int = 0
    presses: int = 0
    # issue #13: 重复诉求 — cases merged into another case as repeats (一案多投), by the merge's time
    repeats: int = 0
    # issue #15: rated cases left out of their unit's 满意率 as 不合理诉求 / 恶意诉求 (cases.unreason)
    unreason_excluded: int = 0
    # issue #15: 推诿次数 — a unit's handoff requests counted as buck-passing (docs/handover.md)
    buck_passes: int = 0

    def add(self, values: Measures | dict) -> None:
        """Add another ``Measures``, or a dict of some of the counts (only those it names)."""
        if isinstance(values, Measures):
            values = vars(values)
        for name, value in values.items():
            if value:
                setattr(self, name, getattr(self, name) + value)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.closed)

    @property
    def mediation_rate(self) -> float | None:
        return ratio(self.mediated, self.mediation_closed)

    @property
    def local_rate(self) -> float | None:
        return ratio(self.local, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return ratio(self.satisfied, self.rated)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.contacted_on_time, self.contact_due)

    @property
    def solve_rate(self) -> float | None:
        return ratio(self.solved, self.answered)

    @property
    def rework_rate(self) -> float | None:
        return ratio(self.send_backs, self.results)

    @property
    def repeat_rate(self) -> float | None:
        return ratio(self.repeats, self.registered)

    @property
    def avg_working_days(self) -> float | None:
        return round(self.working_days / self.closed, 1) if self.closed else None

    # Over whole calendar months only: the months' registrations still open at the month's end,
    # and their 办结率 (closed in the month they were registered ÷ those not otherwise ended).
    @property
    def month_open(self) -> int:
        return self.registered - self.closed_same_month - self.ended_same_month

    @property
    def month_completion_rate(self) -> float | None:
        return ratio(self.closed_same_month, self.registered - self.ended_same_month)


MEASURE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Measures))
#: The counts ``finished_rows`` returns as such.
CLOSED_COUNTS = (
    "closed",
    "on_time",
    "mediated",
    "mediation_closed",
    "local",
    "rated",
    "satisfied",
    "answered",
    "solved",
)
#: The counts ``unit_event_rows`` returns as such.
EVENT_COUNTS = ("returns", "taken", "results", "send_backs", "presses")


# Scope ------------------------------------------------------------------------------------------


@dataclass
class KpiScope:
    """The cases a user's board counts: one region subtree (``region`` None: every case)."""

    region: Region | None
    choices: list[Region] = field(default_factory=list)  # what the region picker offers

    @property
    def path(self) -> str:
        return self.region.path if self.region else ""

    @property
    def code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def name(self) -> str:
        return self.region.name if self.region else _("全部地区")

    def case_filter(self) -> Q:
        """Cases whose place lies in the scope."""
        return _under(self.path)


def can_view_kpi(user) -> bool:
    return user.is_authenticated and bool(user_roles(user) & {Role.SUPERVISOR, Role.ADMIN})


def kpi_scope(user, region_code: str = "") -> KpiScope:
    """The region subtree ``user`` may see statistics for, narrowed to ``region_code`` if given.

    Supervisors: the region of each unit where they supervise (and below); admins: everything.
    Anyone else, or a region outside the user's subtree, is refused (403); an unknown code is 404.
    """
    if not can_view_kpi(user):
        raise PermissionDenied
    region, choices = region_scope(user, {Role.SUPERVISOR}, region_code)
    return KpiScope(region=region, choices=choices)


# The grouped counts (shared by the board's live part and the snapshot writer) ------------------

Ranges = list[tuple[dt.datetime, dt.datetime]]


def _in_ranges(name: str, ranges: Ranges) -> Q:
    condition = Q(pk__in=[])
    for start, end in ranges:
        condition |= Q(**{f"{name}__gte": start, f"{name}__lt": end})
    return condition


def _under(path: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}region__path__startswith": path}) if path else Q()


def _first_segment(path, start: int):
    """SQL: the path segment that begins at character ``start`` (1-based) of ``path``."""
    return Substr(path, start, StrIndex(Substr(path, start), Value("/")) - 1)


def matter_top(prefix: str = ""):
    """SQL: the code of the top-level matter of the case (the first segment of its matter's path)."""
    return _first_segment(F(f"{prefix}matter__path"), 2)


def place(prefix: str = "", base_path: str | None = None):
    """SQL: the case's place — its region's path, or with ``base_path`` the code of the child
    region of ``base_path`` it lies in ("" for the base itself, or a place above it), so that the
    board's live counts come grouped by the rows it shows rather than by village."""
    field = f"{prefix}region__path"
    if base_path is None:
        return F(field)
    return SqlCase(
        When(Q(**{field: base_path}) | ~Q(**{f"{field}__startswith": base_path}), then=Value("")),
        default=_first_segment(F(field), len(base_path) + 1),
    )


def registered_rows(ranges: Ranges, scope_path: str, base_path: str | None = None) -> QuerySet:
    """Registrations per day × place × top-level matter × channel."""
    return (
        Case.objects.filter(_in_ranges("created_at", ranges), _under(scope_path))
        .annotate(day=TruncDate("created_at"))
        .values("day", region_path=place("", base_path), matter_top=matter_top(), channel_code=F("channel"))
        # ``region`` (never null) rather than ``id``: every column read is in ``case_created_cover``
        .annotate(registered=Count("region"))
        .order_by()
    )


def finished_rows(
    ranges: Ranges, scope_path: str, base_path: str | None = None, *, through_events: bool = False
) -> QuerySet:
    """Cases finished (closed, or ended otherwise: rejected, withdrawn, merged) per day × day
    registered × place × matter × channel × unit, with the conditional counts behind every
    closed-case rate.

    ``closed_at`` has a partial index (``case_closed_at``), so the board's few live days are found
    directly. ``through_events`` (finding cases through their finishing events instead) is kept
    for callers that want only cases closed through the services.
    """
    red = CaseEvent.objects.filter(
        case_id=OuterRef("pk"), transition="warning_red", from_status__in=LATE_STAGE_STATUSES
    )
    cases = Case.objects.filter(_in_ranges("closed_at", ranges), _under(scope_path), status__in=FINISHED_STATUSES)
    if through_events:
        finishing = CaseEvent.objects.filter(_in_ranges("created_at", ranges), transition__in=FINISHING_TRANSITIONS)
        cases = cases.filter(pk__in=finishing.values("case_id"))
    closed = Q(status=Status.CLOSED)
    return (
        cases.annotate(day=TruncDate("closed_at"), created_day=TruncDate("created_at"))
        .values(
            "day",
            "created_day",
            region_path=place("", base_path),
            matter_top=matter_top(),
            channel_code=F("channel"),
            unit=Coalesce("lead_unit__code", "result_unit__code"),
        )
        .annotate(
            closed=Count("id", filter=closed),
            ended=Count("id", filter=~closed),
            on_time=Count("id", filter=closed & ~Q(Exists(red))),
            mediated=Count("id", filter=closed & Q(matter__mediable=True, outcome=Outcome.MEDIATED)),
            mediation_closed=Count("id", filter=closed & Q(matter__mediable=True, outcome__in=MEDIATION_OUTCOMES)),
            local=Count("id", filter=closed & Q(result_unit__region__level__in=LOCAL_LEVELS)),
            rated=Count("id", filter=closed & ~Q(rating="")),
            satisfied=Count("id", filter=closed & Q(rating__in=SATISFIED_RATINGS)),
            answered=Count("id", filter=closed & Q(solved__isnull=False)),
            solved=Count("id", filter=closed & Q(solved=True)),
            repeats=Count("id", filter=Q(status=Status.MERGED)),
            # 不合理诉求 (issue #15): rated cases approved for the unit they are counted under
            unreason_rated=Count("id", filter=closed & ~Q(rating="") & UNREASON_OF_UNIT),
            unreason_satisfied=Count("id", filter=closed & Q(rating__in=SATISFIED_RATINGS) & UNREASON_OF_UNIT),
        )
        .order_by()
    )


def contact_rows(ranges: Ranges, scope_path: str, base_path: str | None = None, *, now: dt.datetime) -> QuerySet:
    """响应率: cases whose contact deadline (``contact_due_at``, set at the first signing) falls in
    ``ranges`` and has passed by ``now``, per deadline day × place × matter × channel × lead unit,
    with those contacted by the deadline. A deadline is the end of a working day, so a day's counts
    are final once it is over (the snapshot's rule). Found through the partial index
    ``case_contact_clock``."""
    void = Q(status__in=CONTACT_VOID_STATUSES, contacted_at__isnull=True, closed_at__lte=F("contact_due_at"))
    return (
        Case.objects.filter(_in_ranges("contact_due_at", ranges), _under(scope_path), contact_due_at__lte=now)
        .exclude(void)
        .annotate(day=TruncDate("contact_due_at"))
        .values(
            "day",
            region_path=place("", base_path),
            matter_top=matter_top(),
            channel_code=F("channel"),
            unit=F("lead_unit__code"),
        )
        .annotate(
            contact_due=Count("id"),
            contacted_on_time=Count("id", filter=Q(contacted_at__lte=F("contact_due_at"))),
        )
        .order_by()
    )


def unit_event_rows(ranges: Ranges, scope_path: str, base_path: str | None = None) -> QuerySet:
    """Per day × place × matter × channel × unit: 退回 (``return_case``), 承办 (the unit signed for
    the case, or the centre resolved it at the window), results submitted, send-backs (重办) and
    the citizen's presses (催办). The unit is the acting unit — for send-backs and presses the unit
    that led the case at the time (``LEAD_UNIT_TRANSITIONS``)."""
    return (
        CaseEvent.objects.filter(
            _in_ranges("created_at", ranges),
            _under(scope_path, "case__"),
            transition__in=[RETURN_TRANSITION, *TAKING_TRANSITIONS, RESULT_TRANSITION, *LEAD_UNIT_TRANSITIONS],
        )
        .annotate(day=TruncDate("created_at"))
        .values(
            "day",
            region_path=place("case__", base_path),
            matter_top=matter_top("case__"),
            channel_code=F("case__channel"),
            unit_code=SqlCase(
                When(transition__in=LEAD_UNIT_TRANSITIONS, then=F("handling_unit__code")),
                default=F("actor_unit__code"),
            ),
        )
        .annotate(
            returns=Count("id", filter=Q(transition=RETURN_TRANSITION)),
            taken=Count("id", filter=Q(transition__in=TAKING_TRANSITIONS)),
            results=Count("id", filter=Q(transition=RESULT_TRANSITION)),
            send_backs=Count("id", filter=Q(transition=SEND_BACK_TRANSITION)),
            presses=Count("id", filter=Q(transition=PRESS_TRANSITION)),
        )
        .order_by()
    )


class WorkdayCounter:
    """``cases.workdays.working_days_between`` for many date pairs: one calendar read, then a
    running count of working days, so each pair is a subtraction."""

    def __init__(self):
        self.overrides = dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
        self.first: dt.date | None = None
        self.cumulative: dict[dt.date, int] = {}

    def _cover(self, first: dt.date, last: dt.date) -> None:
        if self.first is not None and self.first <= first and last in self.cumulative:
            return
        if self.first is not None:
            first = min(first, self.first)
            last = max(last, max(self.cumulative))
        running, day, table = 0, first, {}
        while day <= last:
            if day != first and is_workday(day, self.overrides):
                running += 1
            table[day] = running
            day += dt.timedelta(days=1)
        self.first, self.cumulative = first, table

    def cover(self, pairs: Iterable[tuple[dt.date, dt.date]]) -> None:
        pairs = list(pairs)
        if pairs:
            self._cover(min(a for a, _b in pairs), max(b for _a, b in pairs))

    def between(self, first: dt.date, last: dt.date) -> int:
        """Working days after ``first`` up to and including ``last``."""
        if last <= first:
            return 0
        self._cover(first, last)
        return self.cumulative[last] - self.cumulative[first]


@dataclass
class FineRow:
    """One grouped row of any of the three queries, as measures with its dimensions."""

    day: dt.date
    region_path: str
    matter_top: str
    channel: str
    unit: str
    measures: dict


def fine_rows(
    ranges: Ranges,
    scope_path: str,
    counter: WorkdayCounter,
    *,
    base_path: str | None = None,
    live: bool = False,
    now: dt.datetime | None = None,
) -> list[FineRow]:
    """The grouped queries over ``ranges``, as one list (one query each). ``base_path``: group
    places by the child region of that path (see ``place``); ``live``: the board's path (finished
    cases found through their events, see ``finished_rows``); ``now``: contact deadlines after it
    are not counted yet (``contact_rows``)."""
    if not ranges:
        return []
    now = now or timezone.now()
    out: list[FineRow] = []
    for row in registered_rows(ranges, scope_path, base_path):
        out.append(_fine(row, "", {"registered": row["registered"]}))
    finished = list(finished_rows(ranges, scope_path, base_path))
    counter.cover((row["created_day"], row["day"]) for row in finished if row["closed"])
    for row in finished:
        measures = {name: row[name] for name in CLOSED_COUNTS}
        measures["working_days"] = (
            counter.between(row["created_day"], row["day"]) * row["closed"] if row["closed"] else 0
        )
        if (row["created_day"].year, row["created_day"].month) == (row["day"].year, row["day"].month):
            measures["closed_same_month"], measures["ended_same_month"] = row["closed"], row["ended"]
        # A unit's row is about the cases it closed; one that was only rejected or withdrawn is not.
        unit = (row["unit"] or "") if row["closed"] else ""
        excluded, excluded_satisfied = row["unreason_rated"], row["unreason_satisfied"]
        if unit and excluded:
            # 不合理诉求 (issue #15): out of the unit's 满意率; a second row without a unit gives them
            # back to the place's, matter's and channel's, which keep what citizens said.
            measures["rated"] -= excluded
            measures["satisfied"] -= excluded_satisfied
            measures["unreason_excluded"] = excluded
            out.append(_fine(row, "", {"rated": excluded, "satisfied": excluded_satisfied}))
        out.append(_fine(row, unit, measures))
        if row["repeats"]:  # 重复诉求: the place's, matter's and channel's, never a unit's
            out.append(_fine(row, "", {"repeats": row["repeats"]}))
    for row in unit_event_rows(ranges, scope_path, base_path):
        out.append(_fine(row, row["unit_code"] or "", {name: row[name] for name in EVENT_COUNTS}))
    for row in contact_rows(ranges, scope_path, base_path, now=now):
        counts = {"contact_due": row["contact_due"], "contacted_on_time": row["contacted_on_time"]}
        out.append(_fine(row, row["unit"] or "", counts))
    from .buck_passes import buck_pass_rows  # 推诿次数 (issue #15): its own module, this one is full

    for row in buck_pass_rows(ranges, scope_path, base_path):
        out.append(_fine(row, row["unit_code"] or "", {"buck_passes": row["buck_passes"]}))
    return out


def _fine(row: dict, unit: str, measures: dict) -> FineRow:
    return FineRow(
        day=row["day"],
        region_path=row["region_path"],
        matter_top=row["matter_top"] or "",
        channel=row["channel_code"],
        unit=unit,
        measures=measures,
    )


def fold(cells: dict, row: FineRow, region_key: str) -> None:
    """Add one fine row to its one-dimensional breakdowns (the grouping sets of ``KpiDaily``)."""
    cells[(KpiDimension.TOTAL, region_key)].add(row.measures)
    cells[(KpiDimension.MATTER, row.matter_top)].add(row.measures)
    cells[(KpiDimension.CHANNEL, row.channel)].add(row.measures)
    if row.unit:
        cells[(KpiDimension.UNIT, row.unit)].add(row.measures)


# The board --------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    key: str
    label: str
    measures: Measures
    cases: int = 0  # ranking: 承办量 (cases the unit signed for, or resolved at the window)
    rank: int = 0


@dataclass
class KpiBoard:
    scope: KpiScope
    period: Period
    generated_at: dt.datetime
    totals: Measures
    cohort_closed: int
    cohort_open: int
    trend: list[KpiRow]
    by_matter: list[KpiRow]
    by_region: list[KpiRow]
    by_channel: list[KpiRow]
    ranking: list[KpiRow]
    snapshot_days: int
    live_days: int
    sort: str = "on_time"

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.cohort_closed, self.cohort_closed + self.cohort_open)


RANKING_SORTS: dict[str, tuple[str, Callable[[KpiRow], object]]] = {
    "on_time": (gettext_lazy("按期办结率"), lambda r: r.measures.on_time_rate),
    "satisfaction": (gettext_lazy("满意率"), lambda r: r.measures.satisfaction_rate),
    "closed": (gettext_lazy("办结量"), lambda r: r.measures.closed),
    "cases": (gettext_lazy("承办量"), lambda r: r.cases),
    "returns": (gettext_lazy("退回数"), lambda r: r.measures.returns),
    "response": (gettext_lazy("响应率"), lambda r: r.measures.response_rate),
    "solve": (gettext_lazy("解决率"), lambda r: r.measures.solve_rate),
    "rework": (gettext_lazy("重办率"), lambda r: r.measures.rework_rate),
    "presses": (gettext_lazy("催办数"), lambda r: r.measures.presses),
    "buck_passes": (gettext_lazy("推诿次数"), lambda r: r.measures.buck_passes),
}


def _sort_ranking(rows: list[KpiRow], sort: str) -> list[KpiRow]:
    """Highest first on the chosen column (empty rates last), then 按期办结率, 满意率, 办结量."""

    def none_last(value) -> tuple:
        return (value is None, -(value or 0))

    primary = RANKING_SORTS.get(sort, RANKING_SORTS["on_time"])[1]
    rows = sorted(
        rows,
        key=lambda r: (
            none_last(primary(r)),
            none_last(r.measures.on_time_rate),
            none_last(r.measures.satisfaction_rate),
            -r.measures.closed,
            r.key,
        ),
    )
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows


def day_runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs (first, last) of sorted days."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _breakdown_base(scope: KpiScope) -> tuple[Region | None, list[Region]]:
    """The region whose children the region breakdown shows: the scope, or below it while the
    tree has a single branch (the admin's province → its one city)."""
    base = scope.region
    for _step in range(3):
        children = list(
            Region.objects.filter(parent=base).order_by("code")
            if base
            else Region.objects.filter(parent__isnull=True).order_by("code")
        )
        if len(children) != 1:
            return base, children
        base = children[0]
    return base, list(Region.objects.filter(parent=base).order_by("code"))


def _region_keyer(base: Region | None) -> Callable[[str], str]:
    depth = len(base.ancestor_codes) if base else 0

    def key(path: str) -> str:
        parts = path.strip("/").split("/")
        return parts[depth] if len(parts) > depth else ""

    return key


def _snapshot_serves(scope: KpiScope, base: Region | None, children: list[Region]) -> bool:
    """The snapshot's places are rolled up to towns: it serves a scope above town level whose
    breakdown regions are towns or above."""
    for region in (scope.region, base):
        if region is not None and LEVEL_RANK[region.level] >= TOWN_RANK:
            return False
    return all(LEVEL_RANK[child.level] <= TOWN_RANK for child in children)


def _live_ranges(days: list[dt.date], partial: dict[dt.date, dt.datetime]) -> Ranges:
    """The time ranges counted live: each of ``days`` from its start — or, for a day whose
    snapshot covers its first hours, from that snapshot's end — to its end; adjacent ones joined."""
    ranges: Ranges = []
    for day in days:
        start, end = partial.get(day) or day_start(day), day_start(day + dt.timedelta(days=1))
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def _date_q(runs: list[tuple[dt.date, dt.date]]) -> Q:
    condition = Q(pk__in=[])
    for a, b in runs:
        condition |= Q(date__gte=a, date__lte=b)
    return condition


SUMS = {name: Sum(name) for name in MEASURE_FIELDS}


def kpi_board(
    scope: KpiScope, period: Period, *, sort: str = "on_time", now: dt.datetime | None = None, use_snapshot=True
) -> KpiBoard:
    """Every figure of the KPI board for ``scope`` and ``period`` in a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    trend_first = add_months(period.end, -(TREND_MONTHS - 1))
    trend_last = Period.month(period.end.year, period.end.month).end
    first, last = min(period.start, trend_first), min(max(period.end, trend_last), today)

    base, children = _breakdown_base(scope)
    region_key = _region_keyer(base)
    snapshot_on = use_snapshot and _snapshot_serves(scope, base, children)
    marked, partial = _snapshot_days(first, last, today) if snapshot_on and first <= last else (set(), {})
    all_days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)] if first <= last else []
    live_days = [day for day in all_days if day not in marked]
    in_snapshot = marked | set(partial)

    period_cells: dict[tuple[str, str], Measures] = defaultdict(Measures)
    months: dict[dt.date, Measures] = defaultdict(Measures)

    # Complete days from the snapshot: one grouped read for the period, one for the trend. The
    # rows carry their bucket's path, so the scope is a prefix filter on the snapshot itself.
    snapshot_filter = Q(region_path__startswith=scope.path) if scope.path else Q()
    in_period = sorted(d for d in in_snapshot if period.start <= d <= period.end)
    if in_period:
        _add_snapshot_period(period_cells, in_period, snapshot_filter, region_key)
    in_trend = sorted(d for d in in_snapshot if trend_first <= d <= trend_last)
    if in_trend:
        _add_snapshot_trend(months, in_trend, snapshot_filter)

    # The other days live — and of a day in progress, the part after its snapshot — with the same
    # grouped queries the snapshot is written with.
    counter = WorkdayCounter() if live_days else None
    live_ranges = _live_ranges(live_days, partial)
    base_path = base.path if base else "/"
    for row in fine_rows(live_ranges, scope.path, counter, base_path=base_path, live=True, now=now):
        if period.start <= row.day <= period.end:
            fold(period_cells, row, row.region_path)  # already the child region's code
        if trend_first <= row.day <= trend_last:
            months[row.day.replace(day=1)].add(row.measures)

    totals = Measures()
    for measures in (m for (dimension, _key), m in period_cells.items() if dimension == KpiDimension.TOTAL):
        totals.add(measures)
    if period.is_month:  # the cohort from the additive same-month counts
        cohort_closed, cohort_open = totals.closed_same_month, totals.month_open
    else:
        cohort_closed, cohort_open = _cohort(scope, period)

    return KpiBoard(
        scope=scope,
        period=period,
        generated_at=now,
        totals=totals,
        cohort_closed=cohort_closed,
        cohort_open=cohort_open,
        trend=[
            KpiRow(month_label(m), month_label(m), months.get(m, Measures()))
            for m in (add_months(trend_first, n) for n in range(TREND_MONTHS))
        ],
        by_matter=_matter_rows(period_cells),
        by_region=_region_rows(period_cells, base, children),
        by_channel=_channel_rows(period_cells),
        ranking=_ranking_rows(period_cells, sort),
        snapshot_days=len([d for d in marked if d <= last]),  # whole days (today's hours: "live")
        live_days=len(live_days),
        sort=sort if sort in RANKING_SORTS else "on_time",
    )


def _snapshot_days(first: dt.date, last: dt.date, today: dt.date) -> tuple[set[dt.date], dict[dt.date, dt.datetime]]:
    """Days from ``first`` to ``last`` wholly in the snapshot, and the day in progress with the
    time up to which the snapshot holds it."""
    marked: set[dt.date] = set()
    partial: dict[dt.date, dt.datetime] = {}
    for day, through in KpiDailyRun.objects.filter(date__gte=first, date__lte=last).values_list("date", "through"):
        if through is not None:
            partial[day] = through
        elif day < today:
            marked.add(day)
    return marked, partial


def _add_snapshot_period(period_cells, days: list[dt.date], snapshot_filter: Q, region_key) -> None:
    """Add the snapshot's rows of ``days`` to the period's cells (one grouped read)."""
    for row in (
        KpiDaily.objects.filter(_date_q(day_runs(days)), snapshot_filter)
        .annotate(bucket=SqlCase(When(dimension=KpiDimension.TOTAL, then=F("region_path")), default=Value("")))
        .values("dimension", "key", "bucket")
        .annotate(**SUMS)
        .order_by()
    ):
        key = region_key(row["bucket"]) if row["dimension"] == KpiDimension.TOTAL else row["key"]
        period_cells[(row["dimension"], key)].add({name: row[name] for name in MEASURE_FIELDS})


def _add_snapshot_trend(months, days: list[dt.date], snapshot_filter: Q) -> None:
    """Add the snapshot's totals of ``days`` to the trend's months (one grouped read)."""
    for row in (
        KpiDaily.objects.filter(_date_q(day_runs(days)), snapshot_filter, dimension=KpiDimension.TOTAL)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(**SUMS)
        .order_by()
    ):
        months[row["month"]].add({name: row[name] for name in MEASURE_FIELDS})


def _cohort(scope: KpiScope, period: Period) -> tuple[int, int]:
    """For a period that is not a calendar month: of its registrations, how many were closed by
    its end and how many were still open then (one grouped query over the period's cases)."""
    end = period.end_at
    row = Case.objects.filter(scope.case_filter(), created_at__gte=period.start_at, created_at__lt=end).aggregate(
        done=Count("id", filter=Q(status=Status.CLOSED, closed_at__lt=end)),
        still_open=Count("id", filter=Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
    )
    return row["done"], row["still_open"]


def _cells_of(cells: dict, dimension: str) -> dict[str, Measures]:
    return {key: m for (dim, key), m in cells.items() if dim == dimension}


def _matter_rows(cells: dict) -> list[KpiRow]:
    found = _cells_of(cells, KpiDimension.MATTER)
    names = dict(MatterType.objects.filter(parent__isnull=True).values_list("code", "name"))
    rows = [KpiRow(code, names.get(code, code), m) for code, m in found.items()]
    return sorted(rows, key=lambda r: (-r.measures.registered, -r.measures.closed, r.key))


def _region_rows(cells: dict, base: Region | None, children: list[Region]) -> list[KpiRow]:
    found = _cells_of(cells, KpiDimension.TOTAL)
    rows = [KpiRow(child.code, child.name, found.get(child.code, Measures())) for child in children]
    if "" in found:
        own = base.name if base else _("未分区")
        rows.append(KpiRow("", _("%(name)s（本级）") % {"name": own}, found[""]))
    return rows


def _channel_rows(cells: dict) -> list[KpiRow]:
    found = _cells_of(cells, KpiDimension.CHANNEL)
    rows = [KpiRow(code, str(label), found[code]) for code, label in Channel.choices if code in found]
    rows += [KpiRow(code, code, m) for code, m in found.items() if code not in Channel.values]
    return rows


def _ranking_rows(cells: dict, sort: str) -> list[KpiRow]:
    found = _cells_of(cells, KpiDimension.UNIT)
    codes = set(found) - {""}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = [KpiRow(code, names.get(code, code), found[code], cases=found[code].taken) for code in codes]
    return _sort_ranking(rows, sort)
