"""The dispatcher: given a claim's matter, region, party count and channel, decide who handles it.

It follows DESIGN.md "Dispatch semantics" to the letter. ``DirectoryIndex`` is an in-memory
snapshot of the directory built with a handful of queries; a decision then costs a few dozen dict
look-ups — the ancestors of the matter (≤ 3) times the ancestors of the region (≤ 7) — whatever
the size of the directory.

Cache: each process keeps one index together with the ``DirectoryVersion`` stamp it was built
from. ``current_index()`` reads the stamp (one primary-key query) and rebuilds when it changed.
Every directory write (import, admin) sets a new random stamp in the same transaction, so every
web process and q2 worker on every host sees a change at its next decision.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TypeVar

from django.db import connection

from .models import (
    LEVEL_RANK,
    SEVERITY_RANK,
    Channel,
    DirectoryVersion,
    MatterType,
    Region,
    RegionLevel,
    RoutingRule,
    RuleTarget,
    Severity,
    SeverityRule,
    TargetKind,
    Unit,
)
from .roles import DISPATCH_ROLE, KNOWN_UNIT_ROLES

T = TypeVar("T")


class UnknownCode(ValueError):
    """The claim names a matter or region that is not in the directory."""


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    level: str
    parent: str | None
    depth: int


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    region: str
    active: bool


@dataclass(frozen=True)
class Target:
    unit: str | None = None
    role: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class Rule:
    rule_id: str
    matter: str | None
    region: str | None
    min_parties: int
    channels: frozenset[str]
    priority: int
    position: int
    lead: Target
    cooperating: tuple[Target, ...]
    matter_depth: int
    region_depth: int
    min_severity: str = ""
    sort_key: tuple[int, int, int, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # DESIGN.md order: priority, deeper rule region, deeper rule matter, definition order.
        object.__setattr__(self, "sort_key", (-self.priority, -self.region_depth, -self.matter_depth, self.position))


@dataclass(frozen=True)
class SeverityCondition:
    """A severity rule of the directory (``SeverityRule``), as the index keeps it."""

    level: str
    matter: str | None
    min_parties: int | None
    keywords: tuple[str, ...]
    note: str


@dataclass
class RuleConsideration:
    """One rule that matched the claim's matter and place, and what became of it."""

    rule_id: str
    status: str  # chosen | lost | unresolved | filtered
    reason: str


@dataclass
class Decision:
    lead: str | None
    cooperating: list[str]
    rule: str | None
    queue: bool
    explanation: list[str]
    considered: list[RuleConsideration] = field(default_factory=list)

    def as_json(self, ref=None) -> dict:
        return {
            "ref": ref,
            "lead": self.lead,
            "cooperating": self.cooperating,
            "rule": self.rule,
            "queue": self.queue,
            "explanation": self.explanation,
        }


def _level_label(level: str) -> str:
    return str(RegionLevel(level).label)


def _role_label(role: str) -> str:
    return str(KNOWN_UNIT_ROLES.get(role, role))


#: ``（labor.wages）`` after a matter's name in an explanation line.
_MATTER_CODE = re.compile(r"（[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*）")
#: ``hotline、window`` after 渠道 in an explanation line.
_CHANNEL_CODES = re.compile(r"(?<=渠道 )([a-z]+(?:、[a-z]+)*)")


def _channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


class DirectoryIndex:
    def __init__(
        self,
        *,
        regions: dict[str, RegionInfo],
        matters: dict[str, tuple[str, str | None, int]],
        units: dict[str, UnitInfo],
        unit_roles: dict[tuple[str, str], list[str]],
        rules: list[Rule],
        version: str = "",
        severity_rules: list[SeverityCondition] | None = None,
    ):
        self.regions = regions
        self.matters = matters  # code -> (name, parent, depth)
        self.units = units
        self.units_by_place_role = unit_roles  # (region code, role) -> active unit codes, lowest first
        self.version = version
        self.severity_rules = severity_rules or []
        self.rules_by_key: dict[tuple[str | None, str | None], list[Rule]] = defaultdict(list)
        self._memo: dict = {}  # reference data cached with this snapshot (``reference_cached``)
        for rule in rules:
            self.rules_by_key[(rule.matter, rule.region)].append(rule)
        self.rules_by_id = {rule.rule_id: rule for rule in rules}
        ids = sorted(self.rules_by_id, key=len, reverse=True)
        self._rule_ids = (
            re.compile(rf"(?<![A-Za-z0-9_.-])({'|'.join(map(re.escape, ids))})(?![A-Za-z0-9_.-])") if ids else None
        )

    # Building -----------------------------------------------------------------------------------
    @classmethod
    def build(cls, version: str = "") -> DirectoryIndex:
        """Snapshot the directory: a fixed handful of queries (seven) whatever its size."""
        regions = {
            code: RegionInfo(code, name, level, parent, depth)
            for code, name, level, parent, depth in Region.objects.values_list(
                "code", "name", "level", "parent__code", "depth"
            )
        }
        matters = {
            code: (name, parent, depth)
            for code, name, parent, depth in MatterType.objects.values_list("code", "name", "parent__code", "depth")
        }
        units = {
            code: UnitInfo(code, name, region, active)
            for code, name, region, active in Unit.objects.values_list("code", "name", "region__code", "active")
        }
        unit_roles: dict[tuple[str, str], list[str]] = defaultdict(list)
        for unit_code, region_code, role_code in (
            Unit.objects.filter(active=True)
            .values_list("code", "region__code", "roles__code")
            .exclude(roles__code=None)
            .order_by("code")
        ):
            unit_roles[(region_code, role_code)].append(unit_code)
        for unit_codes in unit_roles.values():
            unit_codes.sort()  # "the lowest unit code" by code point, whatever the database's collation
        targets: dict[int, list] = defaultdict(list)
        for rule_pk, kind, position, unit_code, role_code, level in RuleTarget.objects.values_list(
            "rule_id", "kind", "position", "unit__code", "role__code", "level"
        ).order_by("rule_id", "position", "id"):
            targets[rule_pk].append((kind, position, Target(unit_code, role_code, level or None)))
        rules = []
        for (
            pk, rule_id, matter, region, min_parties, channels, priority, position, min_severity
        ) in RoutingRule.objects.values_list(
            "id", "rule_id", "matter__code", "region__code", "min_parties", "channels", "priority", "position",
            "min_severity",
        ).order_by("position", "id"):  # fmt: skip
            rule_targets = targets.get(pk, [])
            lead = next((t for kind, _p, t in rule_targets if kind == TargetKind.LEAD), None)
            if lead is None:
                continue  # a rule without a lead can never route (the admin form prevents it)
            rules.append(
                Rule(
                    rule_id=rule_id,
                    matter=matter,
                    region=region,
                    min_parties=min_parties,
                    channels=frozenset(channels or ()),
                    priority=priority,
                    position=position,
                    lead=lead,
                    cooperating=tuple(t for kind, _p, t in rule_targets if kind == TargetKind.COOPERATING),
                    matter_depth=matters[matter][2] if matter else 0,
                    region_depth=regions[region].depth if region else 0,
                    min_severity=min_severity or "",
                )
            )
        severity_rules = [
            SeverityCondition(level, matter, min_parties, tuple(keywords or ()), note)
            for level, matter, min_parties, keywords, note in SeverityRule.objects.values_list(
                "level", "matter__code", "min_parties", "keywords", "note"
            ).order_by("position", "id")
        ]
        return cls(
            regions=regions,
            matters=matters,
            units=units,
            unit_roles=unit_roles,
            rules=rules,
            version=version,
            severity_rules=severity_rules,
        )

    # Naming -------------------------------------------------------------------------------------
    def region_label(self, code: str) -> str:
        info = self.regions[code]
        return f"{info.name}（{code}）"

    def unit_label(self, code: str) -> str:
        info = self.units.get(code)
        return f"{info.name}（{code}）" if info else code

    def target_label(self, target: Target) -> str:
        if target.unit:
            return f"指定单位 {self.unit_label(target.unit)}"
        return f"{_level_label(target.level)}级“{_role_label(target.role)}”"

    def rule_name(self, rule_id: str | None) -> str:
        """A rule's name for people, in Chinese (its id is for the directory file):
        ``拖欠工资 · 全域 · 10 人以上``; "" for a rule not in the directory."""
        rule = self.rules_by_id.get(rule_id or "")
        if rule is None:
            return ""
        parts = [
            self.matters[rule.matter][0] if rule.matter else "任意事项",
            self.regions[rule.region].name if rule.region else "全域",
        ]
        if rule.min_parties > 1:
            parts.append(f"{rule.min_parties} 人以上")
        if rule.channels:
            parts.append("限" + "、".join(str(Channel(c).label) for c in sorted(rule.channels)))
        return " · ".join(parts)

    def named(self, lines: list[str]) -> list[str]:
        """Explanation lines for the staff case screens: rules by their names, matters and
        channels by their Chinese names, no codes (the simulator keeps the ids admins edit)."""
        named = []
        for line in lines:
            if self._rule_ids is not None:
                line = self._rule_ids.sub(lambda m: f"“{self.rule_name(m.group(1))}”", line)
            line = _MATTER_CODE.sub("", line)
            line = _CHANNEL_CODES.sub(lambda m: "、".join(_channel_label(c) for c in m.group(1).split("、")), line)
            named.append(line)
        return named

    # Deciding -----------------------------------------------------------------------------------
    def region_chain(self, code: str) -> list[str]:
        """The region and its ancestors, deepest first."""
        chain = []
        node: str | None = code
        while node is not None:
            chain.append(node)
            node = self.regions[node].parent
        return chain

    def nearest_with_role(self, region: str, role: str) -> str | None:
        """The active unit with ``role`` in the region or its nearest ancestor (lowest code)."""
        for code in self.region_chain(region):
            found = self.units_by_place_role.get((code, role))
            if found:
                return found[0]
        return None

    def matter_chain(self, code: str) -> list[str]:
        chain = []
        node: str | None = code
        while node is not None:
            chain.append(node)
            node = self.matters[node][1]
        return chain

    def resolve(self, target: Target, region: str) -> tuple[str | None, str]:
        """Resolve a target for a claim in ``region``: (unit code or None, explanation)."""
        if target.unit:
            info = self.units.get(target.unit)
            if info is None:
                return None, f"{self.target_label(target)} 不存在"
            if not info.active:
                return None, f"{self.target_label(target)} 已停用"
            return info.code, f"{self.target_label(target)}"
        chain = self.region_chain(region)
        wanted = LEVEL_RANK[target.level]
        start = next((i for i, code in enumerate(chain) if LEVEL_RANK[self.regions[code].level] <= wanted), None)
        if start is None:
            return None, f"{self.target_label(target)}：诉求所在区划之上没有{_level_label(target.level)}级区划"
        start_code = chain[start]
        for code in chain[start:]:
            found = self.units_by_place_role.get((code, target.role))
            if found:
                walked = "" if code == start_code else f"，{self.region_label(start_code)} 没有，逐级向上"
                return found[0], (
                    f"{self.target_label(target)}：从 {self.region_label(start_code)} 开始查找{walked}，"
                    f"在 {self.region_label(code)} 找到 {self.unit_label(found[0])}"
                )
        return None, (
            f"{self.target_label(target)}：从 {self.region_label(start_code)} 向上直至 "
            f"{self.region_label(chain[-1])} 都没有在用的该职能单位"
        )

    def _candidates(
        self,
        matter: str,
        region: str,
        parties: int,
        channel: str,
        considered: list[RuleConsideration],
        severity: str = Severity.GENERAL,
    ) -> list[Rule]:
        """Rules on the matter's and region's chains, best first; those filtered out by party
        count or channel are noted in ``considered``."""
        matched: list[Rule] = []
        for m in [*self.matter_chain(matter), None]:
            for g in [*self.region_chain(region), None]:
                matched.extend(self.rules_by_key.get((m, g), ()))
        candidates = []
        matched.sort(key=attrgetter("sort_key"))
        for rule in matched:
            if parties < rule.min_parties:
                considered.append(
                    RuleConsideration(
                        rule.rule_id, "filtered", f"涉及人数 {parties} 少于规则要求的 {rule.min_parties} 人"
                    )
                )
            elif rule.channels and channel not in rule.channels:
                considered.append(
                    RuleConsideration(rule.rule_id, "filtered", f"规则只适用于渠道 {'、'.join(sorted(rule.channels))}")
                )
            elif rule.min_severity and SEVERITY_RANK[severity] < SEVERITY_RANK[rule.min_severity]:
                considered.append(
                    RuleConsideration(
                        rule.rule_id,
                        "filtered",
                        f"严重程度{Severity(severity).label}低于规则要求的{Severity(rule.min_severity).label}",
                    )
                )
            else:
                candidates.append(rule)
        return candidates

    def decide(
        self,
        *,
        matter: str,
        region: str,
        parties: int = 1,
        channel: str = Channel.WEB,
        severity: str = Severity.GENERAL,
        detail: bool = False,
    ) -> Decision:
        """Decide one claim. ``detail`` also lists every later candidate and why it lost (simulator)."""
        if matter not in self.matters:
            raise UnknownCode(f"未知事项类型 {matter}")
        if region not in self.regions:
            raise UnknownCode(f"未知区划 {region}")
        if channel not in Channel.values:
            raise UnknownCode(f"未知渠道 {channel}")
        if severity not in SEVERITY_RANK:
            raise UnknownCode(f"未知严重程度 {severity}")
        parties = max(int(parties), 1)
        explanation = [
            f"诉求：事项 {self.matters[matter][0]}（{matter}），区划 {self.region_label(region)}，"
            f"涉及 {parties} 人，渠道 {Channel(channel).label}"
            + ("" if severity == Severity.GENERAL else f"，严重程度{Severity(severity).label}")
        ]
        considered: list[RuleConsideration] = []

        candidates = self._candidates(matter, region, parties, channel, considered, severity)
        for item in considered:
            explanation.append(f"规则 {item.rule_id} 不适用：{item.reason}")
        if candidates:
            explanation.append(
                "候选规则（按优先级、规则区划深度、事项深度、定义顺序）：" + "、".join(r.rule_id for r in candidates)
            )
        else:
            explanation.append("没有适用的规则")

        for index, rule in enumerate(candidates):
            lead, how = self.resolve(rule.lead, region)
            if lead is None:
                explanation.append(f"规则 {rule.rule_id} 的主办目标无法确定（{how}），改试下一条")
                considered.append(RuleConsideration(rule.rule_id, "unresolved", f"主办目标无法确定：{how}"))
                continue
            explanation.append(f"采用规则 {rule.rule_id}（优先级 {rule.priority}）")
            explanation.append(f"主办：{how}")
            cooperating: list[str] = []
            for target in rule.cooperating:
                unit, how = self.resolve(target, region)
                if unit is None:
                    explanation.append(f"协办目标跳过：{how}")
                elif unit == lead or unit in cooperating:
                    explanation.append(f"协办：{how}（与已选单位重复，不再列入）")
                else:
                    cooperating.append(unit)
                    explanation.append(f"协办：{how}")
            considered.append(RuleConsideration(rule.rule_id, "chosen", "采用"))
            if detail:
                considered.extend(
                    RuleConsideration(later.rule_id, "lost", _lost_reason(later, rule))
                    for later in candidates[index + 1 :]
                )
            return Decision(lead, cooperating, rule.rule_id, False, explanation, considered)

        queue_unit = None
        for code in self.region_chain(region):
            found = self.units_by_place_role.get((code, DISPATCH_ROLE))
            if found:
                queue_unit = found[0]
                explanation.append(f"转入人工分派：{self.region_label(code)} 的调度中心 {self.unit_label(queue_unit)}")
                break
        else:
            explanation.append("转入人工分派：所在区划及其上级都没有调度中心，请管理员补充目录")
        return Decision(queue_unit, [], None, True, explanation, considered)

    def propose_severity(self, *, matter: str, parties: int, text: str) -> tuple[str, list[str]]:
        """The severity the directory's rules propose for a new claim, and why: the most serious
        level among the rules whose every condition holds; none: 一般."""
        chain = set(self.matter_chain(matter)) if matter in self.matters else set()
        level, reasons = Severity.GENERAL.value, []
        for rule in self.severity_rules:
            if rule.matter is not None and rule.matter not in chain:
                continue
            if rule.min_parties is not None and parties < rule.min_parties:
                continue
            hit = next((k for k in rule.keywords if k in text), None) if rule.keywords else None
            if rule.keywords and hit is None:
                continue
            why = []
            if rule.matter is not None:
                why.append(f"事项属于{self.matters[rule.matter][0]}")
            if rule.min_parties is not None:
                why.append(f"涉及 {parties} 人（不少于 {rule.min_parties} 人）")
            if hit is not None:
                why.append(f"内容含“{hit}”")
            reasons.append(
                f"{Severity(rule.level).label}：" + "，".join(why) + (f"（{rule.note}）" if rule.note else "")
            )
            if SEVERITY_RANK[rule.level] > SEVERITY_RANK[level]:
                level = rule.level
        return level, reasons


def _lost_reason(rule: Rule, winner: Rule) -> str:
    if rule.priority != winner.priority:
        return f"优先级 {rule.priority} 低于 {winner.rule_id} 的 {winner.priority}"
    if rule.region_depth != winner.region_depth:
        return f"规则区划不如 {winner.rule_id} 具体"
    if rule.matter_depth != winner.matter_depth:
        return f"事项类型不如 {winner.rule_id} 具体"
    return f"定义顺序在 {winner.rule_id} 之后"


_lock = threading.Lock()
_cached: DirectoryIndex | None = None


_VERSION_SQL = f"SELECT stamp FROM {DirectoryVersion._meta.db_table} WHERE singleton = 1"


def directory_version() -> str:
    # Runs before every decision: a bare primary-key read, without the ORM's per-query overhead.
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else ""


_pin = threading.local()


@contextmanager
def directory_pinned():
    """Read the stamp once for a whole service call: inside, ``current_index()`` returns the same
    index without another query, and ``reference_cached`` / ``unit_cached`` answer from the memo
    kept with that index. Nested pins share the outer one. A write to the directory, the work
    calendar or the warning thresholds replaces the stamp (``routing.services.directory_touch``),
    so the memo is never older than the stamp read at the start of the call."""
    if getattr(_pin, "index", None) is not None:
        yield _pin.index
        return
    _pin.index = current_index()
    try:
        yield _pin.index
    finally:
        _pin.index = None


def pinned_index() -> DirectoryIndex | None:
    """The index pinned by an enclosing ``directory_pinned``, or None (no stamp read either way)."""
    return getattr(_pin, "index", None)


def reference_cached(key: str, loader: Callable[[], T]) -> T:
    """``loader()``, kept with the pinned index (outside a pin: ``loader()`` every time). The value
    is shared by every caller of this process: treat it as read-only."""
    index = getattr(_pin, "index", None)
    if index is None:
        return loader()
    try:
        return index._memo[key]
    except KeyError:
        value = index._memo[key] = loader()
        return value


def reference_cache_clear() -> None:
    """Forget what ``reference_cached`` kept (tests: a row changed without touching the stamp)."""
    index = _cached
    if index is not None:
        index._memo.clear()


def directory_row(model, code: str, *related: str):
    """The ``Region`` / ``MatterType`` / ``Unit`` with this code, or None; inside a pin, from the
    index's memo (a copy, so a caller's changes stay its own). Only rows that exist are kept, so
    codes typed into a form cannot grow the memo."""
    key = f"{model._meta.label}:{code}"
    index = getattr(_pin, "index", None)
    row = index._memo.get(key) if index is not None else None
    if row is None:
        row = model.objects.select_related(*related).filter(code=code).first()
        if row is None:
            return None
        if index is not None:
            index._memo[key] = row
    return copy.copy(row)


def unit_cached(code: str) -> Unit:
    """The ``Unit`` (with its region) by code (``directory_row``); it must exist."""
    unit = directory_row(Unit, code, "region")
    if unit is None:
        raise Unit.DoesNotExist(code)
    return unit


def current_index() -> DirectoryIndex:
    """This process's index, rebuilt when the directory stamp changed (one query to check; none
    inside ``directory_pinned``)."""
    global _cached
    pinned = getattr(_pin, "index", None)
    if pinned is not None:
        return pinned
    version = directory_version()
    index = _cached
    if index is not None and index.version == version:
        return index
    with _lock:
        if _cached is None or _cached.version != version:
            _cached = DirectoryIndex.build(version=version)
        return _cached


def dispatch_decide(
    *,
    matter: str,
    region: str,
    parties: int = 1,
    channel: str = Channel.WEB,
    severity: str = Severity.GENERAL,
    detail: bool = False,
) -> Decision:
    """Decide a claim's units against the current directory. Reads only; changes nothing."""
    return current_index().decide(
        matter=matter, region=region, parties=parties, channel=channel, severity=severity, detail=detail
    )
