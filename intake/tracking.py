"""What a successful public lookup (code + last four digits) lets the same browser do for a while.

The tracking page answers a POST; to add materials, leave a message or press (feedback, issue #11)
the citizen must not type the code again for every step, nor see it put in a URL. So a successful
lookup remembers the claim in the session for ``INTAKE_TRACK_GRANT_SECONDS`` (30 minutes), and
``/track/?shown=1`` shows that claim's result again while the grant lasts.
"""

from __future__ import annotations

import time

from django.conf import settings

from .models import Claim
from .selectors import tracked_claim_by_id

_KEY = "intake_tracked"


def _grant_seconds() -> int:
    return getattr(settings, "INTAKE_TRACK_GRANT_SECONDS", 30 * 60)


def tracking_grant(request, claim: Claim) -> None:
    request.session[_KEY] = {"claim": claim.pk, "until": time.time() + _grant_seconds()}


def tracking_forget(request) -> None:
    request.session.pop(_KEY, None)


def tracking_granted_claim(request) -> Claim | None:
    """The claim this browser looked up less than the grant's time ago, or None."""
    grant = request.session.get(_KEY)
    if not isinstance(grant, dict) or not isinstance(grant.get("claim"), int):
        return None
    if float(grant.get("until") or 0) < time.time():
        tracking_forget(request)
        return None
    return tracked_claim_by_id(grant["claim"])
