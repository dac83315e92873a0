"""Reads of 一码解纷: which places have a QR code, their service point, what a staff member may print."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import Membership, Role
from routing.models import Region, RegionLevel
from routing.roles import DISPATCH_ROLE

from .models import ServicePoint

#: The places with a QR code: a centre (city, district), a town (street) and a village (community).
QR_LEVELS = (RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.TOWN, RegionLevel.VILLAGE)
#: The unit functions whose staff print posters for their area (with the admins).
CENTRE_ROLES = (DISPATCH_ROLE, "comprehensive_centre")
#: 整区打印 builds at most this many pages in one PDF (about 11 ms a page: some 25 s, well within
#: q2's 60 s task timeout). A larger area is refused with its count, never cut silently: the page
#: says so and offers the places one level down (a district has a few hundred villages at most).
MAX_POSTERS = getattr(settings, "POSTER_BATCH_MAX", 2000)


def qr_place(code: str) -> Region | None:
    return Region.objects.filter(code=code, level__in=QR_LEVELS).first()


def region_chains(regions: list[Region]) -> dict[str, list[Region]]:
    """Each region's places from the city down to itself (the province says little), one query."""
    codes = {code for region in regions for code in region.ancestor_codes}
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes).exclude(level=RegionLevel.PROVINCE)}
    return {region.code: [by_code[c] for c in region.ancestor_codes if c in by_code] for region in regions}


def service_points_for(regions: list[Region]) -> dict[str, ServicePoint]:
    """Each region's service point: its own, else the nearest one above it (one query)."""
    codes = {code for region in regions for code in region.ancestor_codes}
    points = {p.region.code: p for p in ServicePoint.objects.filter(region__code__in=codes).select_related("region")}
    found = {}
    for region in regions:
        for code in reversed(region.ancestor_codes):
            if code in points:
                found[region.code] = points[code]
                break
    return found


def poster_scope_paths(user) -> list[str] | None:
    """The region paths whose places ``user`` may print posters for; ``None`` means everywhere
    (a superuser). Admins and the staff of a 诉求服务中心 or 综治中心 print for their unit's area."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    rows = Membership.objects.filter(user=user, active=True, unit__active=True).filter(
        Q(role=Role.ADMIN) | Q(unit__roles__code__in=CENTRE_ROLES)
    )
    return sorted(set(rows.values_list("unit__region__path", flat=True)))


def _within(paths: list[str] | None) -> Q:
    if paths is None:
        return Q()
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return query


def poster_places(user) -> QuerySet[Region]:
    """The places ``user`` may print a poster for, in tree order."""
    return Region.objects.filter(_within(poster_scope_paths(user)), level__in=QR_LEVELS).order_by("path")


def places_below(region: Region) -> QuerySet[Region]:
    """``region`` and every place with a QR code below it, in tree order (a district's posters)."""
    return Region.objects.filter(path__startswith=region.path, level__in=QR_LEVELS).order_by("path")


def places_one_level_down(region: Region) -> QuerySet[Region]:
    """The places with a QR code directly below ``region`` (to print an area too large at once)."""
    return Region.objects.filter(parent=region, level__in=QR_LEVELS).order_by("path")


def own_poster_batches(user, region: Region):
    from .models import PosterBatch

    return PosterBatch.objects.filter(requested_by=user, region=region).order_by("-created_at", "-id")
