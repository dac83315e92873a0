"""Every write to the directory goes through here, and every write bumps ``DirectoryVersion``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import StaleError

from .directory_io import DirectoryPlan, parse_directory
from .models import (
    DirectoryVersion,
    MatterType,
    Region,
    RoutingRule,
    RuleTarget,
    SeverityRule,
    TargetKind,
    Unit,
    UnitRole,
)
from .roles import KNOWN_UNIT_ROLES


@dataclass
class ImportSummary:
    regions_created: int = 0
    regions_updated: int = 0
    matter_types_created: int = 0
    matter_types_updated: int = 0
    units_created: int = 0
    units_updated: int = 0
    rules: int | None = None
    severity_rules: int | None = None

    def lines(self) -> list[str]:
        out = [
            f"行政区划：新增 {self.regions_created}，更新 {self.regions_updated}",
            f"事项类型：新增 {self.matter_types_created}，更新 {self.matter_types_updated}",
            f"承办单位：新增 {self.units_created}，更新 {self.units_updated}",
        ]
        out.append("分派规则：未改动" if self.rules is None else f"分派规则：替换为 {self.rules} 条")
        if self.severity_rules is not None:
            out.append(f"严重程度规则：替换为 {self.severity_rules} 条")
        return out


def directory_touch() -> None:
    """Mark the directory as changed so every process rebuilds its dispatch index (routing.dispatch)
    and drops what it cached with it (units, the work calendar, the warning thresholds): every
    write to any of them calls this in its transaction."""
    DirectoryVersion.objects.update_or_create(pk=1, defaults={"stamp": uuid.uuid4().hex})


def _recompute_paths(model: type[Region] | type[MatterType]) -> None:
    """Rewrite ``path``/``depth`` for every node whose position changed (set-based, one pass)."""
    rows = list(model.objects.values_list("id", "code", "parent_id", "path", "depth"))
    by_id = {row[0]: row for row in rows}
    computed: dict[int, tuple[str, int]] = {}

    def resolve(node_id: int) -> tuple[str, int]:
        chain = []
        current: int | None = node_id
        while current is not None and current not in computed:
            chain.append(current)
            current = by_id[current][2]
        path, depth = computed[current] if current is not None else ("/", 0)
        for item in reversed(chain):
            path, depth = f"{path}{by_id[item][1]}/", depth + 1
            computed[item] = (path, depth)
        return computed[node_id]

    changed = []
    for node_id, _code, _parent, old_path, old_depth in rows:
        path, depth = resolve(node_id)
        if (path, depth) != (old_path, old_depth):
            changed.append(model(id=node_id, path=path, depth=depth))
    model.objects.bulk_update(changed, ["path", "depth"], batch_size=500)


def _upsert_tree(model, entries, fields_of) -> tuple[int, int]:
    """Create or update tree nodes by code; parents are wired once every node exists."""
    existing = {obj.code: obj for obj in model.objects.all()}
    parent_code_of = dict(model.objects.values_list("code", "parent__code"))
    model.objects.bulk_create(
        [model(code=e.code, path="", **fields_of(e)) for e in entries if e.code not in existing],
        batch_size=500,
    )
    ids = dict(model.objects.values_list("code", "id"))
    created = sum(1 for e in entries if e.code not in existing)
    updated = 0
    dirty = []
    for entry in entries:
        values = fields_of(entry)
        parent_id = ids[entry.parent] if entry.parent else None
        obj = existing.get(entry.code)
        if obj is None:
            obj = model(id=ids[entry.code], code=entry.code, **values)
        elif all(getattr(obj, k) == v for k, v in values.items()) and parent_code_of[entry.code] == entry.parent:
            continue
        else:
            updated += 1
            for key, value in values.items():
                setattr(obj, key, value)
        obj.parent_id = parent_id
        dirty.append(obj)
    model.objects.bulk_update(dirty, [*fields_of(entries[0]).keys(), "parent"], batch_size=500)
    _recompute_paths(model)
    return created, updated


@transaction.atomic
def directory_import(*, data: Any, actor=None) -> ImportSummary:
    """Import a loaded directory file (docs/directory-format.md).

    Guarantees: all or nothing — any problem raises ``DirectoryError`` listing every entry at
    fault and the database is unchanged. Regions, matter types and units are upserted by code
    (never deleted); a ``rules`` key replaces the whole rule set. Bumps the directory version.
    """
    plan: DirectoryPlan = parse_directory(data)
    summary = ImportSummary()

    if plan.regions:
        summary.regions_created, summary.regions_updated = _upsert_tree(
            Region, plan.regions, lambda e: {"name": e.name, "level": e.level}
        )
    if plan.matter_types:
        summary.matter_types_created, summary.matter_types_updated = _upsert_tree(
            MatterType,
            plan.matter_types,
            lambda e: {
                "name": e.name,
                "keywords": e.keywords,
                "mediable": e.mediable,
                "accept_days": e.accept_days,
                "sign_days": e.sign_days,
                "handle_days": e.handle_days,
                "contact_days": e.contact_days,
                "severity_deadlines": e.severity_deadlines,
            },
        )

    needed_roles = {role for entry in plan.units for role in entry.roles}
    if plan.rules:
        needed_roles |= {t.role for rule in plan.rules for t in [rule.lead, *rule.cooperating] if t.role}
    role_ids = _ensure_roles(needed_roles)

    if plan.units:
        _upsert_units(plan, role_ids, summary)

    if plan.rules is not None:
        _replace_rules(plan, role_ids)
        summary.rules = len(plan.rules)
    if plan.severity is not None:
        _replace_severity_rules(plan)
        summary.severity_rules = len(plan.severity)

    directory_touch()
    return summary


def _upsert_units(plan: DirectoryPlan, role_ids: dict[str, int], summary: ImportSummary) -> None:
    """Units by code in a handful of bulk statements, roles (the through table) likewise."""
    codes = [u.code for u in plan.units]
    region_ids = dict(Region.objects.filter(code__in={u.region for u in plan.units}).values_list("code", "id"))
    existing = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    Through = Unit.roles.through
    current_roles: dict[int, set[int]] = {}
    for unit_id, role_id in Through.objects.filter(unit__code__in=codes).values_list("unit_id", "unitrole_id"):
        current_roles.setdefault(unit_id, set()).add(role_id)
    new_units, changed = [], []
    for entry in plan.units:
        values = {"name": entry.name, "region_id": region_ids[entry.region], "active": entry.active}
        unit = existing.get(entry.code)
        if unit is None:
            new_units.append(Unit(code=entry.code, **values))
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            changed.append(unit)
    Unit.objects.bulk_create(new_units, batch_size=500)
    Unit.objects.bulk_update(changed, ["name", "region_id", "active"], batch_size=500)
    ids = dict(Unit.objects.filter(code__in=codes).values_list("code", "id"))
    stale, rows = [], []
    roles_changed = set()
    for entry in plan.units:
        unit_id = ids[entry.code]
        wanted = {role_ids[r] for r in entry.roles}
        if current_roles.get(unit_id, set()) != wanted:
            roles_changed.add(entry.code)
            stale.append(unit_id)
            rows += [Through(unit_id=unit_id, unitrole_id=role_id) for role_id in sorted(wanted)]
    Through.objects.filter(unit_id__in=stale).delete()
    Through.objects.bulk_create(rows, batch_size=1000)
    summary.units_created = len(new_units)
    summary.units_updated = len({u.code for u in changed} | (roles_changed - {u.code for u in new_units}))


def _ensure_roles(codes: set[str]) -> dict[str, int]:
    existing = dict(UnitRole.objects.filter(code__in=codes).values_list("code", "id"))
    missing = [UnitRole(code=c, name=str(KNOWN_UNIT_ROLES.get(c, c))) for c in sorted(codes - set(existing))]
    UnitRole.objects.bulk_create(missing)
    return dict(UnitRole.objects.filter(code__in=codes).values_list("code", "id"))


def _replace_rules(plan: DirectoryPlan, role_ids: dict[str, int]) -> None:
    RuleTarget.objects.all().delete()
    RoutingRule.objects.all().delete()
    assert plan.rules is not None
    matter_ids = dict(
        MatterType.objects.filter(code__in={r.matter for r in plan.rules if r.matter}).values_list("code", "id")
    )
    region_ids = dict(
        Region.objects.filter(code__in={r.region for r in plan.rules if r.region}).values_list("code", "id")
    )
    unit_ids = dict(
        Unit.objects.filter(
            code__in={t.unit for r in plan.rules for t in [r.lead, *r.cooperating] if t.unit}
        ).values_list("code", "id")
    )
    RoutingRule.objects.bulk_create(
        [
            RoutingRule(
                rule_id=entry.rule_id,
                matter_id=matter_ids.get(entry.matter),
                region_id=region_ids.get(entry.region),
                min_parties=entry.min_parties,
                channels=entry.channels,
                priority=entry.priority,
                min_severity=entry.min_severity,
                position=position,
                note=entry.note,
            )
            for position, entry in enumerate(plan.rules, start=1)
        ],
        batch_size=500,
    )
    ids = dict(RoutingRule.objects.values_list("rule_id", "id"))
    targets = []
    for entry in plan.rules:
        for kind, position, target in [(TargetKind.LEAD, 0, entry.lead)] + [
            (TargetKind.COOPERATING, n, t) for n, t in enumerate(entry.cooperating, start=1)
        ]:
            targets.append(
                RuleTarget(
                    rule_id=ids[entry.rule_id],
                    kind=kind,
                    position=position,
                    unit_id=unit_ids.get(target.unit) if target.unit else None,
                    role_id=role_ids[target.role] if target.role else None,
                    level=target.level or "",
                )
            )
    RuleTarget.objects.bulk_create(targets, batch_size=1000)


class DirectoryChanged(StaleError):
    """The directory changed between the preview an admin read and their confirmation."""

    def __init__(self):
        super().__init__(
            _("目录在预览之后已被修改（可能是其他管理员导入或编辑了目录），请核对重新预演的结果后再确认。")
        )


@transaction.atomic
def directory_import_confirmed(*, data: Any, version: str, actor=None) -> ImportSummary:
    """Import a file an admin previewed against directory ``version`` (``routing.replay``).

    Guarantees: the directory is still the one the preview was computed from — the version row is
    locked, so a concurrent write waits — else ``DirectoryChanged`` and nothing changes; then as
    ``directory_import`` (all or nothing, ``DirectoryError`` listing every problem)."""
    current = DirectoryVersion.objects.select_for_update().filter(pk=1).values_list("stamp", flat=True).first()
    if (current or "") != version:
        raise DirectoryChanged()
    return directory_import(data=data, actor=actor)


def _replace_severity_rules(plan: DirectoryPlan) -> None:
    assert plan.severity is not None
    SeverityRule.objects.all().delete()
    matter_ids = dict(
        MatterType.objects.filter(code__in={e.matter for e in plan.severity if e.matter}).values_list("code", "id")
    )
    SeverityRule.objects.bulk_create(
        [
            SeverityRule(
                level=entry.level,
                matter_id=matter_ids.get(entry.matter),
                min_parties=entry.min_parties,
                keywords=entry.keywords,
                position=position,
                note=entry.note,
            )
            for position, entry in enumerate(plan.severity, start=1)
        ]
    )


@transaction.atomic
def tree_node_save(*, node: Region | MatterType, actor=None) -> None:
    """Save a region or matter type edited in the admin and re-path its subtree."""
    node.save()
    _recompute_paths(type(node))
    directory_touch()


@transaction.atomic
def directory_object_save(*, obj, actor=None) -> None:
    """Save a unit, role or rule edited in the admin."""
    obj.save()
    directory_touch()
