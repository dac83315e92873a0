"""Rule-change replay (issue #15): what a new directory file would change, before it is imported.

``directory_preview`` loads the file with the real import service inside a transaction that is
always rolled back, snapshots the resulting directory into a second ``DirectoryIndex`` and then
routes the cases of the last N months through both indexes — the current rules and the new ones —
with the dispatcher itself (``DirectoryIndex.decide``). Nothing is written: the rollback undoes the
import and its ``DirectoryVersion`` stamp, and the cases are only read.

Routing never imports ``cases`` (docs/architecture.md): the cases app registers where the cases
come from (``register_replay_source``) at start-up. The source answers the cases grouped by what
routing reads — (matter, region, party count, channel, severity) and how many — with one set-based
``GROUP BY`` streamed in chunks, so memory stays bounded by the kinds of case, not their number;
each kind is decided once by each index.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from .dispatch import Decision, DirectoryIndex, UnknownCode, current_index
from .services import ImportSummary, directory_import

#: What routing reads of a case: (matter code, region code, party count, channel, severity).
Kind = tuple[str, str, int, str, str]
MAX_MONTHS = 120


class ReplaySource(NamedTuple):
    """Where the replayed cases come from (registered by the cases app).

    ``kinds(since, until)`` yields ``(kind, count)`` for the cases created in ``[since, until)``;
    ``cases(since, until, kinds)`` yields ``(case number, kind)`` for those of them whose kind is
    in ``kinds``, in bounded chunks."""

    kinds: Callable[[datetime, datetime], Iterable[tuple[Kind, int]]]
    cases: Callable[[datetime, datetime, set[Kind]], Iterable[tuple[str, Kind]]]


_source: ReplaySource | None = None


def register_replay_source(source: ReplaySource) -> None:
    global _source
    _source = source


@dataclass(frozen=True)
class Outcome:
    """Where one kind of case goes: a unit, or a centre's manual dispatch queue."""

    lead: str | None
    queue: bool
    rule: str | None
    cooperating: frozenset[str]

    @classmethod
    def of(cls, decision: Decision) -> Outcome:
        return cls(decision.lead, decision.queue, decision.rule, frozenset(decision.cooperating))

    @property
    def target(self) -> tuple[str | None, bool]:
        return (self.lead, self.queue)


@dataclass
class UnitShift:
    """One unit (or one centre's manual queue): the cases it would gain and lose as lead, and as
    cooperating unit."""

    code: str | None
    queue: bool
    label: str
    gained: int = 0
    lost: int = 0
    coop_gained: int = 0
    coop_lost: int = 0

    @property
    def net(self) -> int:
        return self.gained - self.lost

    def as_json(self) -> dict:
        return {
            "unit": self.code,
            "queue": self.queue,
            "label": self.label,
            "gained": self.gained,
            "lost": self.lost,
            "net": self.net,
            "cooperating_gained": self.coop_gained,
            "cooperating_lost": self.coop_lost,
        }


@dataclass
class RuleShift:
    """Cases whose lead changed, grouped by the rule that decided them before and after."""

    old_rule: str | None
    new_rule: str | None
    old_label: str
    new_label: str
    old_unit: str | None
    new_unit: str | None
    count: int

    def as_json(self) -> dict:
        return {
            "old_rule": self.old_rule,
            "new_rule": self.new_rule,
            "old_unit": self.old_unit,
            "new_unit": self.new_unit,
            "old_label": self.old_label,
            "new_label": self.new_label,
            "count": self.count,
        }


@dataclass
class ReplayReport:
    summary: ImportSummary
    version: str  # the DirectoryVersion stamp the preview was made against
    months: int = 0
    since: datetime | None = None
    until: datetime | None = None
    cases: int = 0
    kinds: int = 0
    moved: int = 0  # the lead (or the queue) changed
    cooperating_changed: int = 0
    rule_only: int = 0  # same lead, another rule
    unroutable: int = 0  # a code the dispatcher does not know (e.g. an old channel)
    queued_before: int = 0
    queued_after: int = 0
    units: list[UnitShift] = field(default_factory=list)
    changes: list[RuleShift] = field(default_factory=list)
    #: kind → (before, after), for the kinds whose lead changed (``replay_moves``)
    moved_kinds: dict[Kind, tuple[Outcome, Outcome]] = field(default_factory=dict, repr=False)

    @property
    def replayed(self) -> bool:
        return self.since is not None

    def as_json(self) -> dict:
        return {
            "import": self.summary.lines(),
            "months": self.months,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "cases": self.cases,
            "moved": self.moved,
            "cooperating_changed": self.cooperating_changed,
            "rule_only": self.rule_only,
            "unroutable": self.unroutable,
            "queued_before": self.queued_before,
            "queued_after": self.queued_after,
            "units": [unit.as_json() for unit in self.units],
            "changes": [change.as_json() for change in self.changes],
        }

    def lines(self) -> list[str]:
        """The report as plain text for the console."""
        out = ["导入预演（未作任何更改）：", *(f"  {line}" for line in self.summary.lines())]
        if not self.replayed:
            return out
        since, until = timezone.localtime(self.since), timezone.localtime(self.until)
        out += [
            "",
            f"按新规则重放最近 {self.months} 个月（{since:%Y-%m-%d} 至 {until:%Y-%m-%d}）登记的 {self.cases} 件案件：",
            f"  主办单位改变 {self.moved} 件；协办单位改变 {self.cooperating_changed} 件；"
            f"仅依据规则改变 {self.rule_only} 件",
            f"  转入人工分派：现行 {self.queued_before} 件 → 新规则 {self.queued_after} 件",
        ]
        if self.unroutable:
            out.append(f"  无法分派（目录中没有其事项、区划或渠道）{self.unroutable} 件，未计入")
        if not self.units:
            out.append("  没有案件会换承办单位。")
            return out
        out += ["", "各单位（主办）增减：", "  增加\t减少\t净变化\t协办增\t协办减\t单位"]
        for unit in self.units:
            out.append(
                f"  +{unit.gained}\t-{unit.lost}\t{unit.net:+d}\t+{unit.coop_gained}\t-{unit.coop_lost}\t{unit.label}"
            )
        out += ["", "改变结果的规则（原规则 → 新规则：原主办 → 新主办，件数）："]
        for change in self.changes:
            out.append(
                f"  {change.old_rule or '无规则'} → {change.new_rule or '无规则'}："
                f"{change.old_label} → {change.new_label}，{change.count} 件"
            )
        return out


class _Labels:
    """Names for units and queues, from the new directory first (it may add units)."""

    def __init__(self, old: DirectoryIndex, new: DirectoryIndex):
        self.old, self.new = old, new

    def unit(self, code: str | None) -> str:
        if code is None:
            return ""
        index = self.new if code in self.new.units else self.old
        return index.unit_label(code)

    def target(self, code: str | None, queue: bool) -> str:
        if queue:
            return f"人工分派：{self.unit(code)}" if code else "人工分派（没有调度中心）"
        return self.unit(code)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the 31st → the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _new_index(data: Any) -> tuple[ImportSummary, DirectoryIndex]:
    """Import ``data`` and snapshot the result, then roll everything back."""
    with transaction.atomic():
        summary = directory_import(data=data)
        index = DirectoryIndex.build()
        transaction.set_rollback(True)
    return summary, index


def directory_preview(*, data: Any, months: int | None = 12, now: datetime | None = None) -> ReplayReport:
    """What importing ``data`` would do, without changing anything.

    Raises ``DirectoryError`` (every problem of the file) exactly as the import would. With
    ``months``, the cases created in the last ``months`` months are routed by the current and the
    new rules and compared (``ReplayReport``); the database, the dispatcher's cache and the
    ``DirectoryVersion`` stamp are left as they were.
    """
    old = current_index()
    summary, new = _new_index(data)
    report = ReplayReport(summary=summary, version=old.version)
    if not months:
        return report
    if _source is None:
        raise RuntimeError("没有登记案件来源（cases 应用未加载），无法重放")
    report.months = months
    report.until = now or timezone.now()
    report.since = months_before(report.until, months)
    _replay(report, old, new, _source.kinds(report.since, report.until))
    return report


def _replay(report: ReplayReport, old: DirectoryIndex, new: DirectoryIndex, kinds: Iterable[tuple[Kind, int]]):
    labels = _Labels(old, new)
    units: dict[tuple[str | None, bool], UnitShift] = {}
    changes: Counter = Counter()

    def shift(code: str | None, queue: bool) -> UnitShift:
        key = (code, queue)
        if key not in units:
            units[key] = UnitShift(code, queue, labels.target(code, queue))
        return units[key]

    for kind, count in kinds:
        matter, region, parties, channel, severity = kind
        claim = {"matter": matter, "region": region, "parties": parties, "channel": channel, "severity": severity}
        try:
            before = Outcome.of(old.decide(**claim))
            after = Outcome.of(new.decide(**claim))
        except UnknownCode:
            report.unroutable += count
            continue
        report.cases += count
        report.kinds += 1
        report.queued_before += count * before.queue
        report.queued_after += count * after.queue
        if before.target != after.target:
            report.moved += count
            shift(*before.target).lost += count
            shift(*after.target).gained += count
            changes[(before.rule, after.rule, before.target, after.target)] += count
            report.moved_kinds[kind] = (before, after)
        elif before.rule != after.rule:
            report.rule_only += count
        if before.cooperating != after.cooperating:
            report.cooperating_changed += count
            for code in after.cooperating - before.cooperating:
                shift(code, False).coop_gained += count
            for code in before.cooperating - after.cooperating:
                shift(code, False).coop_lost += count

    report.units = sorted(units.values(), key=lambda u: (-(u.gained + u.lost + u.coop_gained + u.coop_lost), u.label))
    report.changes = [
        RuleShift(old_rule, new_rule, labels.target(*old_t), labels.target(*new_t), old_t[0], new_t[0], count)
        for (old_rule, new_rule, old_t, new_t), count in sorted(
            changes.items(), key=lambda item: (-item[1], str(item[0][0]), str(item[0][1]), str(item[0][2]))
        )
    ]


def replay_moves(report: ReplayReport) -> Iterator[dict]:
    """Every replayed case whose lead would change, one dict each, in the shape ``manage.py route``
    reads (``ref``, ``matter``, ``region``, ``parties``, ``channel``) plus its lead and rule before
    and after. Read in bounded chunks."""
    if not report.replayed or not report.moved_kinds or _source is None:
        return
    for number, kind in _source.cases(report.since, report.until, set(report.moved_kinds)):
        before, after = report.moved_kinds[kind]
        matter, region, parties, channel, severity = kind
        yield {
            "ref": number,
            "matter": matter,
            "region": region,
            "parties": parties,
            "channel": channel,
            "severity": severity,
            "old_lead": before.lead,
            "old_queue": before.queue,
            "old_rule": before.rule,
            "new_lead": after.lead,
            "new_queue": after.queue,
            "new_rule": after.rule,
        }
