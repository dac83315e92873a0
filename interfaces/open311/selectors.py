"""Reads behind Open311: the services (leaf matter types), the places a key may name, and the
service requests (cases) of a key's region subtree with what GeoReport shows of them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from cases.citizen_words import SENTENCES, api_sentence
from cases.models import OPEN_STATUSES, Case, CaseEvent, Status
from intake.models import Claim
from routing.dispatch import DirectoryIndex, current_index, reference_cached
from routing.models import MatterType, Region

from ..keys import region_filter
from ..models import ApiKey

#: GeoReport knows two statuses; every status of ours is one of them.
CLOSED_STATUSES = [Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED]
STATUS_GROUPS = {"open": list(OPEN_STATUSES), "closed": CLOSED_STATUSES}
#: Levels a claim's place may have (the staff forms ask for a town or below, too).
CLAIM_LEVELS = ("town", "village", "grid")
MAX_REQUESTS = 1000  # the spec's "first 1000 requests"


def services() -> list[MatterType]:
    """Active matter types without active children, with their parent, in directory order."""
    return reference_cached("open311:services", _services)


def _services() -> list[MatterType]:
    children = MatterType.objects.filter(parent=OuterRef("pk"), active=True)
    return list(
        MatterType.objects.filter(active=True).filter(~Exists(children)).select_related("parent").order_by("path")
    )


def service(code: str) -> MatterType | None:
    return next((matter for matter in services() if matter.code == code), None)


def place_name(index: DirectoryIndex, code: str) -> str:
    """``高明区明城镇明东村``: the region's names below the city, root first (a grid named after its
    village, ``明东村第一网格``, does not repeat the village)."""
    names: list[str] = []
    for ancestor in reversed(index.region_chain(code)):
        info = index.regions[ancestor]
        if info.level in ("province", "city"):
            continue
        if names and info.name.startswith(names[-1]):
            names[-1] = info.name
        else:
            names.append(info.name)
    return "".join(names) or index.regions[code].name


def claim_places(key: ApiKey | None) -> list[tuple[str, str]]:
    """(code, readable name) of every place a claim may name, in the key's subtree if it has one."""
    index = current_index()
    rows = Region.objects.filter(level__in=CLAIM_LEVELS).order_by("path").values_list("code", "path")
    if key is not None and key.region is not None:
        rows = rows.filter(path__startswith=key.region.path)
    return [(code, place_name(index, code)) for code, _path in rows]


def region_from_address(key: ApiKey, address: str) -> tuple[Region | None, list[str]]:
    """The one place (town or below, in the key's subtree) whose name the address contains, most
    specific first; ``(None, names)`` when none or several different ones fit."""
    index = current_index()
    found = [
        code
        for code, info in index.regions.items()
        if info.level in CLAIM_LEVELS and len(info.name) >= 2 and info.name in address
    ]
    if key.region is not None:
        found = [code for code in found if key.region.code in index.region_chain(code)]
    # keep the deepest: a town named beside its own village is the village's ancestor, not a rival
    ancestors = {ancestor for code in found for ancestor in index.region_chain(code)[1:]}
    deepest = [code for code in found if code not in ancestors]
    if len(deepest) == 1:
        region = Region.objects.filter(code=deepest[0]).first()
        return region, []
    return None, [place_name(index, code) for code in deepest]


def _latest_public_event() -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), public=True, transition__in=list(SENTENCES))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )


def _first_claim(field: str) -> Subquery:
    return Subquery(Claim.objects.filter(case=OuterRef("pk")).order_by("created_at", "id").values(field)[:1])


def requests_base(key: ApiKey) -> QuerySet[Case]:
    """The cases this key may read, with the columns GeoReport shows (one query)."""
    return (
        Case.objects.filter(region_filter(key))
        .select_related("matter", "lead_unit", "region")
        .only(
            "number",
            "status",
            "matter__code",
            "matter__name",
            "lead_unit__name",
            "region__code",
            "address",
            "created_at",
            "updated_at",
            "closed_at",
            "stage_due_at",
            "channel",
        )
        .annotate(
            note_event_id=_latest_public_event(),
            latitude=_first_claim("latitude"),
            longitude=_first_claim("longitude"),
        )
    )


def requests_search(
    key: ApiKey,
    *,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> list[Case]:
    """Cases by number (which overrides every other filter, as the spec says), else by service
    code, requested time (``start`` ≤ created < ``end``) and open/closed; newest first, at most
    ``MAX_REQUESTS``. Each case carries ``status_note`` (two queries in all)."""
    cases = requests_base(key)
    if numbers:
        cases = cases.filter(number__in=numbers)
    else:
        if service_codes:
            cases = cases.filter(matter__code__in=service_codes)
        if start is not None:
            cases = cases.filter(created_at__gte=start)
        if end is not None:
            cases = cases.filter(created_at__lte=end)
        if statuses:
            cases = cases.filter(status__in=[status for group in statuses for status in STATUS_GROUPS[group]])
    rows = list(cases.order_by("-created_at", "-id")[:MAX_REQUESTS])
    _attach_status_notes(rows)
    return rows


def request_one(key: ApiKey, number: str) -> Case | None:
    rows = requests_search(key, numbers=[number])
    return rows[0] if rows else None


def _attach_status_notes(rows: list[Case]) -> None:
    """``status_note``: the sentence a citizen reads for the latest public event (one query)."""
    ids = [case.note_event_id for case in rows if case.note_event_id]
    events = CaseEvent.objects.select_related("handling_unit").in_bulk(ids) if ids else {}
    for case in rows:
        event = events.get(case.note_event_id)
        if event is not None:
            event.case = case  # the sentence reads the case's channel, not another row
        case.status_note = api_sentence(event) if event is not None else ""
