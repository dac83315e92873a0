"""The feedback panels: the citizen's (补充材料 / 留言 / 催办) on their case page and the tracking
result, and the staff one (what citizens added, presses, call-backs) on the staff case page."""

from __future__ import annotations

from django.conf import settings

from cases.models import OPEN_STATUSES
from cases.permissions import can_callback, is_citizen_party

from .models import SupplementKind
from .selectors import case_call_attempts, case_supplements
from .services import PRESSABLE, press_allowed, supplements_left_by_kind


def citizen_panel_context(*, request, claim, case, mode: str) -> dict | None:
    """Offered while the case is open; to the logged-in party (``owner``) or after a tracking
    lookup (``track``, the grant is the lookup itself)."""
    if case.status not in OPEN_STATUSES:
        return None
    if mode == "owner" and not is_citizen_party(request.user, case):
        return None
    left = supplements_left_by_kind(case)
    return {
        "voice_mode": mode,
        "voice_claim": claim,
        "voice_case": case,
        "materials_left": left[SupplementKind.MATERIAL],
        "messages_left": left[SupplementKind.MESSAGE],
        "daily_limits": settings.FEEDBACK_DAILY_LIMITS,
        "can_press": case.status in PRESSABLE,
        "press_allowed": press_allowed(case),
    }


def staff_panel_context(*, request, user, case, page) -> dict:
    """Reads only when the timeline the page already holds shows something to read: a case nobody
    added to, pressed or called back costs the case page no query."""
    kinds = {event.transition for event in page.get("events", ())}
    supplements = case_supplements(case) if kinds & {"supplement", "citizen_message"} else []
    called = bool(kinds & {"callback_attempt", "close_unreached"}) or case.rated_via == "phone"
    return {
        "case": case,
        "supplements": supplements,
        "call_attempts": case_call_attempts(case) if called else [],
        "press_count": case.press_count,
        "can_callback": case.status == "feedback" and can_callback(user, case),
    }
