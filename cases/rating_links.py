"""The rating link (回访, issue #11) in the result SMS, from the app that keeps the links.

``cases`` does not import the app above it: ``feedback`` registers an *issuer* at start-up, a
callable ``issuer(case) -> RatingLink | None`` that stores a new single-use link for the case (in
the caller's transaction) and returns its address with the raw token, which then lives only in the
SMS (``notification_send(secret=…)`` keeps it out of the outbox row). No issuer: no link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RatingLink:
    url: str  # the full address put in the SMS
    secret: str  # the raw token inside ``url`` (masked in the outbox)
    party_id: int  # the applicant it is for


_issuers: list[Callable] = []


def register_rating_link_issuer(issuer: Callable) -> None:
    if issuer not in _issuers:
        _issuers.append(issuer)


def rating_link_issue(case) -> RatingLink | None:
    for issuer in _issuers:
        link = issuer(case)
        if link is not None:
            return link
    return None
