"""Presets of the citizen claim form from a link (``?matter=&region=&draft=``).

``matter`` and ``region`` are codes; ``draft`` is the code of a document another app issued (the
智能咨询 guidance letter, issue #14) whose app registers a *draft source* here at start-up: intake
sits below those apps and never imports them. A preset that does not resolve is ignored: the form
simply starts blank there, and the form's own validation still checks whatever is submitted.
"""

from __future__ import annotations

from collections.abc import Callable

from routing.models import MatterType, Region

DraftSource = Callable[[str], "dict | None"]
_draft_sources: list[DraftSource] = []


def register_draft_source(source: DraftSource) -> None:
    """``source(code)`` returns ``{"matter", "region", "description"}`` for a code it knows, else None."""
    if source not in _draft_sources:
        _draft_sources.append(source)


def claim_presets(params) -> dict:
    """``initial`` values for the claim form from a query string (unknown values dropped)."""
    found: dict = {}
    code = (params.get("draft") or "").strip()[:40]
    if code:
        for source in _draft_sources:
            draft = source(code)
            if draft:
                found = {key: value for key, value in draft.items() if value}
                break
    for key in ("matter", "region"):
        if params.get(key):
            found[key] = params[key].strip()[:40]
    if "matter" in found and not MatterType.objects.filter(code=found["matter"], active=True).exists():
        del found["matter"]
    if "region" in found and not Region.objects.filter(code=found["region"]).exists():
        del found["region"]
    return found
