"""Reads for the supervision screens (the overdue board, 督办 orders), always scoped to the user.

Scope: a supervisor sees the region subtree of each unit they supervise at (a district centre its
district, the city centre the whole city); an admin sees everything; anyone else nothing. The board
works on open cases only (``WARNED_STATUSES``), grouped in one statement; lists are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Role
from accounts.permissions import has_any_role
from accounts.selectors import user_memberships
from cases.models import (
    JOINT_TASK_CASE_STATUSES,
    WARNED_STATUSES,
    Case,
    CaseEvent,
    JointTask,
    JointTaskStatus,
    WarningLevel,
)
from cases.permissions import is_admin
from cases.selectors import handler_unit_ids, visible_cases
from routing.models import LEVEL_RANK, MatterType, Region, RegionLevel, Unit

from .models import OrderStatus, SupervisionOrder

#: The board's 挂牌督办 list shows this many cases, hung longest first (issue #15).
PLATE_LIST_LIMIT = 50
#: The red list shows this many cases, most overdue first (one more is fetched to know if it is cut).
RED_LIST_LIMIT = 100
#: Regions offered by the board's region filter: from the top of the user's scope down to towns.
BOARD_REGION_LEVELS = [level for level, rank in LEVEL_RANK.items() if rank <= LEVEL_RANK[RegionLevel.TOWN]]
#: Places on the red list are named from the district down (the city is the same for everyone).
PLACE_LEVELS = {RegionLevel.DISTRICT, RegionLevel.TOWN, RegionLevel.VILLAGE, RegionLevel.GRID}


# Scope ------------------------------------------------------------------------------------------


def can_use_boards(user) -> bool:
    """The overdue board and the order list: supervisors and admins."""
    return has_any_role(user, Role.SUPERVISOR, Role.ADMIN)


def supervised_paths(user) -> list[str] | None:
    """Region paths the user supervises; ``None`` means everything (admins), ``[]`` nothing."""
    if is_admin(user):
        return None
    paths = sorted({m.unit.region.path for m in user_memberships(user) if m.role == Role.SUPERVISOR})
    # A subtree inside another adds nothing (a supervisor at both the city and a district).
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def scope_label(user) -> str:
    """ "高明区、南海区" — the regions the user supervises; "" for admins (everything)."""
    if is_admin(user):
        return ""
    paths = supervised_paths(user)
    names = {m.unit.region.path: m.unit.region.name for m in user_memberships(user)}
    return "、".join(names[p] for p in paths)


def _under(paths: list[str], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def _regions_under(paths: list[str]) -> QuerySet[Region]:
    return Region.objects.filter(_under(paths, "path"))


# The overdue board ------------------------------------------------------------------------------


def board_regions(user) -> list[Region]:
    """The region filter's choices: the user's scope down to town level, tree order."""
    paths = supervised_paths(user)
    qs = Region.objects.filter(level__in=BOARD_REGION_LEVELS)
    if paths is not None:
        qs = qs.filter(_under(paths, "path"))
    return list(qs.order_by("path"))


def board_units(user) -> list[Unit]:
    """The unit filter's choices: units in the scope and in the regions above it (a city bureau may
    lead a district's case). Retired units stay listed: they may still hold open cases."""
    paths = supervised_paths(user)
    qs = Unit.objects.select_related("region")
    if paths is not None:
        above = {code for path in paths for code in path.split("/") if code}
        qs = qs.filter(_under(paths, "region__path") | Q(region__code__in=above))
    return list(qs.order_by("region__path", "code"))


def top_matters() -> list[MatterType]:
    return list(MatterType.objects.filter(parent__isnull=True).order_by("path"))


@dataclass(frozen=True)
class BoardFilters:
    region: Region | None = None
    unit: Unit | None = None
    matter: MatterType | None = None
    channel: str = ""
    plate: bool = False  # 挂牌督办 cases only (issue #15)


@dataclass
class UnitRow:
    """One unit's open cases by warning level. ``unit`` holds the cases: the lead unit, or the
    claims centre while a case has none yet (待受理 / 待派单)."""

    unit: Unit
    blue: int = 0
    yellow: int = 0
    red: int = 0
    total: int = 0
    contact_late: int = 0  # not yet contacted past the contact deadline (首次联系 red)
    presses: int = 0  # the citizens' 催办 on these open cases (``Case.press_count``)
    joint_late: int = 0  # 联办任务 given to this unit, past their deadline, not answered (issue #15)


@dataclass
class RedRow:
    case: Case
    days_overdue: float
    place: str

    @property
    def holder(self) -> Unit:
        return self.case.lead_unit or self.case.centre


@dataclass
class Board:
    now: datetime
    units: list[UnitRow] = field(default_factory=list)
    totals: UnitRow | None = None
    red: list[RedRow] = field(default_factory=list)
    red_more: bool = False  # more red cases than the list shows
    plated: list[Case] = field(default_factory=list)  # 挂牌督办 cases, whatever their warning level
    plated_more: bool = False


SORT_COLUMNS = ("unit", "blue", "yellow", "red", "total", "contact_late", "presses", "joint_late")


#: Above this many regions the board passes a subquery instead of a list of ids (SQLite's limit on
#: parameters is 32,766; a city has a few thousand regions down to its grids).
REGION_LIST_MAX = 10_000


def _board_regions_condition(user, region: Region | None) -> Q | None:
    """The board's place condition: the user's scope, narrowed to ``region``'s subtree; ``None``
    when nothing restricts it (an admin without a region filter).

    The region ids are read first (one indexed query on the small region table) and given to the
    database as a list: with a subquery, PostgreSQL estimated the path-prefix match at one region
    and ran a bitmap AND over every open case once per region (2.3 s at 1,000,000 cases, against
    0.3 s with the list)."""
    paths = supervised_paths(user)
    if paths is None and region is None:
        return None
    regions = Region.objects.all()
    if paths is not None:
        regions = regions.filter(_under(paths, "path"))
    if region is not None:
        regions = regions.filter(path__startswith=region.path)
    ids = list(regions.values_list("id", flat=True)[: REGION_LIST_MAX + 1])
    if len(ids) > REGION_LIST_MAX:
        return Q(region__in=regions)
    return Q(region_id__in=ids)


def _held_by(unit: Unit) -> Q:
    return Q(lead_unit=unit) | Q(lead_unit__isnull=True, centre=unit)


def _open_cases(user, filters: BoardFilters) -> QuerySet[Case]:
    qs = Case.objects.filter(status__in=WARNED_STATUSES)
    condition = _board_regions_condition(user, filters.region)
    if condition is not None:
        qs = qs.filter(condition)
    if filters.unit is not None:
        qs = qs.filter(_held_by(filters.unit))
    if filters.matter is not None:
        subtree = MatterType.objects.filter(path__startswith=filters.matter.path).values_list("id", flat=True)
        qs = qs.filter(matter_id__in=list(subtree))  # a list, for the reason given above
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.plate:
        qs = qs.filter(plate_hung_at__isnull=False)
    return qs


def _sorted(rows: list[UnitRow], sort: str, descending: bool) -> list[UnitRow]:
    def directory_order(row):
        return (row.unit.region.path, row.unit.code)

    rows = sorted(rows, key=directory_order)  # the stable tie-break for every column
    if sort == "unit":
        return list(reversed(rows)) if descending else rows
    return sorted(rows, key=lambda row: getattr(row, sort), reverse=descending)


def place_names(cases: list[Case]) -> dict[int, str]:
    """ "高明区 明城镇 明东村" for each case's place, from one query over all their ancestors."""
    codes = {code for case in cases for code in case.region.ancestor_codes}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes).only("code", "name", "level")}
    names = {}
    for case in cases:
        chain = [regions[c] for c in case.region.ancestor_codes if c in regions]
        names[case.pk] = " ".join(r.name for r in chain if r.level in PLACE_LEVELS) or case.region.name
    return names


UNIT_COUNTS = ("blue", "yellow", "red", "total", "contact_late", "presses", "joint_late")


def overdue_board(user, filters: BoardFilters, *, now: datetime, sort: str = "red", descending: bool = True) -> Board:
    """The overdue board over the user's scope and the filters.

    Counts: ONE grouped statement over open cases (conditional ``COUNT … FILTER``), per unit
    holding them (index-only on ``case_open_board``). Red list: the ``RED_LIST_LIMIT`` most overdue
    red cases (one more fetched to tell whether it was cut), read in due order from the partial
    index ``case_open_red_due`` so it stops at the limit instead of sorting every red case. Further bounded reads: the region ids in scope, unit names, place names.
    Days overdue run from the stage's due time to ``now`` (to the pause, for a paused case: its
    clock stands still).
    """
    in_scope = _open_cases(
        user,
        BoardFilters(region=filters.region, matter=filters.matter, channel=filters.channel, plate=filters.plate),
    )
    qs = in_scope if filters.unit is None else in_scope.filter(_held_by(filters.unit))
    # Counting ``region`` (never null) rather than ``id`` keeps every column the statement reads
    # inside the partial index ``case_open_board`` (``contact_level`` and ``press_count`` are
    # in it too), so PostgreSQL answers it with an index-only scan: its cost follows the open
    # cases in scope, never the closed ones.
    grouped = (
        qs.values(holder=Coalesce("lead_unit_id", "centre_id", output_field=IntegerField()))
        .annotate(
            blue=Count("region", filter=Q(warning_level=WarningLevel.BLUE)),
            yellow=Count("region", filter=Q(warning_level=WarningLevel.YELLOW)),
            red=Count("region", filter=Q(warning_level=WarningLevel.RED)),
            total=Count("region"),
            # a recorded contact sets the level back to none: red means not contacted
            contact_late=Count("region", filter=Q(contact_level=WarningLevel.RED)),
            presses=Coalesce(Sum("press_count"), 0),
        )
        .order_by()
    )
    counts = {row["holder"]: {**row, "joint_late": 0} for row in grouped}
    for unit_id, late in _joint_late(in_scope, filters.unit).items():
        counts.setdefault(unit_id, dict.fromkeys(UNIT_COUNTS, 0))["joint_late"] = late
    units = Unit.objects.select_related("region").in_bulk(list(counts)) if counts else {}
    rows = [UnitRow(unit=units[pk], **{name: c[name] for name in UNIT_COUNTS}) for pk, c in counts.items()]
    if sort not in SORT_COLUMNS:
        sort, descending = "red", True
    board = Board(now=now, units=_sorted(rows, sort, descending))
    board.totals = UnitRow(unit=None, **{name: sum(getattr(r, name) for r in rows) for name in UNIT_COUNTS})
    red = list(
        qs.filter(warning_level=WarningLevel.RED)
        .select_related("matter", "region", "lead_unit", "centre")
        .defer("description", "routing_explanation", "result", "rating_comment", "reject_reason")
        .order_by("stage_due_at", "id")[: RED_LIST_LIMIT + 1]
    )
    board.red_more = len(red) > RED_LIST_LIMIT
    red = red[:RED_LIST_LIMIT]
    places = place_names(red) if red else {}
    for case in red:
        late = (case.paused_at or now) - case.stage_due_at
        board.red.append(RedRow(case=case, days_overdue=round(late.total_seconds() / 86400, 1), place=places[case.pk]))
    plated = list(
        qs.filter(plate_hung_at__isnull=False)
        .select_related("lead_unit", "centre", "baoan_leader")
        .defer("description", "routing_explanation", "result", "rating_comment", "reject_reason")
        .order_by("plate_hung_at", "id")[: PLATE_LIST_LIMIT + 1]
    )
    board.plated, board.plated_more = plated[:PLATE_LIST_LIMIT], len(plated) > PLATE_LIST_LIMIT
    return board


def _joint_late(cases: QuerySet[Case], unit: Unit | None) -> dict[int, int]:
    """联办任务 past their deadline and not answered (the sweep's red), per unit they were given to,
    on the open ``cases`` in scope (issue #15): one grouped statement over the partial index of
    open tasks. The unit filter picks the task's unit (the unit that owes the answer)."""
    tasks = JointTask.objects.filter(
        status=JointTaskStatus.OPEN, warning_level=WarningLevel.RED, case__status__in=JOINT_TASK_CASE_STATUSES
    ).filter(case__in=cases)
    if unit is not None:
        tasks = tasks.filter(unit=unit)
    return dict(tasks.values("unit_id").annotate(n=Count("id")).order_by().values_list("unit_id", "n"))


# 督办 orders --------------------------------------------------------------------------------------

#: The supervisor's order list tabs, in order. ``overdue`` is the open orders past their due time.
ORDER_TABS = ("open", "overdue", "replied", "closed")


def supervised_orders(user) -> QuerySet[SupervisionOrder]:
    """Orders on cases in the user's supervision scope (admins: all)."""
    paths = supervised_paths(user)
    if paths is None:
        return SupervisionOrder.objects.all()
    if not paths:
        return SupervisionOrder.objects.none()
    return SupervisionOrder.objects.filter(case__region__in=_regions_under(paths))


def order_counts(orders: QuerySet[SupervisionOrder], *, now: datetime) -> dict[str, int]:
    """Orders per tab in one statement (conditional counts; the overdue ones are also open)."""
    return orders.aggregate(
        open=Count("id", filter=Q(status=OrderStatus.OPEN)),
        overdue=Count("id", filter=Q(status=OrderStatus.OPEN, due_at__lt=now)),
        replied=Count("id", filter=Q(status=OrderStatus.REPLIED)),
        closed=Count("id", filter=Q(status=OrderStatus.CLOSED)),
    )


def _order_rows(orders: QuerySet[SupervisionOrder]) -> QuerySet[SupervisionOrder]:
    return orders.select_related("case", "case__region", "unit", "issued_by")


def order_list(user, *, tab: str, now: datetime) -> QuerySet[SupervisionOrder]:
    """One tab of the supervisor's list: what waits longest first; closed ones newest first."""
    qs = _order_rows(supervised_orders(user))
    if tab == "overdue":
        return qs.filter(status=OrderStatus.OPEN, due_at__lt=now).order_by("due_at", "id")
    if tab == "open":
        return qs.filter(status=OrderStatus.OPEN).order_by("due_at", "id")
    if tab == "replied":
        return qs.filter(status=OrderStatus.REPLIED).order_by("replied_at", "id")
    return qs.filter(status=OrderStatus.CLOSED).order_by("-closed_at", "-id")


def unit_orders(user) -> QuerySet[SupervisionOrder]:
    """A handler's inbox: orders to their units still waiting on someone, open ones first (soonest
    due first), then replied ones. ``"open" < "replied"``, so ordering by status puts open orders
    first and follows the ``order_unit_open`` index (unit, status, due_at)."""
    units = handler_unit_ids(user)
    if not units:
        return SupervisionOrder.objects.none()
    return _order_rows(
        SupervisionOrder.objects.filter(unit_id__in=units, status__in=[OrderStatus.OPEN, OrderStatus.REPLIED])
    ).order_by("status", "due_at", "id")


def unit_order_counts(user, *, now: datetime) -> dict[str, int]:
    units = handler_unit_ids(user)
    return order_counts(SupervisionOrder.objects.filter(unit_id__in=units or [0]), now=now)


def order_for(user, pk: int) -> SupervisionOrder | None:
    """One order for its page, or None (→ 404): its case is visible to the user, or it is addressed
    to one of the user's units (a unit asked to help may not otherwise see the case).
    ``case_visible`` tells whether the case page may be linked."""
    visible = visible_cases(user)
    condition = Q(case__in=visible.values("pk"))
    units = handler_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    return (
        SupervisionOrder.objects.filter(condition, pk=pk)
        .select_related(
            "case__region", "case__matter", "case__lead_unit", "case__centre", "unit", "issued_by", "replied_by"
        )
        .annotate(case_visible=Exists(visible.filter(pk=OuterRef("case_id"))))
        .first()
    )


def order_history(order: SupervisionOrder) -> list[CaseEvent]:
    """This order's entries on its case's timeline (issue, replies, presses, close), oldest first
    — not those of the case's other orders (linked by ``SupervisionOrderEvent``)."""
    return list(
        CaseEvent.objects.filter(case_id=order.case_id, supervision_order_link__order=order)
        .select_related("actor", "actor_unit")
        .order_by("created_at", "id")
    )


def case_for_order(user, number: str) -> Case | None:
    """The case a 督办 is issued on, if the user may see it (else None → 404)."""
    return (
        visible_cases(user)
        .select_related("lead_unit__region", "centre__region")
        .prefetch_related("cooperating_units__region")
        .filter(number=number)
        .first()
    )


@dataclass
class OrderTargets:
    """Units a 督办 may go to: those handling the case, then the district's other active units."""

    handling: list[tuple[Unit, str]]  # (unit, 主办 / 协办)
    others: list[Unit]


def order_targets(case: Case) -> OrderTargets:
    handling = []
    if case.lead_unit is not None and case.lead_unit.active:
        handling.append((case.lead_unit, "lead"))
    handling += [(u, "cooperating") for u in case.cooperating_units.all() if u.active and u.pk != case.lead_unit_id]
    district = (
        Region.objects.filter(code__in=case.region.ancestor_codes, level=RegionLevel.DISTRICT).only("path").first()
    )
    root = district.path if district is not None else case.centre.region.path
    taken = {u.pk for u, _role in handling}
    others = [
        u
        for u in Unit.objects.filter(active=True, region__path__startswith=root)
        .select_related("region")
        .order_by("region__path", "code")
        if u.pk not in taken
    ]
    return OrderTargets(handling=handling, others=others)


def case_orders(case: Case) -> list[SupervisionOrder]:
    """The case's orders for its page, newest first. Without a query when the timeline (already
    loaded by the case page) shows no 督办: every order is issued with an ``order_issue`` event."""
    events = getattr(case, "_prefetched_objects_cache", {}).get("events")
    if events is not None and not any(e.transition == "order_issue" for e in events):
        return []
    return list(SupervisionOrder.objects.filter(case=case).select_related("unit", "issued_by"))


# The staff home (accounts.homes) -----------------------------------------------------------------


def warning_totals(user) -> tuple[dict[str, int], list[Case]]:
    """Open cases in the user's scope by warning level (one grouped statement over the partial
    index, after the region ids), and the most overdue red cases (``RED_HOME_LIMIT`` + 1 rows)."""
    qs = _open_cases(user, BoardFilters())
    totals = qs.aggregate(
        blue=Count("region", filter=Q(warning_level=WarningLevel.BLUE)),
        yellow=Count("region", filter=Q(warning_level=WarningLevel.YELLOW)),
        red=Count("region", filter=Q(warning_level=WarningLevel.RED)),
    )
    red = list(
        qs.filter(warning_level=WarningLevel.RED)
        .only("number", "title", "status", "stage_due_at", "plate_hung_at")
        .order_by("stage_due_at", "id")[: RED_HOME_LIMIT + 1]
    )
    # 挂牌督办 in scope (issue #15): a count over the partial index of hung cases, same scope
    totals["plated"] = qs.filter(plate_hung_at__isnull=False).count()
    return totals, red


RED_HOME_LIMIT = 5


# 包案: the leader's own cases (issue #15, cases.baoan) ---------------------------------------------

#: 我的包案's tabs: the open cases (by target date) and the ended ones (latest first).
BAOAN_TABS = ("open", "ended")


def baoan_cases(user, *, tab: str = "open") -> QuerySet[Case]:
    """The cases ``user`` owns (包案); an admin sees every owned case (to release one whose leader
    left). Open ones by target date, soonest first; ended ones latest first. The lead unit, the
    centre and the leader joined (no query per row); bounded by the caller's page."""
    qs = Case.objects.filter(baoan_leader__isnull=False) if is_admin(user) else Case.objects.filter(baoan_leader=user)
    qs = qs.select_related("lead_unit", "centre", "baoan_leader").defer(
        "description", "routing_explanation", "result", "rating_comment", "reject_reason"
    )
    if tab == "ended":
        return qs.exclude(status__in=WARNED_STATUSES).order_by("-baoan_at", "-id")
    return qs.filter(status__in=WARNED_STATUSES).order_by("baoan_due_date", "id")


def baoan_counts(user, *, today) -> dict[str, int]:
    """My 包案 on the home: open owned cases and those past their target date (one statement)."""
    return Case.objects.filter(baoan_leader=user, status__in=WARNED_STATUSES).aggregate(
        open=Count("id"), late=Count("id", filter=Q(baoan_due_date__lt=today))
    )
