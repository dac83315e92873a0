"""Historical cases brought in from a centre's old system (issue #12), in bulk.

Two steps, so that a whole file can be checked before anything is written:

- ``case_import_plan`` builds one case in memory as the services would have left it: the centre
  of its place, the routing decision for its status, the FSM transitions from 待受理 to that status
  taken one by one (each checked by django-fsm) with their back-dated timeline events and stage
  clocks, and the warning level the sweep would give it now. It writes nothing and raises
  ``CaseError`` when the status cannot be reached (e.g. 已派单 without a unit to lead it).
- ``cases_import_write`` writes many plans with a few ``INSERT``\\ s per batch: numbers reserved
  per centre and year with one ``UPDATE`` each, then the cases, parties, cooperating units and
  events. Nothing is notified (the caller runs it inside ``notifications_silenced``).

Times: the steps up to 处置 happen at ``created_at``; for a closed case the result, its approval
and the closing at ``closed_at`` (the old system knows no more). A stage whose due time passed
before the case left it gets one ``warning_red`` event at that due time, as the sweep would have
written, so 按期办结率 counts imported cases honestly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from core.bulk import rows_insert
from routing.dispatch import DirectoryIndex, unit_cached
from routing.models import MatterType, Region, Unit
from routing.roles import DISPATCH_ROLE

from .clock import enter_stage, reply_due
from .models import Case, CaseEvent, Party, Status, WarningLevel
from .services import CaseOrigin, PartyData, _number_prefix, _reserve_numbers
from .signals import cases_imported
from .transitions import CaseError

#: The FSM path from 待受理 to each status an import may name, as the services take it.
_PATHS = {
    Status.SUBMITTED: [],
    Status.ACCEPTED: ["accept"],
    Status.DISPATCHED: ["accept", "dispatch"],
    Status.HANDLING: ["accept", "dispatch", "sign"],
    Status.REVIEWING: ["accept", "dispatch", "sign", "submit_result"],
    Status.FEEDBACK: ["accept", "dispatch", "sign", "submit_result", "approve"],
    Status.CLOSED: ["accept", "dispatch", "sign", "submit_result", "approve", "import_close"],
}
IMPORTABLE_STATUSES = tuple(_PATHS)
#: The stage each step starts (``False``: the clock is left as it is).
_STAGES = {
    "accept": "accept",
    "dispatch": "sign",
    "sign": "handle",
    "submit_result": "review",
    "approve": "feedback",
    "import_close": None,
}
_LATE_STEPS = {"submit_result", "approve", "import_close"}  # at closed_at for a closed case
_BATCH = 1000


@dataclass
class ImportedCase:
    """One case of the old system, its codes already looked up."""

    channel: str
    matter: MatterType
    region: Region
    title: str
    description: str
    people_count: int
    created_at: datetime
    parties: list[PartyData]
    origin: CaseOrigin
    status: str = Status.SUBMITTED
    result: str = ""
    closed_at: datetime | None = None


#: One timeline row, written with ``executemany`` (50,000 model instances cost more than the rows):
#: transition, from, to, note, public, created_at, handling unit id, reply due.
EventRow = tuple[str, str, str, str, bool, datetime, "int | None", "datetime | None"]
_EVENT_COLUMNS = [
    "transition", "from_status", "to_status", "note", "public", "created_at", "handling_unit", "reply_due_at", "case",
]  # fmt: skip


@dataclass
class ImportPlan:
    case: Case
    parties: list[Party]
    events: list[EventRow]
    cooperating: list[Unit] = field(default_factory=list)
    number_key: tuple[str, int] = ("", 0)


@dataclass
class ImportContext:
    """What one import looks up once: the pinned directory, "now", and memos of units, routing
    decisions and notes (thousands of lines share a few places, matters and texts)."""

    index: DirectoryIndex
    now: datetime
    units: dict = field(default_factory=dict)
    decisions: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    def unit(self, code: str) -> Unit:
        if code not in self.units:
            self.units[code] = unit_cached(code)
        return self.units[code]

    def note(self, text: str) -> str:
        key = (text, get_language())
        if key not in self.notes:
            self.notes[key] = _("%(text)s（历史数据导入）") % {"text": _(text)}
        return self.notes[key]

    def decide(self, case: Case):
        """The routing decision, its rule's name and the named explanation, once per kind of case."""
        key = (case.matter.code, case.region.code, case.people_count, case.channel, case.severity)
        if key not in self.decisions:
            decision = self.index.decide(matter=key[0], region=key[1], parties=key[2], channel=key[3], severity=key[4])
            named = self.index.named(decision.explanation)
            self.decisions[key] = (decision, self.index.rule_name(decision.rule), named)
        return self.decisions[key]


def case_import_plan(*, item: ImportedCase, context: ImportContext) -> ImportPlan:
    """The case ``item`` describes, in memory, as the services would have left it (see the module)."""
    centre_code = context.index.nearest_with_role(item.region.code, DISPATCH_ROLE)
    if centre_code is None:
        raise CaseError(_("该地区尚未设置诉求服务中心，无法导入。"))
    centre = context.unit(centre_code)
    case = Case(
        title=item.title[:120],
        description=item.description,
        channel=item.channel,
        matter=item.matter,
        region=item.region,
        people_count=max(1, item.people_count),
        centre=centre,
        created_at=item.created_at,
    )
    case.severity, case.severity_reasons = context.index.propose_severity(
        matter=item.matter.code, parties=case.people_count, text=f"{case.title}\n{case.description}"
    )
    item.origin.apply(case)
    path = list(_PATHS[item.status])
    lead, cooperating = None, []
    if path:
        decision, case.routing_rule_name, explanation = context.decide(case)
        case.routing_rule = decision.rule or ""
        case.routing_explanation = list(explanation)
        case.routing_queued = decision.queue or item.status == Status.ACCEPTED
        if not decision.queue and decision.lead:
            lead = context.unit(decision.lead)
            cooperating = [context.unit(code) for code in decision.cooperating if code != decision.lead]
        elif item.status == Status.CLOSED:
            path = ["accept", "import_close"]  # closed by the centre itself: no unit to lead it
        elif item.status != Status.ACCEPTED:
            raise CaseError(
                _("按分派规则无法确定主办单位（转入人工分派），不能以“%(status)s”状态导入；请改为 accepted。")
                % {"status": item.status}
            )
    events = [_submit_event(case, item)]
    for transition in path:
        at = item.closed_at if transition in _LATE_STEPS and item.closed_at else item.created_at
        events += _step(case, transition, at=at, item=item, lead=lead, cooperating=cooperating, context=context)
    _set_warning(case, events, context)
    parties = [
        Party(case=case, role=p.role, name=p.name, phone=p.phone, user_id=p.user_id, notify=p.notify)
        for p in item.parties
    ]
    key = (_number_prefix(centre), timezone.localtime(item.created_at).year)
    return ImportPlan(case=case, parties=parties, events=events, cooperating=cooperating, number_key=key)


def _submit_event(case: Case, item: ImportedCase) -> CaseEvent:
    enter_stage(case, "accept", item.created_at)
    note = _("从原系统导入，原编号 %(id)s") % {"id": item.origin.external_id}
    return _event(case, "submit", "", note, at=item.created_at)


def _event(case: Case, transition: str, from_status: str, note: str, *, at, public=True) -> EventRow:
    """The row ``cases.transitions._run`` would write (no actor: the old system's people are unknown)."""
    return (transition, from_status, case.status, note, public, at, case.lead_unit_id, reply_due(case))


def _red(case: Case, context: ImportContext) -> EventRow:
    return _event(
        case, "warning_red", case.status, context.note(gettext_noop("本环节已超期")), at=case.stage_due_at, public=False
    )


def _step(case: Case, transition: str, *, at, item: ImportedCase, lead, cooperating, context) -> list[EventRow]:
    """Take one FSM transition in memory (django-fsm checks the source state) with its event; a
    stage left after its due time first gets the red warning the sweep would have written."""
    late = [_red(case, context)] if case.stage_due_at is not None and case.stage_due_at < min(at, context.now) else []
    from_status = case.status
    getattr(case, transition)()
    public, note = True, context.note(gettext_noop("按原系统记录"))
    if transition == "dispatch":
        case.lead_unit = lead
        names = "、".join(unit.name for unit in cooperating)
        note = context.note(
            _("主办：%(lead)s") % {"lead": lead.name} + (_("；协办：%(u)s") % {"u": names} if names else "")
        )
    elif transition == "submit_result":
        public, note = False, item.result or _("原系统未记录办理结果")
        case.result, case.result_unit = item.result, lead or case.centre
    elif transition == "import_close":
        case.closed_at = item.closed_at
        case.result = case.result or item.result
        case.result_unit = case.result_unit or lead or case.centre
        note = item.result or _("原系统已办结")
    enter_stage(case, _STAGES[transition], at)
    return [*late, _event(case, transition, from_status, note, at=at, public=public)]


def _set_warning(case: Case, events: list[EventRow], context: ImportContext) -> None:
    """The level the sweep would find now (supervision's conditions), so that its next run has
    nothing to announce for old cases; a red case gets its ``warning_red`` event at the due time."""
    now = context.now
    if not case.is_open or case.stage_due_at is None:
        return
    if case.stage_due_at <= now:
        case.warning_level = WarningLevel.RED
        events.append(_red(case, context))
    elif case.yellow_at is not None and case.yellow_at <= now:
        case.warning_level = WarningLevel.YELLOW
    elif case.blue_at is not None and case.blue_at <= now:
        case.warning_level = WarningLevel.BLUE
    if case.warning_level != WarningLevel.NONE:
        case.warning_changed_at = now


def cases_import_write(*, plans: list[ImportPlan]) -> list[Case]:
    """Write the planned cases: numbers by centre and year of registration (oldest first), then
    cases, parties, cooperating units and events, in batches of ``_BATCH``. Call inside
    ``notifications_silenced`` and a transaction of the caller's (one file, all or nothing)."""
    with transaction.atomic():
        groups: dict[tuple[str, int], list[ImportPlan]] = {}
        for plan in sorted(plans, key=lambda p: (p.case.created_at, p.case.title)):
            groups.setdefault(plan.number_key, []).append(plan)
        for (prefix, year), group in groups.items():
            for plan, number in zip(group, _reserve_numbers(prefix, year, len(group)), strict=True):
                plan.case.number = number
        for start in range(0, len(plans), _BATCH):
            _write_batch(plans[start : start + _BATCH])
    return [plan.case for plan in plans]


def _write_batch(plans: list[ImportPlan]) -> None:
    rows_insert(Case, [plan.case for plan in plans])
    ids = dict(Case.objects.filter(number__in=[plan.case.number for plan in plans]).values_list("number", "pk"))
    for plan in plans:
        plan.case.pk = ids[plan.case.number]
        plan.case._state.adding = False
        for party in plan.parties:
            party.case_id = plan.case.pk
    rows_insert(Party, [party for plan in plans for party in plan.parties])
    through = Case.cooperating_units.through
    rows_insert(
        through, [through(case_id=plan.case.pk, unit_id=unit.pk) for plan in plans for unit in plan.cooperating]
    )
    adapt = connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value
    rows = [
        (*event[:5], adapt(event[5]), event[6], adapt(event[7]), plan.case.pk)
        for plan in plans
        for event in plan.events
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(CaseEvent._meta.get_field(name).column) for name in _EVENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(CaseEvent._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(_EVENT_COLUMNS))})",
            rows,
        )
    cases_imported.send(sender=Case, cases=[plan.case for plan in plans])
