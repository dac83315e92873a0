"""Holds on a case from other apps. While a mediation is in progress, the case must not be returned,
transferred, escalated, reported, merged away, withdrawn or have its clock restarted underneath it:
those transitions are refused (with the reason) and not offered.

``cases`` does not import the apps that hold a case: they register a *source* at start-up
(``mediation`` in ``MediationConfig.ready``), a callable ``source(case) -> str | None`` answering
why the case is held, or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable

#: Transitions (and the 恢复计时 action) a hold refuses.
HELD_TRANSITIONS = frozenset({"return_case", "transfer", "escalate", "submit_result", "merge", "withdraw", "resume"})

_sources: list[Callable] = []


def register_hold_source(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def hold_reason(case) -> str | None:
    """Why ``case`` is held by another app, or None."""
    for source in _sources:
        reason = source(case)
        if reason:
            return reason
    return None
