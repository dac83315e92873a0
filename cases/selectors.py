"""Reads of cases, always scoped to what the user may see (docs/permissions.md)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Role
from accounts.selectors import user_memberships, user_roles

from .citizen_words import citizen_events
from .models import Case, CaseEvent, Party, Status


def _base() -> QuerySet[Case]:
    # baoan_leader: the 包案 leader's name on every list (issue #15), one LEFT JOIN, no query per row;
    # first_unit: 首接负责 (issue #15, cases.handover)
    return Case.objects.select_related("matter", "region", "centre", "lead_unit", "baoan_leader", "first_unit")


def visible_cases(user) -> QuerySet[Case]:
    """Every case ``user`` may open: region subtree (centre staff, supervisors), units (handlers),
    own cases (citizens). Admins see all. Unscoped lists cannot be written by accident."""
    if not user.is_authenticated:
        return Case.objects.none()
    if Role.ADMIN in user_roles(user):
        return _base()
    condition = Q(pk__in=[])
    memberships = user_memberships(user)
    for m in memberships:
        if m.role in (Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR):
            condition |= Q(region__path__startswith=m.unit.region.path)
    handler_units = [m.unit_id for m in memberships if m.role == Role.HANDLER]
    if handler_units:
        condition |= Q(lead_unit_id__in=handler_units)
        condition |= Q(
            Exists(Case.cooperating_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=handler_units))
        )
        # 首接单位 of a buck-passed case (issue #15, cases.handover)
        condition |= Q(first_unit_id__in=handler_units)
    if user.is_citizen:
        condition |= Q(Exists(Party.objects.filter(case_id=OuterRef("pk"), user=user)))
    return _base().filter(condition)


def case_detail(user, number: str) -> Case | None:
    """One case by number with what its page shows, or None when absent or not visible (→ 404)."""
    return (
        visible_cases(user)
        .select_related("result_unit", "merged_into", "baoan_leader")
        .prefetch_related(
            "cooperating_units",
            "parties",
            Prefetch(
                "events", queryset=CaseEvent.objects.select_related("actor", "actor_unit").order_by("created_at", "id")
            ),
        )
        .filter(number=number)
        .first()
    )


def handler_inbox(user, *, status: str | None = None) -> QuerySet[Case]:
    """Open cases led by (or shared with) the handler's units, soonest due first."""
    units = [m.unit_id for m in user_memberships(user) if m.role == Role.HANDLER]
    coop = Case.cooperating_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=units)
    qs = _base().filter(Q(lead_unit_id__in=units) | Q(Exists(coop)))
    statuses = [status] if status else [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
    return qs.filter(status__in=statuses).order_by("stage_due_at", "id")


def centre_queue(user, *, status: str) -> QuerySet[Case]:
    """The centre's queues: 待受理 (submitted), 待派单 (accepted) and 待审核 (reviewing)."""
    paths = [m.unit.region.path for m in user_memberships(user) if m.role in (Role.CLERK, Role.DISPATCHER)]
    if not paths:
        return Case.objects.none()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return _base().filter(condition, status=status).order_by("stage_due_at", "id")


def citizen_timeline(case: Case) -> list[CaseEvent]:
    """What the citizen sees: public events, each with its plain sentence (``citizen_text``,
    ``cases.citizen_words``); units named, staff never, staff notes never."""
    return citizen_events(case.events.all())


# Staff screens (case list, inbox, queues, case page) ------------------------------------------
# (Imports here rather than at the top: this section was appended to a shared module.)
from django.db.models import Case as CaseWhen  # noqa: E402
from django.db.models import Count, IntegerField, Subquery, Value, When  # noqa: E402

from routing.models import MatterType, Region, Unit  # noqa: E402
from routing.selectors import region_ancestors  # noqa: E402

from .models import OPEN_STATUSES, ExtensionRequest, ExtensionStatus, JointTask, JointTaskStatus  # noqa: E402

#: The handler inbox's 联办任务 tab (issue #15, ``cases.joint``).
JOINT_INBOX_TAB = "joint"
#: The handler inbox's 首接负责 tab (issue #15, ``cases.handover``): buck-passed cases the unit
#: answers for as their first unit until a unit signs them.
FIRST_INBOX_TAB = "first"
_FIRST_KEY = "first_duty"  # the union's status column for that arm (no case status is called so)


def _first_duty_arm(units, **late):
    return (
        Case.objects.filter(first_unit_id__in=units, first_duty=True, status__in=[Status.ACCEPTED, Status.DISPATCHED])
        .annotate(key=Value(_FIRST_KEY))
        .values("key")
        .annotate(n=Count("id"), **late)
        .order_by()
    )


#: The handler inbox tabs, in order: 待签收, 处置中, 待审核 (read-only for the unit).
INBOX_STATUSES = [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
#: The centre queues, in order: 待受理, 待派单, 待审核.
QUEUE_STATUSES = [Status.SUBMITTED, Status.ACCEPTED, Status.REVIEWING]


def handler_unit_ids(user) -> list[int]:
    return [m.unit_id for m in user_memberships(user) if m.role == Role.HANDLER]


#: ``?sort=`` of the staff lists: by the time left in the current stage (the stage's due time, which
#: orders the cases as their working days left do), least or most first; cases without a stage
#: clock last. A paused case (中止计时) keeps an old due time while its time stands still, so it
#: is not ranked by it: its time never runs out while paused, so it comes after the running
#: clocks for ``left`` and before them for ``-left``.
TIME_LEFT_SORTS = {"left", "-left"}


def sorted_by_time_left(qs: QuerySet[Case], sort: str) -> QuerySet[Case]:
    if sort not in TIME_LEFT_SORTS:
        return qs
    paused_rank, running_rank = (1, 0) if sort == "left" else (0, 1)
    group = CaseWhen(
        When(stage_due_at__isnull=True, then=Value(2)),
        When(paused_at__isnull=False, then=Value(paused_rank)),
        default=Value(running_rank),
        output_field=IntegerField(),
    )
    if sort == "left":
        return qs.order_by(group, F("stage_due_at").asc(), "id")
    return qs.order_by(group, F("stage_due_at").desc(), "-id")


def case_search(
    user,
    *,
    text: str = "",
    status: str = "",
    matter=None,
    channel: str = "",
    plate: bool = False,
    created_from=None,
    created_before=None,
) -> QuerySet[Case]:
    """Staff search over ``visible_cases``: number or keyword, status, top-level matter (with its
    subtree), channel, and a creation-time range (``created_from`` ≤ created_at < ``created_before``).
    Newest first; the caller slices (bounded pages, no COUNT)."""
    qs = visible_cases(user)
    text = text.strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(description__icontains=text))
    if status:
        qs = qs.filter(status=status)
    if matter is not None:
        qs = qs.filter(matter__path__startswith=matter.path)
    if channel:
        qs = qs.filter(channel=channel)
    if plate:  # 挂牌督办 (issue #15)
        qs = qs.filter(plate_hung_at__isnull=False)
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_before is not None:
        qs = qs.filter(created_at__lt=created_before)
    return qs.order_by("-created_at", "-id")


def inbox_counts(user) -> dict[str, int]:
    """Open cases per inbox tab for the handler's units, in ONE statement.

    Two grouped arms joined by UNION ALL: the unit's lead cases (``lead_unit`` + open status: the
    partial index ``case_open_by_lead``) and the cases it cooperates on (through the M2M table's
    unit index), never counting the whole case table.
    """
    units = handler_unit_ids(user)
    counts = dict.fromkeys([*INBOX_STATUSES, JOINT_INBOX_TAB, FIRST_INBOX_TAB], 0)
    if not units:
        return counts
    lead = (
        Case.objects.filter(lead_unit_id__in=units, status__in=INBOX_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    cooperating = (
        Case.objects.filter(status__in=INBOX_STATUSES, cooperating_units__in=units)
        .exclude(lead_unit_id__in=units)
        .values("status")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    # 联办任务 (issue #15): the unit's open tasks, a third arm (their status "open" is no case
    # status, so the row lands under JOINT_INBOX_TAB); the partial index joint_task_open_unit
    tasks = (
        JointTask.objects.filter(unit_id__in=units, status=JointTaskStatus.OPEN, case__status__in=INBOX_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts[JOINT_INBOX_TAB] = 0
    for row in lead.union(cooperating, tasks, _first_duty_arm(units), all=True):
        key = _tab_of(row["status"])
        counts[key] += row["n"]
    return counts


def _tab_of(status: str) -> str:
    if status == JointTaskStatus.OPEN:
        return JOINT_INBOX_TAB
    if status == _FIRST_KEY:
        return FIRST_INBOX_TAB
    return status


def _centre_condition(user) -> Q | None:
    paths = [m.unit.region.path for m in user_memberships(user) if m.role in (Role.CLERK, Role.DISPATCHER)]
    if not paths:
        return None
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return condition


def queue_counts(user, statuses: list[str]) -> dict[str, int]:
    """Cases per centre queue (only the given open statuses), in one grouped query."""
    counts = dict.fromkeys(statuses, 0)
    condition = _centre_condition(user)
    if condition is None or not statuses:
        return counts
    rows = Case.objects.filter(condition, status__in=statuses).values("status").annotate(n=Count("id")).order_by()
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def centre_queue_rows(user, *, status: str) -> QuerySet[Case]:
    """``centre_queue`` plus, for the dispatch queue, the latest return (退回) reason and unit."""
    qs = centre_queue(user, status=status)
    if status == Status.ACCEPTED:
        returns = CaseEvent.objects.filter(case_id=OuterRef("pk"), transition="return_case").order_by(
            "-created_at", "-id"
        )
        qs = qs.annotate(
            last_return_note=Subquery(returns.values("note")[:1]),
            last_return_unit=Subquery(returns.values("actor_unit__name")[:1]),
        )
    return qs


def staff_case_page(user, number: str) -> Case | None:
    """``case_detail`` for the staff page (the claims that came in, merged duplicates' too, are
    read by the view: ``cases.views._claims_with_merged``)."""
    return (
        visible_cases(user)
        .select_related("result_unit", "merged_into", "centre__region", "lead_unit__region", "baoan_leader")
        .prefetch_related(
            "cooperating_units",
            "parties",
            Prefetch(
                "events", queryset=CaseEvent.objects.select_related("actor", "actor_unit").order_by("created_at", "id")
            ),
        )
        .filter(number=number)
        .first()
    )


def region_chain(region: Region) -> list[Region]:
    """The region's ancestors and itself, root first (one query)."""
    return list(region_ancestors(region))


def matter_chain(matter: MatterType) -> list[MatterType]:
    """The matter type's ancestors and itself, root first (one query)."""
    return list(MatterType.objects.filter(code__in=matter.ancestor_codes).order_by("depth"))


def pending_extension(case: Case) -> ExtensionRequest | None:
    if not case.extension_pending:
        return None
    return (
        ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING)
        .select_related("unit", "requested_by")
        .first()
    )


def dispatch_units(case: Case) -> list[Unit]:
    """Units a centre may dispatch or transfer ``case`` to: active units in the centre's region
    subtree and in the regions above it (a group claim may go to the city), by region path.
    Bounded by the directory's shape (one district's units plus its ancestors'), not by cases."""
    centre_region = case.centre.region
    return list(
        Unit.objects.filter(active=True)
        .filter(Q(region__path__startswith=centre_region.path) | Q(region__code__in=centre_region.ancestor_codes))
        .select_related("region")
        .order_by("region__path", "code")
    )


def escalation_units(case: Case) -> list[Unit]:
    """Active units in the regions strictly above the lead unit's region (上报 targets)."""
    if case.lead_unit is None:
        return []
    region = case.lead_unit.region
    codes = [code for code in region.ancestor_codes if code != region.code]
    return list(
        Unit.objects.filter(active=True, region__code__in=codes)
        .select_related("region")
        .order_by("region__path", "code")
    )


def open_case_for_merge(user, number: str) -> Case | None:
    """A merge target: visible to ``user`` and still open, or None."""
    return visible_cases(user).filter(number=number.strip(), status__in=OPEN_STATUSES).first()


def still_visible(user, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


# Region scopes of the statistics boards (supervision and mediation) ----------------------------
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import Http404  # noqa: E402

from routing.models import LEVEL_RANK, RegionLevel  # noqa: E402


def scope_bases(user, roles: set[str]) -> list[Region | None]:
    """The top regions of the subtrees ``user`` sees on a board: the region of each unit where
    they hold one of ``roles`` (ancestors first, nested ones dropped); admins everything (the one
    root region, or ``[None]``: no region limit)."""
    if Role.ADMIN in user_roles(user):
        roots = list(Region.objects.filter(parent__isnull=True).order_by("code"))
        return roots[:1] if len(roots) == 1 else [None]
    bases: list[Region | None] = []
    for m in user_memberships(user):  # ordered by region path: ancestors come first
        covered = any(m.unit.region.path.startswith(b.path) for b in bases)
        if m.role in roles and not covered:
            bases.append(m.unit.region)
    return bases


def region_scope(user, roles: set[str], region_code: str = "") -> tuple[Region | None, list[Region]]:
    """(the region a board shows, the regions its picker offers) for ``user``: their first subtree
    (see ``scope_bases``) or the one ``region_code`` names. No subtree, or a region outside them,
    is refused (403); an unknown code is 404. The picker offers regions down to town level."""
    bases = scope_bases(user, roles)
    if not bases:
        raise PermissionDenied
    region = bases[0]
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise Http404
        if not any(base is None or region.path.startswith(base.path) for base in bases):
            raise PermissionDenied
    choice_filter = Q()
    if all(base is not None for base in bases):
        choice_filter = Q(pk__in=[])
        for base in bases:
            choice_filter |= Q(path__startswith=base.path)
    levels = [level for level, rank in LEVEL_RANK.items() if rank <= LEVEL_RANK[RegionLevel.TOWN]]
    choices = list(Region.objects.filter(choice_filter, level__in=levels).order_by("path")[:500])
    return region, choices


# Staff homes (accounts.homes): counts by stage with the late ones, and the late cases ----------


def _late(now) -> Q:
    """Past the current stage's deadline; a paused clock (中止) is not late."""
    return Q(stage_due_at__lt=now, paused_at__isnull=True)


def centre_scope(user) -> Q | None:
    """The centre's place condition as a list of region ids (one query on the small region table),
    ``None`` for someone outside any centre. A list rather than a join on the region path: at
    1,000,000 cases PostgreSQL then scans the queue statuses once (164 ms for a district's 27,000
    queued cases) instead of once per region (593 ms)."""
    paths = [m.unit.region.path for m in user_memberships(user) if m.role in (Role.CLERK, Role.DISPATCHER)]
    if not paths:
        return None
    regions = Q(pk__in=[])
    for path in paths:
        regions |= Q(path__startswith=path)
    ids = list(Region.objects.filter(regions).values_list("id", flat=True)[: REGION_LIST_MAX + 1])
    if len(ids) > REGION_LIST_MAX:  # SQLite takes at most 32,766 parameters: a subquery then
        return Q(region__in=Region.objects.filter(regions))
    return Q(region_id__in=ids)


#: Above this many regions a scope is passed as a subquery instead of a list of ids.
REGION_LIST_MAX = 10_000


def centre_work(user, statuses: list[str], *, now, scope: Q | None = None) -> dict[str, tuple[int, int]]:
    """(cases, of which late) per centre queue, in one grouped query (``scope``: ``centre_scope``)."""
    counts = dict.fromkeys(statuses, (0, 0))
    condition = scope if scope is not None else _centre_condition(user)
    if condition is None or not statuses:
        return counts
    rows = (
        Case.objects.filter(condition, status__in=statuses)
        .values("status")
        .annotate(n=Count("id"), late=Count("id", filter=_late(now)))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = (row["n"], row["late"])
    return counts


#: What the homes' late lists read of a case (the 挂牌督办 badge included, issue #15).
LATE_FIELDS = ("number", "title", "status", "stage_due_at", "plate_hung_at")


def centre_late_cases(user, statuses: list[str], *, now, limit: int, scope: Q | None = None) -> list[Case]:
    """The centre's late cases in those queues, the longest late first (``limit`` + 1 rows, so
    the caller knows whether more follow)."""
    condition = scope if scope is not None else _centre_condition(user)
    if condition is None or not statuses:
        return []
    qs = Case.objects.filter(condition, _late(now), status__in=statuses)
    return list(qs.only(*LATE_FIELDS).order_by("stage_due_at", "id")[: limit + 1])


def inbox_work(user, *, now) -> dict[str, tuple[int, int]]:
    """(cases, of which late) per inbox tab for the handler's units, in ONE statement (the two
    arms of ``inbox_counts`` with a conditional count of the late ones)."""
    units = handler_unit_ids(user)
    counts = dict.fromkeys([*INBOX_STATUSES, JOINT_INBOX_TAB, FIRST_INBOX_TAB], (0, 0))
    if not units:
        return counts
    lead = (
        Case.objects.filter(lead_unit_id__in=units, status__in=INBOX_STATUSES)
        .values("status")
        .annotate(n=Count("id"), late=Count("id", filter=_late(now)))
        .order_by()
    )
    cooperating = (
        Case.objects.filter(status__in=INBOX_STATUSES, cooperating_units__in=units)
        .exclude(lead_unit_id__in=units)
        .values("status")
        .annotate(n=Count("id", distinct=True), late=Count("id", distinct=True, filter=_late(now)))
        .order_by()
    )
    # 联办任务 (issue #15): the unit's open tasks, late past their own deadline (a third arm)
    tasks = (
        JointTask.objects.filter(unit_id__in=units, status=JointTaskStatus.OPEN, case__status__in=INBOX_STATUSES)
        .values("status")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_at__lt=now)))
        .order_by()
    )
    counts[JOINT_INBOX_TAB] = (0, 0)
    first = _first_duty_arm(units, late=Count("id", filter=_late(now)))
    for row in lead.union(cooperating, tasks, first, all=True):
        key = _tab_of(row["status"])
        n, late = counts[key]
        counts[key] = (n + row["n"], late + row["late"])
    return counts


def inbox_late_cases(user, *, now, limit: int) -> list[Case]:
    """The handler's late cases (lead or cooperating), the longest late first, ``limit`` + 1 rows."""
    qs = handler_inbox(user).filter(_late(now)).select_related(None)
    return list(qs.only(*LATE_FIELDS).order_by("stage_due_at", "id")[: limit + 1])
