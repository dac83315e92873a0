"""Reads about users: their memberships, roles and the area they cover."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from core.compiled import CompiledQuery
from routing.models import LEVEL_RANK, Region, RegionLevel

from .models import Membership, Role

_CACHE_ATTR = "_yikouban_memberships"


# Every staff request reads them: compiled once (core.compiled), not on every request.
_MEMBERSHIPS = CompiledQuery(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id, active=True, unit__active=True)
        .select_related("unit__region")
        .order_by("unit__region__path", "role")
    ),
    -7_160_016,  # no user has this id
)


def user_memberships(user) -> list[Membership]:
    """Active memberships with unit and region loaded; cached on the user object per request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _MEMBERSHIPS.fetch(user.pk)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    roles = {m.role for m in user_memberships(user)}
    if user.is_citizen:
        roles.add(Role.CITIZEN)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


@dataclass
class CoveredArea:
    membership: Membership
    region_chain: list[Region]  # root … the unit's region
    counts_below: list[tuple[str, int]]  # (level label, number of regions of that level below)


def covered_areas(user) -> list[CoveredArea]:
    """For each membership: where the unit sits and how much of the tree lies below it.

    One query for the ancestor chains, and one grouped count per distinct unit region.
    """
    memberships = user_memberships(user)
    if not memberships:
        return []
    codes = {code for m in memberships for code in m.unit.region.ancestor_codes}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    counts: dict[str, dict[str, int]] = {}
    for path in {m.unit.region.path for m in memberships}:
        counts[path] = dict(
            Region.objects.filter(path__startswith=path)
            .exclude(path=path)
            .values_list("level")
            .annotate(n=Count("id"))
            .order_by()
        )
    areas = []
    for m in memberships:
        region = m.unit.region
        by_level = counts.get(region.path, {})
        areas.append(
            CoveredArea(
                membership=m,
                region_chain=[regions[c] for c in region.ancestor_codes if c in regions],
                counts_below=[
                    (RegionLevel(level).label, by_level[level])
                    for level in sorted(by_level, key=LEVEL_RANK.__getitem__)
                ],
            )
        )
    return areas
