"""Reading and checking a directory file (docs/directory-format.md) before anything is written.

``parse_directory`` turns the loaded YAML into a ``DirectoryPlan`` or raises ``DirectoryError``
listing every problem with the entry it concerns. It reads the database (to know what already
exists, since entries are upserted) but never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import ServiceError

from .models import (
    LEVEL_RANK,
    SEVERITY_RANK,
    Channel,
    MatterType,
    Region,
    RegionLevel,
    RoutingRule,
    Severity,
    Unit,
    UnitRole,
)

TOP_LEVEL_KEYS = ("regions", "matter_types", "units", "rules", "severity")
SEVERITY_NAMES = "、".join(f"{s.value}（{s.label}）" for s in Severity)
DEFAULT_DEADLINES = {"accept": 1, "sign": 1, "handle": 15, "contact": 1}
#: The least value of each deadline: 首次联系 may be due the day the unit signs (0).
MIN_DEADLINES = {"accept": 1, "sign": 1, "handle": 1, "contact": 0}
# Column widths (the same for regions, matter types and units): checked here so that an over-long
# value is an import error naming its entry on every database (SQLite would store it, PostgreSQL fail).
CODE_MAX_LENGTH = Unit._meta.get_field("code").max_length
NAME_MAX_LENGTH = Unit._meta.get_field("name").max_length
RULE_ID_MAX_LENGTH = RoutingRule._meta.get_field("rule_id").max_length
NOTE_MAX_LENGTH = RoutingRule._meta.get_field("note").max_length
ROLE_MAX_LENGTH = UnitRole._meta.get_field("code").max_length


class DirectoryError(ServiceError):
    """The file cannot be imported; ``errors`` holds one readable line per problem (the message
    is all of them, one a line)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class RegionEntry:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass
class MatterEntry:
    code: str
    name: str
    parent: str | None
    keywords: list[str]
    mediable: bool
    accept_days: int
    sign_days: int
    handle_days: int
    contact_days: int = 1
    severity_deadlines: dict = field(default_factory=dict)


@dataclass
class UnitEntry:
    code: str
    name: str
    region: str
    roles: list[str]
    active: bool


@dataclass
class TargetEntry:
    unit: str | None = None
    role: str | None = None
    level: str | None = None


@dataclass
class RuleEntry:
    rule_id: str
    matter: str | None
    region: str | None
    min_parties: int
    channels: list[str]
    priority: int
    lead: TargetEntry
    cooperating: list[TargetEntry]
    note: str = ""
    min_severity: str = ""


@dataclass
class SeverityEntry:
    level: str
    matter: str | None
    min_parties: int | None
    keywords: list[str]
    note: str = ""


@dataclass
class DirectoryPlan:
    regions: list[RegionEntry] = field(default_factory=list)
    matter_types: list[MatterEntry] = field(default_factory=list)
    units: list[UnitEntry] = field(default_factory=list)
    rules: list[RuleEntry] | None = None  # None: the file has no `rules` key, keep the rule set
    severity: list[SeverityEntry] | None = None  # None: no `severity` key, keep the severity rules


def _code(value: Any) -> str | None:
    """Codes may come unquoted from YAML (``4406``); any scalar becomes its text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        text = str(value).strip()
        return text or None
    return None


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}：{message}")

    def entries(self, data: dict, key: str, label: str) -> list[tuple[str, dict]]:
        raw = data.get(key)
        if raw is None:  # `key:` with nothing after it: an empty section
            raw = []
        if not isinstance(raw, list):
            self.error(label, "应为列表")
            return []
        out = []
        for index, item in enumerate(raw, start=1):
            where = f"{label}第 {index} 项"
            if not isinstance(item, dict):
                self.error(where, "应为键值映射（code、name ……）")
                continue
            out.append((where, item))
        return out

    def code_and_name(self, where: str, item: dict, seen: set[str]) -> tuple[str | None, str | None]:
        code = _code(item.get("code"))
        name = item.get("name")
        if code is None:
            self.error(where, "缺少编码 code")
            return None, None
        where_code = f"{where}（{code}）"
        if code in seen:
            self.error(where_code, "编码在文件中重复")
            return None, None
        seen.add(code)
        if len(code) > CODE_MAX_LENGTH:
            self.error(where_code, f"编码超过 {CODE_MAX_LENGTH} 个字符")
            return None, None
        if not isinstance(name, str) or not name.strip():
            self.error(where_code, "缺少名称 name")
            return code, None
        if len(name.strip()) > NAME_MAX_LENGTH:
            self.error(where_code, f"名称超过 {NAME_MAX_LENGTH} 个字符")
            return code, None
        return code, name.strip()

    def check_tree(self, label: str, parents: dict[str, str | None], file_codes: set[str]) -> None:
        """Report unknown parents and cycles in the tree as it will be after the import."""
        for code in sorted(file_codes):
            parent = parents[code]
            if parent is not None and parent not in parents:
                self.error(f"{label} {code}", f"上级 {parent} 不存在")
        for code in sorted(file_codes):
            seen = [code]
            node = parents.get(code)
            while node is not None:
                if node == code:
                    self.error(f"{label} {code}", "上级关系形成循环：" + " → ".join([*seen, code]))
                    break
                if node in seen or node not in parents:
                    break
                seen.append(node)
                node = parents.get(node)


def parse_directory(data: Any) -> DirectoryPlan:
    check = _Checker()
    if not isinstance(data, dict):
        raise DirectoryError(["文件内容应为映射，包含 regions、matter_types、units、rules 等键"])
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        check.error("文件", "未知的键 " + "、".join(map(str, unknown)) + "（可用：" + "、".join(TOP_LEVEL_KEYS) + "）")

    plan = DirectoryPlan()
    region_parents = _parse_regions(check, data, plan)
    matter_parents = _parse_matters(check, data, plan)
    unit_codes = _parse_units(check, data, plan, region_parents)

    # Rules -----------------------------------------------------------------------------------
    if "rules" in data:
        plan.rules = []
        seen = set()
        for index, item in check.entries(data, "rules", "rules "):
            rule = _parse_rule(
                check, index, item, len(plan.rules) + 1, seen, region_parents, matter_parents, unit_codes
            )
            if rule is not None:
                plan.rules.append(rule)

    if "severity" in data:
        plan.severity = []
        for where, item in check.entries(data, "severity", "severity "):
            entry = _parse_severity(check, where, item, matter_parents)
            if entry is not None:
                plan.severity.append(entry)

    if check.errors:
        raise DirectoryError(check.errors)
    return plan


def _parse_severity(check: _Checker, where: str, item: dict, matters: dict[str, str | None]) -> SeverityEntry | None:
    ok = True
    unknown = set(item) - {"level", "matter", "min_parties", "keywords", "note"}
    if unknown:
        check.error(where, "未知的键 " + "、".join(sorted(map(str, unknown))))
        ok = False
    level = item.get("level")
    if level not in SEVERITY_RANK:
        check.error(where, f"严重程度 level 应为 {SEVERITY_NAMES} 之一")
        ok = False
    matter = _code(item.get("matter")) if item.get("matter") is not None else None
    if matter is not None and matter not in matters:
        check.error(where, f"事项 {matter} 不存在")
        ok = False
    min_parties = item.get("min_parties")
    if min_parties is not None and (
        not isinstance(min_parties, int) or isinstance(min_parties, bool) or min_parties < 1
    ):
        check.error(where, "min_parties 应为不小于 1 的整数")
        ok = False
    keywords = item.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
        check.error(where, "keywords 应为非空文字的列表")
        ok = False
    note = str(item.get("note") or "")
    if len(note) > NOTE_MAX_LENGTH:
        check.error(where, f"note 超过 {NOTE_MAX_LENGTH} 个字符")
        ok = False
    if ok and matter is None and min_parties is None and not keywords:
        check.error(where, "至少要有一个条件（matter、min_parties 或 keywords）")
        ok = False
    if not ok:
        return None
    return SeverityEntry(
        level=level, matter=matter, min_parties=min_parties, keywords=[k.strip() for k in keywords], note=note
    )


def _parse_severity_deadlines(check: _Checker, code: str, raw: Any, days: dict[str, int]) -> dict | None:
    """``{major: {handle: 5}}``: per level, stages no longer than the matter's own deadlines."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - set(SEVERITY_RANK):
        check.error(f"事项 {code}", f"severity_deadlines 的键应为 {SEVERITY_NAMES}")
        return None
    out = {}
    for level, stages in raw.items():
        if not isinstance(stages, dict) or not stages or set(stages) - set(DEFAULT_DEADLINES):
            check.error(f"事项 {code}", f"severity_deadlines.{level} 只能包含 accept、sign、handle、contact")
            return None
        for stage, value in stages.items():
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not MIN_DEADLINES[stage] <= value <= days[stage]
            ):
                check.error(
                    f"事项 {code}",
                    f"severity_deadlines.{level}.{stage} 应为 {MIN_DEADLINES[stage]} 到 {days[stage]} 之间的整数"
                    "（不能长于该事项的时限）",
                )
                return None
        out[level] = dict(stages)
    return out


def _parse_regions(check: _Checker, data: dict, plan: DirectoryPlan) -> dict[str, str | None]:
    """Regions of the file into ``plan``; returns every region code (database and file) → parent."""
    region_parents: dict[str, str | None] = {}
    region_levels: dict[str, str] = {}
    for code, parent_id, level in Region.objects.values_list("code", "parent__code", "level"):
        region_parents[code] = parent_id
        region_levels[code] = level
    seen: set[str] = set()
    for where, item in check.entries(data, "regions", "regions "):
        code, name = check.code_and_name(where, item, seen)
        if code is None or name is None:
            continue
        level = item.get("level")
        if level not in LEVEL_RANK:
            check.error(f"区划 {code}", f"未知层级 {level!r}（可用：{'、'.join(RegionLevel.values)}）")
            continue
        parent = _code(item.get("parent")) if item.get("parent") is not None else None
        region_parents[code] = parent
        region_levels[code] = level
        plan.regions.append(RegionEntry(code=code, name=name, level=level, parent=parent))
    file_regions = {entry.code for entry in plan.regions}
    check.check_tree("区划", region_parents, file_regions)
    for entry in plan.regions:
        parent_level = region_levels.get(entry.parent) if entry.parent else None
        if parent_level and LEVEL_RANK[parent_level] >= LEVEL_RANK[entry.level]:
            check.error(
                f"区划 {entry.code}",
                f"层级 {entry.level} 不低于上级 {entry.parent} 的层级 {parent_level}",
            )
    # Children already in the database (not in the file) must stay below a parent the file changes.
    for code, parent in sorted(region_parents.items(), key=lambda item: item[0]):
        if code in file_regions or parent not in file_regions:
            continue
        if LEVEL_RANK[region_levels[parent]] >= LEVEL_RANK[region_levels[code]]:
            check.error(
                f"区划 {parent}",
                f"层级 {region_levels[parent]} 不高于已有下级 {code} 的层级 {region_levels[code]}",
            )
    return region_parents


def _parse_matters(check: _Checker, data: dict, plan: DirectoryPlan) -> dict[str, str | None]:
    """Matter types of the file into ``plan``; returns every matter code (database and file) → parent."""
    matter_parents: dict[str, str | None] = dict(MatterType.objects.values_list("code", "parent__code"))
    seen = set()
    for where, item in check.entries(data, "matter_types", "matter_types "):
        code, name = check.code_and_name(where, item, seen)
        if code is None or name is None:
            continue
        keywords = item.get("keywords") or []
        if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
            check.error(f"事项 {code}", "keywords 应为非空文字的列表")
            continue
        mediable = item.get("mediable", False)
        if not isinstance(mediable, bool):
            check.error(f"事项 {code}", "mediable 应为 true 或 false")
            continue
        deadlines = item.get("deadlines") or {}
        if not isinstance(deadlines, dict) or set(deadlines) - set(DEFAULT_DEADLINES):
            check.error(f"事项 {code}", "deadlines 只能包含 accept、sign、handle、contact")
            continue
        days = {**DEFAULT_DEADLINES, **deadlines}
        if not all(
            isinstance(v, int) and not isinstance(v, bool) and MIN_DEADLINES[k] <= v <= 365 for k, v in days.items()
        ):
            check.error(f"事项 {code}", "时限应为 1 到 365 之间的整数（工作日；首次联系 contact 可为 0）")
            continue
        severity_deadlines = _parse_severity_deadlines(check, code, item.get("severity_deadlines"), days)
        if severity_deadlines is None:
            continue
        parent = _code(item.get("parent")) if item.get("parent") is not None else None
        matter_parents[code] = parent
        plan.matter_types.append(
            MatterEntry(
                code=code,
                name=name,
                parent=parent,
                keywords=[k.strip() for k in keywords],
                mediable=mediable,
                accept_days=days["accept"],
                sign_days=days["sign"],
                handle_days=days["handle"],
                contact_days=days["contact"],
                severity_deadlines=severity_deadlines,
            )
        )
    check.check_tree("事项", matter_parents, {entry.code for entry in plan.matter_types})
    return matter_parents


def _parse_units(check: _Checker, data: dict, plan: DirectoryPlan, region_parents: dict[str, str | None]) -> set[str]:
    """Units of the file into ``plan``; returns every unit code (database and file)."""
    unit_codes = set(Unit.objects.values_list("code", flat=True))
    seen = set()
    for where, item in check.entries(data, "units", "units "):
        code, name = check.code_and_name(where, item, seen)
        if code is None or name is None:
            continue
        region = _code(item.get("region"))
        if region is None:
            check.error(f"单位 {code}", "缺少所在区划 region")
            continue
        if region not in region_parents:
            check.error(f"单位 {code}", f"所在区划 {region} 不存在")
            continue
        roles = item.get("roles") or []
        if not isinstance(roles, list) or not all(
            isinstance(r, str) and r.strip() and len(r.strip()) <= ROLE_MAX_LENGTH for r in roles
        ):
            check.error(f"单位 {code}", f"roles 应为职能编码（不超过 {ROLE_MAX_LENGTH} 个字符）的列表")
            continue
        active = item.get("active", True)
        if not isinstance(active, bool):
            check.error(f"单位 {code}", "active 应为 true 或 false")
            continue
        unit_codes.add(code)
        plan.units.append(
            UnitEntry(code=code, name=name, region=region, roles=sorted({r.strip() for r in roles}), active=active)
        )
    return unit_codes


def _parse_target(check: _Checker, where: str, raw: Any, unit_codes: set[str]) -> TargetEntry | None:
    if not isinstance(raw, dict):
        check.error(where, "目标应为 {unit: 单位编码} 或 {role: 职能, level: 层级}")
        return None
    unknown = set(raw) - {"unit", "role", "level"}
    if unknown:
        check.error(where, "目标含未知的键 " + "、".join(sorted(map(str, unknown))))
        return None
    if "unit" in raw:
        unit = _code(raw.get("unit"))
        if "role" in raw or "level" in raw:
            check.error(where, "目标不能同时指定 unit 和 role/level")
            return None
        if unit is None or unit not in unit_codes:
            check.error(where, f"单位 {raw.get('unit')} 不存在")
            return None
        return TargetEntry(unit=unit)
    role = raw.get("role")
    level = raw.get("level")
    if not isinstance(role, str) or not role.strip():
        check.error(where, "相对目标缺少职能 role")
        return None
    if len(role.strip()) > ROLE_MAX_LENGTH:
        check.error(where, f"职能编码超过 {ROLE_MAX_LENGTH} 个字符")
        return None
    if level not in LEVEL_RANK:
        check.error(where, f"层级 {level!r} 不存在（可用：{'、'.join(RegionLevel.values)}）")
        return None
    return TargetEntry(role=role.strip(), level=level)


def _rule_scope(check: _Checker, where: str, item: dict) -> tuple[Any, Any, list, bool]:
    """A rule's ``min_parties``, ``priority`` and ``channels`` and whether they are valid."""
    ok = True
    min_parties = item.get("min_parties", 1)
    if not isinstance(min_parties, int) or isinstance(min_parties, bool) or min_parties < 1:
        check.error(where, "min_parties 应为不小于 1 的整数")
        ok = False
    priority = item.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        check.error(where, "priority 应为整数")
        ok = False
    channels = item.get("channels") or []
    if not isinstance(channels, list):
        check.error(where, "channels 应为渠道编码的列表")
        ok = False
        channels = []
    bad_channels = [c for c in channels if c not in Channel.values]
    if bad_channels:
        check.error(where, f"未知渠道 {'、'.join(map(str, bad_channels))}（可用：{'、'.join(Channel.values)}）")
        ok = False
    return min_parties, priority, channels, ok


def _parse_rule(
    check: _Checker,
    where: str,
    item: dict,
    ordinal: int,
    seen: set[str],
    regions: dict[str, str | None],
    matters: dict[str, str | None],
    unit_codes: set[str],
) -> RuleEntry | None:
    rule_id = _code(item.get("id")) or f"rule-{ordinal}"
    where = f"规则 {rule_id}"
    if rule_id in seen:
        check.error(where, "规则标识重复")
        return None
    seen.add(rule_id)
    ok = True
    if len(rule_id) > RULE_ID_MAX_LENGTH:
        check.error(where, f"规则标识超过 {RULE_ID_MAX_LENGTH} 个字符")
        ok = False
    known_keys = {
        "id", "matter", "region", "min_parties", "min_severity", "channels", "priority", "lead", "cooperating", "note",
    }  # fmt: skip
    unknown = set(item) - known_keys
    if unknown:
        check.error(where, "未知的键 " + "、".join(sorted(map(str, unknown))))
        ok = False
    matter = _code(item.get("matter")) if item.get("matter") is not None else None
    if matter is not None and matter not in matters:
        check.error(where, f"事项 {matter} 不存在")
        ok = False
    region = _code(item.get("region")) if item.get("region") is not None else None
    if region is not None and region not in regions:
        check.error(where, f"区划 {region} 不存在")
        ok = False
    min_parties, priority, channels, valid = _rule_scope(check, where, item)
    ok = ok and valid
    min_severity = item.get("min_severity") or ""
    if min_severity and min_severity not in SEVERITY_RANK:
        check.error(where, f"min_severity 应为 {SEVERITY_NAMES} 之一")
        ok = False
    if "lead" not in item:
        check.error(where, "缺少主办目标 lead")
        return None
    lead = _parse_target(check, f"{where} 主办目标", item["lead"], unit_codes)
    cooperating_raw = item.get("cooperating") or []
    if not isinstance(cooperating_raw, list):
        check.error(where, "cooperating 应为目标的列表")
        return None
    cooperating = []
    for n, raw in enumerate(cooperating_raw, start=1):
        target = _parse_target(check, f"{where} 协办目标第 {n} 项", raw, unit_codes)
        if target is None:
            ok = False
        else:
            cooperating.append(target)
    note = item.get("note") or ""
    if len(str(note)) > NOTE_MAX_LENGTH:
        check.error(where, f"note 超过 {NOTE_MAX_LENGTH} 个字符")
        ok = False
    if lead is None or not ok:
        return None
    return RuleEntry(
        rule_id=rule_id,
        matter=matter,
        region=region,
        min_parties=min_parties,
        channels=list(channels),
        priority=priority,
        lead=lead,
        cooperating=cooperating,
        note=str(note),
        min_severity=min_severity,
    )
