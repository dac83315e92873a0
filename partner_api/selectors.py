"""Reads of the partner API: a case's public status and the feed of public events, each scoped to
the key's region subtree. Nothing here returns a name, a phone or an ID number: only codes, the
directory's names, times and the sentences a citizen reads (cases.citizen_words)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cases.citizen_words import api_sentence, clock_paused, due_label, status_words
from cases.models import Case, CaseEvent
from interfaces.keys import region_filter

from .models import PartnerClaim

MAX_FEED_PAGE = 200


def _external_id(partner: str, case_field: str) -> Subquery:
    return Subquery(
        PartnerClaim.objects.filter(case_id=OuterRef(case_field), partner=partner).values("external_id")[:1]
    )


def _event(event: CaseEvent) -> dict:
    return {
        "kind": event.transition,
        "status": event.to_status,
        "text": api_sentence(event),
        "at": event.created_at.isoformat(),
    }


def public_case(api_key, number: str) -> dict | None:
    """The public status of case ``number`` in the key's area, or None. Three queries: the case
    (with its directory rows and this partner's external id), its public events, their units."""
    case = (
        Case.objects.filter(region_filter(api_key), number=number)
        .select_related("matter", "region", "lead_unit")
        .annotate(partner_external_id=_external_id(api_key.partner, "pk"))
        .first()
    )
    if case is None:
        return None
    events = [e for e in case.events.filter(public=True).select_related("handling_unit").order_by("created_at", "id")]
    for event in events:
        event.case = case  # the citizen's sentence for "submit" reads the channel
    due = case.stage_due_at if case.is_open else None
    return {
        "case_number": case.number,
        "external_id": case.partner_external_id,
        "channel": case.channel,
        "status": case.status,
        "status_text": status_words(case.status),
        "matter": {"code": case.matter.code, "name": case.matter.name},
        "region": {"code": case.region.code, "name": case.region.name},
        "handling_unit": case.lead_unit.name if case.lead_unit_id else None,
        "registered_at": case.created_at.isoformat(),
        "due_at": due.isoformat() if due else None,
        "due_label": due_label(case.status) if due else None,
        "clock_paused": clock_paused(case),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "outcome": case.outcome or None,
        "events": [item for item in map(_event, events) if item["text"]],
    }


def encode_cursor(event_id: int) -> str:
    return str(event_id)


def event_feed(api_key, *, after: int, limit: int) -> dict:
    """Public events after the cursor ``after`` (an event id), oldest first, at most ``limit``,
    of cases in the key's area. Keyset on the primary key: one indexed range read per page, however
    long the table. Events younger than ``PARTNER_API_FEED_SETTLE_SECONDS`` are left for the next
    call, so an event whose transaction commits a moment later than a newer one is not skipped.
    Events of imported cases are never in the feed (the status endpoint shows them)."""
    settled = timezone.now() - timedelta(seconds=settings.PARTNER_API_FEED_SETTLE_SECONDS)
    rows = list(
        # imported cases (``import_cases``) are left out: their back-dated events commit in one long
        # transaction, below ids the cursor may already have passed (docs/api.md, docs/import.md)
        CaseEvent.objects.filter(
            region_filter(api_key, "case__region"), public=True, id__gt=after, case__import_source=""
        )
        .select_related("case", "handling_unit")
        .annotate(partner_external_id=_external_id(api_key.partner, "case_id"))
        .order_by("id")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    for n, event in enumerate(rows):
        if event.created_at > settled:
            rows, has_more = rows[:n], False
            break
    events = []
    for event in rows:
        item = _event(event)
        if not item["text"]:
            continue  # a public kind without a citizen sentence is not news for a partner either
        events.append(
            {
                "cursor": encode_cursor(event.pk),
                "case_number": event.case.number,
                "external_id": event.partner_external_id,
                **item,
            }
        )
    last = rows[-1].pk if rows else after
    return {"events": events, "next_cursor": encode_cursor(last), "has_more": has_more}
