"""The one call into the matching engine (``similar.engine``, issue #13 contract). Kept in one
place so the views and tests have a single seam, and so the engine's signature is read once."""

from __future__ import annotations

from django.db.models import QuerySet

from similar.engine import Match, similar_closed_cases


def closed_case_matches(
    text: str, *, matter_id: int | None, region_id: int | None, cases: QuerySet, limit: int
) -> list[Match]:
    """The closed cases among ``cases`` most like ``text``, best first (``Match``: ``case_id``,
    ``score``, ``why``…). Matter and place raise a case's score; they do not filter."""
    return similar_closed_cases(text, matter_id=matter_id, region_id=region_id, cases=cases, limit=limit)
