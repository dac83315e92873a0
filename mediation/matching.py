"""Recommending mediators for a case: specialty, distance in the region tree, current load.

Score (0–100), every part explained in Chinese on screen:
- specialty (max 40): the case's matter itself 40; an ancestor of it 40 − 10 × steps up (min 10);
  none 0;
- place (max 35): tree distance between the case's region and the nearest region the mediator
  serves (0 when the mediator serves the case's region or an ancestor of it), 35 − 7 × distance;
- load (max 25): 25 × free share of their maximum concurrent mediations.
Eligible: active, with at least one free slot. Ties go to the lower load, then the lower id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cases.models import Case

from .models import OPEN_MEDIATION, MediationStatus, MediatorProfile

SPECIALTY_MAX, PLACE_MAX, LOAD_MAX = 40, 35, 25


@dataclass
class Candidate:
    profile: MediatorProfile
    load: int
    specialty: int = 0
    place: int = 0
    free: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.specialty + self.place + self.free

    @property
    def eligible(self) -> bool:
        return self.profile.active and self.load < self.profile.max_concurrent


def _codes(path: str) -> list[str]:
    return [c for c in path.split("/") if c]


def tree_distance(a_path: str, b_path: str) -> int:
    """Edges between two regions; 0 when ``b`` (served) is ``a`` itself or an ancestor of it."""
    a, b = _codes(a_path), _codes(b_path)
    if a[: len(b)] == b:
        return 0
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return (len(a) - common) + (len(b) - common)


def mediator_loads(profile_ids=None) -> dict[int, int]:
    """Open mediations (assigned or in progress) per mediator: one grouped query."""
    qs = MediatorProfile.objects.all()
    if profile_ids is not None:
        qs = qs.filter(pk__in=profile_ids)
    rows = qs.annotate(
        open_count=Count(
            "mediations",
            filter=Q(mediations__status__in=[MediationStatus.ASSIGNED, MediationStatus.IN_PROGRESS]),
        )
    ).values_list("pk", "open_count")
    return dict(rows)


def score(case: Case, profile: MediatorProfile, load: int) -> Candidate:
    c = Candidate(profile=profile, load=load)
    matter_codes = _codes(case.matter.path)
    best_steps = None
    best_name = ""
    for specialty in profile.specialties.all():
        codes = _codes(specialty.path)
        if matter_codes[: len(codes)] == codes:
            steps = len(matter_codes) - len(codes)
            if best_steps is None or steps < best_steps:
                best_steps, best_name = steps, specialty.name
    if best_steps is None:
        c.reasons.append(_("擅长领域不含“%(m)s”：0 分") % {"m": case.matter.name})
    else:
        c.specialty = max(10, SPECIALTY_MAX - 10 * best_steps)
        if best_steps == 0:
            c.reasons.append(_("擅长“%(m)s”：%(s)d 分") % {"m": best_name, "s": c.specialty})
        else:
            c.reasons.append(
                _("擅长上级类别“%(m)s”（相差 %(n)d 级）：%(s)d 分")
                % {"m": best_name, "n": best_steps, "s": c.specialty}
            )
    regions = list(profile.regions.all())
    if regions:
        nearest = min(regions, key=lambda r: (tree_distance(case.region.path, r.path), -r.depth))
        distance = tree_distance(case.region.path, nearest.path)
        c.place = max(0, PLACE_MAX - 7 * distance)
        if distance == 0:
            c.reasons.append(_("服务区域“%(r)s”覆盖发生地：%(s)d 分") % {"r": nearest.name, "s": c.place})
        else:
            c.reasons.append(
                _("最近的服务区域“%(r)s”与发生地相距 %(d)d 级：%(s)d 分")
                % {"r": nearest.name, "d": distance, "s": c.place}
            )
    else:
        c.reasons.append(_("未设置服务区域：0 分"))
    capacity = max(profile.max_concurrent, 1)
    c.free = round(LOAD_MAX * max(0, capacity - load) / capacity)
    c.reasons.append(
        _("当前在办 %(l)d 件 / 上限 %(m)d 件：%(s)d 分") % {"l": load, "m": profile.max_concurrent, "s": c.free}
    )
    if not c.eligible:
        c.reasons.append(_("已达同时调解上限，暂不可指派") if profile.active else _("不在岗"))
    return c


def candidates(case: Case) -> list[Candidate]:
    """Every active mediator, scored and sorted best first (eligible before the full ones)."""
    profiles = list(
        MediatorProfile.objects.filter(active=True)
        .select_related("user")
        .prefetch_related("specialties", "regions")
        .order_by("id")
    )
    loads = mediator_loads([p.pk for p in profiles])
    scored = [score(case, p, loads.get(p.pk, 0)) for p in profiles]
    scored.sort(key=lambda c: (not c.eligible, -c.score, c.load, c.profile.pk))
    return scored


def recommend(case: Case, limit: int = 3) -> list[Candidate]:
    """The top ``limit`` eligible mediators for ``case``."""
    return [c for c in candidates(case) if c.eligible][:limit]


__all__ = ["Candidate", "candidates", "recommend", "score", "tree_distance", "mediator_loads", "OPEN_MEDIATION"]
