"""Reads of the directory."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import SEVERITY_RANK, MatterType, Region, RoutingRule, RuleTarget, SeverityRule, TargetKind, Unit


def region_subtree(region: Region) -> QuerySet[Region]:
    """The region and every region below it: one indexed prefix query on ``path``."""
    return Region.objects.filter(path__startswith=region.path)


def region_ancestors(region: Region) -> QuerySet[Region]:
    """The region and its ancestors, root first."""
    return Region.objects.filter(code__in=region.ancestor_codes).order_by("depth")


def matter_subtree(matter: MatterType) -> QuerySet[MatterType]:
    return MatterType.objects.filter(path__startswith=matter.path)


def units_in_subtree(region: Region) -> QuerySet[Unit]:
    return Unit.objects.filter(region__path__startswith=region.path)


def rules_with_targets() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("matter", "region").prefetch_related(
        Prefetch("targets", queryset=RuleTarget.objects.select_related("unit", "role").order_by("kind", "position"))
    )


def directory_export() -> dict:
    """The whole directory in the import format, deterministically ordered (round-trip safe)."""
    # Sorted in Python, not by the database's collation, so the text is the same on every database.
    regions = [
        {"code": code, "name": name, "level": level, **({"parent": parent} if parent else {})}
        for _path, code, name, level, parent in sorted(
            Region.objects.values_list("path", "code", "name", "level", "parent__code")
        )
    ]
    matter_types = []
    for m in sorted(MatterType.objects.select_related("parent"), key=lambda m: m.path):
        entry: dict = {"code": m.code, "name": m.name}
        if m.parent_id:
            entry["parent"] = m.parent.code
        if m.keywords:
            entry["keywords"] = list(m.keywords)
        entry["mediable"] = m.mediable
        entry["deadlines"] = {
            "accept": m.accept_days,
            "sign": m.sign_days,
            "handle": m.handle_days,
            "contact": m.contact_days,
        }
        if m.severity_deadlines:
            entry["severity_deadlines"] = {
                level: dict(m.severity_deadlines[level]) for level in SEVERITY_RANK if level in m.severity_deadlines
            }
        matter_types.append(entry)
    units = []
    for u in sorted(Unit.objects.select_related("region").prefetch_related("roles"), key=lambda u: u.code):
        entry = {
            "code": u.code,
            "name": u.name,
            "region": u.region.code,
            "roles": sorted(r.code for r in u.roles.all()),
        }
        if not u.active:
            entry["active"] = False
        units.append(entry)
    rules = []
    for r in rules_with_targets().order_by("position", "id"):
        entry = {"id": r.rule_id}
        if r.matter_id:
            entry["matter"] = r.matter.code
        if r.region_id:
            entry["region"] = r.region.code
        if r.min_parties != 1:
            entry["min_parties"] = r.min_parties
        if r.channels:
            entry["channels"] = list(r.channels)
        if r.min_severity:
            entry["min_severity"] = r.min_severity
        if r.priority:
            entry["priority"] = r.priority
        targets = list(r.targets.all())
        lead = next(t for t in targets if t.kind == TargetKind.LEAD)
        entry["lead"] = lead.as_yaml()
        cooperating = [t.as_yaml() for t in targets if t.kind == TargetKind.COOPERATING]
        if cooperating:
            entry["cooperating"] = cooperating
        if r.note:
            entry["note"] = r.note
        rules.append(entry)
    out = {"regions": regions, "matter_types": matter_types, "units": units, "rules": rules}
    severity = []
    for rule in SeverityRule.objects.select_related("matter").order_by("position", "id"):
        entry = {"level": rule.level}
        if rule.matter_id:
            entry["matter"] = rule.matter.code
        if rule.min_parties is not None:
            entry["min_parties"] = rule.min_parties
        if rule.keywords:
            entry["keywords"] = list(rule.keywords)
        if rule.note:
            entry["note"] = rule.note
        severity.append(entry)
    if severity:  # a directory without severity rules exports as it always did
        out["severity"] = severity
    return out


def _keyword_hits(text: str, keyword: str, max_gap: int = 4) -> int:
    """Exact occurrences count 2; the keyword's characters in order with small gaps count 1
    ("拖欠三个月工资" still suggests the keyword 拖欠工资)."""
    exact = text.count(keyword)
    if exact:
        return 2 * exact
    position = text.find(keyword[0])
    while position != -1:
        cursor, ok = position, True
        for char in keyword[1:]:
            found = text.find(char, cursor + 1, cursor + 2 + max_gap)
            if found == -1:
                ok = False
                break
            cursor = found
        if ok:
            return 1
        position = text.find(keyword[0], position + 1)
    return 0


def suggest_matters(text: str, *, limit: int = 3) -> list[MatterType]:
    """Matter types whose keywords appear in ``text``, most hits first (one query).

    A suggestion only: the citizen or clerk confirms the matter type themselves.
    """
    text = (text or "").strip()
    if not text:
        return []
    scored = []
    for matter in MatterType.objects.filter(active=True).exclude(keywords=[]).select_related("parent"):
        hits = sum(_keyword_hits(text, keyword) for keyword in matter.keywords if keyword)
        if hits:
            scored.append((-hits, -matter.depth, matter.code, matter))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]
